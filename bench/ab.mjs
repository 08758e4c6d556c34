// Compares builds of the package in one Node process: warm lookups through each, interleaved in rounds,
// best round kept (the machine is shared and noisy; a module loaded first can look faster on tiny calls,
// so the rounds rotate the order). A directory is a wasm-bindgen `--target web` output:
// `sentinelone_connector.js` (with `snippets/`, or the driver inlined as scripts/build.sh does) and
// `sentinelone_connector_bg.wasm`.
//
//   node bench/ab.mjs pkg /tmp/variant [...]
//
// How the BENCHMARKS.md variants were made (opt-level s, here):
//   CARGO_TARGET_DIR=/tmp/ts CARGO_PROFILE_RELEASE_OPT_LEVEL=s cargo build --release --target wasm32-unknown-unknown
//   wasm-bindgen --target web --out-dir /tmp/variant --out-name sentinelone_connector \
//     /tmp/ts/wasm32-unknown-unknown/release/sentinelone_connector.wasm
//   node_modules/.bin/wasm-opt -Oz -ocimfs 100 <the feature flags of scripts/build.sh> \
//     /tmp/variant/sentinelone_connector_bg.wasm -o /tmp/variant/sentinelone_connector_bg.wasm
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { agentFromRow, ROWS } from '../mock-console/fixtures.mjs';

const dirs = process.argv.slice(2).map((d) => resolve(d));
if (dirs.length === 0) throw new Error('usage: node bench/ab.mjs <package dir> [<package dir> ...]');
const builds = [];
for (const dir of dirs) {
  const glue = await import(`${pathToFileURL(`${dir}/sentinelone_connector.js`)}?${builds.length}`);
  glue.initSync({ module: readFileSync(`${dir}/sentinelone_connector_bg.wasm`) });
  builds.push({ name: dir, lookup: glue.getAgentBySerialNumber, size: readFileSync(`${dir}/sentinelone_connector_bg.wasm`).length });
}

const connection = { baseUrl: 'https://usea1-partners.sentinelone.net', apiToken: `eyJ${'a1B2c3D4'.repeat(20)}` };
const agent = agentFromRow(ROWS[0], Date.now());
const single = JSON.stringify({ data: [agent], pagination: { totalItems: 1, nextCursor: null } });
// A 1000-agent page (~2.4 MB) whose serials share a prefix with the one looked up.
const thousand = JSON.stringify({
  data: Array.from({ length: 1000 }, (_, i) => ({ ...agentFromRow(ROWS[i % ROWS.length], Date.now()), id: `${1700000000000000000n + BigInt(i)}`, serialNumber: i === 500 ? agent.serialNumber : `${agent.serialNumber}-${i}` })),
  pagination: { totalItems: 1000, nextCursor: null },
});
// [label, body, what the host does with the output, calls per round, rounds]: a flow engine that
// stores outputs as JSON reads rawResponse too. The long rounds hold the collections a call's garbage
// causes, full ones included (the best of short rounds can fall between them).
const cases = [
  ['empty page', JSON.stringify({ data: [], pagination: { totalItems: 0, nextCursor: null } }), (out) => out, 3000, 9],
  ['1 agent', single, (out) => out, 3000, 9],
  ['1 agent, then JSON.stringify of the output', single, (out) => JSON.stringify(out), 3000, 9],
  ['1 agent, reading agentId, 20,000 in a row', single, (out) => out.agentId, 20000, 4],
  ['a 1000-agent page', thousand, (out) => out, 10, 9],
];
for (const [label, body, use, iterations, rounds] of cases) {
  const fetch = async () => ({ status: 200, headers: { 'content-type': 'application/json' }, body });
  const input = { serialNumber: agent.serialNumber };
  const best = builds.map(() => Infinity);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < builds.length; k++) {
      const at = (k + round) % builds.length;
      const start = performance.now();
      for (let i = 0; i < iterations; i++) use(await builds[at].lookup(connection, input, { fetch }));
      best[at] = Math.min(best[at], ((performance.now() - start) / iterations) * 1000);
    }
  }
  console.log(`${label}:`);
  builds.forEach((b, i) => console.log(`  ${best[i].toFixed(2).padStart(7)} µs  ${(best[i] / best[0]).toFixed(2)}×  ${b.size} bytes  ${b.name}`));
}
