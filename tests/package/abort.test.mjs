// A host ends a call with `options.signal`: at once, with ABORTED, nothing more sent to the console;
// a sync with the snapshot so far, which resumes; the instance serves the next call as before.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as connector from 'sentinelone-connector';

const { startMockConsole, MOCK_API_TOKEN } = await import(`${process.env.REPO}/mock-console/server.mjs`);
const { createConsole } = await import(`${process.env.REPO}/mock-console/console.mjs`);

let mock;
let connection;
before(async () => {
  mock = await startMockConsole();
  connection = { baseUrl: mock.url, apiToken: MOCK_API_TOKEN };
});
after(() => mock.close());

const lookup = (options) => connector.getAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' }, options);
// Each test has a timeout: a call an abort failed to end would otherwise hold the run.
const rejection = (promise) => promise.then((out) => assert.fail(`resolved: ${JSON.stringify(out).slice(0, 80)}`), (error) => error);

function assertAborted(error) {
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'SentinelOneConnectorError');
  assert.equal(error.code, 'ABORTED');
  assert.equal(error.retryable, false);
  assert.equal(error.status, null);
  assert.ok(!error.message.includes(MOCK_API_TOKEN));
}

async function stillServes() {
  assert.equal((await lookup({ maxAttempts: 1 })).agentId, '1550901640146865256', 'the instance serves the next call');
}

test('a signal aborted before the call sends nothing', { timeout: 20_000 }, async () => {
  const before = mock.requests.length;
  for (const capability of ['getAgentBySerialNumber', 'evaluateDeviceTrust']) {
    assertAborted(await rejection(connector[capability](connection, { serialNumber: 'C02XK1ABJG5J' }, { signal: AbortSignal.abort() })));
  }
  assert.equal(mock.requests.length, before);
  // A health check reports it, as it reports every failure.
  const health = await connector.testConnection(connection, {}, { signal: AbortSignal.abort() });
  assert.equal(health.ok, false);
  assert.equal(health.error.code, 'ABORTED');
  assert.equal(mock.requests.length, before);
  await stillServes();
});

test('an abort ends a call waiting on the console at once, and aborts its fetch', { timeout: 20_000 }, async () => {
  mock.injectFaults([{ delayMs: 3000 }]);
  const controller = new AbortController();
  const started = Date.now();
  setTimeout(() => controller.abort(), 100);
  // The platform fetch is handed the request's signal: the console's slow answer is abandoned.
  assertAborted(await rejection(lookup({ signal: controller.signal, maxAttempts: 1 })));
  assert.ok(Date.now() - started < 1500, `ended after ${Date.now() - started} ms`);

  let seen;
  const shim = (request) => {
    seen = request.signal;
    return new Promise(() => {});
  };
  const second = new AbortController();
  const reason = new Error('the user left the sign-in page');
  setTimeout(() => second.abort(reason), 50);
  const error = await rejection(lookup({ fetch: shim, signal: second.signal }));
  assertAborted(error);
  assert.equal(error.cause, reason, "the error's cause is the signal's reason");
  assert.ok(!Object.keys(error).includes('cause'), 'not enumerable, as an Error cause is not');
  assert.equal(seen.aborted, true, "the shim's request signal is aborted too");
  await stillServes();
});

test('an abort during a retry wait ends it at once and sends no retry', { timeout: 20_000 }, async () => {
  let attempts = 0;
  // A five-second wait the console asks for, well within the deadline.
  const shim = async () => {
    attempts += 1;
    return { status: 429, headers: { 'retry-after': '5' }, body: '' };
  };
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const started = Date.now();
  assertAborted(await rejection(lookup({ fetch: shim, signal: controller.signal, maxAttempts: 5, timeoutMs: 30_000 })));
  assert.equal(attempts, 1);
  assert.ok(Date.now() - started < 1500);
});

test('an aborted sync rejects with the snapshot so far, which resumes to what a full sync gets', { timeout: 20_000 }, async () => {
  const NOW = Date.parse('2026-12-07T12:00:00Z');
  const fleet = createConsole({ fleetSize: 1200, maxPageSize: 500, now: NOW });
  const fetch = async (request) => fleet.handle(request);
  const syncConnection = { baseUrl: 'https://mock.example', apiToken: MOCK_API_TOKEN };
  const whole = await connector.syncAgents(syncConnection, {}, { fetch, now: NOW });

  const controller = new AbortController();
  const error = await rejection(
    connector.syncAgents(syncConnection, {}, { fetch, now: NOW, signal: controller.signal, onProgress: ({ page }) => page === 1 && controller.abort() }),
  );
  assertAborted(error);
  assert.equal(error.partial.complete, false);
  assert.equal(error.partial.summary.pages, 1);
  assert.ok(error.partial.resumeCursor);
  const resumed = await connector.syncAgents(syncConnection, { resumeFrom: error.partial }, { fetch, now: NOW });
  assert.deepEqual(resumed.serials, whole.serials);
});

test('a signal that never aborts, or aborts after the call, changes nothing; one signal serves many calls', { timeout: 20_000 }, async () => {
  // A signal by its shape (as a polyfill's), counting who listens.
  const target = new EventTarget();
  let listening = 0;
  const signal = {
    aborted: false,
    addEventListener: (...args) => {
      listening += 1;
      target.addEventListener(...args);
    },
    removeEventListener: (...args) => {
      listening -= 1;
      target.removeEventListener(...args);
    },
  };
  for (let i = 0; i < 20; i++) assert.equal((await lookup({ signal, maxAttempts: 1 })).agentFound, true);
  assert.equal(listening, 0, 'each call stops listening when it ends');
  signal.aborted = true;
  target.dispatchEvent(new Event('abort'));
  await stillServes();
});

test('a signal that is not an AbortSignal is INVALID_INPUT', { timeout: 20_000 }, async () => {
  for (const signal of [{}, 'stop', 1, { aborted: 'no' }]) {
    const error = await rejection(lookup({ signal }));
    assert.equal(error.code, 'INVALID_INPUT');
    assert.match(error.message, /options\.signal must be an AbortSignal/);
  }
});
