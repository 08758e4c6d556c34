// The npm package's browser entry in a headless browser: imported as a page would, looking serials up
// against the mock console on the same origin through the browser's own fetch. In Chromium (through
// Playwright) by default; BROWSER=firefox runs the same cases in Firefox ESR (through Puppeteer and
// WebDriver BiDi), BROWSER=webkit in WebKitGTK (Safari's engine, through WebKitWebDriver: webkit.mjs):
// each engine's own wasm, fetch and TextDecoder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const REPO = process.env.REPO;
const ENGINE = process.env.BROWSER ?? 'chromium';
const { startMockConsole, MOCK_API_TOKEN } = await import(`${REPO}/mock-console/server.mjs`);
const here = dirname(fileURLToPath(import.meta.url));
// What the engine's fetch rejects with when no response came (a refused connection, CORS).
const FETCH_FAILED = { firefox: 'NetworkError when attempting to fetch resource.', webkit: 'Load failed' }[ENGINE] ?? 'Failed to fetch';
// How the engine names itself.
const USER_AGENT = { firefox: / Firefox\//, webkit: / AppleWebKit\/[\d.]+ \(KHTML, like Gecko\) Version\/[\d.]+ Safari\// }[ENGINE] ?? / (Headless)?Chrome\//;

let mock;
let browser;
let page;

async function launch() {
  if (ENGINE === 'webkit') return (await import('./webkit.mjs')).launchWebKit();
  if (ENGINE === 'firefox') {
    const { default: puppeteer } = await import('puppeteer-core');
    return puppeteer.launch({ browser: 'firefox', executablePath: process.env.FIREFOX ?? '/usr/bin/firefox-esr', headless: true });
  }
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

before(async () => {
  mock = await startMockConsole({
    staticDirs: { '/pkg/': join(here, 'node_modules', 'sentinelone-connector'), '/': here },
    // A cross-origin isolated page, for the SharedArrayBuffer case below.
    staticHeaders: { '/isolated.html': { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } },
  });
  browser = await launch();
  page = await browser.newPage();
  page.on('pageerror', (e) => console.error('pageerror', e));
  await page.goto(`${mock.url}/index.html`);
});
after(async () => {
  await browser?.close();
  await mock?.close();
});

test('the default entry instantiates at import and looks up through the browser fetch', async () => {
  const result = await page.evaluate(async (token) => {
    const c = await import('/pkg/index.js');
    const connection = { baseUrl: location.origin, apiToken: token };
    const found = await c.getAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' });
    const missing = await c.getAgentBySerialNumber(connection, { serialNumber: 'NO-SUCH-SERIAL-9' });
    const duplicate = await c.invoke('getAgentBySerialNumber', { connection, input: { serialNumber: '5Q4Q7Y1' } });
    const error = await c.getAgentBySerialNumber({ ...connection, apiToken: 'wrong-token-0000000000000000' }, { serialNumber: 'C02XK1ABJG5J' }).catch((e) => e);
    return {
      found: [found.agentFound, found.agentId, found.matchCount, found.rawResponse.data.length],
      missing: [missing.agentFound, missing.agentId],
      duplicate: [duplicate.agentId, duplicate.matchCount],
      error: [error instanceof Error, error.code, error.status, error.upstreamCode],
      userAgent: navigator.userAgent,
    };
  }, MOCK_API_TOKEN);
  assert.match(result.userAgent, USER_AGENT, 'the engine asked for');
  assert.deepEqual(result.found, [true, '1550901640146865256', 1, 4]);
  assert.deepEqual(result.missing, [false, null]);
  assert.deepEqual(result.duplicate, ['1600000000000000102', 2]);
  assert.deepEqual(result.error, [true, 'UNAUTHORIZED', 401, 4010010]);
});

test("a redirect is not followed in a page either: the browser hides where it points, the error says so, no retry", async () => {
  // A same-origin login page it would follow with the token, and then read as a malformed answer.
  // Two faults for the two calls: a retry would be answered by the console itself, and found the agent.
  mock.injectFaults(Array(2).fill({ status: 302, location: '/login' }));
  const before = mock.requests.length;
  const error = await page.evaluate(async (token) => {
    const c = await import('/pkg/index.js');
    const connection = { baseUrl: location.origin, apiToken: token };
    const input = { serialNumber: 'C02XK1ABJG5J' };
    // Three attempts allowed: a redirect is not a failure another attempt could mend.
    const platform = await c.getAgentBySerialNumber(connection, input, { maxAttempts: 3 }).catch((x) => x);
    // A host shim handing the request to the page's fetch as its init, the Response back.
    const passOn = await c.getAgentBySerialNumber(connection, input, { maxAttempts: 3, fetch: (request) => fetch(request.url, request) }).catch((x) => x);
    return [platform, passOn].map((e) => ({ code: e.code, retryable: e.retryable, status: e.status, message: e.message }));
  }, MOCK_API_TOKEN);
  const message = "the SentinelOne console answered with a redirect, which a browser does not show: is baseUrl the console's root URL, e.g. https://usea1-partners.sentinelone.net?";
  const expected = { code: 'UPSTREAM_ERROR', retryable: false, status: null, message };
  assert.deepEqual(error, [expected, expected]);
  assert.deepEqual(mock.requests.slice(before).map((r) => r.url.split('?')[0]), Array(2).fill('/web/api/v2.1/agents'), 'one attempt each, and /login never asked');
});

test('a console on another origin that CORS refuses: NETWORK, and the message says what to do', async () => {
  const { createServer } = await import('node:http');
  // A console with no CORS headers: the browser refuses the preflight its Authorization header needs.
  let asked = 0;
  const plain = createServer((req, res) => { asked += 1; res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"data":[]}'); });
  await new Promise((resolve) => plain.listen(0, '127.0.0.1', resolve));
  try {
    const other = `http://localhost:${plain.address().port}`;
    const [platform, sameOrigin] = await page.evaluate(async ([token, other]) => {
      const c = await import('/pkg/index.js');
      const input = { serialNumber: 'C02XK1ABJG5J' };
      const crossOrigin = await c.getAgentBySerialNumber({ baseUrl: other, apiToken: token }, input, { maxAttempts: 1 }).catch((e) => e);
      // The same TypeError on the page's own origin says nothing of CORS.
      const failing = { maxAttempts: 1, fetch: async () => { throw new TypeError('Failed to fetch'); } };
      const own = await c.getAgentBySerialNumber({ baseUrl: location.origin, apiToken: token }, input, failing).catch((e) => e);
      return [crossOrigin, own].map((e) => ({ code: e.code, message: e.message }));
    }, [MOCK_API_TOKEN, other]);
    assert.equal(platform.code, 'NETWORK');
    assert.equal(platform.message, `no response from the SentinelOne console: ${FETCH_FAILED} (a page reaches a console on another origin only if the console allows this page's origin, ${mock.url}, by CORS; if it does not, send the requests through your own server with options.fetch)`);
    assert.deepEqual(sameOrigin, { code: 'NETWORK', message: 'no response from the SentinelOne console: Failed to fetch' });
    assert.ok(asked <= 1, 'at most the preflight reached it');
  } finally {
    plain.close();
  }
});

test('the ./web entry with one explicit init() and a host shim', async () => {
  const result = await page.evaluate(async () => {
    const web = await import('/pkg/sentinelone_connector.js');
    await web.default({ module_or_path: '/pkg/sentinelone_connector_bg.wasm' });
    const seen = [];
    const shim = async (request) => {
      seen.push(request.url);
      return { status: 200, body: JSON.stringify({ data: [{ id: '7', serialNumber: 'SHIM0001' }], pagination: { totalItems: 1, nextCursor: null } }) };
    };
    const out = await web.getAgentBySerialNumber({ baseUrl: 'https://usea1-partners.sentinelone.net', apiToken: 'browser-test-token-00000000' }, { serialNumber: 'SHIM0001' }, { fetch: shim });
    return { id: out.agentId, seen, manifest: web.manifest().id };
  });
  assert.equal(result.id, '7');
  assert.deepEqual(result.seen, ['https://usea1-partners.sentinelone.net/web/api/v2.1/agents?serialNumber__contains=SHIM0001&limit=1000']);
  assert.equal(result.manifest, 'sentinelOneConnector');
});

// Only a cross-origin isolated page has SharedArrayBuffer, and there TextDecoder refuses a view of one:
// bytes that are not UTF-8 are decoded from a copy (the driver's `slice()`), which only this page tests.
test('response bytes in a SharedArrayBuffer, UTF-8 or not, in a cross-origin isolated page', async (t) => {
  const isolated = await browser.newPage();
  isolated.on('pageerror', (e) => console.error('pageerror', e));
  await isolated.goto(`${mock.url}/isolated.html`);
  if (ENGINE === 'webkit' && !(await isolated.evaluate(() => typeof SharedArrayBuffer === 'function'))) {
    await isolated.close();
    t.skip("WebKitGTK's MiniBrowser has no SharedArrayBuffer, isolated or not");
    return;
  }
  const result = await isolated.evaluate(async () => {
    const c = await import('/pkg/index.js');
    const text = JSON.stringify({ data: [{ id: '9', serialNumber: 'SAB00001', computerName: 'HOST-9' }], pagination: { totalItems: 1 } });
    const utf8 = new TextEncoder().encode(text);
    // A lone continuation byte and a truncated sequence spliced in before the computer name.
    const at = text.indexOf('HOST-');
    const bad = new Uint8Array(utf8.length + 2);
    bad.set(utf8.subarray(0, at));
    bad.set([0x80, 0xc3], at);
    bad.set(utf8.subarray(at), at + 2);
    const shared = (bytes) => {
      const view = new Uint8Array(new SharedArrayBuffer(bytes.length));
      view.set(bytes);
      return view;
    };
    let refused = false;
    try {
      new TextDecoder().decode(shared(bad));
    } catch {
      refused = true;
    }
    const lookUp = (body) => c.getAgentBySerialNumber(
      { baseUrl: 'https://usea1-partners.sentinelone.net', apiToken: 'browser-test-token-00000000' },
      { serialNumber: 'SAB00001' },
      { fetch: async () => ({ status: 200, body }) },
    );
    const good = await lookUp(shared(utf8));
    const invalid = await lookUp(shared(bad));
    return {
      isolated: crossOriginIsolated,
      refused,
      good: [good.agentId, good.computerName, good.rawResponse.data[0].computerName],
      invalid: [invalid.agentId, invalid.computerName, invalid.rawResponse.data[0].computerName],
    };
  });
  await isolated.close();
  assert.equal(result.isolated, true, 'the page is cross-origin isolated');
  assert.equal(result.refused, true, "this browser's TextDecoder refuses a shared view: the case is real");
  assert.deepEqual(result.good, ['9', 'HOST-9', 'HOST-9']);
  assert.deepEqual(result.invalid, ['9', '\uFFFD\uFFFDHOST-9', '\uFFFD\uFFFDHOST-9']);
});

test("in a page: a shim handing back the browser's Response, the browser's fetch as the shim, and an abort", async () => {
  const result = await page.evaluate(async (token) => {
    const c = await import('/pkg/index.js');
    const connection = { baseUrl: location.origin, apiToken: token };
    const input = { serialNumber: 'C02XK1ABJG5J' };
    const passOn = await c.getAgentBySerialNumber(connection, input, { fetch: (request) => fetch(request.url, request) });
    const itself = await c.getAgentBySerialNumber(connection, input, { fetch });
    const misused = await c.getAgentBySerialNumber(connection, input, { fetch: (request) => fetch(request) }).catch((e) => e);
    let requestSignal;
    const controller = new AbortController();
    const pending = c.getAgentBySerialNumber(connection, input, {
      fetch: (request) => {
        requestSignal = request.signal;
        return new Promise(() => {});
      },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    const aborted = await pending.catch((e) => e);
    return {
      passOn: [passOn.agentId, passOn.rawResponse.data[0].serialNumber],
      itself: itself.agentId,
      misused: [misused.code, misused.retryable],
      aborted: [aborted.code, aborted.retryable, requestSignal.aborted],
    };
  }, MOCK_API_TOKEN);
  assert.deepEqual(result.passOn, ['1550901640146865256', 'C02XK1ABJG5J']);
  assert.equal(result.itself, '1550901640146865256');
  assert.deepEqual(result.misused, ['SHIM_CONTRACT', false]);
  assert.deepEqual(result.aborted, ['ABORTED', false, true]);
});
