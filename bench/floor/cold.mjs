// Cold start as bench/bench.mjs measures it, for the floor module, the connector and the JS reference.
import { spawnSync } from 'node:child_process';

const root = process.argv[2];
const body = JSON.stringify(JSON.stringify({ data: [], pagination: { totalItems: 0, nextCursor: null } }));
const connection = JSON.stringify({ baseUrl: 'https://usea1-partners.sentinelone.net', apiToken: 'bench-token-0123456789abcdef' });

function coldStart(script) {
  const samples = [];
  for (let i = 0; i < 9; i++) {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: `${root}/bench`, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    samples.push(Number(run.stdout.trim()));
  }
  return samples.sort((x, y) => x - y)[4];
}

// The entry this Node resolves for the package (node-sync.js where the module-sync condition holds).
const entry = process.features.require_module ? 'node-sync.js' : 'node.js';
const timed = (load, call) => `const t = performance.now(); const c = await import(${JSON.stringify(load)}); await ${call}; console.log(performance.now() - t);`;
const rows = [
  ['floor module', timed(`${root}/bench/floor/pkg/${entry}`, `c.getAgentBySerialNumber('C02XK1ABJG5J', 1.5)`)],
  ['connector', timed(`${root}/pkg/${entry}`, `c.getAgentBySerialNumber(${connection}, { serialNumber: 'C02XK1ABJG5J' }, { fetch: async () => ({ status: 200, body: ${body} }) })`)],
  ['pure-JS reference', timed(`${root}/bench/reference.mjs`, `c.jsGetAgentBySerialNumber(${connection}, { serialNumber: 'C02XK1ABJG5J' }, { fetch: async () => ({ status: 200, body: ${body} }) })`)],
];
for (const [name, script] of rows) console.log(`${name}: ${coldStart(script).toFixed(2)} ms`);
