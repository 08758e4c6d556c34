// The connector against the bench's pure-JS reference (bench/reference.mjs), an independent second
// implementation of the same behaviour, on random pages written the ways consoles write agents:
// booleans as "True" or 1, counts as strings, dates with and without a zone, serials with spaces or
// as numbers, fields null or missing, serials shared by several agents. Both must give the same
// lookup, the same default verdict and the same page sync. A disagreement is a bug in one of them;
// the bench's ratios are only fair while they agree. Then the connector against itself: the page
// synced over several pages (or resumed after a failed one), or incrementally from an earlier
// snapshot, gives the same verdicts;
// under random rules the live verdict is README's rule table judged here in JS, and a sign-in
// answered from a sync (checkSerial) is the live verdict. SEED=<n> replays one run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { initSync, getAgentBySerialNumber, evaluateDeviceTrust, syncAgents, checkSerial } from '../pkg/sentinelone_connector.js';
import { jsGetAgentBySerialNumber, jsEvaluateDeviceTrust, jsSyncPage, lenient } from '../bench/reference.mjs';

initSync({ module: readFileSync(new URL('../pkg/sentinelone_connector_bg.wasm', import.meta.url)) });

const SEED = Number(process.env.SEED ?? Date.now() % 1_000_000);
const PAGES = 300;
const NOW = Date.parse('2026-12-07T12:00:00.000Z');
const connection = { baseUrl: 'https://usea1-partners.sentinelone.net', apiToken: 'differential-test-token-0123456789' };

/** mulberry32: a small seeded generator, so that a failing run can be replayed with its seed. */
function generator(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  return { next, int, pick: (list) => list[int(list.length)] };
}

const MISSING = Symbol('missing');
// Healthy values as consoles spell them, and anything else a field may hold.
const TRUE = [true, true, true, 'True', 'true', ' TRUE ', 1, '1'];
const FALSE = [false, false, false, 'False', 'false', 0, '0'];
const BOOLEANS = [...TRUE, ...FALSE, null, MISSING, 'yes', 2, '', {}];
const COUNTS = [1, 3, '2', ' 1 ', '+1', '', 'abc', '1e1', '0x10', -1, 1.5, null, MISSING, [], true];
const STATES = ['disabled', 'auto_disabled', 'NA', '', null, MISSING, 7];
const OS_TYPES = ['macos', 'windows', 'linux', 'windows_legacy', 'Windows', null, MISSING, 3];
const NETWORK = ['connected', 'disconnected', 'connecting', 'Connected', null, MISSING];
const VERSIONS = ['23.4.2.14', '22.1.0.1', '24.1.1', '23.10.0.1', '23.4', ' 24.1.1 ', '23.04.2.14', '+24.0', 'v23.4',
  '23.4.2.14 EA', '23..4', '', 24, null, MISSING];
const SERIALS = ['C02XK1ABJG5J', 'C02XK1ABJG5', 'XK1ABJG5J', '5Q4Q7Y1', 'PF3ABC12', 'pf3abc12', 'R90Z 7Q', 'Ünïcode-42', 'SN-日本-7'];
const ODD_SERIALS = [' C02XK1ABJG5J ', 'C02XK1ABJG5J\t', 12345678, 0, '0000000', 'To Be Filled By O.E.M.', 'Default string', 'N/A', '', '   ', null, MISSING, true];

/** A time `minutes` before NOW, written in one of the ways consoles and their proxies write times. */
function when(rng, minutes) {
  const at = new Date(NOW - Math.round(minutes * 60_000) - rng.int(1000));
  const iso = at.toISOString(); // 2026-12-07T11:58:37.429Z
  return rng.pick([
    iso.replace('Z', '000Z'), // SentinelOne: microseconds, Z
    iso.replace('Z', '000'), // no zone: UTC
    iso.slice(0, 19) + 'Z',
    iso.replace('Z', '+00:00'),
    `${new Date(at.getTime() + 2 * 3_600_000).toISOString().slice(0, 23)}+02:00`,
  ]);
}

function randomDate(rng) {
  return rng.pick([
    () => when(rng, rng.next() * 50), // recent
    () => when(rng, rng.next() * 50),
    () => when(rng, rng.next() * 50),
    () => when(rng, 55 + rng.next() * 10), // around the 60-minute rule
    () => when(rng, 60 * 24 * (1 + rng.int(30))), // days ago
    () => when(rng, -(rng.next() * 3)), // a little ahead (clock skew)
    () => when(rng, -(10 + rng.next() * 60)), // far ahead
    () => rng.pick([null, MISSING, 'yesterday', '', 1765000000000, '2026-13-01T00:00:00Z']),
  ])();
}

/** A healthy value in one of its spellings, or (one time in `odds`) any value the field may hold. */
const either = (rng, healthy, any, odds = 12) => rng.pick(rng.int(odds) === 0 ? any : healthy);

let nextId = 1_700_000_000_000_000_000n;
function randomAgent(rng, serial) {
  const agent = {
    id: rng.int(20) === 0 ? Number(nextId++ % 1_000_000_000n) : String(nextId++),
    uuid: rng.int(20) === 0 ? null : `uuid-${rng.int(1e9).toString(16)}`,
    computerName: rng.pick(['JDOE-MBP', 'WIN-ACME-07', 'build-01', null, MISSING, 42]),
    serialNumber: serial,
    osType: rng.pick(OS_TYPES),
    osName: rng.pick(['macOS', 'Windows 11 Pro', 'Ubuntu', null, MISSING]),
    agentVersion: rng.pick(VERSIONS),
    isActive: either(rng, TRUE, BOOLEANS),
    isDecommissioned: either(rng, FALSE, BOOLEANS, 6),
    isUninstalled: either(rng, FALSE, BOOLEANS),
    isPendingUninstall: either(rng, FALSE, BOOLEANS),
    infected: either(rng, FALSE, BOOLEANS),
    threatRebootRequired: either(rng, FALSE, BOOLEANS),
    activeThreats: either(rng, [0, 0, '0', ' 0', '+0'], COUNTS),
    operationalState: either(rng, ['na'], STATES),
    networkStatus: rng.pick(NETWORK),
    lastActiveDate: randomDate(rng),
    siteId: rng.pick(['1138463255859336', null, 77]),
    accountId: rng.pick(['113841926404', null, MISSING]),
    groupId: rng.pick(['126008949570', MISSING]),
    activeDirectory: { lastUserMemberOf: ['CN=Staff,DC=acme,DC=example'] },
  };
  for (const [key, value] of Object.entries(agent)) if (value === MISSING) delete agent[key];
  return agent;
}

function randomPage(rng) {
  const agents = Array.from({ length: rng.int(9) }, () => {
    const serial = rng.int(6) === 0 ? rng.pick(ODD_SERIALS) : rng.pick(SERIALS);
    return randomAgent(rng, serial);
  });
  const totalItems = rng.pick([agents.length, agents.length, String(agents.length), agents.length + 40, null, MISSING]);
  const pagination = { totalItems, nextCursor: null };
  if (totalItems === MISSING) delete pagination.totalItems;
  const body = JSON.stringify({ data: agents, pagination }, null, rng.int(4) === 0 ? 2 : undefined);
  // Escapes a console may write inside strings, keys included ("serial\u004eumber"): only strings
  // hold an upper-case K or N here, and JSON.parse reads them back as they were.
  return rng.int(4) === 0 ? body.replaceAll('K', '\\u004B').replaceAll('N', '\\u004e') : body;
}

/** Trust rules a flow designer might set, each rule present or not. */
function randomRules(rng) {
  const rules = {};
  const maybe = (key, values) => { if (rng.int(3) === 0) rules[key] = rng.pick(values); };
  maybe('maxInactiveMinutes', [0, 5, 30, 59.5, 120, 60 * 24 * 40]);
  maybe('allowedNetworkStatuses', [['connected'], ['connected', 'connecting'], null]);
  maybe('maxActiveThreats', [0, 1, 2, 5]);
  maybe('allowedOperationalStates', [['na'], ['na', 'disabled'], ['auto_disabled']]);
  maybe('allowedOsTypes', [['macos', 'windows'], ['linux'], null]);
  maybe('minAgentVersion', ['23.4', '22.1.0.1', '24', '23.4.2.15', null]);
  maybe('allowAmbiguous', [true, false]);
  return rules;
}

/**
 * The rules of README's table, judged here apart from the connector on the agent the reference
 * chose: the failed rule ids in rule order.
 */
function judge(agent, matchCount, given, now) {
  const { bool, text, count, time } = lenient;
  const rules = { maxInactiveMinutes: 60, maxActiveThreats: 0, allowedOperationalStates: ['na'], allowedNetworkStatuses: null,
    allowedOsTypes: null, minAgentVersion: null, allowAmbiguous: false, ...given };
  if (agent === undefined) return ['agentFound'];
  const failed = [];
  const rule = (id, passes) => { if (!passes) failed.push(id); };
  const numbers = (version) => (version !== null && version.trim().split('.').every((n) => /^\+?\d+$/.test(n)) ? version.trim().split('.').map(Number) : null);
  const atLeast = (version, minimum) => {
    const [have, need] = [numbers(version), numbers(minimum)];
    if (have === null) return false;
    for (let i = 0; i < Math.max(have.length, need.length); i++) {
      if ((have[i] ?? 0) !== (need[i] ?? 0)) return (have[i] ?? 0) > (need[i] ?? 0);
    }
    return true;
  };
  const last = time(agent.lastActiveDate);
  const threats = count(agent.activeThreats);
  rule('uniqueSerial', matchCount === 1 || rules.allowAmbiguous);
  rule('decommissioned', bool(agent.isDecommissioned) === false);
  rule('uninstalled', bool(agent.isUninstalled) === false && bool(agent.isPendingUninstall) === false);
  rule('isActive', bool(agent.isActive) === true);
  rule('lastActive', last !== null && (now - last) / 60_000 <= rules.maxInactiveMinutes && (last - now) / 60_000 <= 5);
  rule('infected', bool(agent.infected) === false);
  rule('activeThreats', threats !== null && threats <= rules.maxActiveThreats);
  rule('threatReboot', bool(agent.threatRebootRequired) === false);
  rule('operationalState', rules.allowedOperationalStates.includes(text(agent.operationalState)));
  rule('networkStatus', rules.allowedNetworkStatuses === null || rules.allowedNetworkStatuses.includes(text(agent.networkStatus)));
  rule('osType', rules.allowedOsTypes === null || rules.allowedOsTypes.includes(text(agent.osType)));
  rule('agentVersion', rules.minAgentVersion === null || atLeast(text(agent.agentVersion), rules.minAgentVersion));
  return failed;
}

const instant = (body) => async () => ({ status: 200, headers: { 'content-type': 'application/json' }, body });
const utf8 = new TextEncoder();

function comparable(lookup) {
  const { rawResponse, agent, ...fields } = lookup;
  return fields;
}

test(`on ${PAGES} random pages (SEED=${SEED}): lookups, verdicts and syncs agree with the JS reference; paged, incremental and offline answers with live ones`, async () => {
  const rng = generator(SEED);
  let found = 0;
  let shared = 0;
  let trusted = 0;
  let promoted = 0;
  for (let p = 0; p < PAGES; p++) {
    const body = randomPage(rng);
    const serial = rng.int(8) === 0 ? ` ${rng.pick(SERIALS)}\t` : rng.pick(SERIALS);
    const where = `page ${p} (SEED=${SEED}), serial ${serial}: ${body}`;
    const options = { fetch: instant(body), now: NOW };
    // The connector takes a body as text or as its UTF-8 bytes (each read its own way); the reference text.
    const ourOptions = rng.int(2) === 0 ? options : { fetch: async () => ({ status: 200, body: utf8.encode(body) }), now: NOW };

    const ours = await getAgentBySerialNumber(connection, { serialNumber: serial }, ourOptions);
    const theirs = await jsGetAgentBySerialNumber(connection, { serialNumber: serial }, options);
    assert.deepEqual(comparable(ours), comparable(theirs), `lookup, ${where}`);
    assert.deepEqual(ours.rawResponse, JSON.parse(body), `rawResponse, ${where}`);
    found += ours.agentFound ? 1 : 0;
    shared += ours.matchCount > 1 ? 1 : 0;

    const verdict = await evaluateDeviceTrust(connection, { serialNumber: serial }, ourOptions);
    const reference = await jsEvaluateDeviceTrust(connection, { serialNumber: serial }, options);
    assert.deepEqual(verdict.reasons.map((r) => r.rule), reference.reasons, `verdict, ${where}`);
    assert.equal(verdict.trusted, reference.trusted, `trusted, ${where}`);
    trusted += verdict.trusted ? 1 : 0;

    const sync = await syncAgents(connection, {}, ourOptions);
    const jsSync = await jsSyncPage(connection, {}, options);
    const entries = (snapshot) => Object.entries(snapshot.serials).sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, e]) => [key, e.agentId, e.agents, [...(e.otherAgentIds ?? [])].sort(), e.failed.map((c) => [c.rule, c.expected, c.actual])]);
    assert.deepEqual(entries(sync), entries(jsSync), `sync entries, ${where}`);
    const { durationMs, ...summary } = sync.summary;
    assert.deepEqual(summary, jsSync.summary, `sync summary, ${where}`);

    // The same agents over several pages (a shared serial's agents on different ones) sync the same.
    // One page in four: a sync waits 40 ms between pages (the console's rate limit).
    const agents = JSON.parse(body).data;
    const parts = p % 4 === 0 ? 2 + rng.int(3) : 1;
    const size = Math.max(1, Math.ceil(agents.length / parts));
    const paged = async (request) => {
      const at = Number(new URL(request.url).searchParams.get('cursor') ?? 0);
      const next = at + size < agents.length ? String(at + size) : null;
      const page = JSON.stringify({ data: agents.slice(at, at + size), pagination: { totalItems: agents.length, nextCursor: next } });
      return { status: 200, body: page };
    };
    const overPages = await syncAgents(connection, {}, { fetch: paged, now: NOW });
    const counts = ({ durationMs, pages, requests, totalItems, ...rest }) => rest;
    assert.deepEqual(entries(overPages), entries(sync), `sync over ${parts} pages, ${where}`);
    assert.deepEqual(counts(overPages.summary), counts(sync.summary), `sync summary over ${parts} pages, ${where}`);
    assert.equal(overPages.summary.pages, Math.max(1, Math.ceil(agents.length / size)), `pages, ${where}`);
    // The console failing at one of those pages: the partial snapshot, stored and resumed, ends where
    // the sync that never failed ended.
    const pages = Math.max(1, Math.ceil(agents.length / size));
    if (pages > 1 && rng.int(2) === 0) {
      const failing = String(size * (1 + rng.int(pages - 1)));
      const flaky = async (request) => (new URL(request.url).searchParams.get('cursor') === failing ? { status: 503, body: '' } : paged(request));
      const error = await syncAgents(connection, {}, { fetch: flaky, now: NOW, maxAttempts: 1 }).then(() => assert.fail('resolved'), (e) => e);
      assert.equal(error.code, 'UPSTREAM_UNAVAILABLE', where);
      const resumed = await syncAgents(connection, { resumeFrom: JSON.parse(JSON.stringify(error.partial)) }, { fetch: paged, now: NOW });
      assert.deepEqual(entries(resumed), entries(sync), `resumed sync, ${where}`);
      assert.deepEqual(counts(resumed.summary), counts(sync.summary), `resumed sync summary, ${where}`);
    }

    // An incremental sync (the previous snapshot, and the agents changed or added since) gives the
    // verdicts a full sync of the console's new state gives, under the rules the snapshot was made
    // with (random ones half the time). A changed agent may report another serial, or none (a replaced
    // mainboard): it leaves its old serial's entry. Its last contact does not go back in time (an
    // agent it outranked, unread, would be preferred by a full sync).
    if (p % 3 === 0) {
      const later = NOW + 10 * 60_000;
      const syncRules = rng.int(2) === 0 ? {} : { ...randomRules(rng), allowAmbiguous: rng.int(2) === 0 };
      const before = Object.keys(syncRules).length === 0 ? sync : await syncAgents(connection, { rules: syncRules }, ourOptions);
      // The agent `old` in a new state, perhaps under another serial (one time in `odds`).
      const change = (old, odds) => {
        const serial = rng.int(odds) === 0 ? rng.pick([...SERIALS, ...ODD_SERIALS]) : old.serialNumber;
        const agent = { ...randomAgent(rng, serial), id: old.id };
        const [was, is] = [lenient.time(old.lastActiveDate), lenient.time(agent.lastActiveDate)];
        if (was !== null && is !== null && is < was) agent.lastActiveDate = old.lastActiveDate;
        return agent;
      };
      const changed = agents.filter(() => rng.int(3) === 0).map((old) => change(old, 3));
      const added = Array.from({ length: rng.int(3) }, () => randomAgent(rng, rng.pick(SERIALS)));
      // Half the time an agent changes again while the sync pages: read twice (on one page or on
      // both), its latest state last, perhaps under another serial again.
      const again = changed.length > 0 && rng.int(2) === 0 ? [change(rng.pick(changed), 2)] : [];
      const since = [...changed, ...added, ...again];
      const latest = (agent) => again.find((a) => a.id === agent.id) ?? agent;
      const now = [...agents.map((old) => latest(changed.find((c) => c.id === old.id) ?? old)), ...added];
      // One time in three over two pages: an agent read on one, the agent it lost to moving on the other.
      const half = rng.int(3) === 0 ? Math.ceil(since.length / 2) : since.length;
      const incremental = await syncAgents(connection, { previous: JSON.parse(JSON.stringify(before)) }, {
        now: later,
        fetch: async (request) => {
          assert.match(request.url, /updatedAt__gt=/);
          const second = new URL(request.url).searchParams.get('cursor') === 'second';
          const data = second ? since.slice(half) : since.slice(0, half);
          const nextCursor = !second && half < since.length ? 'second' : null;
          return { status: 200, body: JSON.stringify({ data, pagination: { totalItems: since.length, nextCursor } }) };
        },
      });
      const full = await syncAgents(connection, { rules: syncRules }, { fetch: instant(JSON.stringify({ data: now, pagination: {} })), now: later });
      assert.deepEqual(Object.keys(incremental.serials).sort(), Object.keys(full.serials).sort(), `incremental serials, ${where}, rules ${JSON.stringify(syncRules)}`);
      // Serials whose judged agent moved away: the entry fails closed unless one agent is left and
      // this sync read it or set it aside.
      const trimmed = (serial) => (serial === null || serial === undefined || typeof serial === 'object' ? '' : String(serial).trim());
      const movedAway = new Set(Object.entries(before.serials)
        .filter(([key, e]) => changed.some((c) => String(c.id) === e.agentId && trimmed(latest(c).serialNumber) !== key)).map(([key]) => key));
      for (const [key, entry] of Object.entries(full.serials)) {
        const ours = incremental.serials[key];
        assert.equal(ours.agents, entry.agents, `incremental agents of ${key}, ${where}, rules ${JSON.stringify(syncRules)}`);
        const answer = (snapshot) => checkSerial(snapshot, key, { now: later });
        const verdict = (snapshot) => answer(snapshot).reasons.map((r) => [r.rule, r.expected, r.actual]);
        // Never trusted where a full sync would not trust.
        assert.ok(!answer(incremental).trusted || answer(full).trusted, `incremental trusts ${key}, ${where}, rules ${JSON.stringify(syncRules)}`);
        // One agent: the same verdict. Several: not trusted either way (uniqueSerial) unless the rules
        // allow it; the incremental sync keeps no state for the others, so which agent it judges may differ.
        if (movedAway.has(key)) {
          if (!(entry.agents === 1 && since.some((a) => String(a.id) === entry.agentId))) continue;
          promoted += 1;
        }
        if (entry.agents === 1) assert.deepEqual(verdict(incremental), verdict(full), `incremental verdict of ${key}, ${where}, rules ${JSON.stringify(syncRules)}`);
        else if (!syncRules.allowAmbiguous) assert.ok(verdict(incremental).some(([rule]) => rule === 'uniqueSerial'), `incremental, ${key}, ${where}, rules ${JSON.stringify(syncRules)}`);
      }
    }

    // A sign-in answered from a sync's snapshot is the verdict the live evaluation gives, under any rules.
    const rules = randomRules(rng);
    const snapshot = await syncAgents(connection, { rules }, options);
    const placeholder = rng.int(10) === 0 ? rng.pick(['Default string', ' to be filled by o.e.m. ', '0000000']) : null;
    const probe = placeholder ?? serial;
    const live = await evaluateDeviceTrust(connection, { serialNumber: probe, rules }, options);
    // As a host keeps it: the object itself, or JSON in a store.
    const stored = rng.int(2) === 0 ? snapshot : JSON.parse(JSON.stringify(snapshot));
    const offline = checkSerial(stored, probe, { now: NOW });
    if (placeholder === null) {
      assert.deepEqual(live.reasons.map((r) => r.rule), judge(theirs.agent, theirs.matchCount, rules, NOW), `rules ${JSON.stringify(rules)}, ${where}`);
    }
    const judged = (answer) => answer.reasons.map((r) => [r.rule, r.expected, r.actual]);
    assert.deepEqual(judged(offline), judged(live), `checkSerial, rules ${JSON.stringify(rules)}, ${where}`);
    assert.equal(offline.trusted, live.trusted, `checkSerial trusted, ${where}`);
  }
  // The generator must reach the cases it is for, or the agreement says little.
  assert.ok(found > PAGES / 6 && shared > PAGES / 60 && trusted > PAGES / 60, `found ${found}, shared ${shared}, trusted ${trusted}`);
  if (process.env.SEED) console.log(`found ${found}, shared ${shared}, trusted ${trusted}, promoted ${promoted}`);
});
