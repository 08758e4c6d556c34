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
