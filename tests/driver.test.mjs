// The JS driver (src/driver.js) alone, against a fake call that stands in for the core: what it does
// when something it does not foresee throws while it hands a response over, and when the module has
// no memory left for a body. Neither can be made to happen through the real module in a test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drive } from '../src/driver.js';

const CONTRACT = 1;
const TOO_LARGE = 2;
const HEADER_NAMES = 'retry-after,content-type';

/**
 * A fake core: asks for one fetch, then ends with what it was told. `fetched` throws `fault`;
 * `bodyBuffer` answers `address` (0: no memory left).
 */
function fakeCall(fault, address = 0) {
  const reports = [];
  let polls = 0;
  return {
    reports,
    rawFrom: undefined,
    poll() {
      polls += 1;
      if (polls === 1) {
        const request = { method: 'GET', url: 'https://console.example/web/api/v2.1/agents', headers: {} };
        return JSON.stringify({ fetch: [[1, request]], sleep: [], cancel: [], progress: [], again: false });
      }
      return { reports };
    },
    bodyBuffer() {
      return address;
    },
    fetched() {
      throw fault;
    },
    failed(id, kind, message) {
      reports.push({ id, kind, message });
    },
    fired() {},
    free() {},
  };
}

test('a fault while a response is handed over fails that fetch at once, naming the fault', async () => {
  for (const fault of [new TypeError('the view must not be shared'), 'a thrown string', undefined]) {
    const call = fakeCall(fault, 8);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const shim = async () => ({ status: 200, headers: {}, body: '{"data":[]}' });
    const unhandled = [];
    const onUnhandled = (reason) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const deadline = new Promise((resolve) => setTimeout(() => resolve('still waiting'), 2000).unref());
    const outcome = await Promise.race([drive(call, shim, undefined, 1024, false, memory, HEADER_NAMES), deadline]);
    await new Promise((resolve) => setImmediate(resolve));
    process.off('unhandledRejection', onUnhandled);
    assert.notEqual(outcome, 'still waiting', 'the call went on at once');
    assert.equal(call.reports.length, 1);
    assert.equal(call.reports[0].id, 1);
    assert.equal(call.reports[0].kind, CONTRACT);
    assert.match(call.reports[0].message, /^the response could not be handed to the connector: /);
    const named = fault instanceof Error ? /must not be shared$/ : fault === undefined ? /the driver caught undefined$/ : /a thrown string$/;
    assert.match(call.reports[0].message, named);
    assert.deepEqual(unhandled, []);
  }
});

test('a body the module has no memory left for fails that fetch as too large, text or bytes, never a trap', async () => {
  const text = '{"data":[]}';
  for (const body of [text, new TextEncoder().encode(text), 'x'.repeat(70_000)]) {
    const call = fakeCall(new Error('fetched must not be reached'), 0);
    const memory = new WebAssembly.Memory({ initial: 2 });
    const shim = async () => ({ status: 200, headers: {}, body });
    await drive(call, shim, undefined, 1 << 20, false, memory, HEADER_NAMES);
    assert.equal(call.reports.length, 1);
    assert.equal(call.reports[0].kind, TOO_LARGE);
    assert.match(call.reports[0].message, /^no memory is left for this \d+-unit response body/);
  }
});

test("a long text goes as Latin-1 only in Node, not in Deno or Bun", async () => {
  // Where the copy went: fetched's `latin1` says which path the driver took for a 70 KB ASCII body.
  const latin1Of = async (driver) => {
    const seen = [];
    const call = {
      ...fakeCall(undefined, 8),
      fetched(id, status, headers, written, latin1) {
        seen.push({ written, latin1 });
        return true;
      },
    };
    const memory = new WebAssembly.Memory({ initial: 4 });
    await driver.drive(call, async () => ({ status: 200, headers: {}, body: 'x'.repeat(70_000) }), undefined, 1 << 20, false, memory, HEADER_NAMES);
    assert.equal(seen.length, 1);
    assert.equal(seen[0].written, 70_000);
    return seen[0].latin1;
  };
  assert.equal(await latin1Of(await import('../src/driver.js')), true, "Node's Buffer");
  // A fresh instance of the driver (it reads the platform when it loads) where Deno is the platform
  // (a Buffer written in JS), and where Bun is (JavaScriptCore reads the whole text to test it).
  for (const [name, platform] of [['Deno', { version: { deno: '2.9.6' } }], ['Bun', { version: '1.4.5' }]]) {
    globalThis[name] = platform;
    try {
      assert.equal(await latin1Of(await import(`../src/driver.js?${name}`)), false, name);
    } finally {
      delete globalThis[name];
    }
  }
});
