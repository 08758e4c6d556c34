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
