// Evaluate Device Trust and Test Connection from the installed package against the mock console's fleet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020.js';
import * as connector from 'sentinelone-connector';

const { startMockConsole, MOCK_API_TOKEN, MOCK_TOKENS } = await import(`${process.env.REPO}/mock-console/server.mjs`);
const ajv = new Ajv2020({ strict: false, allErrors: true });
const validateTrust = ajv.compile(connector.outputSchema('evaluateDeviceTrust'));
const validateHealth = ajv.compile(connector.outputSchema('testConnection'));

let mock;
let connection;
before(async () => {
  mock = await startMockConsole();
  connection = { baseUrl: mock.url, apiToken: MOCK_API_TOKEN };
});
after(() => mock.close());

async function evaluate(serialNumber, rules) {
  const out = await connector.evaluateDeviceTrust(connection, rules ? { serialNumber, rules } : { serialNumber });
  assert.ok(validateTrust(out), JSON.stringify(validateTrust.errors));
  assert.ok(!JSON.stringify(out).includes(MOCK_API_TOKEN));
  return out;
}
const failed = (out) => out.reasons.map((r) => r.rule);

test('the fleet judged with the default rules', async () => {
  const cases = [
    ['C02XK1ABJG5J', []],
    ['FS6V1B3', []],
    ['C02FH1ZZQ05D', ['infected', 'activeThreats']],
    ['PC0X7R2K', ['infected', 'activeThreats', 'threatReboot']],
    ['C02ZW0XYMD6M', ['threatReboot']],
    ['PF3KX9QZ', ['operationalState']],
    ['FVFHX2ABQ6L4', ['operationalState']],
    ['PF2XYZ01', ['decommissioned', 'isActive', 'lastActive']],
    ['G8WN3Q2', ['uninstalled', 'isActive', 'lastActive']],
    ['H7KL2M3', ['uninstalled']],
    ['C02DQ4KLMD6R', ['isActive', 'lastActive']],
    ['J9PQ8R7', ['lastActive']],
    ['87GBNY1', ['uniqueSerial']],
    ['5Q4Q7Y1', ['uniqueSerial']],
    ['NO-SUCH-SERIAL-9', ['agentFound']],
    ['To be filled by O.E.M.', ['placeholderSerial']],
    ['MXL1234ABC', []],
  ];
  for (const [serial, rules] of cases) {
    const out = await evaluate(serial);
    assert.deepEqual(failed(out), rules, serial);
    assert.equal(out.trusted, rules.length === 0, serial);
  }
});

test('rules configure the verdict', async () => {
  assert.deepEqual(failed(await evaluate('J9PQ8R7', { maxInactiveMinutes: 180 })), []);
  assert.deepEqual(failed(await evaluate('S1MOCK0016', { allowedOsTypes: ['macos', 'windows'] })), ['osType']);
  assert.deepEqual(failed(await evaluate('CNU1234XYZ', { minAgentVersion: '23.10.1.1' })), ['agentVersion']);
  assert.deepEqual(failed(await evaluate('MJ0A1B2C', { minAgentVersion: '23.10.1.1' })), []);
  assert.deepEqual(failed(await evaluate('PF4AB12C', { allowedNetworkStatuses: ['connected'] })), ['networkStatus']);
  const reinstall = await evaluate('5Q4Q7Y1', { allowAmbiguous: true });
  assert.equal(reinstall.trusted, true);
  assert.equal(reinstall.agentId, '1600000000000000102');
  const custom = await evaluate('C02FH1ZZQ05D', { remediation: { infected: 'Call the SOC.' } });
  assert.equal(custom.reasons[0].remediation, 'Call the SOC.');
});

test('scoping by site limits what the connector can see', async () => {
  const branchOnly = { ...connection, siteIds: ['1138463255859447'] };
  const out = await connector.evaluateDeviceTrust(branchOnly, { serialNumber: 'C02XK1ABJG5J' });
  assert.deepEqual(failed(out), ['agentFound'], 'an HQ device is not visible from the branch site');
  const branch = await connector.evaluateDeviceTrust(branchOnly, { serialNumber: 'C02G3KLMQ6L4' });
  assert.equal(branch.trusted, true);
  assert.ok(mock.requests.some((r) => r.url.includes('siteIds=1138463255859447')));
});

test('testConnection: ok, expiring, no expiry, wrong scope, wrong token — never throws', async () => {
  const ok = await connector.testConnection(connection);
  assert.ok(validateHealth(ok), JSON.stringify(validateHealth.errors));
  assert.equal(ok.ok, true);
  assert.equal(ok.agentCount, 58);
  assert.ok(ok.tokenExpiresAt);
  assert.deepEqual(ok.warnings, ['baseUrl uses plain http://, which is only for local testing']);

  const expiring = await connector.testConnection({ ...connection, apiToken: MOCK_TOKENS.expiring });
  assert.equal(expiring.ok, true);
  assert.ok(expiring.warnings.some((w) => /expires in 5\.0 days/.test(w)), expiring.warnings.join('; '));

  const noExpiry = await connector.testConnection({ ...connection, apiToken: MOCK_TOKENS.noExpiry });
  assert.equal(noExpiry.tokenExpiresAt, null);
  assert.ok(noExpiry.warnings.some((w) => w.includes('did not report when the token expires')));

  const forbidden = await connector.testConnection({ ...connection, apiToken: MOCK_TOKENS.forbidden });
  assert.equal(forbidden.ok, false);
  assert.equal(forbidden.error.code, 'FORBIDDEN');
  assert.equal(forbidden.statusCode, 403);

  const wrong = await connector.invoke('testConnection', { connection: { ...connection, apiToken: 'wrong-token-000000000000000' }, input: {} });
  assert.equal(wrong.ok, false);
  assert.equal(wrong.error.code, 'UNAUTHORIZED');

  const bad = await connector.testConnection({ baseUrl: 'ftp://x', apiToken: MOCK_API_TOKEN });
  assert.equal(bad.error.code, 'INVALID_CONNECTION');
  for (const out of [expiring, noExpiry, forbidden, wrong, bad]) {
    assert.ok(validateHealth(out), JSON.stringify(validateHealth.errors));
    for (const token of [MOCK_API_TOKEN, ...Object.values(MOCK_TOKENS)]) assert.ok(!JSON.stringify(out).includes(token));
  }
});
