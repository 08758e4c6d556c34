// WebKit (Safari's engine) for browser.test.mjs: WebKitGTK's MiniBrowser under Xvfb, driven through
// WebKitWebDriver's W3C WebDriver endpoint, behind the small part of Playwright's page API those tests
// use (newPage, goto, evaluate, on, close). Debian's webkit2gtk-driver and xvfb; no npm package.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

const MINIBROWSER = process.env.MINIBROWSER ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/** A free loopback port, for WebKitWebDriver to listen on. */
async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts WebKitWebDriver under Xvfb and opens a session: `{ newPage(), close() }`. */
export async function launchWebKit() {
  const port = await freePort();
  // Its own process group, so that closing ends xvfb-run, Xvfb, the driver and the browser together.
  const driver = spawn('xvfb-run', ['-a', 'WebKitWebDriver', `--port=${port}`], { detached: true, stdio: 'ignore' });
  // Not installed (scripts/setup.sh installs both): said when the session cannot be had, not thrown
  // as an unhandled 'error' event that ends the test process.
  let spawnError;
  driver.once('error', (error) => { spawnError = error; });
  const base = `http://127.0.0.1:${port}`;
  const call = async (method, path, body) => {
    const response = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const { value } = await response.json();
    if (!response.ok) throw new Error(`WebDriver ${method} ${path}: ${value?.error}: ${value?.message}`);
    return value;
  };
  const stop = () => {
    try {
      process.kill(-driver.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  };
  let session;
  // The driver takes a moment to listen: a refused connection is retried for ~5 s.
  for (let attempt = 0; session === undefined; attempt++) {
    try {
      session = await call('POST', '/session', {
        capabilities: { alwaysMatch: { 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } } },
      });
    } catch (error) {
      if (spawnError !== undefined || attempt === 50) {
        stop();
        throw spawnError === undefined ? error : new Error(`xvfb-run and WebKitWebDriver could not start: ${spawnError.message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const id = session.sessionId;
  let current = await call('GET', `/session/${id}/window`);
  const firstWindow = current;
  const on = async (handle) => {
    if (handle !== current) await call('POST', `/session/${id}/window`, { handle });
    current = handle;
  };
  const page = (handle) => ({
    on() {},
    async goto(url) {
      await on(handle);
      await call('POST', `/session/${id}/url`, { url });
    },
    // As Playwright's: `fn` runs in the page with the one argument, its resolved value comes back as JSON.
    async evaluate(fn, arg) {
      await on(handle);
      const script = `const done = arguments[arguments.length - 1];
        Promise.resolve().then(() => (${fn})(arguments[0])).then((value) => done({ value }), (error) => done({ error: String(error) }));`;
      const result = await call('POST', `/session/${id}/execute/async`, { script, args: [arg ?? null] });
      if (result.error !== undefined) throw new Error(result.error);
      return result.value;
    },
    async close() {
      await on(handle);
      await call('DELETE', `/session/${id}/window`);
      current = undefined;
      await on(firstWindow);
    },
  });
  let pages = 0;
  return {
    async newPage() {
      pages += 1;
      if (pages === 1) return page(firstWindow);
      const { handle } = await call('POST', `/session/${id}/window/new`, { type: 'tab' });
      return page(handle);
    },
    async close() {
      await call('DELETE', `/session/${id}`).catch(() => {});
      stop();
    },
  };
}
