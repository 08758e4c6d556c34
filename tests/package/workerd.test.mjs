// The package in Cloudflare's Workers runtime (workerd, from npm), as an edge host runs it: the `/web`
// entry given the .wasm as a module the runtime compiled (Workers take wasm as modules, not bytes), its
// platform fetch (workerd's own Response, redirect: 'manual', AbortSignal) asking the mock console. A
// lookup, a trust verdict and a coded error. (A module whose top level awaits real work fails here:
// workerd refuses an unsettled top-level await.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const { startMockConsole, MOCK_API_TOKEN } = await import(`${process.env.REPO}/mock-console/server.mjs`);
const here = fileURLToPath(new URL('./', import.meta.url));
const dir = `${here}workerd-app/`;
const installed = `${here}node_modules/sentinelone-connector/`;
const workerd = createRequire(import.meta.url).resolve('workerd/bin/workerd');
let mock;
let child;
let origin;
let log = '';

const WORKER = `
import { initSync, getAgentBySerialNumber, evaluateDeviceTrust } from './sentinelone_connector.js';
import wasm from './sentinelone_connector_bg.wasm';

initSync({ module: wasm });

export default {
  async fetch(request, env) {
    const params = new URL(request.url).searchParams;
    const connection = { baseUrl: env.S1_BASE_URL, apiToken: params.get('token') ?? env.S1_API_TOKEN };
    const serialNumber = params.get('serial');
    try {
      const out = params.get('capability') === 'trust'
        ? await evaluateDeviceTrust(connection, { serialNumber })
        : await getAgentBySerialNumber(connection, { serialNumber });
      return Response.json(out);
    } catch (error) {
      return Response.json({ isError: error instanceof Error, code: error.code, status: error.status, message: error.message });
    }
  },
};
`;

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

before(async () => {
  mock = await startMockConsole();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  // The two files a bundler would take from the package, beside the worker.
  copyFileSync(`${installed}sentinelone_connector.js`, `${dir}sentinelone_connector.js`);
  copyFileSync(`${installed}sentinelone_connector_bg.wasm`, `${dir}sentinelone_connector_bg.wasm`);
  writeFileSync(`${dir}worker.js`, WORKER);
  const port = await freePort();
  writeFileSync(`${dir}config.capnp`, `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker), (name = "internet", network = (allow = ["private", "public"])) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "sentinelone_connector.js", esModule = embed "sentinelone_connector.js"),
    (name = "sentinelone_connector_bg.wasm", wasm = embed "sentinelone_connector_bg.wasm"),
  ],
  compatibilityDate = "2026-11-01",
  globalOutbound = "internet",
  bindings = [ (name = "S1_BASE_URL", text = "${mock.url}"), (name = "S1_API_TOKEN", text = "${MOCK_API_TOKEN}") ],
);
`);
  child = spawn(workerd, ['serve', `${dir}config.capnp`], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  origin = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      await fetch(`${origin}/?serial=warm-up-0001`);
      break;
    } catch (error) {
      if (i > 100 || child.exitCode !== null) throw new Error(`workerd did not start: ${log}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
});
after(async () => {
  child?.kill();
  await mock?.close();
  rmSync(dir, { recursive: true, force: true });
});

const ask = async (query) => (await fetch(`${origin}/?${new URLSearchParams(query)}`)).json();

test('a lookup and a trust verdict in workerd, through its platform fetch', async () => {
  const before = mock.requests.length;
  const found = await ask({ serial: 'C02XK1ABJG5J' });
  assert.equal(found.agentFound, true, JSON.stringify(found).slice(0, 300));
  assert.equal(found.agentId, '1550901640146865256');
  assert.equal(found.rawResponse.data.length, 4);
  const verdict = await ask({ serial: 'C02FH1ZZQ05D', capability: 'trust' });
  assert.equal(verdict.trusted, false);
  assert.deepEqual(verdict.reasons.map((reason) => reason.rule), ['infected', 'activeThreats']);
  assert.equal(mock.requests.length - before, 2, 'one request a call');
});

test('a coded Error in workerd, the token nowhere in it', async () => {
  const token = 'not-the-right-token-0000000000';
  const error = await ask({ serial: 'C02XK1ABJG5J', token });
  assert.deepEqual([error.isError, error.code, error.status], [true, 'UNAUTHORIZED', 401]);
  assert.ok(!JSON.stringify(error).includes(token));
});
