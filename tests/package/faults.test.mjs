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
