// The host side of a running call: performs the effects the connector's core asks for (requests
// through the host's fetch shim or the platform's fetch, timers, progress reports) and polls the call
// after each one completes. `src/lib.rs` imports `drive`; the core never touches a promise.

const encoder = new TextEncoder();
const NETWORK = 0;
const CONTRACT = 1;
const TOO_LARGE = 2;
const ABORTED = 3;
const NOT_ALLOWED = 4;
const NETWORK_FINAL = 5;
// setTimeout treats longer delays as 0.
const MAX_DELAY_MS = 2147483647;

/**
 * The three arguments of a capability call as one JSON text, `[connection, input, options]` (functions
 * and `undefined` become `null`; a `Date` its ISO text): one crossing instead of three. `undefined`
 * when one of them cannot be written as JSON, so that the connector can say which. Of `connection` and
 * `options`, only the properties the core reads as JSON (see `connectionRead`).
 */
export function argsJson(connection, input, options) {
  try {
    return JSON.stringify([connectionRead(connection), input, optionsRead(options)]);
  } catch {
    return undefined;
  }
}

/**
 * One argument alone, as `argsJson` writes it (`at` 0 the connection, 1 the input), for the connector
 * to tell which one is not JSON; `undefined` when it is not.
 */
export function argJson(at, value) {
  try {
    return value === undefined ? 'null' : JSON.stringify(at === 0 ? connectionRead(value) : value);
  } catch {
    return undefined;
  }
}

/**
 * Only the properties the core reads of a connection or options object: a host's object may also hold
 * what JSON cannot (a logger that refers to itself, an AbortSignal, a BigInt request id, an HTTP agent),
 * and that must not fail the call. Anything but a plain object or a class instance (an array, a
 * primitive) is passed on as it is, for the core to refuse. (Written out, not looped over a list of
 * names: a literal is one object shape, ~0.3 µs a call faster.)
 */
function connectionRead(value) {
  if (!isRecord(value)) return value;
  // The schema allows other connection properties, which the core ignores.
  return { baseUrl: value.baseUrl, apiToken: value.apiToken, siteIds: value.siteIds, accountIds: value.accountIds };
}

function optionsRead(value) {
  if (!isRecord(value)) return value;
  // `fetch` and `onProgress` are read apart, as functions; of `signal`, only whether it is an
  // AbortSignal (the driver listens to it; the core refuses anything else).
  const signal = value.signal;
  const allowedHosts = value.allowedHosts;
  return {
    timeoutMs: value.timeoutMs,
    maxAttempts: value.maxAttempts,
    now: value.now,
    maxSnapshotAgeMinutes: value.maxSnapshotAgeMinutes,
    signal: signal === undefined || signal === null ? undefined : isAbortSignal(signal),
    // Of `allowedHosts`, only whether it is a list of host patterns (the driver applies it).
    allowedHosts: allowedHosts === undefined || allowedHosts === null ? undefined : hostPatterns(allowedHosts) !== undefined,
  };
}

/** Whether `value` can be listened to as an AbortSignal (by its shape: a polyfill's is one too). */
function isAbortSignal(value) {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof value.aborted === 'boolean' &&
    typeof value.addEventListener === 'function' &&
    typeof value.removeEventListener === 'function'
  );
}

/** `options.signal` when it is an AbortSignal (the core has refused a call with anything else there). */
function abortSignalOf(options) {
  try {
    const signal = isRecord(options) ? options.signal : undefined;
    return isAbortSignal(signal) ? signal : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `options.allowedHosts` as patterns `{ under, name }`, or undefined when it is not an array of host
 * patterns (the core refuses that call): a host name or IP address matched whole, in any case, or `*.`
 * and a domain for every host under it (not the domain itself). A trailing dot is ignored.
 */
function hostPatterns(list) {
  try {
    if (!Array.isArray(list)) return undefined;
    const patterns = [];
    for (const item of list) {
      if (typeof item !== 'string') return undefined;
      const pattern = item.trim().toLowerCase().replace(/\.$/, '');
      const match = /^(\*\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*)$/.exec(pattern) ?? /^()(\[[0-9a-f:.]+\])$/.exec(pattern);
      if (match === null) return undefined;
      patterns.push({ under: match[1] === '*.', name: match[2] });
    }
    return patterns;
  } catch {
    // A list whose items or length cannot be read.
    return undefined;
  }
}

/** `url`'s host (and port), for a message. */
function hostOf(url) {
  try {
    return new URL(url).host;
  } catch {
    return 'that cannot be read';
  }
}

/** Whether `url`'s host is one `patterns` allows. */
function hostAllowed(url, patterns) {
  let host;
  try {
    host = new URL(url).hostname.replace(/\.$/, '');
  } catch {
    return false;
  }
  return patterns.some(({ under, name }) => (under ? host.endsWith(`.${name}`) : host === name));
}

/**
 * The patterns of `options.allowedHosts`, or undefined when it allows any host. Fails closed: a list
 * that reads differently now than when the core checked it (a getter) and is no list allows none.
 */
function allowedHostsOf(options) {
  try {
    const list = isRecord(options) ? options.allowedHosts : undefined;
    return list === undefined || list === null ? undefined : (hostPatterns(list) ?? []);
  } catch {
    return [];
  }
}

function isRecord(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * `options.fetch`, read here: a property name passed from Rust is decoded into a JS string on every
 * call. The core has checked that `options` is an object; a getter that throws throws here, and the
 * core fails the call rather than fall back to the platform fetch the host meant to replace.
 */
export function fetchOption(options) {
  return options.fetch;
}

/** `options.onProgress`, as `fetchOption` reads `fetch`. */
export function progressOption(options) {
  return options.onProgress;
}

/**
 * What `checkSerial` reads of a snapshot, as one JSON text `[head, entry, found]`: the head's
 * `version`, `syncedAt`, `complete` and `rules`, and the entry of `serial` when `serials` has it as an
 * own key (`found`; so "toString" or "__proto__" never reach the prototype). `serial` is `undefined`
 * when the core already refused it. `undefined` when the snapshot cannot be read or written as JSON.
 */
export function snapshotPartsJson(snapshot, serial) {
  try {
    const { version, syncedAt, complete, rules, serials } = snapshot;
    const found =
      serial !== undefined && serials !== null && typeof serials === 'object' && Object.hasOwn(serials, serial);
    return JSON.stringify([{ version, syncedAt, complete, rules }, found ? serials[serial] : null, found]);
  } catch {
    return undefined;
  }
}

/**
 * The manifest from its embedded form: `main` with each placeholder string `"\u0000N"` replaced by a
 * fresh copy of part N of `parts` (itself expanded), so that repeated schemas are stored once.
 */
export function expandJson(main, parts) {
  const shared = JSON.parse(parts);
  const expand = (value) => {
    if (typeof value === 'string') {
      return value.charCodeAt(0) === 0 ? expand(shared[Number(value.slice(1))]) : value;
    }
    if (Array.isArray(value)) return value.map(expand);
    if (value !== null && typeof value === 'object') {
      // fromEntries defines own properties: a "__proto__" key stays a key.
      return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, expand(member)]));
    }
    return value;
  };
  return expand(JSON.parse(main));
}

// The header names the core reads, as `drive` last received them, and split.
let readNames;
let readList;

/**
 * Runs `call` to its end: resolves with the output, rejects with the connector's coded Error. When
 * `options.signal` aborts, every fetch in flight fails as ABORTED (its request's signal aborted
 * too) and every timer fires at once, as do those the call starts after: a call rejects with ABORTED
 * (a sync with its resumable `partial`), a health check reports it.
 */
export function drive(call, fetch, onProgress, maxBodyBytes, keepBodies, memory, headerNames, options) {
  // `options.fetch: fetch`, the platform's own, is the platform fetch (it takes a URL, not a request).
  const send = typeof fetch === 'function' && fetch !== globalThis.fetch ? fetch : platformFetch;
  // The same names on every call: split once, not into a fresh array per call.
  if (headerNames !== readNames) {
    readNames = headerNames;
    readList = headerNames.split(',');
  }
  const wanted = readList;
  const signal = abortSignalOf(options);
  // A host application's policy: the token goes to no other host, whatever the connection says.
  const allowedHosts = allowedHostsOf(options);
  return new Promise((resolve, reject) => {
    const live = new Map(); // effect id -> cancels it
    const timers = new Set(); // the ids in `live` that are timers
    const bodies = new Map(); // fetch id -> the response text, reused as rawResponse
    let finished = false;
    let aborted = false;

    const finish = () => {
      finished = true;
      for (const cancel of live.values()) cancel();
      live.clear();
      if (signal !== undefined) unlisten(signal, onAbort);
      call.free();
    };

    // What is in flight when the host aborts ends now; `step` then polls the call.
    const abortNow = () => {
      aborted = true;
      const waiting = [...live];
      live.clear();
      for (const [id, cancel] of waiting) {
        cancel();
        if (timers.delete(id)) call.fired(id);
        else call.failed(id, ABORTED, '');
      }
    };
    // Later, not within the abort: a host may abort from inside its own shim, while `step` runs.
    const onAbort = () =>
      queueMicrotask(() => {
        if (finished || aborted) return;
        abortNow();
        step();
      });

    const step = () => {
      if (finished) return;
      if (!aborted && signal !== undefined && isAborted(signal)) abortNow();
      let state;
      try {
        state = call.poll();
      } catch (error) {
        finish();
        if (aborted && signal !== undefined) causeOf(error, signal);
        reject(error);
        return;
      }
      if (typeof state !== 'string') {
        const raw = call.rawFrom;
        if (raw !== undefined) parseOnFirstRead(state, bodies.get(raw));
        finish();
        resolve(state);
        return;
      }
      const effects = JSON.parse(state);
      for (const id of effects.cancel) {
        const cancel = live.get(id);
        live.delete(id);
        timers.delete(id);
        if (cancel) cancel();
      }
      for (const progress of effects.progress) {
        try {
          if (typeof onProgress === 'function') onProgress(progress);
        } catch {
          // A throwing progress callback is the host's bug; the sync goes on.
        }
      }
      let again = effects.again;
      for (const [id, ms] of effects.sleep) {
        if (aborted) {
          call.fired(id);
          again = true;
          continue;
        }
        // Every JS runtime has setTimeout; without one, a timer never fires rather than firing at once.
        if (typeof setTimeout !== 'function') continue;
        const timer = setTimeout(() => {
          if (!live.delete(id)) return;
          timers.delete(id);
          call.fired(id);
          step();
        }, Math.min(ms, MAX_DELAY_MS));
        live.set(id, () => clearTimeout(timer));
        timers.add(id);
      }
      for (const [id, request] of effects.fetch) {
        if (aborted) {
          call.failed(id, ABORTED, '');
          again = true;
        } else if (allowedHosts !== undefined && !hostAllowed(request.url, allowedHosts)) {
          call.failed(id, NOT_ALLOWED, `baseUrl's host ${hostOf(request.url)} is not one options.allowedHosts allows (the token was not sent)`);
          again = true;
        } else {
          start(id, request);
        }
      }
      if (again) step();
    };

    // Hands a response to the core: text encoded into wasm memory, bytes copied there as they are.
    const deliver = (id, read) => {
      const text = typeof read.body === 'string';
      const copied = text ? encodeBody(call, memory, read.body, maxBodyBytes) : copyBody(call, memory, read.body);
      if (copied === undefined) {
        call.failed(id, TOO_LARGE, `the response body is more than ${maxBodyBytes} bytes as UTF-8; at most ${maxBodyBytes} are accepted`);
        return;
      }
      if (copied === null) {
        call.failed(id, TOO_LARGE, `no memory is left for this ${read.body.length}-unit response body: too many large responses are being read at once`);
        return;
      }
      if (!call.fetched(id, read.status, JSON.stringify(read.headers), copied.written, copied.latin1)) {
        // Bytes that are not UTF-8: decoded as `response.text()` would (each invalid sequence one
        // U+FFFD), then handed over as that text. Rare, so the lenient decoding lives here. (Text is
        // always UTF-8 once encoded or widened; the check only keeps this from ever looping.)
        if (text) call.failed(id, CONTRACT, 'the response text did not encode as UTF-8');
        // (A copy: TextDecoder refuses a view of a SharedArrayBuffer.)
        else deliver(id, { ...read, body: new TextDecoder().decode(read.body.slice()) });
        return;
      }
      // A host's bytes are copied: its buffer is its own to reuse, and rawResponse must stay the body
      // the core read (a string cannot change; the platform fetch's bytes are nobody else's).
      if (keepBodies) bodies.set(id, text || read.owned ? read.body : read.body.slice());
    };

    const start = (id, request) => {
      // For a shim that hands the request to its fetch as the init, as `fetch(request.url, request)`.
      request.redirect = 'manual';
      live.set(id, lazySignal(request));
      const received = (response) => {
        if (!live.delete(id)) return;
        try {
          const read = readResponse(response, maxBodyBytes, wanted);
          if (read.kind !== undefined) {
            call.failed(id, read.kind, read.message);
          } else {
            deliver(id, read);
          }
        } catch (error) {
          // Unforeseen (readResponse already catches what a hostile response throws): thrown out of
          // here it would leave the call waiting for its deadline, and end a Node host's process as an
          // unhandled rejection. It fails this fetch instead (a second report for it is ignored).
          call.failed(id, CONTRACT, `the response could not be handed to the connector: ${describeRejection(error, 'the driver caught')}`);
        }
        step();
      };
      const failed = (reason) => {
        if (!live.delete(id)) return;
        if (reason === NO_PLATFORM_FETCH) {
          // Nothing was sent, and nothing another attempt could mend.
          call.failed(id, CONTRACT, 'this platform has no fetch function (a Node before 18, or its fetch turned off): pass one as options.fetch');
        } else if (send !== platformFetch && tookRequestForUrl(reason)) {
          // The host's bug, not the network's: no retry would help.
          call.failed(id, CONTRACT, FETCH_GIVEN_REQUEST);
        } else {
          const kind = tlsRefused(reason) ? NETWORK_FINAL : NETWORK;
          call.failed(id, kind, describeRejection(reason) + corsHint(reason, request.url));
        }
        step();
      };
      // Also catches a shim that throws synchronously, and adopts thenables and plain values. A shim
      // may resolve with the `Response` its `fetch` gave it: its body is read as the platform fetch's
      // is, while the fetch is still live (the deadline aborts the read through the request's signal).
      new Promise((adopt) => adopt(send(request))).then(
        (response) => {
          if (send === platformFetch || !live.has(id) || !isFetchResponse(response)) return received(response);
          if (!answeredObjectUrl(response)) return shimAnswer(response).then(received, failed);
          // A page's fetch takes "[object Object]" for a path on its own origin, and answers from there.
          if (live.delete(id)) {
            call.failed(id, CONTRACT, FETCH_GIVEN_REQUEST);
            step();
          }
          return undefined;
        },
        failed,
      );
    };

    if (signal !== undefined) listen(signal, onAbort);
    step();
  });
}

/** An ABORTED error's `cause` is the signal's reason, as an aborted fetch's rejection is. */
function causeOf(error, signal) {
  try {
    if (error.code !== 'ABORTED') return;
    Object.defineProperty(error, 'cause', { value: signal.reason, writable: true, configurable: true, enumerable: false });
  } catch {
    // A reason that cannot be read leaves the error without a cause.
  }
}

function isAborted(signal) {
  try {
    return signal.aborted === true;
  } catch {
    return false;
  }
}

// A signal that cannot be listened to (a Proxy of one fails the brand check) is still read at each
// step (`isAborted`): an abort then ends the call when it next wakes.
function listen(signal, onAbort) {
  try {
    signal.addEventListener('abort', onAbort, { once: true });
  } catch {
    // (See above.)
  }
}

function unlisten(signal, onAbort) {
  try {
    signal.removeEventListener('abort', onAbort);
  } catch {
    // Nothing was listening.
  }
}

/**
 * Writes `text` as UTF-8 straight into the call's body buffer in wasm memory (no intermediate copy of
 * a multi-megabyte page) and returns `{ written, latin1 }` (bytes taken, and whether they are Latin-1
 * for the core to widen; see `copyLatin1`), `undefined` when that is more than `maxBytes`, or `null`
 * when the module has no memory left for it. A long text of characters up to U+00FF goes as Latin-1
 * in Node (`copyLatin1`). Otherwise the first pass assumes ASCII, one byte per UTF-16 unit (the caller
 * checked that many fit); what does not fit goes into a second pass sized for the worst case, but never
 * past the limit, so a hostile multi-byte body costs no more memory than an accepted one.
 */
function encodeBody(call, memory, text, maxBytes) {
  if (text.length >= LATIN1_MIN && latin1Writer !== undefined && !WIDE.test(text)) {
    return copyLatin1(call, memory, text);
  }
  let capacity = text.length;
  let read = 0;
  let written = 0;
  for (;;) {
    // Growing the buffer may grow wasm memory, which detaches earlier views: take a new one each pass.
    const at = call.bodyBuffer(capacity, written);
    if (at === 0) return null;
    const view = new Uint8Array(memory.buffer, at + written, capacity - written);
    const done = encoder.encodeInto(read === 0 ? text : text.slice(read), view);
    read += done.read;
    written += done.written;
    if (read >= text.length) return { written, latin1: false };
    // An uncapped second pass has room for 3 bytes per unit left and always finishes; only a pass
    // capped at the limit (plus 4 bytes, one character) stops short, with more than the limit written.
    if (capacity > maxBytes) return undefined;
    capacity = Math.min(written + (text.length - read) * 3, maxBytes + 4);
  }
}

// Node's Buffer writes a string's characters as bytes at memory speed, and V8 answers `WIDE` below
// at once for a string it holds one byte a character. Elsewhere the encoder: a Buffer written in JS
// is ~30 times slower than it on a 4.5 MB page (Deno's own: 10.9 against 0.35 ms; so is a bundler's
// polyfill in a page), and JavaScriptCore (Bun) reads the whole text for `WIDE` (a third of a page's
// lookup there); browsers have no such call.
const latin1Writer =
  globalThis.Deno === undefined && globalThis.Bun === undefined && typeof globalThis.process?.versions?.node === 'string' &&
  typeof Buffer === 'function' && typeof Buffer.from === 'function'
    ? Buffer
    : undefined;
// A character above U+00FF. For a string the engine holds one byte a character (decoded text with
// no such character), the test answers at once without reading it.
const WIDE = /[^\x00-\xff]/;
// Below this, the encoder's speed does not matter next to a call's fixed cost.
const LATIN1_MIN = 64 * 1024;

/**
 * Copies `text`, every character of it up to U+00FF, into the body buffer as its Latin-1 bytes, for
 * the core to widen to UTF-8 in place (it counts the characters above U+007F and refuses a text over
 * the limit as UTF-8). The engine's UTF-8 encoder takes ~1 ns a character on a string holding one
 * character above U+007F, ten times its ASCII speed: a page of Western names ("Jürgen", "Zürich") cost
 * 2-3 ms more per 4.5 MB; and measuring the UTF-8 first (`Buffer.byteLength`) was itself 8 % of
 * reading an ASCII page. The buffer is the text's length: the core grows it for the characters it
 * widens (room asked for up front, even 1/64 of the text, left holes a sync's later pages did not fit:
 * +3 MB of memory after scripts/sync-memory.mjs). `null` when the module has no memory left for it.
 */
function copyLatin1(call, memory, text) {
  const at = call.bodyBuffer(text.length, 0);
  if (at === 0) return null;
  latin1Writer.from(memory.buffer, at, text.length).write(text, 0, text.length, 'latin1');
  return { written: text.length, latin1: true };
}

/**
 * Copies a body that came as bytes (UTF-8, as `response.arrayBuffer()` gives it) into the call's body
 * buffer: one copy, no decoding to a string and encoding back. The core checks that it is UTF-8.
 * `null` when the module has no memory left for it.
 */
function copyBody(call, memory, bytes) {
  const at = call.bodyBuffer(bytes.length, 0);
  if (at === 0) return null;
  new Uint8Array(memory.buffer, at, bytes.length).set(bytes);
  return { written: bytes.length, latin1: false };
}

// Own properties of a request and an output that are the driver's alone (symbols no host spells): the
// state the shared accessors below read through `this`.
const SIGNAL_STATE = Symbol('sentinelone-connector signal');
const UNREAD_BODY = Symbol('sentinelone-connector rawResponse text');

// The accessors are shared, not made per call: V8 keeps an accessor pair in the old generation, so
// whatever a per-call getter reached (a call's promise and output, a response body) survived every
// young collection until a full one; and objects given the same shared pair keep sharing one shape.
const SIGNAL = { enumerable: true, configurable: true, get: readSignal, set: replaceSignal };
const RAW_RESPONSE = { enumerable: true, configurable: true, get: readRawResponse, set: assignRawResponse };
// One descriptor for every hidden property, its value set only for the definition: a fresh
// `{ ...descriptor, value }` per call cost more than the definition itself (~0.4 µs each).
const HIDDEN = { value: undefined, writable: true, enumerable: false, configurable: true };

function defineHidden(target, key, value) {
  HIDDEN.value = value;
  try {
    Object.defineProperty(target, key, HIDDEN);
  } finally {
    HIDDEN.value = undefined;
  }
}

/**
 * Gives `request` a `signal` made when the shim first reads it (most never do, and an AbortController
 * costs more than the rest of a call), and returns what aborts it: only when the core stops waiting
 * (deadline).
 */
function lazySignal(request) {
  const state = { controller: undefined, aborted: false };
  defineHidden(request, SIGNAL_STATE, state);
  Object.defineProperty(request, 'signal', SIGNAL);
  return () => {
    state.aborted = true;
    state.controller?.abort();
  };
}

function readSignal() {
  // Through a Proxy a host wrapped the request in, `this` is the Proxy, which forwards the symbol.
  const state = this !== null && typeof this === 'object' ? this[SIGNAL_STATE] : undefined;
  if (state === undefined) return undefined;
  if (state.controller === undefined && typeof AbortController === 'function') {
    state.controller = new AbortController();
    if (state.aborted) state.controller.abort();
  }
  return state.controller?.signal;
}

// A shim may put its own signal on the request (one combined with its host's, say), as the types allow.
function replaceSignal(value) {
  if (this !== null && typeof this === 'object') {
    Object.defineProperty(this, 'signal', { value, writable: true, enumerable: true, configurable: true });
  }
}

/**
 * Makes `output.rawResponse` the response text parsed by the engine's `JSON.parse` when first read:
 * a host that maps only the agent fields never pays for materialising a big page. It is an ordinary
 * enumerable property to every reader (JSON.stringify, spread, structuredClone) and becomes a plain
 * data property once read or assigned; an accessor a host kept from before then reads undefined and
 * assigns nothing. The text is the output's own (hidden) property, so it dies with the output.
 */
function parseOnFirstRead(output, body) {
  defineHidden(output, UNREAD_BODY, body);
  Object.defineProperty(output, 'rawResponse', RAW_RESPONSE);
}

function unreadBody(holder) {
  return holder !== null && typeof holder === 'object' ? holder[UNREAD_BODY] : undefined;
}

function readRawResponse() {
  const text = unreadBody(this);
  if (text === undefined) return undefined;
  let value;
  try {
    // The core read these very bytes as JSON (the fuzz harness holds it to serde_json's
    // strictness), so the engine's own, more lenient parse does not fail.
    // A body that came as bytes is decoded only now, if the host reads it at all.
    value = JSON.parse(typeof text === 'string' ? text : new TextDecoder().decode(text));
  } catch {
    throw malformedRawResponse();
  }
  settleRawResponse(this, value);
  return value;
}

function assignRawResponse(value) {
  if (unreadBody(this) !== undefined) settleRawResponse(this, value);
}

function settleRawResponse(holder, value) {
  try {
    Object.defineProperty(holder, 'rawResponse', { value, writable: true, enumerable: true, configurable: true });
  } catch {
    // A frozen output (a host's immutable state store freezes what it keeps) stays as it is: each
    // read parses the text again, and an assignment changes nothing, as on any frozen object.
    return;
  }
  holder[UNREAD_BODY] = undefined;
}

function malformedRawResponse() {
  return Object.assign(new Error('the response body is not JSON'), {
    name: 'SentinelOneConnectorError',
    code: 'MALFORMED_RESPONSE',
    retryable: false,
    status: null,
    retryAfterMs: null,
    upstreamCode: null,
    upstreamTitle: null,
    upstreamDetail: null,
  });
}

/**
 * The platform's own fetch (Node 18+ or a browser), shaped like a host shim's answer. A redirect is
 * not followed: the API never redirects, so one means a base URL that is not a console's root, and
 * followed it would end as a misleading error (a login page that is not JSON, or a 401 from another
 * host, the token having been dropped on the way). Node shows the redirect, which the core reports
 * with where it points; a browser shows only that there was one.
 */
async function platformFetch(request) {
  if (typeof globalThis.fetch !== 'function') throw NO_PLATFORM_FETCH;
  const { url, method, headers, body, signal, redirect } = request;
  const response = await globalThis.fetch(url, { method, headers, body, signal, redirect });
  return isFetchResponse(response) ? shimAnswer(response) : { [NOT_A_RESPONSE]: true };
}

/**
 * Whether `value` is a fetch `Response`: by its tag, as `headerList` recognises a Headers (a
 * polyfilled fetch's Response is not an instance of the global one, which is not touched).
 */
function isFetchResponse(value) {
  try {
    return value !== null && typeof value === 'object' && value[Symbol.toStringTag] === 'Response';
  } catch {
    // A hostile object's getter: `readResponse` says what is wrong with it.
    return false;
  }
}

/**
 * Whether a shim rejected because a fetch was handed the request object where it takes a URL: the
 * object is then read as the text "[object Object]", which a fetch refuses with a TypeError naming
 * it in its message (Node's, browsers') or, from `new URL`, as its `input`.
 */
function tookRequestForUrl(reason) {
  try {
    const named = (text) => typeof text === 'string' && text.includes('[object Object]');
    return reason !== null && typeof reason === 'object' && reason.name === 'TypeError' && (named(reason.message) || named(reason.input));
  } catch {
    return false;
  }
}

const FETCH_GIVEN_REQUEST =
  'the fetch shim gave its request object to a fetch as the URL ("[object Object]"): a fetch takes (url, init), so call it as (request) => fetch(request.url, request)';

/** Whether a fetch `Response` answers the URL "[object Object]" (resolved against a page's own origin). */
function answeredObjectUrl(response) {
  try {
    return typeof response.url === 'string' && /\/(\[|%5B)object%20Object(\]|%5D)$/.test(response.url);
  } catch {
    return false;
  }
}

/** A fetch `Response` as a shim's answer `{ status, headers, body }`, its body read whole. */
async function shimAnswer(response) {
  // A browser's answer to `redirect: 'manual'`: neither its status nor its target can be read. Handed
  // on with status 0, as fetch has it, the core reports the redirect it is (not retried), not a
  // network failure.
  if (response.type === 'opaqueredirect') return { [OPAQUE_REDIRECT]: true };
  // A host's fetch that followed a redirect (the platform fetch follows none): the answer is another
  // resource's, and the request a shim should have passed on said not to.
  if (response.redirected === true) {
    // Its body is not read: released, so that Node's fetch frees the connection now, not at collection.
    try {
      response.body?.cancel?.().catch(() => {});
    } catch {
      // A polyfill's body that cannot be cancelled is left to the collector.
    }
    return { [FOLLOWED_REDIRECT]: String(response.url) };
  }
  // The bytes, not `text()`: decoding a page to a string only to encode it back into wasm memory
  // cost more than reading it there (~1-3 ms for a 4.5 MB page).
  let read;
  if (typeof response.arrayBuffer === 'function') {
    read = new Uint8Array(await response.arrayBuffer());
    OWNED.add(read);
  } else {
    read = await response.text();
  }
  return { status: response.status, headers: response.headers, body: read };
}

const NOT_A_RESPONSE = Symbol('not a Response');
const NO_PLATFORM_FETCH = Symbol('no platform fetch');
const FOLLOWED_REDIRECT = Symbol('the URL a followed redirect led to');
const OPAQUE_REDIRECT = Symbol('a redirect the browser hides');
// Bodies the platform fetch read: no host holds them, so they are kept for rawResponse uncopied.
const OWNED = new WeakSet();

/** Checks what a shim resolved with: `{ status, headers?, body }`, or why it is not one. */
function readResponse(response, maxBodyBytes, wanted) {
  const contract = (message) => ({ kind: CONTRACT, message });
  if (response === null || typeof response !== 'object') {
    return contract('the fetch shim must resolve with an object { status, headers?, body }');
  }
  let status;
  let body;
  let headers;
  let owned;
  try {
    if (response[NOT_A_RESPONSE]) {
      return contract('the platform fetch resolved with something that is not a Response');
    }
    if (response[OPAQUE_REDIRECT]) return { status: 0, headers: [], body: '', owned: true };
    if (response[FOLLOWED_REDIRECT] !== undefined) {
      return contract(
        `its fetch followed a redirect, to ${response[FOLLOWED_REDIRECT]}: pass the request on as the init, fetch(request.url, request), or give it redirect: 'manual' (is baseUrl the console's root URL?)`,
      );
    }
    status = response.status;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
      return contract('response.status must be an integer HTTP status from 100 to 599');
    }
    owned = OWNED.has(response.body);
    body = bodyOf(response.body);
    if (body === undefined) {
      return contract('response.body must be the response text: a string, or its UTF-8 bytes (a Uint8Array or an ArrayBuffer)');
    }
    // A JS length counts UTF-16 units, at most one per UTF-8 byte: over the limit here is over it in bytes.
    if (body.length > maxBodyBytes) {
      const unit = typeof body === 'string' ? 'characters' : 'bytes';
      return {
        kind: TOO_LARGE,
        message: `the response body is ${body.length} ${unit}; at most ${maxBodyBytes} bytes are accepted`,
      };
    }
    headers = headerList(response.headers, wanted);
  } catch {
    return contract('reading the response object threw');
  }
  return { status, headers, body, owned };
}

/**
 * A response body as the connector reads it: a string as it is; UTF-8 bytes (any typed array or
 * DataView's bytes, or an ArrayBuffer) as a Uint8Array without the byte order mark `text()` would drop;
 * `undefined` for anything else. Recognised without `instanceof`, so that a buffer from another realm
 * (a worker, a vm context) is one too.
 */
function bodyOf(body) {
  if (typeof body === 'string') return body;
  let bytes;
  if (ArrayBuffer.isView(body)) {
    bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  } else if (body !== null && typeof body === 'object' && Object.prototype.toString.call(body) === '[object ArrayBuffer]') {
    bytes = new Uint8Array(body);
  } else {
    return undefined;
  }
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
}

/**
 * The `wanted` headers (lower-case names) and their values in turn, from a plain object, a Map or a
 * `Headers`: only what the core reads crosses (a `Headers` is asked by name, not copied whole).
 */
function headerList(headers, wanted) {
  if (headers === null || typeof headers !== 'object') return [];
  const list = [];
  try {
    // Recognised by its tag, not `instanceof Headers`: in Node 18 and 20 the global `Headers` is a lazy
    // getter that loads the whole fetch implementation on first touch (~20 ms, twice the rest of a
    // cold start), and a polyfill's Headers (node-fetch, undici's package) is tagged the same way.
    if (headers[Symbol.toStringTag] === 'Headers' && typeof headers.get === 'function') {
      for (const name of wanted) {
        const value = headers.get(name);
        if (typeof value === 'string') list.push(name, value);
      }
      return list;
    }
    const pairs = typeof headers[Symbol.iterator] === 'function' ? headers : Object.entries(headers);
    for (const pair of pairs) {
      if (Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'string') {
        const name = pair[0].toLowerCase();
        if (wanted.includes(name)) list.push(name, pair[1]);
      }
    }
  } catch {
    return [];
  }
  return list;
}

/**
 * A rejection (or whatever was thrown) as text: never assumes it holds an Error. `origin` says where a
 * value with no message of its own came from.
 */
function describeRejection(value, origin = 'the fetch shim rejected with') {
  let text;
  try {
    if (value instanceof Error) {
      text = String(value.message) + causesOf(value);
    } else if (typeof value === 'string') {
      text = value;
    } else if (value === undefined) {
      text = `${origin} undefined`;
    } else {
      text = `${origin} a non-Error value (${typeof value})`;
    }
  } catch {
    // A getter that throws, or a Proxy whose every trap does (even the one `instanceof` asks).
    text = `${origin} a value that cannot be read`;
  }
  return Array.from(text).slice(0, 500).join('');
}

/**
 * A page's fetch says only "Failed to fetch" (a TypeError) for a request the console's CORS refused,
 * the most likely failure of a page that asks a console on another origin: said, with what to do.
 */
function corsHint(reason, url) {
  try {
    // Deno, which has no CORS to enforce, has a location too when run with --location.
    const page = globalThis.Deno === undefined ? globalThis.location?.origin : undefined;
    if (!(reason instanceof TypeError) || typeof page !== 'string' || page === 'null' || new URL(url).origin === page) return '';
    return ` (a page reaches a console on another origin only if the console allows this page's origin, ${page}, by CORS; if it does not, send the requests through your own server with options.fetch)`;
  } catch {
    return '';
  }
}

/**
 * Whether a rejection's causes hold a TLS failure that another attempt cannot mend: a certificate
 * the platform does not trust, expired, or not for the console's name, or a console that speaks no
 * TLS on its port (Node's codes; a page's fetch says none).
 */
function tlsRefused(reason) {
  try {
    return causeChain(reason).some((link) => typeof link.code === 'string' && TLS_FINAL.test(link.code));
  } catch {
    // A cause that cannot be read is a network failure like any other.
    return false;
  }
}

const TLS_FINAL = /CERT|^UNABLE_TO_(GET|VERIFY)_|^ERR_SSL_WRONG_VERSION_NUMBER$|^HOSTNAME_MISMATCH$/;

/**
 * What an error's `cause` chain adds to its message: Node's fetch rejects with "fetch failed" alone, and
 * its cause says why ("connect ECONNREFUSED 10.0.0.5:443", "getaddrinfo ENOTFOUND host", a TLS
 * certificate error and its code). Text only: a cause object itself is never kept (a host's HTTP
 * client may put the request, with its Authorization header, in its errors).
 */
function causesOf(error) {
  let text = '';
  try {
    for (const cause of causeChain(error).slice(1)) {
      let said = typeof cause.message === 'string' ? cause.message : '';
      // Node's AggregateError (every address of a host refused) has no message; its errors do.
      if (said === '' && Array.isArray(cause.errors) && typeof cause.errors[0]?.message === 'string') {
        said = cause.errors[0].message;
      }
      const code = typeof cause.code === 'string' ? cause.code : '';
      if (code !== '' && !said.includes(code)) said = said === '' ? code : `${said} (${code})`;
      if (said !== '') text += `: ${said}`;
    }
  } catch {
    // A cause whose getters throw adds nothing.
  }
  return text;
}

/**
 * `reason` and the objects of its `cause` chain, at most three causes deep; the chain ends early at a
 * cause that cannot be read.
 */
function causeChain(reason) {
  const chain = [];
  try {
    for (let link = reason; chain.length < 4 && link !== null && typeof link === 'object'; link = link.cause) {
      chain.push(link);
    }
  } catch {
    // A `cause` getter that throws ends the chain there.
  }
  return chain;
}
