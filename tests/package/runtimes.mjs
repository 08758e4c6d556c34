// The installed package in JS runtimes other than Node that hosts run it in (Deno, Bun), as a plain
// script each runs: `deno run -A runtimes.mjs`, `bun runtimes.mjs` (Node runs it too). It imports the
// package by name, as a host does, and checks what a host relies on: lookups and verdicts through a shim
// and through the runtime's own fetch against the mock console over HTTP, coded errors without the
// token, an abort, rawResponse, and a sync answered by checkSerial. Exits non-zero on the first
// failure. Run by scripts/test-package.sh from inside the scratch project; REPO points at the repository.
import assert from 'node:assert/strict';
import * as connector from 'sentinelone-connector';

const REPO = globalThis.process?.env?.REPO ?? globalThis.Deno?.env.get('REPO');
const { startMockConsole, MOCK_API_TOKEN } = await import(`${REPO}/mock-console/server.mjs`);
const { createConsole } = await import(`${REPO}/mock-console/console.mjs`);

const runtime = globalThis.Deno ? `Deno ${Deno.version.deno}` : globalThis.Bun ? `Bun ${Bun.version}` : `Node ${process.version}`;
// The runtime the caller meant to run (RUNTIME=deno, bun or node), so that a launcher that quietly
// runs another one (a `deno` shim that is Node) cannot pass for it.
const expected = globalThis.process?.env?.RUNTIME ?? globalThis.Deno?.env.get('RUNTIME');
if (expected !== undefined && !runtime.toLowerCase().startsWith(`${expected} `)) {
  throw new Error(`asked for ${expected}, running in ${runtime}`);
}
const NOW = Date.now();
const mock = createConsole({ now: NOW });
const shim = async (request) => mock.handle(request);
const viaShim = { baseUrl: 'https://usea1-partners.sentinelone.net', apiToken: MOCK_API_TOKEN };
let checks = 0;
const check = (what, fn) => {
  checks += 1;
  return Promise.resolve(fn()).catch((error) => {
    console.error(`${runtime}: failed: ${what}`);
    throw error;
  });
};

const server = await startMockConsole({ now: NOW });
try {
  await check('a lookup through a shim: found, its duplicate chosen, not found', async () => {
    const found = await connector.getAgentBySerialNumber(viaShim, { serialNumber: 'C02XK1ABJG5J' }, { fetch: shim });
    assert.deepEqual([found.agentFound, found.agentId, found.matchCount], [true, '1550901640146865256', 1]);
    assert.equal(found.rawResponse.data.length, 4, 'rawResponse: the page as the console sent it');
    const duplicate = await connector.invoke('getAgentBySerialNumber', { connection: viaShim, input: { serialNumber: '5Q4Q7Y1' } }, { fetch: shim });
    assert.deepEqual([duplicate.agentId, duplicate.matchCount], ['1600000000000000102', 2]);
    const missing = await connector.getAgentBySerialNumber(viaShim, { serialNumber: 'NO-SUCH-SERIAL-9' }, { fetch: shim });
    assert.deepEqual([missing.agentFound, missing.agentId], [false, null]);
  });

  await check('a trust verdict, with reasons', async () => {
    const verdict = await connector.evaluateDeviceTrust(viaShim, { serialNumber: 'C02FH1ZZQ05D' }, { fetch: shim, now: NOW });
    assert.equal(verdict.trusted, false);
    assert.deepEqual(verdict.reasons.map((r) => r.rule), ['infected', 'activeThreats']);
  });

  await check("the runtime's own fetch against the console over HTTP", async () => {
    const overHttp = { baseUrl: server.url, apiToken: MOCK_API_TOKEN };
    const found = await connector.getAgentBySerialNumber(overHttp, { serialNumber: 'C02XK1ABJG5J' });
    assert.equal(found.agentId, '1550901640146865256');
    const health = await connector.testConnection(overHttp);
    assert.equal(health.ok, true, JSON.stringify(health));
  });

  await check('a wrong token: a coded Error, the token nowhere in it', async () => {
    const token = 'wrong-token-0123456789abcdef';
    const error = await connector.getAgentBySerialNumber({ baseUrl: server.url, apiToken: token }, { serialNumber: 'C02XK1ABJG5J' }).catch((e) => e);
    assert.ok(error instanceof Error);
    assert.deepEqual([error.name, error.code, error.status, error.retryable], ['SentinelOneConnectorError', 'UNAUTHORIZED', 401, false]);
    assert.ok(!`${error.message} ${error.stack} ${JSON.stringify(error)}`.includes(token));
  });

  await check('a bad input and a hostile shim answer: coded errors, and the instance carries on', async () => {
    const bad = await connector.getAgentBySerialNumber(viaShim, { serialNumber: 42 }, { fetch: shim }).catch((e) => e);
    assert.equal(bad.code, 'INVALID_INPUT');
    const hostile = await connector.getAgentBySerialNumber(viaShim, { serialNumber: 'C02XK1ABJG5J' }, { fetch: async () => ({ status: 200, body: '{"data":[{"serialNumber":' }) }).catch((e) => e);
    assert.equal(hostile.code, 'MALFORMED_RESPONSE');
    const after = await connector.getAgentBySerialNumber(viaShim, { serialNumber: 'C02XK1ABJG5J' }, { fetch: shim });
    assert.equal(after.agentFound, true);
  });

  await check('an abort ends the call at once', async () => {
    const controller = new AbortController();
    const pending = connector.getAgentBySerialNumber(viaShim, { serialNumber: 'C02XK1ABJG5J' }, { fetch: () => new Promise(() => {}), signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    const error = await pending.catch((e) => e);
    assert.deepEqual([error.code, error.retryable], ['ABORTED', false]);
  });

  await check('a sync, then sign-in checks from its snapshot', async () => {
    const snapshot = await connector.syncAgents(viaShim, {}, { fetch: shim, now: NOW });
    assert.equal(snapshot.complete, true);
    assert.deepEqual([snapshot.summary.agentsSeen, snapshot.summary.serials], [58, 48], JSON.stringify(snapshot.summary));
    const trusted = connector.checkSerial(snapshot, 'C02XK1ABJG5J', { now: NOW });
    const infected = connector.checkSerial(snapshot, 'C02FH1ZZQ05D', { now: NOW });
    assert.deepEqual([trusted.trusted, infected.trusted], [true, false]);
  });
} finally {
  await server.close();
}
console.log(`${runtime}: the package passed ${checks} checks`);
