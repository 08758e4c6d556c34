// Benchmarks the connector against a pure-JS reference (reference.mjs) in one process, one run, and
// prints ratios with the absolute numbers. Not a test: this machine is shared and noisy.
//
//   npm run bench            (builds nothing: run `bash scripts/build.sh` first)
//   build/node/v24.22.3/bin/node bench/bench.mjs   (on another Node line the test set-up fetched)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { initSync, getAgentBySerialNumber, evaluateDeviceTrust, syncAgents, checkSerial } from '../pkg/sentinelone_connector.js';
import { createConsole, MOCK_API_TOKEN } from '../mock-console/console.mjs';
import { agentFromRow, ROWS } from '../mock-console/fixtures.mjs';
import { jsGetAgentBySerialNumber, jsEvaluateDeviceTrust, jsGuardedGetAgentBySerialNumber, jsSyncPage } from './reference.mjs';

const wasmPath = fileURLToPath(new URL('../pkg/sentinelone_connector_bg.wasm', import.meta.url));
const wasmBytes = readFileSync(wasmPath);
const { memory } = initSync({ module: wasmBytes });

const NOW = Date.now();
// A token shaped like the JWTs consoles issue now (legacy ones are 80 random characters). Its bytes
// matter: the connector scans every body for it, and a JWT starts with "e", the commonest letter.
const base64url = (text) => Buffer.from(text).toString('base64url');
const jwt = [base64url('{"kid":"usea1-bench","alg":"ES256"}'), base64url('{"sub":"svc-idp@acme.example","iat":1763942400}'),
  base64url(Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 255))].join('.');
const connection = { baseUrl: 'https://usea1-partners.sentinelone.net', apiToken: jwt };

/** A full agent object as real consoles send it (about 6 KB): the fixture plus the long lists consoles add. */
function realisticAgent(row, i, userGroups = 10) {
  const agent = agentFromRow(row, NOW);
  agent.activeDirectory = {
    computerDistinguishedName: `CN=${row.name},OU=Laptops,OU=Devices,DC=corp,DC=acme,DC=example`,
    computerMemberOf: Array.from({ length: 8 }, (_, g) => `CN=Device-Group-${g},OU=Groups,DC=corp,DC=acme,DC=example`),
    lastUserDistinguishedName: `CN=User ${i},OU=Staff,DC=corp,DC=acme,DC=example`,
    lastUserMemberOf: Array.from({ length: userGroups }, (_, g) => `CN=Staff-Role-${g},OU=Roles,DC=corp,DC=acme,DC=example`),
  };
  agent.networkInterfaces = Array.from({ length: 3 }, (_, n) => ({
    gatewayIp: `10.${n}.0.1`, gatewayMacAddress: `f8:f8:f8:00:0${n}:01`, id: `${1641947690 + i * 3 + n}`,
    inet: [`10.${n}.${i % 250}.${n + 10}`], inet6: [`fe80::1c2b:3a4d:5e6f:${(7000 + i).toString(16)}`, `2001:db8::${n}:${i.toString(16)}`],
    name: ['en0', 'en1', 'utun3'][n], physical: `3c:22:fb:0${n}:${(i % 99).toString().padStart(2, '0')}:aa`,
  }));
  agent.tags = { sentinelone: Array.from({ length: 4 }, (_, t) => ({ id: `${9000 + t}`, key: `tag-${t}`, value: `value-${t}`, assignedAt: agent.createdAt, assignedBy: 'admin@acme.example', assignedById: '1000' })) };
  agent.userActionsNeeded = ['none'];
  agent.missingPermissions = [];
  agent.proxyStates = { console: 'direct', deepVisibility: 'direct' };
  agent.lastSuccessfulScanDate = agent.scanFinishedAt;
  agent.fullDiskScanLastUpdatedAt = agent.scanFinishedAt;
  return agent;
}

const base = ROWS[0];
const single = JSON.stringify({ data: [realisticAgent(base, 0)], pagination: { totalItems: 1, nextCursor: null } });
// The issue puts real agent objects at 5-7 KB: the same agent, its last user in 40 groups.
const larger = JSON.stringify({ data: [realisticAgent(base, 0, 40)], pagination: { totalItems: 1, nextCursor: null } });
const thousand = JSON.stringify({
  data: Array.from({ length: 1000 }, (_, i) => realisticAgent({ ...ROWS[i % 20], id: `${1700000000000000000n + BigInt(i)}`, serial: `C02BENCH${String(i).padStart(4, '0')}`, lastActiveMinutes: 2 }, i)),
  pagination: { totalItems: 1000, nextCursor: null },
});
const instant = (body) => async () => ({ status: 200, headers: {}, body });

async function time(fn, iterations) {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) await fn();
  return (performance.now() - start) / iterations;
}

/** Interleaves A and B in rounds and keeps each one's best round: robust to a noisy neighbour. */
async function compare(a, b, iterations, rounds = 7) {
  for (let i = 0; i < Math.min(iterations, 50); i++) { await a(); await b(); }
  let bestA = Infinity;
  let bestB = Infinity;
  for (let r = 0; r < rounds; r++) {
    bestA = Math.min(bestA, await time(a, iterations));
    bestB = Math.min(bestB, await time(b, iterations));
  }
  return { a: bestA, b: bestB, ratio: bestA / bestB };
}

const fmt = (ms) => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);
const rows = [];
function report(name, { a, b, ratio }, target) {
  rows.push([name, fmt(a), fmt(b), `${ratio.toFixed(2)}×`, target]);
}

// Sanity: both implementations agree before they are timed.
const w = await getAgentBySerialNumber(connection, { serialNumber: 'C02BENCH0500' }, { fetch: instant(thousand) });
const j = await jsGetAgentBySerialNumber(connection, { serialNumber: 'C02BENCH0500' }, { fetch: instant(thousand) });
const g = await jsGuardedGetAgentBySerialNumber(connection, { serialNumber: 'C02BENCH0500' }, { fetch: instant(thousand) });
if (w.agentId !== j.agentId || w.matchCount !== j.matchCount || !w.agentFound || g.agentId !== w.agentId) throw new Error('the implementations disagree');

// No agent at all: what a call costs besides reading agents (arguments, validation, request, driver).
const empty = JSON.stringify({ data: [], pagination: { totalItems: 0, nextCursor: null } });
const emptyPage = await compare(() => getAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' }, { fetch: instant(empty) }),
  () => jsGetAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' }, { fetch: instant(empty) }), 2000);
report('warm lookup, empty page (fixed cost per call)', emptyPage, '—');
const oneAgent = await compare(() => getAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' }, { fetch: instant(single) }),
  () => jsGetAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' }, { fetch: instant(single) }), 2000);
report('warm lookup, 1 agent (~' + (single.length / 1024).toFixed(1) + ' KB)', oneAgent, 'connector/JS ≤ 1.0');
// What the agent itself costs each side (copy, read, match, output; for the reference its JSON.parse):
// where the warm gap is not.
const agentAlone = { a: oneAgent.a - emptyPage.a, b: oneAgent.b - emptyPage.b };
report('  of which the agent itself (the row above less the empty page)', { ...agentAlone, ratio: agentAlone.a / agentAlone.b }, '—');
// Rounds long enough that the garbage each call leaves is collected within them, full collections
// included (the best of short rounds can fall between collections), the host reading one field.
report('warm lookup, 1 agent, 20,000 in a row (collections included)',
  await compare(async () => (await getAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' }, { fetch: instant(single) })).agentId,
    async () => (await jsGetAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' }, { fetch: instant(single) })).agentId, 20000, 3), '—');
report('warm lookup, 1 agent (~' + (larger.length / 1024).toFixed(1) + ' KB)',
  await compare(() => getAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' }, { fetch: instant(larger) }),
    () => jsGetAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' }, { fetch: instant(larger) }), 2000), 'connector/JS ≤ 1.0');
// Against a JS reference that gives the connector's guarantees too (validation, a deadline with its
// AbortSignal, retries, statuses mapped to codes, the token kept out of rawResponse): how much of the
// gap is the guarantees, and how much is the crossing into wasm.
const guardedEmpty = await compare(() => getAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' }, { fetch: instant(empty) }),
  () => jsGuardedGetAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' }, { fetch: instant(empty) }), 2000);
report('warm lookup, empty page, against the reference with the same guarantees', guardedEmpty, '—');
report('warm lookup, 1 agent, against the reference with the same guarantees',
  await compare(() => getAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' }, { fetch: instant(single) }),
    () => jsGuardedGetAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' }, { fetch: instant(single) }), 2000), '—');
report('warm lookup, 1 agent, then rawResponse read',
  await compare(async () => (await getAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' }, { fetch: instant(single) })).rawResponse,
    async () => (await jsGetAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' }, { fetch: instant(single) })).rawResponse, 2000), '—');
report('warm trust evaluation, 1 agent',
  await compare(() => evaluateDeviceTrust(connection, { serialNumber: 'C02XK1ABJG5J' }, { fetch: instant(single) }),
    () => jsEvaluateDeviceTrust(connection, { serialNumber: 'C02XK1ABJG5J' }, { fetch: instant(single) }), 2000), '—');
report('lookup in a 1000-agent page (~' + (thousand.length / 1048576).toFixed(1) + ' MB)',
  await compare(() => getAgentBySerialNumber(connection, { serialNumber: 'C02BENCH0500' }, { fetch: instant(thousand) }),
    () => jsGetAgentBySerialNumber(connection, { serialNumber: 'C02BENCH0500' }, { fetch: instant(thousand) }), 5, 5), 'connector/JS ≤ 1.0 (throughput ≥ 1.0×)');
report('lookup in a 1000-agent page, then rawResponse read',
  await compare(async () => (await getAgentBySerialNumber(connection, { serialNumber: 'C02BENCH0500' }, { fetch: instant(thousand) })).rawResponse,
    async () => (await jsGetAgentBySerialNumber(connection, { serialNumber: 'C02BENCH0500' }, { fetch: instant(thousand) })).rawResponse, 5, 5), '—');
report('trust evaluation in a 1000-agent page',
  await compare(() => evaluateDeviceTrust(connection, { serialNumber: 'C02BENCH0500' }, { fetch: instant(thousand) }),
    () => jsEvaluateDeviceTrust(connection, { serialNumber: 'C02BENCH0500' }, { fetch: instant(thousand) }), 5, 5), '—');
const peakMemory = memory.buffer.byteLength;
// (Read before the page's sync below, which keeps a snapshot's entries besides the page.)
// Trust evaluation of every agent in the page: a sync of that one page (each agent judged, the
// failures kept with expected and actual values, one entry per serial, a summary) against the
// reference doing the same. Checked to agree first, entry by entry.
const pageSync = () => syncAgents(connection, {}, { fetch: instant(thousand), now: NOW });
const jsPageSync = () => jsSyncPage(connection, {}, { fetch: instant(thousand), now: NOW });
{
  const [ours, theirs] = [await pageSync(), await jsPageSync()];
  const entries = (snapshot) => JSON.stringify(Object.entries(snapshot.serials).sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([serial, e]) => [serial, e.agentId, e.agents, e.failed.map((c) => [c.rule, c.expected, c.actual])]));
  const { durationMs, ...summary } = ours.summary;
  if (entries(ours) !== entries(theirs) || JSON.stringify(summary) !== JSON.stringify(theirs.summary) || summary.serials !== 1000) {
    throw new Error('the page syncs disagree');
  }
}
report('trust evaluation of every agent in the 1000-agent page (a sync of that page)', await compare(pageSync, jsPageSync, 5, 5), 'connector/JS ≤ 1.0');

// Fresh processes, the two scripts taking turns (a busy spell on this shared machine then falls on
// both): the median of each, and the connector's middle half, since a cold start near its target is
// decided by the spread as much as by the median.
function coldStarts(scripts, runs = 15, env = process.env) {
  const samples = scripts.map(() => []);
  for (let i = 0; i < runs; i++) {
    scripts.forEach((script, at) => {
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('.', import.meta.url)), encoding: 'utf8', env });
      if (run.status !== 0) throw new Error(run.stderr);
      samples[at].push(Number(run.stdout.trim()));
    });
  }
  return samples.map((list) => list.sort((x, y) => x - y)).map((sorted) => ({
    median: sorted[runs >> 1], low: sorted[Math.floor(runs / 4)], high: sorted[Math.floor((3 * runs) / 4)],
  }));
}
const body = JSON.stringify(single);
// Answered as real shims answer, with headers: a shim that sends none hid a 20 ms first-call cost
// (the connector touched Node's lazy `Headers` global, which loads the whole fetch implementation).
const coldShim = `async () => ({ status: 200, headers: { 'content-type': 'application/json', 'x-request-id': 'r1' }, body: ${body} })`;
// The entry this Node resolves for the package: node-sync.js where the module-sync condition holds.
const nodeEntry = process.features.require_module ? '../pkg/node-sync.js' : '../pkg/node.js';
const coldScripts = [`const t = performance.now(); const c = await import('${nodeEntry}');
  await c.getAgentBySerialNumber(${JSON.stringify(connection)}, { serialNumber: 'C02XK1ABJG5J' }, { fetch: ${coldShim} });
  console.log(performance.now() - t);`, `const t = performance.now(); const c = await import('./reference.mjs');
  await c.jsGetAgentBySerialNumber(${JSON.stringify(connection)}, { serialNumber: 'C02XK1ABJG5J' }, { fetch: ${coldShim} });
  console.log(performance.now() - t);`];
const coldRow = (name, [wasm, js]) => rows.push([`${name} (median of 15; middle half ${wasm.low.toFixed(2)}-${wasm.high.toFixed(2)} ms)`,
  fmt(wasm.median), fmt(js.median), `${(wasm.median / js.median).toFixed(2)}×`, 'connector ≤ 10 ms']);
// Bun and Deno run this bench too (`bun bench/bench.mjs`, `deno run -A bench/bench.mjs`): Bun takes
// Node's flags for the cold start's child processes, Deno does not (its cold start is not measured).
if (!globalThis.Deno) coldRow('cold start: import + instantiate + first lookup', coldStarts(coldScripts));
// Node >= 22.1 keeps the V8 code of the modules it compiled in a directory a host names (the env
// variable or module.enableCompileCache()): a host that starts often saves the glue's compilation.
if (!globalThis.Bun && !globalThis.Deno && typeof (await import('node:module')).enableCompileCache === 'function') {
  const cache = mkdtempSync(join(os.tmpdir(), 'bench-compile-cache-'));
  const env = { ...process.env, NODE_COMPILE_CACHE: cache };
  coldStarts(coldScripts, 1, env); // fills the cache
  coldRow('cold start, the host using Node\'s compile cache (NODE_COMPILE_CACHE)', coldStarts(coldScripts, 15, env));
  rmSync(cache, { recursive: true, force: true });
}

// Fleet sync: 100,000 seeded agents paged 1,000 at a time by the mock console, answered in-process
// through a shim; the mock's own time to generate the pages is measured and left out.
const FLEET = Number(process.env.BENCH_FLEET ?? 100_000);
const fleetConsole = createConsole({ fleetSize: FLEET, now: NOW });
let mockMs = 0;
let fleetRequests = 0;
const fleetShim = async (request) => {
  const t = performance.now();
  const answer = fleetConsole.handle(request);
  mockMs += performance.now() - t;
  fleetRequests += 1;
  return answer;
};
const syncStart = performance.now();
const snapshot = await syncAgents({ baseUrl: 'https://mock.example', apiToken: MOCK_API_TOKEN }, {}, { fetch: fleetShim, now: NOW });
const syncTotal = performance.now() - syncStart;
const syncPeak = memory.buffer.byteLength;
const [syncMockMs, syncRequests] = [mockMs, fleetRequests];
// An incremental sync on top, ten minutes later: the previous snapshot goes in, only changed agents
// are read (the mock's agents updated since, with the 5-minute overlap).
mockMs = 0;
fleetRequests = 0;
const incrementalStart = performance.now();
const incremental = await syncAgents({ baseUrl: 'https://mock.example', apiToken: MOCK_API_TOKEN }, { previous: snapshot }, { fetch: fleetShim, now: NOW + 600_000 });
const incrementalMs = performance.now() - incrementalStart - mockMs;
const incrementalRequests = fleetRequests;
const incrementalPeak = memory.buffer.byteLength;
const serialsToCheck = Object.keys(snapshot.serials).slice(0, 2000);
for (const s of serialsToCheck.slice(0, 200)) checkSerial(snapshot, s, { now: NOW });
const checkStart = performance.now();
for (let round = 0; round < 5; round++) for (const s of serialsToCheck) checkSerial(snapshot, s, { now: NOW });
const checkMs = (performance.now() - checkStart) / (5 * serialsToCheck.length);

const raw = wasmBytes.length;
const gz = gzipSync(wasmBytes, { level: 9 }).length;

const runtime = globalThis.Bun ? `Bun ${globalThis.Bun.version}` : globalThis.Deno ? `Deno ${globalThis.Deno.version.deno}` : `Node ${process.version}`;
console.log(`Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${runtime}, ${new Date().toISOString()}`);
console.log('');
console.log('| measure | connector (wasm) | pure-JS reference | ratio | target |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log('');
console.log(`| release .wasm | ${(raw / 1000).toFixed(1)} KB raw | ${(gz / 1000).toFixed(1)} KB gzipped | | ≤ 120 KB raw, ≤ 50 KB gzipped |`);
console.log('');
console.log(`| fleet sync of ${FLEET.toLocaleString('en')} agents | |`);
console.log('|---|---|');
console.log(`| requests | ${syncRequests} (floor ⌈N/1000⌉ = ${Math.ceil(FLEET / 1000)}) |`);
console.log(`| time in the connector (mock page generation left out) | ${(syncTotal - syncMockMs).toFixed(0)} ms (${((syncTotal - syncMockMs) / FLEET * 1000).toFixed(1)} µs per agent); mock ${syncMockMs.toFixed(0)} ms |`);
console.log(`| serials / trusted / duplicated / null / placeholder | ${snapshot.summary.serials} / ${snapshot.summary.trusted} / ${snapshot.summary.duplicatedSerials} / ${snapshot.summary.nullSerials} / ${snapshot.summary.placeholderSerials} |`);
console.log(`| snapshot as JSON | ${(JSON.stringify(snapshot).length / 1048576).toFixed(1)} MiB |`);
console.log(`| peak wasm linear memory during the sync | ${(syncPeak / 1048576).toFixed(1)} MiB (one page is ~2.4 MiB) |`);
console.log(`| incremental sync 10 min later (previous snapshot in) | ${incrementalRequests} requests, ${incremental.summary.agentsSeen} agents read, ${incrementalMs.toFixed(0)} ms in the connector; wasm memory after it ${(incrementalPeak / 1048576).toFixed(1)} MiB |`);
console.log(`| checkSerial latency on that snapshot | ${fmt(checkMs)} per check (mean of ${5 * serialsToCheck.length}) |`);
console.log('');
console.log(`| peak wasm linear memory after the 1000-agent page | ${(peakMemory / 1048576).toFixed(1)} MiB | page ${(thousand.length / 1048576).toFixed(1)} MiB | ${(peakMemory / thousand.length).toFixed(2)}× page | ≤ 2× page |`);
