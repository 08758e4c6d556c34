// Prints the WebAssembly memory (bytes) a 20,000-agent sync of the mock console, then an incremental
// sync from its snapshot, leave the module holding, in a fresh process. Memory never shrinks, so this is what a host keeps after a sync; it is
// deterministic for a given build, so scripts/check-size.sh budgets it like the .wasm size.
import { readFileSync } from 'node:fs';
import { initSync, syncAgents } from '../pkg/sentinelone_connector.js';
import { createConsole, MOCK_API_TOKEN } from '../mock-console/console.mjs';

const { memory } = initSync({ module: readFileSync(new URL('../pkg/sentinelone_connector_bg.wasm', import.meta.url)) });
const NOW = Date.parse('2026-11-24T00:00:00Z');
const mock = createConsole({ fleetSize: 20_000, now: NOW });
const snapshot = await syncAgents(
  { baseUrl: 'https://mock.example', apiToken: MOCK_API_TOKEN },
  {},
  { fetch: async (request) => mock.handle(request), now: NOW },
);
if (snapshot.summary.agentsSeen !== 20_000) throw new Error(`the sync read ${snapshot.summary.agentsSeen} agents`);
// Then an incremental sync from it, ten minutes later: the stored snapshot comes back in as input.
const next = await syncAgents(
  { baseUrl: 'https://mock.example', apiToken: MOCK_API_TOKEN },
  { previous: snapshot },
  { fetch: async (request) => mock.handle(request), now: NOW + 600_000 },
);
if (Object.keys(next.serials).length !== Object.keys(snapshot.serials).length) throw new Error('the incremental sync lost serials');
console.log(memory.buffer.byteLength);
