// A web app that bundles the package, as a host's React or Vue app would: Vite's production build (the
// .wasm emitted as an asset, the glue's top-level await kept) and its dev server (which pre-bundles
// dependencies, the usual way a wasm package's URL breaks), and webpack 5's production build (a
// classic script, the top-level await an async module), each loaded in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, createServer } from 'vite';
import webpack from 'webpack';

const { startMockConsole, MOCK_API_TOKEN } = await import(`${process.env.REPO}/mock-console/server.mjs`);
// Inside the scratch project, so that the app resolves the installed package.
const app = fileURLToPath(new URL('./vite-app/', import.meta.url));
let mock;
let browser;

before(async () => {
  rmSync(app, { recursive: true, force: true });
  mkdirSync(`${app}src`, { recursive: true });
  writeFileSync(`${app}index.html`, '<!doctype html><html><body><pre id="out">running</pre><script type="module" src="/src/main.js"></script></body></html>');
  // The app asks the mock console on another origin (it allows any): the platform fetch, no shim.
  writeFileSync(`${app}src/main.js`, `
import { getAgentBySerialNumber, manifest } from 'sentinelone-connector';
const out = document.getElementById('out');
const { baseUrl, apiToken } = Object.fromEntries(new URLSearchParams(location.search));
getAgentBySerialNumber({ baseUrl, apiToken }, { serialNumber: 'C02XK1ABJG5J' })
  .then((o) => { out.textContent = ['found', o.agentId, o.matchCount, manifest().id].join(' '); },
        (e) => { out.textContent = ['error', e.code, e.message].join(' '); });
`);
  mock = await startMockConsole();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  await browser?.close();
  await mock?.close();
  rmSync(app, { recursive: true, force: true });
});

async function outcome(origin, path = '') {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const query = new URLSearchParams({ baseUrl: mock.url, apiToken: MOCK_API_TOKEN });
  await page.goto(`${origin}/${path}?${query}`);
  await page.waitForFunction(() => document.getElementById('out').textContent !== 'running', null, { timeout: 20000 });
  const text = await page.locator('#out').textContent();
  await page.close();
  assert.deepEqual(errors, []);
  return text;
}

test("Vite's production build: the .wasm emitted as an asset, found and instantiated at import", async () => {
  await build({ root: app, cacheDir: `${app}.vite`, logLevel: 'silent', build: { outDir: 'dist' } });
  const assets = readdirSync(`${app}dist/assets`);
  assert.ok(assets.some((name) => name.endsWith('.wasm')), assets.join(', '));
  const served = await startMockConsole({ staticDirs: { '/': `${app}dist` } });
  try {
    // (The built page is served by a second mock console; the lookup goes to the first.)
    const text = await outcome(served.url);
    assert.equal(text, 'found 1550901640146865256 1 sentinelOneConnector');
  } finally {
    await served.close();
  }
});

test("Vite's dev server, which pre-bundles the package", async () => {
  // Its own cache, made anew: Vite keys pre-bundled dependencies on the lockfile, not their files.
  const server = await createServer({ root: app, cacheDir: `${app}.vite`, logLevel: 'silent', server: { port: 0, host: '127.0.0.1' } });
  await server.listen();
  try {
    const { port } = server.httpServer.address();
    assert.equal(await outcome(`http://127.0.0.1:${port}`), 'found 1550901640146865256 1 sentinelOneConnector');
  } finally {
    await server.close();
  }
});

test("webpack 5's production build: the .wasm an asset, the entry's top-level await an async module", async () => {
  const outDir = `${app}webpack-dist`;
  const stats = await new Promise((resolve, reject) => {
    const compiler = webpack({ mode: 'production', context: app, entry: './src/main.js', output: { path: outDir, filename: 'main.js', publicPath: 'auto' } });
    compiler.run((error, result) => compiler.close(() => (error ? reject(error) : resolve(result))));
  });
  assert.equal(stats.hasErrors(), false, stats.toString('errors-only'));
  assert.ok(readdirSync(outDir).some((name) => name.endsWith('.wasm')));
  writeFileSync(`${outDir}/index.html`, '<!doctype html><html><body><pre id="out">running</pre><script src="main.js"></script></body></html>');
  const served = await startMockConsole({ staticDirs: { '/': outDir } });
  try {
    assert.equal(await outcome(served.url, 'index.html'), 'found 1550901640146865256 1 sentinelOneConnector');
  } finally {
    await served.close();
  }
});
