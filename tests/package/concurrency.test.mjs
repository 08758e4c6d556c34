// Many calls at once in one module instance, as a busy host makes them: each answer must be the one
// its own request earned, whatever order the responses come back in. Answers are recorded from the mock
// console once, then each call is made alone and then all together, with the responses delayed at
// random, as text or as bytes; both runs must agree exactly (rawResponse included). Then a sync paging
// through a fleet while lookups run between its pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as connector from 'sentinelone-connector';

const { startMockConsole, MOCK_API_TOKEN } = await import(`${process.env.REPO}/mock-console/server.mjs`);
const { ROWS } = await import(`${process.env.REPO}/mock-console/fixtures.mjs`);

const NOW = Date.parse('2026-12-07T12:00:00Z');
let mock;
let connection;
before(async () => {
  mock = await startMockConsole();
  connection = { baseUrl: mock.url, apiToken: MOCK_API_TOKEN };
});
after(() => mock.close());

// A seeded generator, so that a failure replays in the same order.
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const serialOf = (url) => new URL(url).searchParams.get('serialNumber__contains');

/** A page of `count` agents copied from the mock's answer for `serial`, the real one in the middle. */
function bigPage(answer, count, rename) {
  const page = JSON.parse(answer.body);
  const [agent] = page.data;
  const data = Array.from({ length: count }, (_, i) =>
    i === count >> 1 ? agent : { ...agent, id: `${9000000000000000000n + BigInt(i)}`, serialNumber: `${agent.serialNumber}-${i}`, computerName: rename(i) },
  );
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data, pagination: { totalItems: count, nextCursor: null } }) };
}

// A call that never settles fails the test rather than holding CI.
test('calls made at once never mix their answers, errors or raw responses', { timeout: 60_000 }, async () => {
  // Every fixture serial (look-alikes, shared serials, infected and stale agents), one not found, and
  // three pages large enough to take the driver's long-text paths (one with accented names).
  const recorded = new Map();
  const record = async (request) => {
    const response = await fetch(request.url, { headers: request.headers, signal: request.signal });
    const answer = { status: response.status, headers: { 'content-type': 'application/json' }, body: await response.text() };
    recorded.set(serialOf(request.url), answer);
    return answer;
  };
  // (Rows whose agent reports no serial, or a blank one, cannot be asked for.)
  const serials = [...new Set(ROWS.map((row) => row.serial).filter((s) => typeof s === 'string' && s.trim().length >= 2)), 'NO-SUCH-1'];
  for (const serialNumber of serials) {
    // A firmware placeholder is refused before any request (and judged untrusted by a trust call).
    await connector.getAgentBySerialNumber(connection, { serialNumber }, { fetch: record }).catch((error) => assert.equal(error.code, 'INVALID_INPUT'));
  }
  const big = { 'C02XK1ABJG5J': 1000, 'FS6V1B3': 300, 'C02FH1ZZQ05D': 600 };
  for (const [serial, count] of Object.entries(big)) {
    recorded.set(serial, bigPage(recorded.get(serial), count, (i) => (serial === 'FS6V1B3' ? `Zürich-Büro-${i}` : `LAB-${i}`)));
  }
  // And calls that fail: no response, a 503, a console that never answers within the deadline.
  const failing = { 'NET-FAIL-1': 'reject', 'UPSTREAM-503': 'status', 'NEVER-ANSWERS': 'hang' };

  // Each call has its own shim, which refuses a request that is not its call's: a driver that sent
  // through another call's shim, or a core that mixed up connections or serials, fails the comparison.
  // Every third call is first told to retry at once (429, Retry-After: 0), so that its second request
  // is sent after a timer, among the other calls, not in the same turn as the call began.
  const replay = (delay, job) => {
    let attempts = 0;
    return async (request) => {
      const serial = serialOf(request.url);
      if (serial !== job.serialNumber || request.headers.Authorization !== `ApiToken ${job.connection.apiToken}`) {
        throw new Error(`call for ${job.serialNumber} was sent a request for ${serial}`);
      }
      attempts += 1;
      await delay();
      if (job.retried && attempts === 1) return { status: 429, headers: { 'retry-after': '0' }, body: '' };
      return answer(serial);
    };
  };
  const answer = (serial) => {
    if (failing[serial] === 'reject') throw new TypeError('fetch failed');
    if (failing[serial] === 'status') return { status: 503, body: '{"errors":[{"code":5000010,"title":"Server Error"}]}' };
    if (failing[serial] === 'hang') return new Promise(() => {});
    const recording = recorded.get(serial);
    assert.ok(recording, `no recorded answer for ${serial}`);
    // Half the answers as bytes, as `response.arrayBuffer()` gives them.
    return serial.length % 2 ? recording : { ...recording, body: new TextEncoder().encode(recording.body) };
  };

  const capabilities = ['getAgentBySerialNumber', 'evaluateDeviceTrust'];
  const jobs = [];
  // Two connections (the second one's base URL with the API root pasted, as users do), in turn.
  const connections = [connection, { baseUrl: `${mock.url}/web/api/v2.1`, apiToken: 'a-second-token-0123456789' }];
  for (const serialNumber of [...serials, ...Object.keys(failing)]) {
    for (const capability of capabilities) {
      jobs.push({ capability, serialNumber, connection: connections[jobs.length % 2], retried: jobs.length % 3 === 0 });
    }
  }
  // No outcome may hang on timing: only the told-to-retry calls get a second attempt (after a wait of
  // 0), and only the call that is never answered has a short deadline. Not too short: a told-to-retry
  // one must get its 429 back before the deadline, while 110 calls (three big pages among them) begin
  // in the same turn on a loaded machine; with its deadline gone by then, the 429 is the answer
  // (RATE_LIMITED, retry after 0 ms), not TIMEOUT (seen at 300 ms, two test suites on two cores).
  const options = (fetch, job) => ({
    fetch,
    now: NOW,
    maxAttempts: job.retried ? 2 : 1,
    timeoutMs: failing[job.serialNumber] === 'hang' ? 1500 : 30_000,
  });
  const settle = (promise) =>
    promise.then(
      // Through JSON, which reads the lazy rawResponse too.
      (output) => ({ output: JSON.parse(JSON.stringify(output)) }),
      (error) => ({ code: error.code, message: error.message }),
    );
  const run = (job, fetch) => settle(connector[job.capability](job.connection, { serialNumber: job.serialNumber }, options(fetch, job)));

  const alone = [];
  for (const job of jobs) alone.push(await run(job, replay(async () => {}, job)));
  // Each kind of answer is there: found agents, a not-found one, and the three failures.
  assert.ok(alone.filter((r) => r.output?.agentFound).length > jobs.length / 2);
  assert.ok(alone.some((r) => r.output && !r.output.agentFound));
  const codes = new Set(alone.filter((r) => r.code).map((r) => r.code));
  for (const code of ['NETWORK', 'UPSTREAM_UNAVAILABLE', 'TIMEOUT', 'INVALID_INPUT']) assert.ok(codes.has(code), code);

  const next = random(20261207);
  const order = jobs.map((job, at) => ({ job, at, key: next() })).sort((a, b) => a.key - b.key);
  // Some answers come at once, others after a few timer turns, so responses overtake one another.
  const delay = () => (next() < 0.3 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, Math.floor(next() * 8))));
  const together = await Promise.all(order.map(({ job }) => run(job, replay(delay, job))));
  order.forEach(({ job, at }, k) => {
    assert.deepEqual(together[k], alone[at], `${job.capability} ${job.serialNumber}`);
  });
});

test('a sync paging among lookups builds the snapshot it builds alone, and they the answers they get alone', { timeout: 60_000 }, async () => {
  const { createConsole } = await import(`${process.env.REPO}/mock-console/console.mjs`);
  // 1,200 agents in pages of at most 500: three pages, each request paced after the one before, so
  // lookups run between them. (The mock builds its fleet anew per request: ~40 ms each.)
  const fleetConsole = createConsole({ fleetSize: 1200, maxPageSize: 500, now: NOW });
  const fleetConnection = { baseUrl: 'https://mock.example', apiToken: MOCK_API_TOKEN };
  // Each call's shim answers only its own call's requests (a sync's pages have no serial filter).
  const serve = (delay, serial = null) => async (request) => {
    assert.equal(serialOf(request.url), serial, `a request for ${serial} went to the shim of ${serialOf(request.url)}`);
    await delay();
    return fleetConsole.handle(request);
  };
  const at = async () => {};
  // The time a sync took is the one thing that may differ.
  const timeless = ({ summary: { durationMs, ...summary }, ...snapshot }) => ({ ...snapshot, summary });
  const sync = (fetch) => connector.syncAgents(fleetConnection, {}, { fetch, now: NOW }).then(timeless);
  const alone = await sync(serve(at));
  assert.equal(alone.summary.pages, 3);

  const serials = [...Object.keys(alone.serials).filter((_, i) => i % 150 === 0), 'NO-SUCH-2'];
  const look = (serialNumber, fetch) =>
    connector.evaluateDeviceTrust(fleetConnection, { serialNumber }, { fetch, now: NOW }).then((output) => JSON.parse(JSON.stringify(output)));
  const answers = [];
  for (const serial of serials) answers.push(await look(serial, serve(at, serial)));

  const next = random(7);
  const delay = () => new Promise((resolve) => setTimeout(resolve, Math.floor(next() * 20)));
  const stagger = (k) => new Promise((resolve) => setTimeout(resolve, k * 3));
  const [together, ...looked] = await Promise.all([
    sync(serve(delay)),
    ...serials.map((serial, k) => stagger(k).then(() => look(serial, serve(delay, serial)))),
  ]);
  assert.deepEqual(together, alone);
  serials.forEach((serial, k) => assert.deepEqual(looked[k], answers[k], serial));
});
