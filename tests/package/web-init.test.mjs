// A Node host that loads the module through the `/web` entry's `init()`, with the .wasm's bytes or a
// compiled `WebAssembly.Module`, must not touch the globals that make Node load its whole fetch
// implementation (`Request`, `Response`: lazy getters in Node 18 and 20, ~25 ms on first touch). This file
// runs in a process of its own (node --test), so nothing has touched them before it. Each case imports
// the glue anew (a query string makes a fresh module instance: `init()` runs once per instance).
// Run by scripts/test-package.sh from inside the scratch project.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spyOnLazyGlobals } from './lazy-globals.mjs';

const { touched } = spyOnLazyGlobals();

const glue = import.meta.resolve('sentinelone-connector/web');
const wasmUrl = new URL('sentinelone_connector_bg.wasm', glue);
const fresh = (tag) => import(`${glue}?${tag}`);
const connection = { baseUrl: 'https://mock.example', apiToken: 'web-init-token-0123456789abcdef' };
const agent = { id: '1', serialNumber: 'C02WEBINIT01', computerName: 'web-init', isActive: true };
const body = JSON.stringify({ data: [agent], pagination: { totalItems: 1, nextCursor: null } });
const fetch = async () => ({ status: 200, headers: { 'content-type': 'application/json' }, body });

async function lookUp(connector) {
  const found = await connector.getAgentBySerialNumber(connection, { serialNumber: 'C02WEBINIT01' }, { fetch });
  assert.equal(found.agentFound, true);
  assert.equal(found.agentId, '1');
}

test("init() with the .wasm's bytes touches neither Request nor Response", async () => {
  const connector = await fresh('bytes');
  await connector.default({ module_or_path: readFileSync(wasmUrl) });
  await lookUp(connector);
  assert.deepEqual(touched, []);
});

test('init() with a compiled WebAssembly.Module touches neither', async () => {
  const connector = await fresh('module');
  await connector.default({ module_or_path: new WebAssembly.Module(readFileSync(wasmUrl)) });
  await lookUp(connector);
  assert.deepEqual(touched, []);
});

// Last: making a Response loads the fetch implementation anyway.
test('init() still instantiates from a Response, streaming', async () => {
  const response = new Response(readFileSync(wasmUrl), { headers: { 'content-type': 'application/wasm' } });
  const connector = await fresh('response');
  await connector.default({ module_or_path: response });
  await lookUp(connector);
  assert.ok(response.bodyUsed, 'the Response was read, so it was recognised as one');
});
