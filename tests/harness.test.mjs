// The browser workbench (www/) in headless Chromium, driven as a flow designer would: forms rendered from
// the schemas, lookups and trust evaluations against the mock console, errors by code, the request log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startMockConsole, workbenchDirs, MOCK_API_TOKEN } from '../mock-console/server.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
let server;
let browser;
let page;

before(async () => {
  server = await startMockConsole({
    staticDirs: workbenchDirs(repo),
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1200, height: 1600 } });
  page.on('pageerror', (e) => { throw e; });
  await page.goto(`${server.url}/`);
  await page.waitForSelector('body[data-ready=true]');
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function runCapability(capability, serial) {
  await page.selectOption('#capability', capability);
  if (serial !== undefined) await page.getByLabel('Serial Number (required)').fill(serial);
  const before = await page.locator('#request-log tbody tr').count();
  await page.getByRole('button', { name: 'Run' }).click();
  await page.waitForFunction(() => !document.querySelector('#run').disabled && !document.querySelector('#result-card').textContent.startsWith('Running'));
  return (await page.locator('#request-log tbody tr').count()) - before;
}
const card = () => page.locator('#result-card');
const field = (name) => page.locator(`#result-card dd[data-field=${name}]`).textContent();

test('the page lists the manifest capabilities and renders forms from the schemas', async () => {
  const options = await page.locator('#capability option').allTextContents();
  assert.deepEqual(options.sort(), ['Evaluate Device Trust', 'Get Agent by Serial Number', 'Sync Agents', 'Test Connection']);
  assert.equal(await page.getByLabel('API Token (required)').getAttribute('type'), 'password', 'secrets are masked');
  assert.equal(await page.getByLabel('Base URL (required)').inputValue(), server.url);
  await page.selectOption('#capability', 'evaluateDeviceTrust');
  await page.locator('summary', { hasText: 'Device trust rules (optional)' }).click();
  assert.equal(await page.getByLabel('Max Inactive Minutes').getAttribute('type'), 'number');
  assert.equal(await page.getByLabel('Allow Ambiguous').getAttribute('type'), 'checkbox');
  assert.equal(await page.locator('fieldset:has(> legend:text-is("Remediation")) input').count(), 15);
  assert.ok((await page.locator('#schemas details').count()) >= 9, 'manifest and every schema are shown');
});

test('lookup: found, with the request logged (method, URL, status, duration) and the token nowhere', async () => {
  const requests = await runCapability('getAgentBySerialNumber', 'C02XK1ABJG5J');
  assert.equal(requests, 1);
  assert.match(await card().locator('h3').textContent(), /^Agent found$/);
  assert.equal(await field('agentId'), '1550901640146865256');
  assert.equal(await field('computerName'), 'JDOE-MBP-2023');
  const row = page.locator('#request-log tbody tr').first().locator('td');
  assert.deepEqual((await row.allTextContents()).slice(0, 3), ['GET', `${server.url}/web/api/v2.1/agents?serialNumber__contains=C02XK1ABJG5J&limit=1000`, '200']);
  assert.match(await row.nth(3).textContent(), /^\d+ ms$/);
  const html = await page.content();
  assert.ok(!html.includes(MOCK_API_TOKEN), 'the token is not in the DOM');
  assert.ok(!page.url().includes(MOCK_API_TOKEN), 'nor in the URL');
  assert.deepEqual(await page.evaluate(() => [localStorage.length, sessionStorage.length]), [0, 0], 'nor in storage');
  assert.match(await page.locator('#raw-json').textContent(), /"pagination"/);
});

test('lookup: not found, and a duplicate serial', async () => {
  await runCapability('getAgentBySerialNumber', 'NO-SUCH-SERIAL-9');
  assert.match(await card().locator('h3').textContent(), /No agent with exactly this serial \(0 contain it\)/);
  await runCapability('getAgentBySerialNumber', '5Q4Q7Y1');
  assert.match(await card().locator('h3').textContent(), /2 agents share this serial/);
  assert.equal(await field('agentId'), '1600000000000000102');
  assert.equal(await field('isDecommissioned'), 'false');
});

test('a wrong token shows the error code', async () => {
  await page.getByLabel('API Token (required)').fill('not-the-right-token-0000000000');
  await runCapability('getAgentBySerialNumber', 'C02XK1ABJG5J');
  assert.equal(await card().getAttribute('data-error-code'), 'UNAUTHORIZED');
  assert.match(await card().textContent(), /Error UNAUTHORIZED/);
  assert.match(await card().textContent(), /4010010/);
  await page.getByLabel('API Token (required)').fill(MOCK_API_TOKEN);
});

test('trust evaluation shows each reason with its remediation (screenshot saved)', async () => {
  await runCapability('evaluateDeviceTrust', 'C02FH1ZZQ05D');
  assert.match(await card().locator('h3').textContent(), /Not trusted \(2 reasons\)/);
  const reasons = card().locator('li[data-rule]');
  assert.deepEqual(await reasons.evaluateAll((items) => items.map((li) => li.dataset.rule)), ['infected', 'activeThreats']);
  assert.match(await reasons.first().locator('.remediation').textContent(), /Contact IT security/);
  mkdirSync(`${repo}build`, { recursive: true });
  await page.screenshot({ path: `${repo}build/harness-trust.png`, fullPage: true });

  // A nested rule from the schema-rendered form changes the verdict.
  await runCapability('evaluateDeviceTrust', 'J9PQ8R7');
  assert.match(await card().locator('h3').textContent(), /Not trusted \(1 reason\)/);
  const rules = page.locator('summary', { hasText: 'Device trust rules (optional)' });
  if (!(await page.getByLabel('Max Inactive Minutes').isVisible())) await rules.click();
  await page.getByLabel('Max Inactive Minutes').fill('180');
  await runCapability('evaluateDeviceTrust', 'J9PQ8R7');
  assert.equal(await card().locator('h3').textContent(), 'Trusted');
  await page.getByLabel('Max Inactive Minutes').fill('');
});

test('the schema-generated form rejects a missing required field before any request', async () => {
  await page.getByLabel('Serial Number (required)').fill('   ');
  const requests = await runCapability('getAgentBySerialNumber');
  assert.equal(requests, 0);
  assert.match(await page.locator('#form-error').textContent(), /Serial Number is required/);
  assert.equal(await page.getByLabel('Serial Number (required)').getAttribute('aria-invalid'), 'true');
  // The schema's pattern is the code's rule (2 to 128 characters once trimmed, no control characters).
  assert.equal(await runCapability('getAgentBySerialNumber', ` ${'A'.repeat(129)} `), 0);
  assert.match(await page.locator('#form-error').textContent(), /Serial Number has an invalid format \(see the note under the field\)/);
  assert.equal(await runCapability('getAgentBySerialNumber', ` ${'A'.repeat(128)}\t`), 1, 'surrounding whitespace is trimmed, not counted');
  await page.getByLabel('Base URL (required)').fill('');
  await runCapability('getAgentBySerialNumber', 'C02XK1ABJG5J');
  assert.match(await page.locator('#form-error').textContent(), /Base URL is required/);
  await page.getByLabel('Base URL (required)').fill(server.url);
});

test('test connection, and the in-page mock when no server is behind the page', async () => {
  await runCapability('testConnection');
  assert.match(await card().locator('h3').textContent(), /Connection OK/);
  assert.equal(await field('agentCount'), '58');

  await page.getByLabel('In-page mock (no server needed)').check();
  const requests = await runCapability('getAgentBySerialNumber', 'FS6V1B3');
  assert.equal(requests, 1);
  assert.equal(await field('agentId'), '148347195130');
  assert.match(await page.locator('#request-log tbody tr td.url').first().textContent(), /^https:\/\/in-page-mock\.example\//);
});

test('a fleet sync shows its progress and a snapshot a serial can be checked against', async () => {
  await page.getByLabel('Mock console on this server').check();
  const requests = await runCapability('syncAgents');
  assert.equal(requests, 1, 'the 58-agent fleet fits one page of 1000');
  assert.match(await card().locator('h3').textContent(), /^Snapshot of 58 agents: \d+ of 48 serials trusted$/);
  const progress = page.locator('#sync-progress');
  assert.equal(await progress.isVisible(), true);
  assert.equal(await progress.evaluate((p) => [p.value, p.max].join('/')), '58/58');
  assert.match(await page.locator('#sync-status').textContent(), /page 1: 58 of 58 agents/);
  await page.getByLabel('Serial Number', { exact: true }).fill('C02FH1ZZQ05D');
  await page.getByRole('button', { name: 'Check' }).click();
  assert.match(await page.locator('#check-card h3').textContent(), /Not trusted \(2 reasons\)/);
  await page.getByLabel('Serial Number', { exact: true }).fill('C02XK1ABJG5J');
  await page.getByRole('button', { name: 'Check' }).click();
  assert.equal(await page.locator('#check-card h3').textContent(), 'Trusted');
});

test('a redirect is logged and reported, not followed with the token (the shim passes the request on)', async () => {
  await page.getByLabel('Mock console on this server').check();
  // The page itself: followed, it would be read as an HTML page with status 200.
  server.injectFaults([{ status: 302, location: '/www/' }]);
  const before = server.requests.length;
  assert.equal(await runCapability('getAgentBySerialNumber', 'C02XK1ABJG5J'), 1, 'one request, not retried');
  assert.equal(await card().getAttribute('data-error-code'), 'UPSTREAM_ERROR');
  assert.match(await card().textContent(), /a redirect, which a browser does not show: is baseUrl the console's root URL/);
  assert.equal(await page.locator('#request-log tbody tr').first().locator('td').nth(2).textContent(), 'redirect');
  assert.deepEqual(server.requests.slice(before).map((r) => r.url.split('?')[0]), ['/web/api/v2.1/agents'], '/www/ never asked');
});

test('Stop ends a running call with ABORTED, and the next run works', async () => {
  await page.getByLabel('Mock console on this server').check();
  server.injectFaults([{ delayMs: 5000 }]);
  await page.selectOption('#capability', 'getAgentBySerialNumber');
  await page.getByLabel('Serial Number (required)').fill('C02XK1ABJG5J');
  const started = Date.now();
  await page.getByRole('button', { name: 'Run' }).click();
  await page.getByRole('button', { name: 'Stop' }).click();
  await page.waitForFunction(() => !document.querySelector('#run').disabled);
  assert.ok(Date.now() - started < 3000, 'stopped before the slow answer came');
  assert.equal(await card().getAttribute('data-error-code'), 'ABORTED');
  assert.equal(await page.getByRole('button', { name: 'Stop' }).isVisible(), false);
  await runCapability('getAgentBySerialNumber', 'C02XK1ABJG5J');
  assert.equal(await field('agentId'), '1550901640146865256');
});
