// Prints how many bytes of wasm function bodies V8 compiles for `import` + one realistic lookup, in a
// fresh process (run with --trace-wasm-compilation-times). V8 compiles wasm functions lazily, on first
// call, so this is the part of cold start the connector's own code decides; it is deterministic for a
// given build and Node, so scripts/check-size.sh budgets it like the .wasm size.
import { agentFromRow, ROWS } from '../mock-console/fixtures.mjs';

const { getAgentBySerialNumber } = await import('../pkg/node.js');
// A fixed time, not the clock's: the agent's dates are made from it, and for about one time in
// thirteen their digits make a pair probe of the token search hit, so the lookup compiles one more
// function (`redact::find_byte`, 227 bytes), which would make the budget pass or fail by the hour CI
// runs at.
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const agent = agentFromRow(ROWS[0], NOW);
const body = JSON.stringify({ data: [agent], pagination: { totalItems: 1, nextCursor: null } });
// A token shaped like the JWTs consoles issue (legacy ones are 80 characters): a token of 32 bytes or
// more is searched for in the body by pair probes, which a first lookup then compiles too.
const token = 'eyJraWQiOiJmaXJzdC1jYWxsIiwiYWxnIjoiRVMyNTYifQ.eyJzdWIiOiJzdmMtaWRwQGFjbWUuZXhhbXBsZSJ9.c2lnbmF0dXJlLTAxMjM0NTY3ODk';
const out = await getAgentBySerialNumber(
  { baseUrl: 'https://usea1-partners.sentinelone.net', apiToken: token },
  { serialNumber: agent.serialNumber },
  { fetch: async () => ({ status: 200, headers: { 'content-type': 'application/json' }, body }) },
);
if (!out.agentFound) throw new Error('the first lookup did not find its agent');
