// The browser workbench (www/) in the two engines besides Chromium, where flow designers open it too:
// Firefox ESR (through Puppeteer over WebDriver BiDi) and WebKitGTK, Safari's engine (under Xvfb,
// through WebKitWebDriver: tests/package/webkit.mjs). tests/harness.test.mjs drives every feature in
// Chromium with Playwright's locators; here the form is driven from inside the page, as a user's
// clicks would, so that the same few calls (goto, evaluate) serve both drivers.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startMockConsole, workbenchDirs, MOCK_API_TOKEN } from '../mock-console/server.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));

const launchers = {
  firefox: async () => {
    const { default: puppeteer } = await import('puppeteer-core');
    return puppeteer.launch({ browser: 'firefox', executablePath: process.env.FIREFOX ?? '/usr/bin/firefox-esr', headless: true });
  },
  webkit: async () => (await import('./package/webkit.mjs')).launchWebKit(),
};

/**
 * In the page: picks the capability, types the serial (and the token, when given) into the fields the
 * schemas rendered, clicks Run and waits for the result card. Returns what the card and log show.
 */
async function runCapability({ capability, serial, token }) {
  const until = async (done) => {
    for (const start = Date.now(); !done(); ) {
      if (Date.now() - start > 15_000) throw new Error('the workbench did not finish in 15 s');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const byLabel = (text) => {
    const label = [...document.querySelectorAll('label')].find((l) => l.textContent.trim() === text);
    return label?.control ?? document.getElementById(label?.htmlFor);
  };
  const type = (input, value) => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  };
  await until(() => document.body.dataset.ready === 'true');
  const select = document.querySelector('#capability');
  select.value = capability;
  select.dispatchEvent(new Event('change', { bubbles: true }));
  if (token !== undefined) type(byLabel('API Token (required)'), token);
  if (serial !== undefined) type(byLabel('Serial Number (required)'), serial);
  const rows = () => document.querySelectorAll('#request-log tbody tr').length;
  const before = rows();
  document.querySelector('#run').click();
  const card = document.querySelector('#result-card');
  await until(() => !document.querySelector('#run').disabled && !card.textContent.startsWith('Running'));
  const field = (name) => card.querySelector(`dd[data-field=${name}]`)?.textContent ?? null;
  return {
    title: card.querySelector('h3')?.textContent ?? null,
    errorCode: card.dataset.errorCode ?? null,
    agentId: field('agentId'),
    reasons: [...card.querySelectorAll('li[data-rule]')].map((li) => li.dataset.rule),
    requests: rows() - before,
    firstRequest: [...(document.querySelector('#request-log tbody tr')?.querySelectorAll('td') ?? [])].slice(0, 3).map((td) => td.textContent),
    html: document.documentElement.outerHTML,
  };
}

for (const [engine, launch] of Object.entries(launchers)) {
  describe(`the workbench in ${engine}`, () => {
    let server;
    let browser;
    let page;
    before(async () => {
      server = await startMockConsole({
        staticDirs: workbenchDirs(repo),
      });
      browser = await launch();
      page = await browser.newPage();
      await page.goto(`${server.url}/`);
    });
    after(async () => {
      await browser?.close();
      await server?.close();
    });
    const run = (capability, serial, token) => page.evaluate(runCapability, { capability, serial, token });

    test('a lookup against the mock console, logged, the token nowhere in the page', async () => {
      const found = await run('getAgentBySerialNumber', 'C02XK1ABJG5J');
      assert.deepEqual([found.title, found.agentId, found.requests], ['Agent found', '1550901640146865256', 1]);
      assert.deepEqual(found.firstRequest, ['GET', `${server.url}/web/api/v2.1/agents?serialNumber__contains=C02XK1ABJG5J&limit=1000`, '200']);
      assert.ok(!found.html.includes(MOCK_API_TOKEN), 'the token is not in the DOM');
      const duplicate = await run('getAgentBySerialNumber', '5Q4Q7Y1');
      assert.match(duplicate.title, /2 agents share this serial/);
      assert.equal(duplicate.agentId, '1600000000000000102');
    });

    test('a trust verdict with its reasons, and an error by its code', async () => {
      const verdict = await run('evaluateDeviceTrust', 'C02FH1ZZQ05D');
      assert.deepEqual([verdict.title, verdict.reasons], ['Not trusted (2 reasons)', ['infected', 'activeThreats']]);
      const error = await run('getAgentBySerialNumber', 'C02XK1ABJG5J', 'not-the-right-token-0000000000');
      assert.equal(error.errorCode, 'UNAUTHORIZED');
      const again = await run('testConnection', undefined, MOCK_API_TOKEN);
      assert.match(again.title, /Connection OK/);
    });
  });
}
