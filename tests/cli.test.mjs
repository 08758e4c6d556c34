// The main job's CLI: prints a correct lookup from the embedded mock console, or a coded error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startMockConsole, MOCK_API_TOKEN } from '../mock-console/server.mjs';

const cli = fileURLToPath(new URL('../scripts/lookup.mjs', import.meta.url));
const env = { ...process.env };
delete env.S1_BASE_URL;
delete env.S1_API_TOKEN;

test('with no arguments it looks up the default serial on the embedded mock console', () => {
  const run = spawnSync(process.execPath, [cli], { env, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout);
  assert.equal(out.agentFound, true);
  assert.equal(out.serialNumber, 'C02XK1ABJG5J');
  assert.equal(out.computerName, 'JDOE-MBP-2023');
  assert.ok(!run.stdout.includes(MOCK_API_TOKEN) && !run.stderr.includes(MOCK_API_TOKEN));
});

test('a serial on the command line, found or not', () => {
  const dup = JSON.parse(spawnSync(process.execPath, [cli, '5Q4Q7Y1'], { env, encoding: 'utf8' }).stdout);
  assert.equal(dup.agentId, '1600000000000000102');
  const none = JSON.parse(spawnSync(process.execPath, [cli, 'NO-SUCH-SERIAL-9'], { env, encoding: 'utf8' }).stdout);
  assert.equal(none.agentFound, false);
});

test('a real console is taken from S1_BASE_URL and S1_API_TOKEN; failures print a coded error and exit 1', async () => {
  const console_ = await startMockConsole();
  try {
    const secret = 'env-token-that-is-wrong-000000000';
    const run = await new Promise((resolve) => {
      import('node:child_process').then(({ execFile }) => {
        execFile(process.execPath, [cli, 'C02XK1ABJG5J'], { env: { ...env, S1_BASE_URL: console_.url, S1_API_TOKEN: secret } },
          (error, stdout, stderr) => resolve({ code: error?.code ?? 0, stdout, stderr }));
      });
    });
    assert.equal(run.code, 1);
    assert.equal(JSON.parse(run.stdout).error.code, 'UNAUTHORIZED');
    assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret));
    assert.equal(console_.requests.length, 1);
  } finally {
    await console_.close();
  }
});

test('--capability runs the trust evaluation and the connection test', () => {
  const trust = JSON.parse(spawnSync(process.execPath, [cli, 'C02FH1ZZQ05D', '--capability', 'evaluateDeviceTrust'], { env, encoding: 'utf8' }).stdout);
  assert.equal(trust.trusted, false);
  assert.deepEqual(trust.reasons.map((r) => r.rule), ['infected', 'activeThreats']);
  const health = JSON.parse(spawnSync(process.execPath, [cli, '--capability', 'testConnection'], { env, encoding: 'utf8' }).stdout);
  assert.equal(health.ok, true);
  assert.equal(health.agentCount, 58);
});

test('a mistyped flag or a second serial is refused with the usage (exit 2), never run as a default lookup', () => {
  for (const args of [['--bogus'], ['--capabilty', 'testConnection'], ['C02XK1ABJG5J', 'C02FH1ZZQ05D'], ['--capability']]) {
    const run = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8' });
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.equal(run.stdout, '', 'nothing looked up');
    assert.match(run.stderr, /usage: bash scripts\/main\.sh/);
  }
  const help = spawnSync(process.execPath, [cli, '--help'], { env, encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^usage: bash scripts\/main\.sh/);
  // A serial that starts with "-" goes after "--".
  const dashed = spawnSync(process.execPath, [cli, '--', '-C02XK1'], { env, encoding: 'utf8' });
  assert.equal(dashed.status, 0, dashed.stderr);
  assert.equal(JSON.parse(dashed.stdout).agentFound, false);
});

test('the workbench server refuses a bad port or flag (exit 2) and serves on a free port', async () => {
  const serve = fileURLToPath(new URL('../scripts/serve.mjs', import.meta.url));
  for (const args of [['--port', '99999'], ['--port', 'abc'], ['--bogus']]) {
    const run = spawnSync(process.execPath, [serve, ...args], { env, encoding: 'utf8', timeout: 10_000 });
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, /usage: bash scripts\/main\.sh --serve/);
  }
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [serve, '--port', '0'], { env });
  try {
    const line = await new Promise((resolve, reject) => {
      child.stdout.once('data', (data) => resolve(String(data)));
      child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    const url = /Workbench: (http:\/\/127\.0\.0\.1:\d+\/www\/)/.exec(line)?.[1];
    assert.ok(url, line);
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
  } finally {
    child.kill();
  }
});
