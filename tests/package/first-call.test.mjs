// A host's first calls through its own shim must not touch the globals that make Node load its whole
// fetch implementation: in Node 18 and 20, `Headers`, `Response`, `Request` and `FormData` are lazy
// getters, and the first touch of one costs ~20 ms (more than the rest of a cold start). This file
// runs in a process of its own (node --test), so nothing has touched them before it.
// Run by scripts/test-package.sh from inside the scratch project; REPO points at the repository.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LAZY, spyOnLazyGlobals } from './lazy-globals.mjs';

const { touched, watched } = spyOnLazyGlobals();

const REPO = process.env.REPO;
const connector = await import('sentinelone-connector');
const { createConsole, MOCK_API_TOKEN } = await import(`${REPO}/mock-console/console.mjs`);

const mock = createConsole();
const connection = { baseUrl: 'https://mock.example', apiToken: MOCK_API_TOKEN };
// The shapes host shims answer with: the mock's plain-object headers, a Map, none, and a 429 with
// Retry-After in a Map (a header the core reads).
const plain = async (request) => mock.handle(request);
const asMap = async (request) => {
  const answer = mock.handle(request);
  return { ...answer, headers: new Map(Object.entries(answer.headers ?? {})) };
};
const bare = async (request) => {
  const { status, body } = mock.handle(request);
  return { status, body };
};

test('the spies are in place before the package is imported', () => {
  assert.deepEqual(watched, LAZY, 'Node 18+ defines all four');
});

test("a host shim's calls never touch Headers, Response, Request or FormData", async () => {
  for (const fetch of [plain, asMap, bare]) {
    const found = await connector.getAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' }, { fetch });
    assert.equal(found.agentFound, true);
    const verdict = await connector.evaluateDeviceTrust(connection, { serialNumber: 'C02XK1ABJG5J' }, { fetch });
    assert.equal(typeof verdict.trusted, 'boolean');
    const health = await connector.testConnection(connection, {}, { fetch });
    assert.equal(health.ok, true);
  }
  const snapshot = await connector.syncAgents(connection, {}, { fetch: plain });
  assert.ok(Object.keys(snapshot.serials).length > 0);
  const limited = await connector
    .getAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' }, {
      fetch: async () => ({ status: 429, headers: new Map([['Retry-After', '7']]), body: '' }),
      maxAttempts: 1,
    })
    .catch((error) => error);
  assert.equal(limited.code, 'RATE_LIMITED');
  assert.equal(limited.retryAfterMs, 7000, 'Retry-After was read from the Map');
  assert.deepEqual(touched, []);
});

test('a Headers object is still recognised, and asked by name', async () => {
  const headers = new Headers([['Retry-After', '3'], ['Content-Type', 'application/json']]);
  const limited = await connector
    .getAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' }, {
      fetch: async () => ({ status: 429, headers, body: '' }),
      maxAttempts: 1,
    })
    .catch((error) => error);
  assert.equal(limited.code, 'RATE_LIMITED');
  assert.equal(limited.retryAfterMs, 3000);
});
