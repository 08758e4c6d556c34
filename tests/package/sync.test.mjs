// Sync Agents and checkSerial from the installed package against the mock console, paging for real.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020.js';
import * as connector from 'sentinelone-connector';

const { startMockConsole, MOCK_API_TOKEN } = await import(`${process.env.REPO}/mock-console/server.mjs`);
const ajv = new Ajv2020({ strict: false, allErrors: true });
const validateSnapshot = ajv.compile(connector.outputSchema('syncAgents'));
const validateAnswer = ajv.compile(connector.outputSchema('evaluateDeviceTrust'));
const validateError = ajv.compile(connector.manifest().errorSchema);

const NOW = Date.now();
let mock;
let connection;
before(async () => {
  // Pages of 7 agents: the 58-agent fleet takes 9 pages.
  mock = await startMockConsole({ maxPageSize: 7, now: NOW });
  connection = { baseUrl: mock.url, apiToken: MOCK_API_TOKEN };
});
after(() => mock.close());

const rules = (out) => out.reasons.map((r) => r.rule);

test('a full multi-page sync equals Evaluate Device Trust, serial by serial', async () => {
  const progress = [];
  const before = mock.requests.length;
  const snapshot = await connector.syncAgents(connection, {}, { now: NOW, onProgress: (p) => progress.push(p) });
  assert.ok(validateSnapshot(snapshot), JSON.stringify(validateSnapshot.errors));
  assert.equal(snapshot.summary.pages, 9);
  assert.equal(mock.requests.length - before, 9, 'one request per page, no more');
  assert.deepEqual(progress.map((p) => p.page), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(progress.at(-1).agentsSeen, 58);
  assert.equal(snapshot.summary.nullSerials, 2);
  assert.equal(snapshot.summary.placeholderSerials, 4);
  assert.equal(snapshot.summary.duplicatedSerials, 3);
  assert.ok(!JSON.stringify(snapshot).includes(MOCK_API_TOKEN));

  const serials = Object.keys(snapshot.serials);
  assert.equal(serials.length, snapshot.summary.serials);
  for (const serial of serials) {
    const direct = await connector.evaluateDeviceTrust(connection, { serialNumber: serial }, { now: NOW });
    const offline = connector.checkSerial(snapshot, serial, { now: NOW });
    assert.ok(validateAnswer(offline), JSON.stringify(validateAnswer.errors));
    assert.deepEqual(rules(offline).filter((r) => r !== 'snapshot'), rules(direct), serial);
    assert.equal(offline.trusted, direct.trusted, serial);
  }
});

test('checkSerial: unknown serials, placeholders and stale snapshots are not trusted', async () => {
  const snapshot = await connector.syncAgents(connection, {}, { now: NOW });
  assert.deepEqual(rules(connector.checkSerial(snapshot, 'NO-SUCH-SERIAL-9', { now: NOW })), ['agentFound']);
  assert.deepEqual(rules(connector.checkSerial(snapshot, 'Default string', { now: NOW })), ['placeholderSerial']);
  const later = NOW + 2 * 3_600_000;
  assert.deepEqual(rules(connector.checkSerial(snapshot, 'C02XK1ABJG5J', { now: later })), ['snapshot']);
  assert.deepEqual(rules(connector.checkSerial(snapshot, 'C02XK1ABJG5J', { now: later, maxSnapshotAgeMinutes: 240 })), ['lastActive']);
  // A snapshot survives a round trip through any store as plain JSON.
  const stored = JSON.parse(JSON.stringify(snapshot));
  assert.equal(connector.checkSerial(stored, 'C02XK1ABJG5J', { now: NOW }).trusted, true);
  // What else a host keeps in options is not read; the options checkSerial reads still are.
  const logger = { name: 'host-logger' };
  logger.self = logger;
  const extra = { logger, requestId: 7n, now: later, maxSnapshotAgeMinutes: 240 };
  assert.deepEqual(rules(connector.checkSerial(snapshot, 'C02XK1ABJG5J', extra)), ['lastActive']);
  const sync = await connector.syncAgents(connection, {}, { logger, now: NOW });
  assert.ok(Object.keys(sync.serials).length > 0);
  assert.throws(() => connector.checkSerial(snapshot, 'C02XK1ABJG5J', { ...extra, maxSnapshotAgeMinutes: 1n }), /must be numbers, dates or strings/);
  // The serial as the lookups read it: missing, not a string, empty.
  for (const [serial, message] of [[undefined, /serialNumber is required/], [null, /serialNumber is required/],
    [12345, /serialNumber must be a string/], [{ serial: 'C02XK1ABJG5J' }, /serialNumber must be a string/], ['  ', /serialNumber is empty/]]) {
    assert.throws(() => connector.checkSerial(snapshot, serial, { now: NOW }), (error) => error.code === 'INVALID_INPUT' && message.test(error.message));
  }
});

test('a sync that fails mid-way resumes from its cursor', async () => {
  let calls = 0;
  const flaky = async ({ method, url, headers, body }) => {
    calls += 1;
    if (calls === 4) return { status: 500, body: '{"errors":[{"code":5000010,"title":"Internal server error"}]}' };
    const r = await fetch(url, { method, headers, body });
    return { status: r.status, body: await r.text() };
  };
  const error = await connector.syncAgents(connection, {}, { now: NOW, fetch: flaky, maxAttempts: 1 }).catch((e) => e);
  assert.equal(error.code, 'UPSTREAM_UNAVAILABLE');
  assert.equal(error.partial.complete, false);
  assert.equal(error.partial.summary.pages, 3, 'how far it got');
  // The error schema declares the partial snapshot: an error with it validates, one with a broken one not.
  assert.ok(validateError(error), JSON.stringify(validateError.errors));
  assert.equal(validateError({ ...error, name: error.name, message: error.message, partial: { ...error.partial, complete: 'no' } }), false);
  const resumed = await connector.syncAgents(connection, { resumeFrom: error.partial }, { now: NOW });
  const full = await connector.syncAgents(connection, {}, { now: NOW });
  assert.deepEqual(resumed.serials, full.serials);
});

test('a console whose paging never ends is stopped past its own totalItems, with a resumable partial', async () => {
  // The same 1000 agents behind fresh cursors, page after page: without the guard the sync would page
  // until its deadline. 1000 reported, at most 1000 more allowed: the third page is refused.
  const agents = Array.from({ length: 1000 }, (_, i) => ({ id: String(i), serialNumber: `LOOP${String(i).padStart(5, '0')}` }));
  let served = 0;
  const endless = async () => {
    served += 1;
    return { status: 200, body: JSON.stringify({ data: agents, pagination: { totalItems: 1000, nextCursor: `c${served}` } }) };
  };
  const error = await connector.syncAgents(connection, {}, { now: NOW, fetch: endless }).catch((e) => e);
  assert.equal(error.code, 'MALFORMED_RESPONSE');
  assert.match(error.message, /kept paging past the 1000 agents it reported \(totalItems\)/);
  assert.equal(served, 3);
  assert.equal(error.partial.complete, false);
  assert.equal(error.partial.summary.pages, 2);
  assert.equal(error.partial.resumeCursor, 'c2');
  assert.equal(Object.keys(error.partial.serials).length, 1000, 'the same agents, read again');
});

test('an incremental sync asks only for agents updated since the previous snapshot', async () => {
  const previous = await connector.syncAgents(connection, {}, { now: NOW });
  const before = mock.requests.length;
  const next = await connector.syncAgents(connection, { previous }, { now: NOW + 60_000 });
  const asked = mock.requests.slice(before).map((r) => new URL(r.url, 'http://x').searchParams.get('updatedAt__gt'));
  // From syncedAt less 5 minutes (updatedAt is the console's clock, syncedAt this host's).
  const since = new Date(Date.parse(previous.syncedAt) - 5 * 60_000).toISOString();
  assert.deepEqual([...new Set(asked)], [since]);
  const seen = next.summary.agentsSeen;
  assert.ok(seen > 0 && seen < previous.summary.agentsSeen, `only the agents updated in the overlap: ${seen}`);
  // Nothing changed at the console: the agents read again replace themselves with the same verdicts.
  assert.deepEqual(next.serials, previous.serials);
});

test('the seeded fleet pages for real: 3,500 agents in 4 pages of up to 1000', async () => {
  const big = await startMockConsole({ fleetSize: 3500, now: NOW });
  try {
    const progress = [];
    const snapshot = await connector.syncAgents({ baseUrl: big.url, apiToken: MOCK_API_TOKEN }, {}, { now: NOW, onProgress: (p) => progress.push(p) });
    assert.equal(snapshot.summary.agentsSeen, 3500);
    assert.equal(snapshot.summary.pages, 4);
    assert.equal(big.requests.length, 4, 'the floor: one request per page');
    assert.deepEqual(progress.map((p) => p.agentsSeen), [1000, 2000, 3000, 3500]);
    assert.ok(snapshot.summary.duplicatedSerials > 0 && snapshot.summary.nullSerials > 0 && snapshot.summary.placeholderSerials > 0);
    assert.ok(snapshot.summary.notTrustedByReason.infected > 0);
    assert.ok(validateSnapshot(snapshot), JSON.stringify(validateSnapshot.errors));
  } finally {
    await big.close();
  }
});
