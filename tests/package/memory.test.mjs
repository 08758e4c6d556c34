// A host keeps one module instance for weeks: whatever a call allocates must be freed when it ends,
// whichever way it ends. WebAssembly memory only grows, so after a warm-up that has shown the module
// every kind of call, thousands more must not grow it by a single 64 KiB page: a call that kept even a
// few dozen bytes would. Loaded through the `/web` entry, whose `init()` returns the module's exports.
// Run by scripts/test-package.sh from inside the scratch project.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const { agentFromRow, ROWS } = await import(`${process.env.REPO}/mock-console/fixtures.mjs`);

const glue = import.meta.resolve('sentinelone-connector/web');
const NOW = Date.parse('2026-12-07T12:00:00Z');
const connection = { baseUrl: 'https://usea1-partners.sentinelone.net', apiToken: `eyJ${'memory-test-token-'.repeat(6)}` };
const rows = ROWS.filter((row) => typeof row.serial === 'string' && row.serial.trim().length >= 2);
const page = (agents) => JSON.stringify({ data: agents, pagination: { totalItems: agents.length, nextCursor: null } });
const pages = rows.map((row) => page([agentFromRow(row, NOW)]));
const bigPage = page(Array.from({ length: 200 }, (_, i) => ({ ...agentFromRow(rows[0], NOW), serialNumber: `${rows[0].serial}-${i}` })));

test('thousands of calls, each ending its own way, leave the module no bigger than the first ones did', { timeout: 120_000 }, async () => {
  const connector = await import(`${glue}?memory`);
  const { memory } = await connector.default({ module_or_path: readFileSync(new URL('sentinelone_connector_bg.wasm', glue)) });
  const snapshot = await connector.syncAgents(connection, {}, { fetch: async () => ({ status: 200, body: page(rows.map((row) => agentFromRow(row, NOW))) }), now: NOW });

  // Call `i` of a fixed cycle: found, not found, a big page, text or bytes, an error of each kind, an
  // output read whole (rawResponse too), a trust evaluation, a health check, a snapshot check.
  const outcomes = new Map();
  async function call(i) {
    const at = i % rows.length;
    const serialNumber = i % 11 === 0 ? 'NO-SUCH-9' : rows[at].serial;
    const body = i % 7 === 3 ? bigPage : pages[at];
    const kind = i % 13;
    const fetch = async () => {
      if (kind === 5) return { status: 503, body: '{"errors":[{"code":5000010,"title":"Server Error"}]}' };
      if (kind === 6) throw new TypeError('fetch failed');
      if (kind === 7) return { status: 200 }; // not a response: SHIM_CONTRACT
      if (kind === 8) return { status: 200, body: '{"data":[{"serialNumber":' }; // MALFORMED_RESPONSE
      return { status: 200, headers: { 'content-type': 'application/json' }, body: i % 2 ? body : new TextEncoder().encode(body) };
    };
    const options = { fetch, now: NOW, maxAttempts: 1 };
    let outcome;
    try {
      if (kind === 9) outcome = connector.checkSerial(snapshot, serialNumber, { now: NOW });
      else if (kind === 10) outcome = await connector.testConnection(connection, {}, options);
      else if (kind === 11) outcome = await connector.getAgentBySerialNumber(connection, { serialNumber: '' }, options);
      else {
        const capability = i % 3 ? connector.getAgentBySerialNumber : connector.evaluateDeviceTrust;
        outcome = await capability(connection, { serialNumber }, options);
      }
      if (i % 4 === 0) JSON.stringify(outcome);
      outcomes.set('output', (outcomes.get('output') ?? 0) + 1);
    } catch (error) {
      outcomes.set(error.code, (outcomes.get(error.code) ?? 0) + 1);
    }
  }

  for (let i = 0; i < 2000; i++) await call(i);
  const warm = memory.buffer.byteLength;
  for (let i = 0; i < 6000; i++) await call(i);
  // The cycle did end every way it meant to.
  for (const code of ['output', 'UPSTREAM_UNAVAILABLE', 'NETWORK', 'SHIM_CONTRACT', 'MALFORMED_RESPONSE', 'INVALID_INPUT']) {
    assert.ok(outcomes.get(code) > 0, `${code}: ${JSON.stringify([...outcomes])}`);
  }
  assert.equal(memory.buffer.byteLength, warm, `memory grew by ${(memory.buffer.byteLength - warm) / 65536} pages`);
});

// A call's arguments, its `Authorization` header, the token-details request a health check sends and
// a body that echoes the token all put the token into wasm memory. Freed, such a copy would stay
// readable for as long as the host keeps the instance (a memory the `/web` entry hands out, a heap
// snapshot, a crash dump): the module zeroes what it frees, so after a call, whichever way it ended,
// no copy is left. Only the token's middle is looked for (a copy could be cut at its ends).
test('no copy of the token is left in the module\'s memory after a call, whichever way it ended', { timeout: 60_000 }, async () => {
  const { createConsole } = await import(`${process.env.REPO}/mock-console/console.mjs`);
  const connector = await import(`${glue}?secret`);
  const { memory } = await connector.default({ module_or_path: readFileSync(new URL('sentinelone_connector_bg.wasm', glue)) });
  const token = `eyJ${Array.from({ length: 12 }, () => Math.random().toString(36).slice(2, 12)).join('')}`;
  const middle = new TextEncoder().encode(token.slice(16, -16));
  const copies = () => {
    const bytes = new Uint8Array(memory.buffer);
    let count = 0;
    for (let at = bytes.indexOf(middle[0]); at !== -1; at = bytes.indexOf(middle[0], at + 1)) {
      let i = 1;
      while (i < middle.length && bytes[at + i] === middle[i]) i++;
      if (i === middle.length) count++;
    }
    return count;
  };
  const mock = createConsole({ token, fleetSize: 30, maxPageSize: 10, now: NOW });
  const connection = { baseUrl: 'https://usea1-partners.sentinelone.net', apiToken: token };
  const listed = mock.handle({ url: '/web/api/v2.1/agents?limit=1', headers: { Authorization: `ApiToken ${token}` } });
  const { serialNumber } = JSON.parse(listed.body).data[0];
  const fromConsole = async (request) => mock.handle(request);
  const echoing = async () => ({ status: 200, body: page([{ ...agentFromRow(rows[0], NOW), serialNumber, computerName: `echo ${token}` }]) });
  const bytes = async (request) => { const answer = mock.handle(request); return { ...answer, body: new TextEncoder().encode(answer.body) }; };
  const never = () => new Promise(() => {});
  const aborted = new AbortController();
  const lookup = (options, input = { serialNumber }, conn = connection) => connector.getAgentBySerialNumber(conn, input, options);
  const calls = [
    ['a lookup', 'output', () => lookup({ fetch: fromConsole })],
    ['a lookup, the body as bytes', 'output', () => lookup({ fetch: bytes })],
    ['a lookup, its output read whole', 'output', async () => JSON.stringify(await lookup({ fetch: fromConsole }))],
    ['a lookup finding nothing', 'output', () => lookup({ fetch: fromConsole }, { serialNumber: 'NO-SUCH-9' })],
    ['a body echoing the token', 'output', async () => JSON.stringify(await lookup({ fetch: echoing }))],
    ['a trust evaluation', 'output', () => connector.evaluateDeviceTrust(connection, { serialNumber }, { fetch: fromConsole })],
    ['a health check (the token in a request body)', 'output', () => connector.testConnection(connection, {}, { fetch: fromConsole })],
    ['invoke', 'output', () => connector.invoke('getAgentBySerialNumber', { connection, input: { serialNumber } }, { fetch: fromConsole })],
    ['a sync of three pages', 'output', () => connector.syncAgents(connection, {}, { fetch: fromConsole, now: NOW })],
    ['a 401', 'UNAUTHORIZED', () => lookup({ fetch: async () => ({ status: 401, body: '{"errors":[{"code":4010010}]}' }) })],
    ['503s retried', 'UPSTREAM_UNAVAILABLE', () => lookup({ fetch: async () => ({ status: 503, headers: { 'retry-after': '0' }, body: '' }), maxAttempts: 2 })],
    ['a network failure', 'NETWORK', () => lookup({ fetch: async () => { throw new TypeError('fetch failed'); } })],
    ['a deadline', 'TIMEOUT', () => lookup({ fetch: never, timeoutMs: 20 })],
    ['an abort', 'ABORTED', () => { setTimeout(() => aborted.abort(), 5); return lookup({ fetch: never, signal: aborted.signal }); }],
    ['a truncated page', 'MALFORMED_RESPONSE', () => connector.evaluateDeviceTrust(connection, { serialNumber }, { fetch: async () => ({ status: 200, body: '{"data":[{"serialNumber":' }) })],
    ['a shim answering no response', 'SHIM_CONTRACT', () => lookup({ fetch: async () => ({ status: 200 }) })],
    ['an empty serial', 'INVALID_INPUT', () => lookup({ fetch: fromConsole }, { serialNumber: '' })],
    ['a token pasted with its prefix', 'INVALID_CONNECTION', () => lookup({ fetch: fromConsole }, undefined, { ...connection, apiToken: `ApiToken ${token}` })],
    ['a sync failing on its second page', 'UPSTREAM_UNAVAILABLE', () => {
      let pages = 0;
      return connector.syncAgents(connection, {}, { fetch: async (request) => (pages++ ? { status: 503, body: '' } : mock.handle(request)), maxAttempts: 1, now: NOW });
    }],
  ];
  for (const [name, expected, call] of calls) {
    let end = 'output';
    try { await call(); } catch (error) { end = error.code; }
    assert.equal(end, expected, name);
    assert.equal(copies(), 0, `${name} left the token in the module's memory`);
  }
  // The search does find a copy the module still uses: a call in flight holds the token.
  const inFlight = lookup({ fetch: never, timeoutMs: 50 });
  assert.ok(copies() > 0, 'a call in flight holds the token, and the search finds it');
  await inFlight.catch(() => {});
  assert.equal(copies(), 0);
});
