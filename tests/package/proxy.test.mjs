// A Node host behind an egress proxy: Node 20's own fetch ignores HTTPS_PROXY, so the host passes a
// fetch that goes through the proxy, undici's with a ProxyAgent, as the README shows. Against a forward
// proxy that tunnels (CONNECT) and forwards (absolute-form requests) to the mock console.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { fetch, ProxyAgent } from 'undici';
import { getAgentBySerialNumber, testConnection } from 'sentinelone-connector';

const { startMockConsole, MOCK_API_TOKEN } = await import(`${process.env.REPO}/mock-console/server.mjs`);
let mock;
let proxy;
const seen = [];

before(async () => {
  mock = await startMockConsole();
  proxy = createServer((req, res) => {
    // An absolute-form request, forwarded.
    seen.push(`${req.method} ${req.url}`);
    const upstream = httpRequest(req.url, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  proxy.on('connect', (req, client, head) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = req.url.split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  proxy.closeAllConnections?.();
  await new Promise((resolve) => proxy.close(resolve));
  await mock.close();
});

test("through an egress proxy with undici's ProxyAgent, as the README shows", async () => {
  const dispatcher = new ProxyAgent(`http://127.0.0.1:${proxy.address().port}`);
  // The README's shim: the request handed on whole (its redirect: 'manual' and signal too).
  const options = { fetch: (request) => fetch(request.url, { ...request, dispatcher }) };
  const connection = { baseUrl: mock.url, apiToken: MOCK_API_TOKEN };
  const before = mock.requests.length;
  const out = await getAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' }, options);
  assert.equal(out.agentFound, true);
  assert.equal(out.agentId, '1550901640146865256');
  assert.equal(out.rawResponse.data.length, 4, 'the page of every serial containing it, as the console sent it');
  assert.equal(mock.requests.length - before, 1, 'one request reached the console');
  assert.ok(seen.length >= 1 && seen.every((line) => line.includes(new URL(mock.url).host)), seen.join('; '));
  // A redirect from behind the proxy is reported, not followed.
  mock.injectFaults([{ status: 302, location: '/login' }]);
  const error = await getAgentBySerialNumber(connection, { serialNumber: 'C02XK1ABJG5J' }, options).catch((e) => e);
  assert.equal(error.code, 'UPSTREAM_ERROR');
  assert.match(error.message, /\(a redirect to \/login\)/);
  const health = await testConnection(connection, undefined, options);
  assert.equal(health.ok, true, JSON.stringify(health));
  await dispatcher.close();
});

// Node 24 (and 22 from 22.21, with an experimental warning) routes its own fetch through HTTP_PROXY and
// HTTPS_PROXY when NODE_USE_ENV_PROXY=1: the platform fetch, no shim at all. In a child process, since
// the variables are read when Node starts.
const [major, minor] = process.versions.node.split('.').map(Number);
const envProxy = major >= 24 || (major === 22 && minor >= 21);
test('through an egress proxy with no shim: the platform fetch where Node reads NODE_USE_ENV_PROXY', { skip: !envProxy && `Node ${process.version} has no NODE_USE_ENV_PROXY` }, async () => {
  const { spawn } = await import('node:child_process');
  const proxyUrl = `http://127.0.0.1:${proxy.address().port}`;
  const script = `import { getAgentBySerialNumber } from 'sentinelone-connector';
    const out = await getAgentBySerialNumber({ baseUrl: ${JSON.stringify(mock.url)}, apiToken: ${JSON.stringify(MOCK_API_TOKEN)} }, { serialNumber: 'C02XK1ABJG5J' });
    console.log(JSON.stringify({ found: out.agentFound, agentId: out.agentId }));`;
  const run = (env) => new Promise((resolve) => {
    const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], {
      cwd: process.cwd(), env: { ...process.env, HTTP_PROXY: proxyUrl, HTTPS_PROXY: proxyUrl, NO_PROXY: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
  const host = new URL(mock.url).host;
  seen.length = 0;
  const through = await run({ NODE_USE_ENV_PROXY: '1' });
  assert.equal(through.status, 0, through.stderr);
  assert.deepEqual(JSON.parse(through.stdout), { found: true, agentId: '1550901640146865256' });
  assert.ok(seen.length >= 1 && seen.every((line) => line.includes(host)), `the proxy saw: ${seen.join('; ')}`);
  // Without the variable Node's fetch goes straight to the console, the proxy never asked.
  seen.length = 0;
  const direct = await run({ NODE_USE_ENV_PROXY: '' });
  assert.equal(direct.status, 0, direct.stderr);
  assert.deepEqual(JSON.parse(direct.stdout), { found: true, agentId: '1550901640146865256' });
  assert.deepEqual(seen, []);
});
