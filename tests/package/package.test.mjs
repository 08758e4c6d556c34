// The npm package as a user gets it: installed from its `npm pack` tarball into a scratch project,
// imported by name from Node ESM, looking serials up against the running mock console.
// Run by scripts/test-package.sh from inside the scratch project; REPO points at the repository.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020.js';
import * as connector from 'sentinelone-connector';

const REPO = process.env.REPO;
const { startMockConsole, MOCK_API_TOKEN } = await import(`${REPO}/mock-console/server.mjs`);

let mock;
let connection;
const ajv = new Ajv2020({ strict: false, allErrors: true });
const validateOutput = ajv.compile(connector.outputSchema('getAgentBySerialNumber'));
const validateError = ajv.compile(connector.manifest().errorSchema);
const validateConnection = ajv.compile(connector.manifest().connectionProperties);
const seen = []; // every output and error, scanned for the token at the end

before(async () => {
  mock = await startMockConsole();
  connection = { baseUrl: mock.url, apiToken: MOCK_API_TOKEN };
});
after(async () => {
  await mock.close();
});

async function lookup(serialNumber, options, conn = connection) {
  const output = await connector.getAgentBySerialNumber(conn, { serialNumber }, options);
  assert.ok(validateOutput(output), JSON.stringify(validateOutput.errors));
  seen.push(JSON.stringify(output));
  return output;
}

async function lookupError(serialNumber, options, conn = connection) {
  const error = await connector.getAgentBySerialNumber(conn, { serialNumber }, options).then(
    (out) => assert.fail(`expected a rejection, got ${JSON.stringify(out)}`),
    (e) => e,
  );
  assert.ok(error instanceof Error, 'rejects with a real Error');
  const plain = { name: error.name, message: error.message, ...error };
  assert.ok(validateError(plain), JSON.stringify(validateError.errors));
  seen.push(JSON.stringify(plain), error.stack ?? '');
  return error;
}

test('the package exports its contract', () => {
  const m = connector.manifest();
  assert.equal(m.id, 'sentinelOneConnector');
  assert.deepEqual(Object.keys(m.capabilities).sort(), ['evaluateDeviceTrust', 'getAgentBySerialNumber', 'syncAgents', 'testConnection']);
  assert.deepEqual(connector.inputSchema('getAgentBySerialNumber').required, ['serialNumber']);
  assert.equal(m.connectionProperties.properties.apiToken.writeOnly, true);
});

test('finds a device by exact serial through the platform fetch (no shim)', async () => {
  const before = mock.requests.length;
  const out = await lookup('C02XK1ABJG5J');
  assert.equal(mock.requests.length - before, 1, 'exactly one upstream request');
  assert.equal(out.agentFound, true);
  assert.equal(out.agentId, '1550901640146865256');
  assert.equal(out.computerName, 'JDOE-MBP-2023');
  assert.equal(out.osType, 'macos');
  assert.equal(out.isActive, true);
  assert.equal(out.matchCount, 1);
  // The mock matches substrings case-insensitively, as a console may: four agents contain the serial.
  assert.equal(out.totalItems, 4);
  assert.equal(out.rawResponse.data.length, 4);
  assert.equal(out.statusCode, 200);
});

test('rawResponse, parsed on first read, behaves as a plain property everywhere', async () => {
  const out = await lookup('C02XK1ABJG5J');
  assert.ok(Object.keys(out).includes('rawResponse'));
  const copy = JSON.parse(JSON.stringify(out));
  assert.equal(copy.rawResponse.data.length, 4);
  assert.deepEqual(structuredClone(out).rawResponse, copy.rawResponse);
  assert.equal(out.rawResponse, out.rawResponse, 'parsed once, then the same object');
  const again = await lookup('C02XK1ABJG5J');
  again.rawResponse = 'replaced';
  assert.equal(again.rawResponse, 'replaced');
  assert.equal({ ...again }.rawResponse, 'replaced');
});

test('once read, rawResponse is out of its accessor\'s reach: one a host kept reads undefined and assigns nothing', async () => {
  const out = await connector.getAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' });
  const { get, set } = Object.getOwnPropertyDescriptor(out, 'rawResponse');
  assert.equal(typeof get, 'function');
  const raw = out.rawResponse;
  assert.equal(Object.getOwnPropertyDescriptor(out, 'rawResponse').value, raw, 'a plain data property once read');
  // An accessor a host took before the first read no longer reaches the output or the page (V8 keeps
  // accessor pairs in the old generation: what they reach is promoted with them).
  assert.equal(get(), undefined);
  set('ignored');
  assert.equal(out.rawResponse, raw);
});

test("a call's garbage dies young: the output, its body or parsed rawResponse and the call's closures are not promoted", async () => {
  // V8 allocates accessor pairs (the request's lazy signal, the output's lazy rawResponse) in the old
  // generation, so whatever their functions reached survived every young collection until a full one:
  // each call's output and parsed page were copied and promoted (3.6 MB per scavenge here when the
  // host stringifies outputs, 1.3 MB when it reads only agent fields and the body waited for a read
  // that never came; the rest of a call leaves ~50 KB). Counted by V8's own GC trace in a child
  // process, not timed.
  const { spawnSync } = await import('node:child_process');
  const body = JSON.stringify({ data: [{ id: '1', serialNumber: 'GC-1', computerName: 'x'.repeat(3000), tags: Array.from({ length: 50 }, (_, i) => ({ i })) }], pagination: { totalItems: 1, nextCursor: null } });
  for (const use of ['JSON.stringify(out)', 'out.agentId']) {
    const script = `import * as c from 'sentinelone-connector';
      const fetch = async () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: ${JSON.stringify(body)} });
      const connection = ${JSON.stringify(connection)};
      for (let i = 0; i < 4000; i++) { const out = await c.getAgentBySerialNumber(connection, { serialNumber: 'GC-1' }, { fetch }); ${use}; }`;
    const run = spawnSync(process.execPath, ['--trace-gc-nvp', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: process.cwd() });
    assert.equal(run.status, 0, run.stderr);
    // What a scavenge kept: V8 >= 11 says it as new_space_survived, Node 18's V8 as promoted plus copied.
    const survived = [...run.stdout.matchAll(/gc=s .*/g)].map(([line]) => {
      const field = (name) => Number(line.match(new RegExp(` ${name}=(\\d+)`))?.[1] ?? NaN);
      const kept = field('new_space_survived');
      return Number.isNaN(kept) ? field('promoted') + field('semi_space_copied') : kept;
    });
    assert.ok(survived.every(Number.isFinite), `${use}: a young collection's survivors could not be read`);
    assert.ok(survived.length >= 5, `${use}: young collections seen: ${survived.length}`);
    const mean = survived.reduce((a, b) => a + b, 0) / survived.length;
    assert.ok(mean < 512 * 1024, `${use}: a young collection keeps ${Math.round(mean / 1024)} KB on average`);
  }
});

test('rawResponse and signal work through a Proxy a host wraps the output or request in', async () => {
  // Reactive state (Vue's reactive(), MobX) wraps an output in a Proxy: its accessors then run with
  // the Proxy as `this`, which forwards what they read and define to the output.
  const forwarding = { get: (t, k, r) => Reflect.get(t, k, r), set: (t, k, v, r) => Reflect.set(t, k, v, r) };
  const fresh = () => connector.getAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' });
  const out = await fresh();
  assert.equal(typeof Object.getOwnPropertyDescriptor(out, 'rawResponse').get, 'function', 'not read yet');
  const wrapped = new Proxy(out, forwarding);
  assert.equal(wrapped.rawResponse.data.length, 4);
  assert.equal(out.rawResponse, wrapped.rawResponse, 'parsed once, settled on the output itself');
  assert.equal(Object.getOwnPropertyDescriptor(out, 'rawResponse').value, out.rawResponse);
  const assigned = new Proxy(await fresh(), forwarding);
  assigned.rawResponse = 'replaced';
  assert.equal(assigned.rawResponse, 'replaced');
  // What the driver keeps for an unread rawResponse is no key a host iterates, compares or sends.
  const unread = await fresh();
  assert.deepEqual(Object.keys(unread), Object.keys(out));
  assert.equal(JSON.stringify(Object.entries(unread)).includes('"data"'), true, 'entries read it like any property');
  // A shim may spread the request, or wrap it, and still get the signal the deadline aborts.
  let aborted = 0;
  const shim = (request) => new Promise((_, reject) => {
    for (const seen of [{ ...request }, new Proxy(request, forwarding)]) {
      assert.ok(seen.signal instanceof AbortSignal);
      seen.signal.addEventListener('abort', () => { aborted += 1; reject(new Error('aborted')); });
    }
  });
  const error = await lookupError('C02XK1ABJG5J', { fetch: shim, timeoutMs: 100 });
  assert.equal(error.code, 'TIMEOUT');
  assert.equal(aborted, 2, 'both views of the request saw the abort');
  // The types let a shim assign its own signal (one combined with its host's, say): it may.
  let ours;
  const replacing = (request) => new Promise((_, reject) => {
    ours = request.signal;
    const host = new AbortController();
    request.signal = host.signal;
    assert.equal(request.signal, host.signal);
    ours.addEventListener('abort', () => reject(new Error('aborted')));
  });
  assert.equal((await lookupError('C02XK1ABJG5J', { fetch: replacing, timeoutMs: 100 })).code, 'TIMEOUT');
  assert.ok(ours.aborted, "the connector's own signal still aborts at the deadline");
});

test('a frozen output still reads its rawResponse', async () => {
  // Immutable state stores (immer, Redux Toolkit) freeze what they keep, before anyone reads it.
  const out = Object.freeze(await connector.getAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' }));
  assert.equal(out.rawResponse.data.length, 4);
  assert.deepEqual(out.rawResponse, JSON.parse(JSON.stringify(out)).rawResponse);
  assert.equal(typeof Object.getOwnPropertyDescriptor(out, 'rawResponse').get, 'function', 'left as it was');
});

test('non-ASCII response text crosses into wasm intact, short or long, at any position', async () => {
  // The driver writes the body into wasm memory assuming one byte per character first; text that is
  // not ASCII takes a second pass. Each name below ends up in the output exactly as the console sent it.
  const names = ['é-first', 'Zoë’s MacBook', 'ラップトップ', '😀 laptop 😀', 'x'.repeat(70000) + 'ß', '\u2028Δ'];
  for (const name of names) {
    for (const padding of [0, 1, 3, 100000]) {
      const agent = { id: '1', serialNumber: 'UNI-1', computerName: name, note: 'é'.repeat(padding) };
      // A non-ASCII key first puts the first multi-byte character at the third byte of the body.
      const body = JSON.stringify({ ñ: 'é', data: [agent], pagination: { totalItems: 1, nextCursor: null } });
      const shim = async () => ({ status: 200, body });
      const out = await connector.getAgentBySerialNumber(connection, { serialNumber: 'UNI-1' }, { fetch: shim });
      assert.equal(out.computerName, name, `${name.slice(0, 20)} with ${padding} padding`);
      assert.equal(out.rawResponse.data[0].note.length, padding);
    }
  }
});

test('look-alike serials never match each other', async () => {
  const out = await lookup('C02XK1ABJG5');
  assert.equal(out.agentId, '1550901640146865257');
  assert.equal(out.matchCount, 1);
  const lower = await lookup('c02xk1abjg5j');
  assert.equal(lower.agentId, '1550901640146865260');
});

test('not found: agent fields null, totalItems reported', async () => {
  const out = await lookup('NO-SUCH-SERIAL-9');
  assert.equal(out.agentFound, false);
  assert.equal(out.agentId, null);
  assert.equal(out.totalItems, 0);
  assert.equal(out.matchCount, 0);
});

test('duplicates: the reinstalled agent over the decommissioned one, the newer clone over the older', async () => {
  const reinstalled = await lookup('5Q4Q7Y1');
  assert.equal(reinstalled.agentId, '1600000000000000102');
  assert.equal(reinstalled.isDecommissioned, false);
  assert.equal(reinstalled.matchCount, 2);
  const clone = await lookup('87GBNY1');
  assert.equal(clone.agentId, '1600000000000000202');
  const allDecommissioned = await lookup('77NDZ12');
  assert.equal(allDecommissioned.agentId, '1600000000000000303', 'the most recently active of three');
  assert.equal(allDecommissioned.matchCount, 3);
});

test('string booleans, unknown enum values and numeric serials', async () => {
  const kiosk = await lookup('MXL1234ABC');
  assert.equal(kiosk.isActive, true);
  assert.equal(kiosk.isDecommissioned, false);
  const chromebook = await lookup('NXHQEAA00123');
  assert.equal(chromebook.osType, 'chromeos');
  assert.equal(chromebook.networkStatus, 'quarantined_by_policy');
  const numeric = await lookup('20231107');
  assert.equal(numeric.agentFound, true);
});

test('hostile serials reach the console as one value', async () => {
  for (const [serial, id] of [['AB&limit=1', '1950000000000000001'], ['C02 X+Y#1', '1950000000000000002'], ['SN,WITH,COMMA', '1950000000000000003'], ['VM5vodACsc+k', '1800000000000000005']]) {
    const out = await lookup(serial);
    assert.equal(out.agentId, id, serial);
    assert.equal(out.serialNumber, serial);
  }
  const urls = mock.requests.map((r) => r.url);
  assert.ok(urls.includes('/web/api/v2.1/agents?serialNumber__contains=AB%26limit%3D1&limit=1000'));
  assert.ok(urls.includes('/web/api/v2.1/agents?serialNumber__contains=C02%20X%2BY%231&limit=1000'));
});

test('a wrong token rejects with UNAUTHORIZED and the SentinelOne error entry', async () => {
  const wrong = 'not-the-right-token-000000000000';
  const error = await lookupError('C02XK1ABJG5J', undefined, { ...connection, apiToken: wrong });
  assert.equal(error.code, 'UNAUTHORIZED');
  assert.equal(error.status, 401);
  assert.equal(error.upstreamCode, 4010010);
  assert.equal(error.upstreamTitle, 'Authentication Failed');
  assert.equal(error.retryable, false);
  assert.ok(!error.message.includes(wrong));
});

test('placeholders and bad connections fail before any request', async () => {
  const before = mock.requests.length;
  assert.equal((await lookupError('To be filled by O.E.M.')).code, 'INVALID_INPUT');
  assert.equal((await lookupError('C02XK1ABJG5J', undefined, { baseUrl: 'http://example.com', apiToken: MOCK_API_TOKEN })).code, 'INVALID_CONNECTION');
  // Placeholder tokens a designer types while trying a flow: the message about them stays readable.
  for (const apiToken of ['e', 'a', 'token', 'api', 'Token', 'changeme']) {
    const error = await lookupError('C02XK1ABJG5J', undefined, { baseUrl: mock.url, apiToken });
    assert.equal(error.code, 'INVALID_CONNECTION');
    assert.equal(error.message, 'invalid connection: apiToken is too short to be a SentinelOne API token');
  }
  assert.equal(mock.requests.length, before);
});

test('a token the [REDACTED] marker would spell again is refused before it is sent', async () => {
  // A console that echoes "abcdefghijklmno" then such a token would get it back into the output:
  // redacted, "abcdefghijklmno[REDACTED]" holds "abcdefghijklmno[".
  const sent = [];
  const fetch = async (request) => {
    sent.push(request);
    return { status: 200, headers: {}, body: '{"data":[],"pagination":{"totalItems":0,"nextCursor":null}}' };
  };
  for (const apiToken of ['abcdefghijklmno[', ']abcdefghijklmno', 'abcdefg[REDACTED]hijklmn']) {
    const error = await connector.getAgentBySerialNumber({ baseUrl: mock.url, apiToken }, { serialNumber: 'C02XK1ABJG5J' }, { fetch }).catch((e) => e);
    assert.equal(error.code, 'INVALID_CONNECTION', apiToken);
    assert.equal(error.message, 'invalid connection: apiToken contains a quote, a backslash or a square bracket');
  }
  assert.equal(sent.length, 0);
  assert.equal(validateConnection({ baseUrl: mock.url, apiToken: 'abcdefghijklmno[' }), false, 'the schema refuses it too');
});

test('a console spelling the token with an escape leaks it through no JSON.stringify of an output or error', async () => {
  // A tab and the token's tail hold no token, but JSON writes a tab `\t`: a host logging the output
  // would have written the token out. The console writes the tab as `\u0009`, JSON.stringify as `\t`.
  const token = 'test-package-token-0123456789ab';
  const spelled = `\\u0009${token.slice(1)}`;
  const conn = { baseUrl: 'https://usea1-partners.sentinelone.net', apiToken: token };
  const agent = { id: '7', serialNumber: 'ESC0001', computerName: 'PLACEHOLDER', osType: 'macos' };
  const body = JSON.stringify({ data: [agent], pagination: { totalItems: 1, nextCursor: null } }).replace('"PLACEHOLDER"', `"${spelled}"`);
  assert.ok(!body.includes(token) && JSON.stringify(JSON.parse(body)).includes(token), 'the page spells it once parsed and written');
  const output = await connector.getAgentBySerialNumber(conn, { serialNumber: 'ESC0001' }, { fetch: async () => ({ status: 200, body }) });
  assert.equal(output.agentId, '7');
  assert.equal(output.computerName, '[REDACTED]');
  assert.equal(output.rawResponse.data[0].computerName, '[REDACTED]');
  assert.ok(!JSON.stringify(output).includes(token));
  const trust = await connector.evaluateDeviceTrust(conn, { serialNumber: 'ESC0001' }, { fetch: async () => ({ status: 200, body }) });
  assert.ok(!JSON.stringify(trust).includes(token));

  const refusal = JSON.stringify({ errors: [{ code: 4000010, title: 'PLACEHOLDER' }] }).replace('"PLACEHOLDER"', `"bad ${spelled}"`);
  const error = await connector.getAgentBySerialNumber(conn, { serialNumber: 'ESC0001' }, { fetch: async () => ({ status: 400, body: refusal }) }).catch((e) => e);
  assert.equal(error.upstreamTitle, 'bad [REDACTED]');
  assert.ok(!JSON.stringify({ message: error.message, ...error }).includes(token));
});

test('an options.fetch or onProgress that cannot be read fails the call, never falls back to the platform fetch', async () => {
  const before = mock.requests.length;
  // A getter on the prototype: JSON.stringify never reads it, only the connector does.
  class ThrowingFetch {
    get fetch() {
      throw new Error('not today');
    }
  }
  const error = await lookupError('C02XK1ABJG5J', new ThrowingFetch());
  assert.equal(error.code, 'INVALID_INPUT');
  assert.match(error.message, /options\.fetch could not be read/);
  class ThrowingProgress {
    get onProgress() {
      throw new Error('not today');
    }
  }
  const sync = await connector.syncAgents(connection, {}, new ThrowingProgress()).catch((e) => e);
  assert.equal(sync.code, 'INVALID_INPUT');
  assert.match(sync.message, /options\.onProgress could not be read/);
  assert.equal(mock.requests.length, before, 'no request was sent');
});

test("what else a host keeps in options (a self-referring logger, a BigInt, an object refusing JSON) never fails a call", async () => {
  const logger = { name: 'host-logger', entries: [] };
  logger.self = logger;
  class Context {
    toJSON() {
      throw new Error('not serialisable');
    }
  }
  const options = { logger, signal: new AbortController().signal, requestId: 10n, context: new Context(), timeoutMs: 5000 };
  const out = await lookup('C02XK1ABJG5J', options);
  assert.equal(out.agentFound, true);
  const verdict = await connector.evaluateDeviceTrust(connection, { serialNumber: 'C02XK1ABJG5J' }, options);
  assert.equal(typeof verdict.trusted, 'boolean');
  // The options the connector reads are still read, and still refused when they are not values.
  const late = await lookupError('C02XK1ABJG5J', { ...options, now: 'not a date' });
  assert.equal(late.code, 'INVALID_INPUT');
  assert.match(late.message, /options\.now must be/);
  const big = await lookupError('C02XK1ABJG5J', { ...options, timeoutMs: 10n });
  assert.equal(big.code, 'INVALID_INPUT');
  assert.match(big.message, /options\.timeoutMs, maxAttempts, now and maxSnapshotAgeMinutes must be numbers, dates or strings/);
});

test('what else a host keeps on the connection (an HTTP agent, a logger, a BigInt id) never fails a call', async () => {
  const { Agent } = await import('node:https');
  const logger = { name: 'host-logger' };
  logger.self = logger;
  const rich = { ...connection, agent: new Agent({ keepAlive: true }), logger, tenantId: 42n };
  const out = await lookup('C02XK1ABJG5J', undefined, rich);
  assert.equal(out.agentFound, true);
  const sync = await connector.syncAgents(rich, { osTypes: ['macos'] }, {});
  assert.equal(sync.complete, true);
  // What the connector reads is still read, and refused when it is not a value.
  const big = await lookupError('C02XK1ABJG5J', undefined, { ...rich, apiToken: 10n });
  assert.equal(big.code, 'INVALID_CONNECTION');
  assert.match(big.message, /connection properties must be JSON values/);
  const listed = await lookupError('C02XK1ABJG5J', undefined, [connection.baseUrl, connection.apiToken]);
  assert.equal(listed.code, 'INVALID_CONNECTION');
  assert.match(listed.message, /connection must be an object/);
  // An input that is not JSON is named as the input, whatever the connection holds.
  const input = await connector.getAgentBySerialNumber(rich, { serialNumber: 'C02XK1ABJG5J', trace: 1n }).catch((e) => e);
  assert.equal(input.code, 'INVALID_INPUT');
  assert.match(input.message, /input must be a JSON object/);
});

test('a host shim over the platform fetch, as an engine would write it', async () => {
  const log = [];
  const shim = async ({ method, url, headers, body }) => {
    const started = Date.now();
    const response = await fetch(url, { method, headers, body });
    log.push({ method, url, status: response.status, ms: Date.now() - started });
    return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
  };
  const out = await lookup('FS6V1B3', { fetch: shim });
  // FS6V1B3 is the SumoLogic sample serial; the mock fleet has it.
  assert.equal(out.agentId, '148347195130');
  assert.equal(log.length, 1);
  assert.equal(log[0].status, 200);
});

test('invoke runs a capability by name; unknown names are coded', async () => {
  const out = await connector.invoke('getAgentBySerialNumber', { connection, input: { serialNumber: 'C02FH1ZZQ05D' } });
  assert.ok(validateOutput(out));
  assert.equal(out.agentFound, true);
  const error = await connector.invoke('wipeAgent', { connection, input: {} }).catch((e) => e);
  assert.equal(error.code, 'UNKNOWN_CAPABILITY');
});

test('a console that is not there is a NETWORK error, and the instance carries on', async () => {
  const dead = await startMockConsole();
  await dead.close();
  const error = await lookupError('C02XK1ABJG5J', undefined, { baseUrl: dead.url, apiToken: MOCK_API_TOKEN });
  assert.equal(error.code, 'NETWORK');
  assert.equal(error.retryable, true);
  assert.equal((await lookup('C02XK1ABJG5J')).agentFound, true);
});

test('a Node host exits by itself right after a lookup: no deadline timer is left behind', async () => {
  const { spawn } = await import('node:child_process');
  const script = `
    const c = await import('sentinelone-connector');
    const out = await c.getAgentBySerialNumber({ baseUrl: ${JSON.stringify(mock.url)}, apiToken: ${JSON.stringify(MOCK_API_TOKEN)} },
      { serialNumber: 'C02XK1ABJG5J' }, { timeoutMs: 60000 });
    console.log(out.agentFound);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd() });
  let stdout = '';
  child.stdout.on('data', (d) => { stdout += d; });
  // The call's deadline is 60 s: a timer left pending would keep the process alive that long.
  const exited = await new Promise((resolve) => {
    const guard = setTimeout(() => { child.kill(); resolve(false); }, 20_000);
    child.on('exit', () => { clearTimeout(guard); resolve(true); });
  });
  assert.ok(exited, 'the host process did not exit on its own');
  assert.equal(stdout.trim(), 'true');
});

test('the Node entries: node-sync.js where module-sync holds, by import and require(); node.js on a Node without process.getBuiltinModule', async () => {
  const { spawnSync } = await import('node:child_process');
  // A shim in the child: the mock console runs in this process, which spawnSync blocks.
  const body = JSON.stringify({ data: [{ id: '7', serialNumber: 'C02ENTRY0001' }], pagination: { totalItems: 1 } });
  const lookUp = `.getAgentBySerialNumber({ baseUrl: 'https://entry.example', apiToken: 'entry-token-0123456789abcdef' },
      { serialNumber: 'C02ENTRY0001' }, { fetch: async () => ({ status: 200, body: ${JSON.stringify(body)} }) })
      .then((out) => console.log(out.agentId))`;
  // A Node with require(esm) (>= 20.19, 22.12) has the module-sync condition: import and require()
  // resolve node-sync.js. An older one (Node 18) imports node.js, and cannot require() an ES module.
  const requiresEsm = process.features.require_module === true;
  const entry = import.meta.resolve('sentinelone-connector');
  assert.match(entry, requiresEsm ? /\/node-sync\.js$/ : /\/node\.js$/);
  const fallback = new URL('./node.js', entry).href;
  const syncEntry = new URL('./node-sync.js', entry).href;
  const hosts = [
    ['--input-type=module', '-e', `(await import('sentinelone-connector'))${lookUp};`],
    ...(requiresEsm ? [['--input-type=commonjs', '-e', `require('sentinelone-connector')${lookUp};`]] : []),
    // What a Node < 20.16 resolves, on a Node made to look like one.
    ['--input-type=module', '-e', `delete process.getBuiltinModule; (await import(${JSON.stringify(fallback)}))${lookUp};`],
  ];
  for (const args of hosts) {
    const run = spawnSync(process.execPath, args, { cwd: process.cwd(), encoding: 'utf8', timeout: 20_000 });
    assert.equal(run.stdout.trim(), '7', `${args.join(' ')}\n${run.stderr}`);
  }
  const stray = spawnSync(process.execPath, ['--input-type=module', '-e',
    `delete process.getBuiltinModule; await import(${JSON.stringify(syncEntry)})`], { cwd: process.cwd(), encoding: 'utf8' });
  assert.notEqual(stray.status, 0);
  assert.match(stray.stderr, /this entry needs process\.getBuiltinModule/, 'node-sync.js where it cannot load says why');
});

test('timeoutMs bounds a call against a console that never answers', async () => {
  const { createServer } = await import('node:net');
  const sockets = new Set();
  const silent = createServer((socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); }); // never answers
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const baseUrl = `http://127.0.0.1:${silent.address().port}`;
    const error = await lookupError('C02XK1ABJG5J', { timeoutMs: 300 }, { baseUrl, apiToken: MOCK_API_TOKEN });
    assert.equal(error.code, 'TIMEOUT');
    assert.equal(error.retryable, true);
    // (The platform fetch is aborted too, but Node's fetch keeps an aborted socket open, so the
    // observable proof is the shim's signal below.)
    // A host shim receives the signal and can abort its own fetch with it.
    let aborted = false;
    const shim = (request) => new Promise((_, reject) => {
      request.signal.addEventListener('abort', () => { aborted = true; reject(new Error('aborted')); });
    });
    const shimError = await lookupError('C02XK1ABJG5J', { fetch: shim, timeoutMs: 100 });
    assert.equal(shimError.code, 'TIMEOUT');
    assert.ok(aborted, 'the shim saw the abort');
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
});

test('the token never appears in any output or error the suite produced', () => {
  assert.ok(seen.length > 20);
  for (const text of seen) {
    assert.ok(!text.includes(MOCK_API_TOKEN), text.slice(0, 200));
  }
});
