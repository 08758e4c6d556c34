// Every failure path end to end: the mock console misbehaves on request, the installed package answers
// with the right code (or recovers), and the same instance serves a correct lookup right after.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as connector from 'sentinelone-connector';

const { startMockConsole, MOCK_API_TOKEN } = await import(`${process.env.REPO}/mock-console/server.mjs`);
let mock;
let connection;
before(async () => {
  mock = await startMockConsole();
  connection = { baseUrl: mock.url, apiToken: MOCK_API_TOKEN };
});
after(() => mock.close());

const lookup = (options) => connector.getAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' }, options);
async function expectCode(faults, options, code) {
  mock.injectFaults(faults);
  const error = await lookup(options).then((out) => assert.fail(`resolved: ${JSON.stringify(out).slice(0, 80)}`), (e) => e);
  assert.ok(error instanceof Error);
  assert.equal(error.code, code, error.message);
  assert.ok(!error.message.includes(MOCK_API_TOKEN));
  const after = await lookup({ maxAttempts: 1 });
  assert.equal(after.agentId, '1550901640146865256', 'the instance still serves a correct lookup');
  return error;
}

test('401 and 403 are not retried', async () => {
  const before = mock.requests.length;
  const e401 = await expectCode([{ status: 401 }], { maxAttempts: 3 }, 'UNAUTHORIZED');
  assert.equal(e401.upstreamCode, 4010010);
  await expectCode([{ status: 403 }], { maxAttempts: 3 }, 'FORBIDDEN');
  assert.equal(mock.requests.length - before, 4, 'one request per failure, plus the lookups after');
});

test('429 with Retry-After that fits is waited out; without it, or beyond the budget, fails fast', async () => {
  mock.injectFaults([{ status: 429, retryAfter: '1' }]);
  const started = Date.now();
  const out = await lookup({ maxAttempts: 2 });
  assert.equal(out.agentFound, true);
  assert.ok(Date.now() - started >= 950, 'waited about the Retry-After');

  const limited = await expectCode([{ status: 429 }], { maxAttempts: 1 }, 'RATE_LIMITED');
  assert.equal(limited.retryAfterMs, null);
  assert.equal(limited.retryable, true);
  const tooLong = await expectCode([{ status: 429, retryAfter: '120' }], { maxAttempts: 3, timeoutMs: 5000 }, 'RATE_LIMITED');
  assert.equal(tooLong.retryAfterMs, 120_000);
});

test('500 and 503 are retried, then reported', async () => {
  mock.injectFaults([{ status: 503 }, { status: 500 }]);
  assert.equal((await lookup({ maxAttempts: 3 })).agentFound, true, 'recovered on the third try');
  const e = await expectCode([{ status: 503 }, { status: 503 }], { maxAttempts: 2 }, 'UPSTREAM_UNAVAILABLE');
  assert.equal(e.status, 503);
  await expectCode([{ status: 500 }], { maxAttempts: 1 }, 'UPSTREAM_UNAVAILABLE');
});

test('a slow answer past the deadline is a TIMEOUT', async () => {
  const started = Date.now();
  await expectCode([{ delayMs: 1500 }], { timeoutMs: 300, maxAttempts: 1 }, 'TIMEOUT');
  assert.ok(Date.now() - started < 1400 + 1000, 'the call ended at its deadline, not at the slow answer');
  mock.injectFaults([{ delayMs: 200 }]);
  assert.equal((await lookup({ timeoutMs: 5000 })).agentFound, true, 'a slow answer within the deadline is fine');
});

test('truncated and malformed bodies are MALFORMED_RESPONSE', async () => {
  await expectCode([{ truncate: true }], { maxAttempts: 1 }, 'MALFORMED_RESPONSE');
  await expectCode([{ malformed: true }], { maxAttempts: 1 }, 'MALFORMED_RESPONSE');
});

test('testConnection reports the same faults as data', async () => {
  mock.injectFaults([{ status: 503 }]);
  const out = await connector.testConnection(connection, {}, { maxAttempts: 1 });
  assert.equal(out.ok, false);
  assert.equal(out.error.code, 'UPSTREAM_UNAVAILABLE');
});

test("a polyfilled platform fetch's Response is accepted; what is not a Response is SHIM_CONTRACT", async () => {
  const platform = globalThis.fetch;
  // What a polyfill (node-fetch, a test double) resolves with: tagged 'Response', not the global class.
  class PolyfillResponse {
    constructor(response, text) {
      Object.assign(this, { status: response.status, headers: new Map(response.headers), text: async () => text });
    }
    get [Symbol.toStringTag]() {
      return 'Response';
    }
  }
  try {
    globalThis.fetch = async (url, init) => {
      const response = await platform(url, init);
      return new PolyfillResponse(response, await response.text());
    };
    const out = await lookup({ maxAttempts: 1 });
    assert.equal(out.agentId, '1550901640146865256');
    globalThis.fetch = async () => ({ status: 200, body: '{"data":[]}' });
    const error = await lookup({ maxAttempts: 1 }).catch((e) => e);
    assert.equal(error.code, 'SHIM_CONTRACT');
    assert.match(error.message, /not a Response/);
  } finally {
    globalThis.fetch = platform;
  }
});

test('a shim may resolve with the Response its fetch gave it; the platform fetch given as the shim is the platform fetch', async () => {
  const passOn = (request) => fetch(request.url, request);
  const out = await lookup({ fetch: passOn, maxAttempts: 1 });
  assert.equal(out.agentId, '1550901640146865256');
  assert.equal(out.rawResponse.data[0].serialNumber, 'C02XK1ABJG5J', 'rawResponse is the body the Response held');
  // Its status and headers are read as the platform fetch's are.
  const unauthorized = await expectCode([{ status: 401 }], { fetch: passOn }, 'UNAUTHORIZED');
  assert.equal(unauthorized.upstreamCode, 4010010);
  const limited = await expectCode([{ status: 429, retryAfter: '120' }], { fetch: passOn, maxAttempts: 3, timeoutMs: 5000 }, 'RATE_LIMITED');
  assert.equal(limited.retryAfterMs, 120_000);

  // A body that fails mid-read is no response; one that never comes ends at the deadline.
  const response = (arrayBuffer) => ({ [Symbol.toStringTag]: 'Response', status: 200, headers: new Map(), arrayBuffer });
  const broken = await lookup({ fetch: () => response(async () => Promise.reject(new TypeError('terminated'))), maxAttempts: 1 }).catch((e) => e);
  assert.equal(broken.code, 'NETWORK');
  assert.match(broken.message, /terminated/);
  const started = Date.now();
  const stalled = await lookup({ fetch: () => response(() => new Promise(() => {})), maxAttempts: 1, timeoutMs: 200 }).catch((e) => e);
  assert.equal(stalled.code, 'TIMEOUT');
  assert.ok(Date.now() - started < 2000);

  // `fetch` itself takes a URL, not a request: given as the shim, it is the platform fetch.
  const before = mock.requests.length;
  assert.equal((await lookup({ fetch: globalThis.fetch, maxAttempts: 1 })).agentId, '1550901640146865256');
  assert.equal(mock.requests.length - before, 1);
  // A shim that hands it the request object is the host's bug, said as one and not retried.
  const misused = await lookup({ fetch: (request) => fetch(request), maxAttempts: 3 }).catch((e) => e);
  assert.equal(misused.code, 'SHIM_CONTRACT');
  assert.equal(misused.retryable, false);
  assert.match(misused.message, /fetch\(request\.url, request\)/);
  assert.equal(mock.requests.length - before, 1, 'nothing reached the console');
});

// A Proxy every operation on which throws (`typeof` aside; `then` readable when `thenable` is false).
function hostile({ thenable = false, callable = false } = {}) {
  const trap = () => {
    throw new Error('hostile');
  };
  const get = (target, key) => (key === 'then' && !thenable ? undefined : trap());
  const traps = { get, has: trap, getPrototypeOf: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, apply: trap };
  return new Proxy(callable ? function () {} : {}, traps);
}

test('a hostile value in any argument of any export: a coded Error or an output, never a trap', async () => {
  const h = hostile();
  const fn = hostile({ callable: true });
  const fetch = async () => ({ status: 200, body: '{"data":[],"pagination":{"totalItems":0}}' });
  const c = connector;
  const cases = [
    ['INVALID_CONNECTION', () => c.getAgentBySerialNumber(h, { serialNumber: 'X1' }, { fetch })],
    ['INVALID_CONNECTION', () => c.getAgentBySerialNumber(hostile({ thenable: true }), { serialNumber: 'X1' }, { fetch })],
    ['INVALID_INPUT', () => c.getAgentBySerialNumber(connection, h, { fetch })],
    ['INVALID_INPUT', () => c.getAgentBySerialNumber(connection, { serialNumber: 'X1' }, h)],
    ['NETWORK', () => c.getAgentBySerialNumber(connection, { serialNumber: 'X1' }, { fetch: fn, maxAttempts: 1 })],
    ['INVALID_INPUT', () => c.evaluateDeviceTrust(connection, { serialNumber: 'X1', rules: h }, { fetch })],
    ['UNKNOWN_CAPABILITY', () => c.invoke(h, { connection, input: {} }, { fetch })],
    ['INVALID_CONNECTION', () => c.invoke('getAgentBySerialNumber', h, { fetch })],
    ['INVALID_CONNECTION', () => c.syncAgents(h, {}, { fetch })],
    ['INVALID_INPUT', () => c.syncAgents(connection, h, { fetch })],
    ['INVALID_INPUT', () => c.syncAgents(connection, {}, h)],
    ['INVALID_INPUT', () => c.checkSerial(h, 'X1')],
    ['INVALID_INPUT', () => c.checkSerial({}, 'X1', h)],
    ['UNKNOWN_CAPABILITY', () => c.inputSchema(h)],
    ['UNKNOWN_CAPABILITY', () => c.outputSchema(h)],
    // Outputs: a health check reports a bad configuration; a progress callback that throws is the host's.
    ['output', () => c.testConnection(h, h, h).then((out) => assert.equal(out.ok, false))],
    ['output', () => c.syncAgents(connection, {}, { fetch, onProgress: fn }).then((out) => assert.equal(out.complete, true))],
  ];
  const unhandled = [];
  const onUnhandled = (reason) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    for (const [expected, run] of cases) {
      let outcome;
      try {
        await run();
        outcome = 'output';
      } catch (error) {
        assert.ok(error instanceof Error, `${run}: threw a non-Error`);
        outcome = error.code;
      }
      assert.equal(outcome, expected, String(run));
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  assert.deepEqual(unhandled, []);
  const after = await lookup({ maxAttempts: 1 });
  assert.equal(after.agentId, '1550901640146865256', 'the instance still serves a correct lookup');
});

test('a shim behaving at random (seeded): every call settles with an output or a coded Error, none hangs', async () => {
  let seed = 20261124;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const pick = (items) => items[Math.floor(random() * items.length)];
  const anyValue = () => pick([
    undefined, null, 0, -1, 1.5, NaN, 200, 404, 429, 503, 600, '200', true, {}, [], 'text', '{"data":[]}',
    new Uint8Array([123, 125]), new Uint8Array(0), new ArrayBuffer(2), new DataView(new ArrayBuffer(4)), Symbol('s'),
    10n, hostile(), hostile({ thenable: true }), () => 1, new Map([['retry-after', '1']]), { 'retry-after': 'soon' },
    '{"data":[{"serialNumber":"C02X","id":"1"}]}', '\uFEFF{"data":[]}', '{"data":[],"errors":[{"code":1}]}',
  ]);
  const unhandled = [];
  const onUnhandled = (reason) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  const outcomes = new Map();
  try {
    for (let i = 0; i < 600; i++) {
      const kind = pick(['resolve', 'reject', 'throw', 'plain', 'thenable', 'never']);
      const answer = random() < 0.5 ? { status: anyValue(), headers: anyValue(), body: anyValue() } : anyValue();
      const shim = () => {
        switch (kind) {
          case 'resolve': return Promise.resolve(answer);
          case 'reject': return Promise.reject(answer);
          case 'throw': throw answer;
          case 'plain': return answer;
          case 'thenable': return { then: (ok, ko) => (random() < 0.5 ? ok(answer) : ko(answer)) };
          default: return new Promise(() => {});
        }
      };
      const capability = pick(['getAgentBySerialNumber', 'evaluateDeviceTrust', 'testConnection', 'syncAgents']);
      const input = { serialNumber: 'C02X' };
      const hang = new Promise((resolve) => setTimeout(() => resolve('hang'), 2000).unref());
      const settled = invokeQuickly(capability, input, shim).then(
        () => 'output',
        (error) => (error instanceof Error && typeof error.code === 'string' ? error.code : `not coded: ${String(error)}`),
      );
      const outcome = await Promise.race([settled, hang]);
      assert.ok(outcome !== 'hang' && !outcome.startsWith('not coded'), `${kind} ${capability}: ${outcome}`);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  assert.deepEqual(unhandled, []);
  // The run reached outputs and the failure codes a shim can cause, not one of them only.
  for (const code of ['output', 'NETWORK', 'SHIM_CONTRACT', 'TIMEOUT']) assert.ok(outcomes.get(code) > 10, `${code}: ${[...outcomes]}`);
  const after = await lookup({ maxAttempts: 1 });
  assert.equal(after.agentId, '1550901640146865256', 'the instance still serves a correct lookup');
});

/** `invoke` with a short deadline, as the random shim test calls it. */
function invokeQuickly(capability, input, fetch) {
  return connector.invoke(capability, { connection, input }, { fetch, timeoutMs: 30, maxAttempts: 2 });
}

test('a redirect is not followed: UPSTREAM_ERROR says where it points, and the token goes nowhere else', async () => {
  // A console moved to another host (or a base URL that is a portal): followed, the platform fetch
  // would drop the token on the way and report the other host's 401 as a bad token.
  const other = await startMockConsole();
  try {
    const target = `${other.url}/web/api/v2.1/agents?serialNumber=C02XK1ABJG5J`;
    const error = await expectCode([{ status: 301, location: target }], { maxAttempts: 3 }, 'UPSTREAM_ERROR');
    assert.equal(error.status, 301);
    assert.equal(error.retryable, false);
    assert.equal(error.message, `the SentinelOne console answered with unexpected HTTP 301 (a redirect to ${target}): is baseUrl the console's root URL, e.g. https://usea1-partners.sentinelone.net?`);
    assert.equal(other.requests.length, 0, 'the redirect was not followed');
    const login = await expectCode([{ location: '/login?next=%2Fweb%2Fapi' }], { maxAttempts: 1 }, 'UPSTREAM_ERROR');
    assert.equal(login.status, 302);
    assert.match(login.message, /\(a redirect to \/login\?next=%2Fweb%2Fapi\): is baseUrl/);
    // A host shim handing the request to its fetch as the init follows no redirect either.
    const passOn = await expectCode([{ status: 308, location: target }], { fetch: (request) => fetch(request.url, request) }, 'UPSTREAM_ERROR');
    assert.equal(passOn.status, 308);
    assert.match(passOn.message, /\(a redirect to http:\/\/127\.0\.0\.1:\d+\/web\/api\/v2\.1\/agents\?serialNumber=C02XK1ABJG5J\)/);
  } finally {
    await other.close();
  }
});

test('options.allowedHosts: the token goes to no host the host application did not allow', async () => {
  // A connection whose baseUrl was changed (its token hidden from whoever changed it) must not send
  // the token to the new host: the host application lists the consoles it trusts.
  const allowed = await lookup({ allowedHosts: ['*.sentinelone.net', ' 127.0.0.1. '] });
  assert.equal(allowed.agentId, '1550901640146865256');
  const byName = await connector.getAgentBySerialNumber({ ...connection, baseUrl: connection.baseUrl.replace('127.0.0.1', 'LocalHost') },
    { serialNumber: 'C02XK1ABJG5J' }, { allowedHosts: ['localhost'] });
  assert.equal(byName.agentFound, true);

  const before = mock.requests.length;
  const shimCalls = [];
  const refusedMessage = `invalid connection: baseUrl's host ${new URL(mock.url).host} is not one options.allowedHosts allows (the token was not sent)`;
  for (const options of [
    { allowedHosts: ['*.sentinelone.net'] },
    { allowedHosts: [] },
    { allowedHosts: ['*.127.0.0.1', '127.0.0.10', '27.0.0.1'], maxAttempts: 3 },
    { allowedHosts: ['usea1.sentinelone.net'], fetch: async (request) => { shimCalls.push(request.url); return { status: 200, body: '{"data":[]}' }; } },
  ]) {
    const error = await lookup(options).catch((e) => e);
    assert.equal(error.code, 'INVALID_CONNECTION', JSON.stringify(options.allowedHosts));
    assert.equal(error.message, refusedMessage);
    assert.equal(error.retryable, false);
  }
  const health = await connector.testConnection(connection, {}, { allowedHosts: ['*.sentinelone.net'] });
  assert.equal(health.ok, false);
  assert.equal(health.error.code, 'INVALID_CONNECTION');
  const sync = await connector.syncAgents(connection, {}, { allowedHosts: ['*.sentinelone.net'] }).catch((e) => e);
  assert.equal(sync.code, 'INVALID_CONNECTION');
  assert.equal(mock.requests.length, before, 'no request reached the console');
  assert.deepEqual(shimCalls, [], 'nor the shim');

  // A list that is not one of host patterns is the host application's mistake, refused before anything.
  for (const allowedHosts of ['*.sentinelone.net', [5], ['https://usea1.sentinelone.net'], ['127.0.0.1:4010'], ['*'], ['*.*.sentinelone.net'], ['a..b'], ['']]) {
    const error = await lookup({ allowedHosts }).catch((e) => e);
    assert.equal(error.code, 'INVALID_INPUT', JSON.stringify(allowedHosts));
    assert.match(error.message, /^invalid input: options\.allowedHosts must be an array of host names or IP addresses/);
  }
  assert.equal(mock.requests.length, before);
  // A getter whose list changes between reads fails closed: a list once checked, then none, allows no host.
  let reads = 0;
  const shifting = { get allowedHosts() { reads += 1; return reads === 1 ? ['127.0.0.1'] : 'anything'; } };
  assert.equal((await lookup(shifting).catch((e) => e)).code, 'INVALID_CONNECTION');
  assert.equal(mock.requests.length, before);
  // Null, as absent, allows any host.
  assert.equal((await lookup({ allowedHosts: null })).agentFound, true);
});

test("a host shim whose fetch followed a redirect is told so (SHIM_CONTRACT), not blamed on the token", async () => {
  const other = await startMockConsole();
  try {
    const target = `${other.url}/web/api/v2.1/agents?serialNumber=C02XK1ABJG5J`;
    // Its own init, without the request's redirect: 'manual'; the Response handed back as it is.
    const following = (request) => fetch(request.url, { method: request.method, headers: request.headers });
    const error = await expectCode([{ status: 301, location: target }], { fetch: following, maxAttempts: 3 }, 'SHIM_CONTRACT');
    assert.equal(error.message, `the host fetch function broke its contract: its fetch followed a redirect, to ${target}: pass the request on as the init, fetch(request.url, request), or give it redirect: 'manual' (is baseUrl the console's root URL?)`);
    assert.equal(other.requests.length, 1, 'followed once (by the host\'s fetch), not retried');
    assert.equal(other.requests[0].authorization, 'absent', 'the platform dropped the token on the way');
  } finally {
    await other.close();
  }
});

test("a network failure says why, from the fetch error's cause (Node's says only 'fetch failed')", async () => {
  const { readFileSync } = await import('node:fs');
  const { createServer } = await import('node:https');
  let retryable;
  const fail = async (baseUrl, options = {}) => {
    const error = await connector.getAgentBySerialNumber({ baseUrl, apiToken: MOCK_API_TOKEN }, { serialNumber: 'C02XK1ABJG5J' }, { maxAttempts: 1, ...options }).catch((e) => e);
    assert.equal(error.code, 'NETWORK', error.message);
    assert.equal(Object.hasOwn(error, 'cause'), false, 'the cause is told, not kept: a client may hold the request in it');
    retryable = error.retryable;
    return error.message;
  };
  // A console that is not there (the platform fetch).
  const dead = await startMockConsole();
  await dead.close();
  assert.match(await fail(dead.url), /^no response from the SentinelOne console: fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  assert.equal(retryable, true);
  // A console behind a certificate Node does not trust (a TLS-inspecting proxy's, a self-signed one):
  // no attempt after the first could mend it, and a flow is told not to retry.
  const tls = `${process.env.REPO}/tests/fixtures/tls/localhost-self-signed`;
  const server = createServer({ key: readFileSync(`${tls}.key.pem`), cert: readFileSync(`${tls}.cert.pem`) }, (req, res) => res.end('{}'));
  let handshakes = 0;
  server.on('connection', () => { handshakes += 1; });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const message = await fail(`https://localhost:${server.address().port}`, { maxAttempts: 3 });
    // Node 24 adds a hint of its own to the certificate's message (18, 20 and 22 do not), passed on as it is.
    const hint = Number(process.versions.node.split('.')[0]) >= 24 ? '; if the root CA is installed locally, try running Node.js with --use-system-ca' : '';
    assert.equal(message, `no response from the SentinelOne console: fetch failed: self-signed certificate${hint} (DEPTH_ZERO_SELF_SIGNED_CERT)`);
    assert.equal(retryable, false);
    assert.equal(handshakes, 1, 'one attempt of three');
  } finally {
    server.close();
  }
  // A host shim's rejection: undici's shapes (every address refused is an AggregateError with no
  // message), a chain of causes, and causes that cannot be read.
  const refusedAll = Object.assign(new AggregateError([new Error('connect ECONNREFUSED ::1:443'), new Error('connect ECONNREFUSED 127.0.0.1:443')], ''), { code: 'ECONNREFUSED' });
  const rejecting = (reason) => ({ fetch: async () => { throw reason; } });
  assert.equal(await fail(connection.baseUrl, rejecting(new TypeError('fetch failed', { cause: refusedAll }))),
    'no response from the SentinelOne console: fetch failed: connect ECONNREFUSED ::1:443');
  const chain = new Error('request to the console failed', { cause: new Error('socket hang up', { cause: Object.assign(new Error(''), { code: 'ECONNRESET' }) }) });
  assert.equal(await fail(connection.baseUrl, rejecting(chain)),
    'no response from the SentinelOne console: request to the console failed: socket hang up: ECONNRESET');
  const hostile = new Error('fetch failed', { cause: new Proxy({}, { get() { throw new Error('no'); } }) });
  assert.equal(await fail(connection.baseUrl, rejecting(hostile)), 'no response from the SentinelOne console: fetch failed');
  // The token is redacted wherever a cause spells it.
  const echo = new TypeError('fetch failed', { cause: new Error(`Headers.append: "ApiToken ${MOCK_API_TOKEN}" is an invalid header value`) });
  const echoed = await fail(connection.baseUrl, rejecting(echo));
  assert.ok(!echoed.includes(MOCK_API_TOKEN) && echoed.includes('[REDACTED]'), echoed);
});

test('a platform with no fetch and no options.fetch: SHIM_CONTRACT at once, saying to pass one', async () => {
  const platform = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  const before = mock.requests.length;
  delete globalThis.fetch;
  let error;
  try {
    error = await lookup({ maxAttempts: 3 }).catch((e) => e);
  } finally {
    Object.defineProperty(globalThis, 'fetch', platform);
  }
  assert.equal(error.code, 'SHIM_CONTRACT');
  assert.equal(error.retryable, false);
  assert.equal(error.message, 'the host fetch function broke its contract: this platform has no fetch function (a Node before 18, or its fetch turned off): pass one as options.fetch');
  assert.equal(mock.requests.length, before);
  assert.equal((await lookup()).agentFound, true, 'the platform fetch again once there is one');
});

test("the CORS hint is for pages only: another origin than the page's, and not in Deno (no CORS there)", async () => {
  const failing = { maxAttempts: 1, fetch: async () => { throw new TypeError('Failed to fetch'); } };
  const message = async () => (await lookup(failing).catch((e) => e)).message;
  const plain = 'no response from the SentinelOne console: Failed to fetch';
  assert.equal(await message(), plain, 'Node: no page');
  try {
    globalThis.location = { origin: 'https://idp.example' };
    assert.match(await message(), /^no response from the SentinelOne console: Failed to fetch \(a page reaches a console on another origin only if the console allows this page's origin, https:\/\/idp\.example, by CORS;/);
    globalThis.location = { origin: new URL(connection.baseUrl).origin };
    assert.equal(await message(), plain, 'the same origin');
    globalThis.location = { origin: 'https://idp.example' };
    globalThis.Deno = {};
    assert.equal(await message(), plain, 'Deno run with --location');
  } finally {
    delete globalThis.location;
    delete globalThis.Deno;
  }
});
