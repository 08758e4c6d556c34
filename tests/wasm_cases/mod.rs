//! Cases run through the real exports with JS fake shims, in Node and in headless Chromium.

use js_sys::{Array, Function, Object, Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

use sentinelone_connector::{check_serial, input_schema, manifest, output_schema};

/// The exports a JS host awaits, awaited the same way: each returns a promise its JS driver settles.
macro_rules! awaited {
    ($($name:ident),*) => {$(
        async fn $name(a: JsValue, b: JsValue, c: JsValue) -> Result<JsValue, JsValue> {
            JsFuture::from(sentinelone_connector::$name(a, b, c)).await
        }
    )*};
}
awaited!(
    get_agent_by_serial_number,
    evaluate_device_trust,
    test_connection,
    sync_agents,
    invoke
);

const TOKEN: &str = "wasm-test-token-8d7c6b5a4f3e2d1c";
const BASE: &str = "https://usea1-partners.sentinelone.net";

#[wasm_bindgen(inline_js = r#"
export function recordingShim(status, body, log) {
  return (request) => { log.push(request); return Promise.resolve({ status, headers: { 'X-RQID': 'r1' }, body }); };
}
export function syncShim(status, body) { return () => ({ status, body }); }
export function shimWith429(seconds, kind) {
  const pairs = [['X-Request-Id', 'r1'], ['Retry-After', seconds], ['Content-Type', 'application/json']];
  const headers = kind === 'map' ? new Map(pairs)
    : kind === 'headers' ? new Headers(pairs)
    : Object.fromEntries(pairs.map(([name, value]) => [name.toUpperCase(), value]));
  return async () => ({ status: 429, headers, body: '' });
}
export function rejectingShim(kind) {
  switch (kind) {
    case 'error': return async () => { throw new TypeError('fetch failed: ECONNREFUSED'); };
    case 'string': return () => Promise.reject('socket hang up');
    case 'undefined': return () => Promise.reject(undefined);
    case 'object': return () => Promise.reject({ reason: 'weird' });
    case 'throws': return () => { throw new Error('sync throw'); };
    case 'throws-null': return () => { throw null; };
    case 'proxy': return () => Promise.reject(hostile());
  }
}
// An object every operation on which throws (`typeof` aside); `thenable` false: reading its `then`
// does not, so that a promise resolves with it rather than rejecting.
function hostile(thenable = true) {
  const trap = () => { throw new Error('hostile'); };
  const get = (target, key) => (key === 'then' && !thenable ? undefined : trap());
  return new Proxy({}, { get, has: trap, getPrototypeOf: trap, ownKeys: trap, getOwnPropertyDescriptor: trap });
}
export function brokenShim(kind) {
  switch (kind) {
    case 'undefined': return async () => undefined;
    case 'string': return async () => 'HTTP/1.1 200 OK';
    case 'status-string': return async () => ({ status: '200', body: '{}' });
    case 'status-range': return async () => ({ status: 1200, body: '{}' });
    case 'body-number': return async () => ({ status: 200, body: 42 });
    case 'body-missing': return async () => ({ status: 200 });
    case 'getter-throws': return async () => ({ status: 200, get body() { throw new Error('nope'); } });
    case 'proxy': return async () => hostile(false);
  }
}
export function isError(value) { return value instanceof Error; }
export function neverSettles() { return () => new Promise(() => {}); }
export function lateShim(ms, body) {
  return () => new Promise((resolve) => setTimeout(() => resolve({ status: 200, body }), ms));
}
export function flakyShim(statuses, body, calls) {
  return async () => { const status = statuses[calls.length] ?? 200; calls.push(status); return { status, body: status === 200 ? body : '' }; };
}
export function hugeShim() { return async () => ({ status: 200, body: 'x'.repeat(17 * 1024 * 1024) }); }
export function hugeMultibyteShim() { return async () => ({ status: 200, body: 'é'.repeat(9 * 1024 * 1024) }); }
export function nearLimitMultibyteShim() {
  const head = '{"data":[],"pagination":{"totalItems":0,"nextCursor":null},"pad":"';
  const pad = 'é'.repeat((16 * 1024 * 1024 - head.length - 2 - 8) / 2);
  return async () => ({ status: 200, body: head + pad + '"}' });
}
export function pagedShim(pages, failAt) {
  let calls = 0;
  return async (request) => {
    const i = calls++;
    if (i === failAt) return { status: 503, body: '' };
    const cursor = new URL(request.url).searchParams.get('cursor');
    const index = cursor === null ? 0 : Number(cursor.slice(1));
    return { status: 200, body: JSON.stringify({ data: pages[index], pagination: { totalItems: 4, nextCursor: index + 1 < pages.length ? `c${index + 1}` : null } }) };
  };
}
export function fleetPages() {
  const agent = (id, serial, extra) => ({ id, serialNumber: serial, isActive: true, isDecommissioned: false, isUninstalled: false, isPendingUninstall: false, infected: false, activeThreats: 0, threatRebootRequired: false, operationalState: 'na', lastActiveDate: '2024-05-15T18:25:00Z', ...extra });
  return [[agent('1', 'GOOD0001'), agent('2', 'BAD00001', { infected: true })], [agent('3', 'GOOD0002'), agent('4', null)]];
}
// A page without cross-origin isolation has no SharedArrayBuffer: there the shared case is plain.
const Shared = typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : ArrayBuffer;
export function bytesShim(text, kind) {
  const utf8 = new TextEncoder().encode(text);
  const withBom = () => { const b = new Uint8Array(utf8.length + 3); b.set([0xef, 0xbb, 0xbf]); b.set(utf8, 3); return b; };
  return async () => {
    switch (kind) {
      case 'uint8': return { status: 200, body: utf8.slice() };
      case 'buffer': return { status: 200, body: utf8.slice().buffer };
      case 'view': { const big = new Uint8Array(utf8.length + 10); big.set(utf8, 5); return { status: 200, body: new DataView(big.buffer, 5, utf8.length) }; }
      case 'bom': return { status: 200, body: withBom() };
      case 'reused': { const b = utf8.slice(); setTimeout(() => b.fill(0x41), 0); return { status: 200, body: b }; }
      case 'shared': { const b = new Uint8Array(new Shared(utf8.length)); b.set(utf8); return { status: 200, body: b }; }
    }
  };
}
export function invalidUtf8Shim(text) {
  // The text with a lone continuation byte and a truncated sequence spliced into its computerName.
  const utf8 = new TextEncoder().encode(text);
  const at = text.indexOf('HOST-') ;
  const bad = new Uint8Array(utf8.length + 2);
  bad.set(utf8.subarray(0, at));
  bad.set([0x80, 0xc3], at);
  bad.set(utf8.subarray(at), at + 2);
  return async () => ({ status: 200, body: bad });
}
export function longLatin1Shim(text) {
  // Over 64 KiB of characters up to U+00FF, some above U+007F: the driver's Latin-1 copy in Node.
  const every = Array.from({ length: 128 }, (_, i) => String.fromCharCode(128 + i)).join('');
  const page = JSON.parse(text);
  page.pad = `${every}${'é'.repeat(40000)}${'a'.repeat(40000)}ÿ`;
  const body = JSON.stringify(page);
  return async () => ({ status: 200, body });
}
export function hugeBytesShim() { return async () => ({ status: 200, body: new Uint8Array(17 * 1024 * 1024) }); }
export function progressLog(log) { return (p) => { log.push(p.page); if (p.page === 1) throw new Error('a broken progress callback'); }; }
export function delay(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = recordingShim)]
    fn recording_shim(status: u16, body: &str, log: &Array) -> Function;
    #[wasm_bindgen(js_name = syncShim)]
    fn sync_shim(status: u16, body: &str) -> Function;
    #[wasm_bindgen(js_name = shimWith429)]
    fn shim_with_429(seconds: &str, kind: &str) -> Function;
    #[wasm_bindgen(js_name = rejectingShim)]
    fn rejecting_shim(kind: &str) -> Function;
    #[wasm_bindgen(js_name = brokenShim)]
    fn broken_shim(kind: &str) -> Function;
    #[wasm_bindgen(js_name = isError)]
    fn is_error(value: &JsValue) -> bool;
    #[wasm_bindgen(js_name = neverSettles)]
    fn never_settles() -> Function;
    #[wasm_bindgen(js_name = lateShim)]
    fn late_shim(ms: u32, body: &str) -> Function;
    #[wasm_bindgen(js_name = flakyShim)]
    fn flaky_shim(statuses: &Array, body: &str, calls: &Array) -> Function;
    fn delay(ms: u32) -> Promise;
    #[wasm_bindgen(js_name = pagedShim)]
    fn paged_shim(pages: &JsValue, fail_at: i32) -> Function;
    #[wasm_bindgen(js_name = fleetPages)]
    fn fleet_pages() -> JsValue;
    #[wasm_bindgen(js_name = bytesShim)]
    fn bytes_shim(text: &str, kind: &str) -> Function;
    #[wasm_bindgen(js_name = invalidUtf8Shim)]
    fn invalid_utf8_shim(text: &str) -> Function;
    #[wasm_bindgen(js_name = longLatin1Shim)]
    fn long_latin1_shim(text: &str) -> Function;
    #[wasm_bindgen(js_name = hugeBytesShim)]
    fn huge_bytes_shim() -> Function;
    #[wasm_bindgen(js_name = progressLog)]
    fn progress_log(log: &Array) -> Function;
    #[wasm_bindgen(js_name = hugeShim)]
    fn huge_shim() -> Function;
    #[wasm_bindgen(js_name = hugeMultibyteShim)]
    fn huge_multibyte_shim() -> Function;
    #[wasm_bindgen(js_name = nearLimitMultibyteShim)]
    fn near_limit_multibyte_shim() -> Function;
}

fn obj(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON")
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).expect("property")
}

fn connection() -> JsValue {
    obj(&format!(r#"{{"baseUrl":"{BASE}","apiToken":"{TOKEN}"}}"#))
}

/// Options for one attempt: these cases test what one answer maps to; retries have their own cases.
fn options(fetch: &Function) -> JsValue {
    let o = Object::new();
    Reflect::set(&o, &"fetch".into(), fetch).unwrap();
    Reflect::set(&o, &"maxAttempts".into(), &1.into()).unwrap();
    o.into()
}

fn agents_body(agents: &[(&str, &str, bool, &str)]) -> String {
    let data: Vec<String> = agents
        .iter()
        .map(|(id, serial, decommissioned, last)| {
            format!(
                r#"{{"id":"{id}","serialNumber":"{serial}","isDecommissioned":{decommissioned},"isActive":"True","lastActiveDate":"{last}","osType":"macos","computerName":"HOST-{id}"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"data":[{}],"pagination":{{"totalItems":{},"nextCursor":null}}}}"#,
        data.join(","),
        agents.len()
    )
}

async fn lookup(serial: &str, fetch: &Function) -> Result<JsValue, JsValue> {
    get_agent_by_serial_number(
        connection(),
        obj(&format!(r#"{{"serialNumber":"{serial}"}}"#)),
        options(fetch),
    )
    .await
}

fn assert_no_token(value: &JsValue) {
    let text = if is_error(value) {
        format!(
            "{} {:?} {:?}",
            String::from(js_sys::Error::from(value.clone()).message()),
            get(value, "upstreamTitle").as_string(),
            get(value, "upstreamDetail").as_string()
        )
    } else {
        JSON::stringify(value).map(String::from).unwrap_or_default()
    };
    assert!(!text.contains(TOKEN), "token leaked: {text}");
}

async fn assert_still_serves_lookups() {
    let body = agents_body(&[("42", "C02XK1ABJG5J", false, "2024-05-15T18:23:11.000000Z")]);
    let out = lookup("C02XK1ABJG5J", &sync_shim(200, &body))
        .await
        .expect("lookup after a failure");
    assert_eq!(get(&out, "agentId").as_string().as_deref(), Some("42"));
}

async fn expect_error(result: Result<JsValue, JsValue>, code: &str) -> JsValue {
    let error = result.expect_err("expected a rejection");
    assert!(is_error(&error), "rejections are real Error objects");
    assert_eq!(
        get(&error, "name").as_string().as_deref(),
        Some("SentinelOneConnectorError")
    );
    assert_eq!(get(&error, "code").as_string().as_deref(), Some(code));
    assert_no_token(&error);
    assert_still_serves_lookups().await;
    error
}

#[wasm_bindgen_test]
async fn finds_the_exact_serial_and_sends_the_exact_request() {
    let log = Array::new();
    let body = agents_body(&[
        ("1", "C02XK1ABJG5JX", false, "2024-05-15T18:23:11Z"),
        ("2", "C02XK1ABJG5J", false, "2024-05-15T18:23:11Z"),
    ]);
    let out = get_agent_by_serial_number(
        connection(),
        obj(r#"{"serialNumber":"C02XK1ABJG5J"}"#),
        options(&recording_shim(200, &body, &log)),
    )
    .await
    .expect("lookup");
    assert_eq!(log.length(), 1, "exactly one request");
    let request = log.get(0);
    assert_eq!(get(&request, "method").as_string().as_deref(), Some("GET"));
    assert_eq!(
        get(&request, "url").as_string().as_deref(),
        Some("https://usea1-partners.sentinelone.net/web/api/v2.1/agents?serialNumber__contains=C02XK1ABJG5J&limit=1000")
    );
    let headers = get(&request, "headers");
    assert_eq!(
        get(&headers, "Authorization").as_string(),
        Some(format!("ApiToken {TOKEN}"))
    );
    assert!(get(&request, "body").is_undefined());

    assert_eq!(get(&out, "agentFound").as_bool(), Some(true));
    assert_eq!(get(&out, "agentId").as_string().as_deref(), Some("2"));
    assert_eq!(get(&out, "isActive").as_bool(), Some(true));
    assert_eq!(get(&out, "totalItems").as_f64(), Some(2.0));
    assert_eq!(get(&out, "matchCount").as_f64(), Some(1.0));
    assert!(
        get(&out, "uuid").is_null(),
        "missing fields are null, not undefined"
    );
    let raw = get(&out, "rawResponse");
    assert_eq!(
        JSON::stringify(&raw).unwrap(),
        JSON::stringify(&obj(&body)).unwrap()
    );
    assert_no_token(&out);
}

#[wasm_bindgen_test]
async fn hostile_serials_are_one_encoded_query_value() {
    let log = Array::new();
    let body = agents_body(&[]);
    let _ = lookup("AB&limit=1", &recording_shim(200, &body, &log))
        .await
        .unwrap();
    let _ = lookup("C02 X+Y#1", &recording_shim(200, &body, &log))
        .await
        .unwrap();
    let urls: Vec<String> = log
        .iter()
        .map(|r| get(&r, "url").as_string().unwrap())
        .collect();
    assert!(
        urls[0].ends_with("?serialNumber__contains=AB%26limit%3D1&limit=1000"),
        "{}",
        urls[0]
    );
    assert!(
        urls[1].ends_with("?serialNumber__contains=C02%20X%2BY%231&limit=1000"),
        "{}",
        urls[1]
    );
}

#[wasm_bindgen_test]
async fn not_found_and_duplicates() {
    let body = agents_body(&[("1", "C02XK1ABJG5JX", false, "2024-05-15T18:23:11Z")]);
    let out = lookup("C02XK1ABJG5J", &sync_shim(200, &body))
        .await
        .unwrap();
    assert_eq!(get(&out, "agentFound").as_bool(), Some(false));
    assert!(get(&out, "agentId").is_null());
    assert_eq!(get(&out, "totalItems").as_f64(), Some(1.0));

    let body = agents_body(&[
        ("100", "5Q4Q7Y1", true, "2024-06-01T00:00:00Z"),
        ("200", "5Q4Q7Y1", false, "2024-05-01T00:00:00.000000"),
        ("300", "5Q4Q7Y1", false, "2024-05-02T00:00:00.000000Z"),
    ]);
    let out = lookup("5Q4Q7Y1", &sync_shim(200, &body)).await.unwrap();
    assert_eq!(get(&out, "agentId").as_string().as_deref(), Some("300"));
    assert_eq!(get(&out, "matchCount").as_f64(), Some(3.0));
}

#[wasm_bindgen_test]
async fn upstream_statuses_reject_with_coded_errors() {
    let envelope = r#"{"errors":[{"code":4010010,"detail":null,"title":"Authentication Failed"}]}"#;
    let error = expect_error(
        lookup("C02XK1ABJG5J", &sync_shim(401, envelope)).await,
        "UNAUTHORIZED",
    )
    .await;
    assert_eq!(get(&error, "status").as_f64(), Some(401.0));
    assert_eq!(get(&error, "retryable").as_bool(), Some(false));
    assert_eq!(get(&error, "upstreamCode").as_f64(), Some(4010010.0));
    assert_eq!(
        get(&error, "upstreamTitle").as_string().as_deref(),
        Some("Authentication Failed")
    );
    assert!(get(&error, "retryAfterMs").is_null());

    expect_error(
        lookup("C02XK1ABJG5J", &sync_shim(403, "{}")).await,
        "FORBIDDEN",
    )
    .await;
    // Retry-After is found in a Map, a Headers and a plain object, whatever the name's case.
    for kind in ["map", "headers", "object"] {
        let error = expect_error(
            lookup("C02XK1ABJG5J", &shim_with_429("7", kind)).await,
            "RATE_LIMITED",
        )
        .await;
        assert_eq!(get(&error, "retryAfterMs").as_f64(), Some(7000.0), "{kind}");
        assert_eq!(get(&error, "retryable").as_bool(), Some(true));
    }
    expect_error(
        lookup("C02XK1ABJG5J", &sync_shim(503, "<html>")).await,
        "UPSTREAM_UNAVAILABLE",
    )
    .await;
    expect_error(
        lookup("C02XK1ABJG5J", &sync_shim(404, "")).await,
        "UPSTREAM_ERROR",
    )
    .await;
    let malformed = expect_error(
        lookup("C02XK1ABJG5J", &sync_shim(200, "<html>login</html>")).await,
        "MALFORMED_RESPONSE",
    )
    .await;
    assert_eq!(get(&malformed, "status").as_f64(), Some(200.0));
    expect_error(
        lookup("C02XK1ABJG5J", &sync_shim(200, r#"{"data":[["x"]]}"#)).await,
        "MALFORMED_RESPONSE",
    )
    .await;
}

#[wasm_bindgen_test]
async fn misbehaving_shims_are_classified_never_a_trap() {
    for kind in [
        "error",
        "string",
        "undefined",
        "object",
        "throws",
        "throws-null",
        "proxy",
    ] {
        let error = expect_error(
            lookup("C02XK1ABJG5J", &rejecting_shim(kind)).await,
            "NETWORK",
        )
        .await;
        assert!(get(&error, "status").is_null(), "{kind}");
        assert_eq!(get(&error, "retryable").as_bool(), Some(true));
    }
    for kind in [
        "undefined",
        "string",
        "status-string",
        "status-range",
        "body-number",
        "body-missing",
        "getter-throws",
        "proxy",
    ] {
        expect_error(
            lookup("C02XK1ABJG5J", &broken_shim(kind)).await,
            "SHIM_CONTRACT",
        )
        .await;
    }
}

#[wasm_bindgen_test]
async fn bad_arguments_are_coded() {
    let fetch = sync_shim(200, &agents_body(&[]));
    let r = get_agent_by_serial_number(
        JsValue::UNDEFINED,
        obj(r#"{"serialNumber":"C02"}"#),
        options(&fetch),
    )
    .await;
    expect_error(r, "INVALID_CONNECTION").await;
    let r = get_agent_by_serial_number(
        obj(r#"{"baseUrl":"ftp://x","apiToken":"wasm-test-token-8d7c6b5a4f3e2d1c"}"#),
        obj("{}"),
        options(&fetch),
    )
    .await;
    expect_error(r, "INVALID_CONNECTION").await;
    let r = get_agent_by_serial_number(connection(), JsValue::NULL, options(&fetch)).await;
    expect_error(r, "INVALID_INPUT").await;
    let r = get_agent_by_serial_number(
        connection(),
        obj(r#"{"serialNumber":"Default string"}"#),
        options(&fetch),
    )
    .await;
    expect_error(r, "INVALID_INPUT").await;
    let r = get_agent_by_serial_number(
        connection(),
        obj(r#"{"serialNumber":"C02XK1ABJG5J"}"#),
        obj(r#"{"fetch":"not a function"}"#),
    )
    .await;
    expect_error(r, "INVALID_INPUT").await;
    let r = get_agent_by_serial_number(
        connection(),
        obj(r#"{"serialNumber":"C02XK1ABJG5J"}"#),
        JsValue::from_str("options"),
    )
    .await;
    expect_error(r, "INVALID_INPUT").await;
}

#[wasm_bindgen_test]
async fn invoke_dispatches_by_capability_name() {
    let body = agents_body(&[("9", "FS6V1B3", false, "2023-03-17T10:27:24.654796Z")]);
    let request = Object::new();
    Reflect::set(&request, &"connection".into(), &connection()).unwrap();
    Reflect::set(
        &request,
        &"input".into(),
        &obj(r#"{"serialNumber":"FS6V1B3"}"#),
    )
    .unwrap();
    let out = invoke(
        "getAgentBySerialNumber".into(),
        request.clone().into(),
        options(&sync_shim(200, &body)),
    )
    .await
    .unwrap();
    assert_eq!(get(&out, "agentId").as_string().as_deref(), Some("9"));

    let r = invoke(
        "deleteAllAgents".into(),
        request.clone().into(),
        options(&sync_shim(200, &body)),
    )
    .await;
    let error = expect_error(r, "UNKNOWN_CAPABILITY").await;
    assert!(String::from(js_sys::Error::from(error).message()).contains("deleteAllAgents"));
    let r = invoke(JsValue::from_f64(3.0), request.into(), JsValue::UNDEFINED).await;
    expect_error(r, "UNKNOWN_CAPABILITY").await;
    let r = invoke(
        "getAgentBySerialNumber".into(),
        JsValue::NULL,
        JsValue::UNDEFINED,
    )
    .await;
    expect_error(r, "INVALID_CONNECTION").await;
}

#[wasm_bindgen_test]
fn exports_the_manifest_and_schemas() {
    let m = manifest().unwrap();
    // Expanded from its embedded form (repeated schemas stored once), it is the resolved manifest.
    let text = JSON::stringify(&m).unwrap().as_string().unwrap();
    let expanded: serde_json::Value = serde_json::from_str(&text).unwrap();
    let resolved: serde_json::Value =
        serde_json::from_str(sentinelone_connector::schema::MANIFEST_JSON).unwrap();
    assert_eq!(expanded, resolved);
    assert_eq!(
        get(&m, "id").as_string().as_deref(),
        Some("sentinelOneConnector")
    );
    let cap = get(&get(&m, "capabilities"), "getAgentBySerialNumber");
    assert_eq!(
        get(&cap, "title").as_string().as_deref(),
        Some("Get Agent by Serial Number")
    );
    let input = input_schema("getAgentBySerialNumber".into()).unwrap();
    assert_eq!(
        JSON::stringify(&get(&input, "required")).unwrap(),
        "[\"serialNumber\"]"
    );
    let output = output_schema("getAgentBySerialNumber".into()).unwrap();
    assert!(get(&get(&output, "properties"), "matchCount").is_object());
    let error = input_schema("nope".into()).unwrap_err();
    assert_eq!(
        get(&error, "code").as_string().as_deref(),
        Some("UNKNOWN_CAPABILITY")
    );
    // Each call returns a fresh object: a host mutating it cannot corrupt the next caller's copy.
    Reflect::set(&m, &"id".into(), &"mutated".into()).unwrap();
    assert_eq!(
        get(&manifest().unwrap(), "id").as_string().as_deref(),
        Some("sentinelOneConnector")
    );
}

#[wasm_bindgen_test]
async fn a_pending_promise_adopts_foreign_thenables() {
    // A shim returning a thenable that is not a native Promise still works.
    let body = agents_body(&[("5", "THEN0001", false, "2024-01-01T00:00:00Z")]);
    let thenable = Function::new_with_args(
        "req",
        &format!(
            "return {{ then(resolve) {{ resolve({{ status: 200, body: {} }}); }} }};",
            JSON::stringify(&JsValue::from_str(&body)).unwrap()
        ),
    );
    let out = lookup("THEN0001", &thenable).await.unwrap();
    assert_eq!(get(&out, "agentId").as_string().as_deref(), Some("5"));
    let _ = JsFuture::from(Promise::resolve(&JsValue::NULL)).await;
}

fn with_options(fetch: &Function, json: &str) -> JsValue {
    let o = obj(json);
    Reflect::set(&o, &"fetch".into(), fetch).unwrap();
    o
}

#[wasm_bindgen_test]
async fn a_shim_that_never_settles_ends_in_timeout_at_the_deadline() {
    let started = js_sys::Date::now();
    let r = get_agent_by_serial_number(
        connection(),
        obj(r#"{"serialNumber":"C02XK1ABJG5J"}"#),
        with_options(&never_settles(), r#"{"timeoutMs":60}"#),
    )
    .await;
    let error = expect_error(r, "TIMEOUT").await;
    assert_eq!(get(&error, "retryable").as_bool(), Some(true));
    assert!(
        js_sys::Date::now() - started >= 55.0,
        "not before the deadline"
    );
}

#[wasm_bindgen_test]
async fn a_late_answer_after_the_deadline_is_ignored_safely() {
    let body = agents_body(&[("1", "C02XK1ABJG5J", false, "2024-01-01T00:00:00Z")]);
    let r = get_agent_by_serial_number(
        connection(),
        obj(r#"{"serialNumber":"C02XK1ABJG5J"}"#),
        with_options(
            &late_shim(120, &body),
            r#"{"timeoutMs":30,"maxAttempts":1}"#,
        ),
    )
    .await;
    expect_error(r, "TIMEOUT").await;
    // Let the late answer arrive; the instance must neither trap nor throw, and keep serving.
    JsFuture::from(delay(200)).await.unwrap();
    assert_still_serves_lookups().await;
}

#[wasm_bindgen_test]
async fn transient_statuses_are_retried_within_max_attempts() {
    let body = agents_body(&[("1", "C02XK1ABJG5J", false, "2024-01-01T00:00:00Z")]);
    let calls = Array::new();
    let statuses = Array::of2(&503.into(), &502.into());
    let out = get_agent_by_serial_number(
        connection(),
        obj(r#"{"serialNumber":"C02XK1ABJG5J"}"#),
        with_options(
            &flaky_shim(&statuses, &body, &calls),
            r#"{"maxAttempts":3}"#,
        ),
    )
    .await
    .unwrap();
    assert_eq!(get(&out, "agentId").as_string().as_deref(), Some("1"));
    assert_eq!(calls.length(), 3);

    let calls = Array::new();
    let r = get_agent_by_serial_number(
        connection(),
        obj(r#"{"serialNumber":"C02XK1ABJG5J"}"#),
        with_options(
            &flaky_shim(&statuses, &body, &calls),
            r#"{"maxAttempts":1}"#,
        ),
    )
    .await;
    expect_error(r, "UPSTREAM_UNAVAILABLE").await;
    assert_eq!(calls.length(), 1);
}

#[wasm_bindgen_test]
async fn bad_options_are_invalid_input() {
    let fetch = sync_shim(200, &agents_body(&[]));
    for json in [
        r#"{"timeoutMs":0}"#,
        r#"{"timeoutMs":"fast"}"#,
        r#"{"maxAttempts":0}"#,
        r#"{"maxAttempts":1.5}"#,
    ] {
        let r = get_agent_by_serial_number(
            connection(),
            obj(r#"{"serialNumber":"C02XK1ABJG5J"}"#),
            with_options(&fetch, json),
        )
        .await;
        expect_error(r, "INVALID_INPUT").await;
    }
}

#[wasm_bindgen_test]
async fn an_oversized_body_is_refused_before_it_is_copied() {
    for (shim, unit) in [(huge_shim(), "characters"), (huge_bytes_shim(), "bytes")] {
        let error = expect_error(lookup("C02XK1ABJG5J", &shim).await, "RESPONSE_TOO_LARGE").await;
        assert_eq!(get(&error, "retryable").as_bool(), Some(false));
        let message = get(&error, "message").as_string().unwrap_or_default();
        assert!(message.contains(&format!("{unit}; at most")), "{message}");
    }
    assert_still_serves_lookups().await;
}

#[wasm_bindgen_test]
async fn a_body_within_the_limit_in_characters_but_over_it_in_bytes_is_refused() {
    // 9 Mi two-byte characters: under the 16 MiB limit as a JS length, 18 MiB as UTF-8.
    let r = lookup("C02XK1ABJG5J", &huge_multibyte_shim()).await;
    let error = expect_error(r, "RESPONSE_TOO_LARGE").await;
    let message = get(&error, "message").as_string().unwrap_or_default();
    assert!(message.contains("bytes as UTF-8"), "{message}");
    // 8 bytes under the limit as UTF-8 (half of it the first pass cannot hold): read in full.
    let out = lookup("C02XK1ABJG5J", &near_limit_multibyte_shim())
        .await
        .expect("a body under the limit is accepted");
    assert_eq!(get(&out, "agentFound").as_bool(), Some(false));
    assert_eq!(get(&out, "statusCode").as_f64(), Some(200.0));
}

#[wasm_bindgen_test]
async fn a_body_given_as_utf8_bytes_is_read_as_its_text() {
    let body = agents_body(&[("42", "C02XK1ABJG5J", false, "2024-05-15T18:23:11.000000Z")])
        .replace("HOST-42", "JÜRGEN-山田-😀");
    for kind in ["uint8", "buffer", "view", "bom", "reused", "shared"] {
        let out = lookup("C02XK1ABJG5J", &bytes_shim(&body, kind))
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e:?}"));
        assert_eq!(
            get(&out, "agentId").as_string().as_deref(),
            Some("42"),
            "{kind}"
        );
        assert_eq!(
            get(&out, "computerName").as_string().as_deref(),
            Some("JÜRGEN-山田-😀"),
            "{kind}"
        );
        // rawResponse is the body as the core read it, decoded only when read, even when the host
        // reuses its buffer right after answering ("reused" fills it with "A"s).
        JsFuture::from(delay(5)).await.unwrap();
        let raw = get(&out, "rawResponse");
        assert_eq!(
            JSON::stringify(&raw).map(String::from).ok(),
            JSON::stringify(&obj(&body)).map(String::from).ok(),
            "{kind}"
        );
    }
}

#[wasm_bindgen_test]
async fn a_long_latin1_text_reads_the_same_as_through_the_encoder() {
    // The name the core reads holds every character from U+0080 to U+00FF.
    let every: String = (128u32..256).filter_map(char::from_u32).collect();
    let name = format!("JÜRGEN-{every}-MÜLLER");
    let body = agents_body(&[("42", "C02XK1ABJG5J", false, "2024-05-15T18:23:11.000000Z")])
        .replace("HOST-42", &name);
    let out = lookup("C02XK1ABJG5J", &long_latin1_shim(&body))
        .await
        .expect("a long Latin-1 page");
    assert_eq!(get(&out, "agentId").as_string().as_deref(), Some("42"));
    assert_eq!(get(&out, "computerName").as_string(), Some(name));
    let pad = get(&get(&out, "rawResponse"), "pad")
        .as_string()
        .unwrap_or_default();
    assert!(
        pad.starts_with(&every) && pad.ends_with("aÿ"),
        "{}",
        pad.len()
    );
}

#[wasm_bindgen_test]
async fn bytes_that_are_not_utf8_read_as_response_text_would_decode_them() {
    let body = agents_body(&[("42", "C02XK1ABJG5J", false, "2024-05-15T18:23:11.000000Z")]);
    let out = lookup("C02XK1ABJG5J", &invalid_utf8_shim(&body))
        .await
        .expect("read leniently, as text() would");
    // Each invalid sequence becomes one U+FFFD, as TextDecoder and response.text() decode it.
    assert_eq!(
        get(&out, "computerName").as_string().as_deref(),
        Some("\u{fffd}\u{fffd}HOST-42")
    );
    let raw = get(&out, "rawResponse");
    assert_eq!(
        get(&get(&raw, "pagination"), "totalItems").as_f64(),
        Some(1.0)
    );
}

#[wasm_bindgen_test]
async fn a_token_echoed_in_a_bytes_body_never_reaches_raw_response() {
    // The console echoes the token in a field the core does not read and in one it does.
    let body = agents_body(&[("42", "C02XK1ABJG5J", false, "2024-05-15T18:23:11.000000Z")])
        .replace("HOST-42", &format!("HOST-{TOKEN}"))
        .replace(
            r#""pagination":"#,
            &format!(r#""echo":"ApiToken {TOKEN}","pagination":"#),
        );
    for kind in ["uint8", "bom"] {
        let out = lookup("C02XK1ABJG5J", &bytes_shim(&body, kind))
            .await
            .expect("a lookup");
        assert_eq!(get(&out, "agentId").as_string().as_deref(), Some("42"));
        let raw = get(&out, "rawResponse");
        assert_eq!(
            get(&raw, "echo").as_string().as_deref(),
            Some("ApiToken [REDACTED]"),
            "{kind}"
        );
        assert_no_token(&out);
    }
}

/// A healthy agent's page; `infected` and `threats` are JSON values as the console would write them.
fn healthy_agent_body(serial: &str, infected: &str, threats: &str) -> String {
    format!(
        r#"{{"data":[{{"id":"1","serialNumber":"{serial}","isActive":true,"isDecommissioned":false,"isUninstalled":false,"isPendingUninstall":false,"infected":{infected},"activeThreats":{threats},"threatRebootRequired":false,"operationalState":"na","lastActiveDate":"2024-05-15T18:25:00.000000","networkStatus":"connected","osType":"macos","agentVersion":"23.4.2.14"}}],"pagination":{{"totalItems":1,"nextCursor":null}}}}"#
    )
}

async fn trust(serial: &str, body: &str, extra_options: &str) -> Result<JsValue, JsValue> {
    let options = with_options(
        &sync_shim(200, body),
        &format!(r#"{{"now":"2024-05-15T18:30:00Z","maxAttempts":1{extra_options}}}"#),
    );
    evaluate_device_trust(
        connection(),
        obj(&format!(r#"{{"serialNumber":"{serial}"}}"#)),
        options,
    )
    .await
}

#[wasm_bindgen_test]
async fn evaluate_device_trust_returns_a_verdict_with_reasons() {
    let out = trust(
        "C02XK1ABJG5J",
        &healthy_agent_body("C02XK1ABJG5J", "false", "0"),
        "",
    )
    .await
    .unwrap();
    assert_eq!(get(&out, "trusted").as_bool(), Some(true));
    assert_eq!(Array::from(&get(&out, "checks")).length(), 14);
    assert_eq!(
        get(&out, "evaluatedAt").as_string().as_deref(),
        Some("2024-05-15T18:30:00.000Z")
    );
    assert!(get(&out, "rawResponse").is_object());

    let out = trust(
        "C02XK1ABJG5J",
        &healthy_agent_body("C02XK1ABJG5J", r#""True""#, r#""2""#),
        "",
    )
    .await
    .unwrap();
    assert_eq!(get(&out, "trusted").as_bool(), Some(false));
    let reasons = Array::from(&get(&out, "reasons"));
    let rules: Vec<String> = reasons
        .iter()
        .map(|r| get(&r, "rule").as_string().unwrap())
        .collect();
    assert_eq!(rules, ["infected", "activeThreats"]);
    assert!(get(&reasons.get(0), "remediation")
        .as_string()
        .unwrap()
        .contains("IT security"));

    // options.now as a number, and the stale rule.
    let options = with_options(
        &sync_shim(200, &healthy_agent_body("C02XK1ABJG5J", "false", "0")),
        r#"{"now":1715804400000,"maxAttempts":1}"#,
    );
    let out = evaluate_device_trust(
        connection(),
        obj(r#"{"serialNumber":"C02XK1ABJG5J"}"#),
        options,
    )
    .await
    .unwrap();
    let reasons = Array::from(&get(&out, "reasons"));
    assert_eq!(
        get(&reasons.get(0), "rule").as_string().as_deref(),
        Some("lastActive")
    );
}

#[wasm_bindgen_test]
async fn evaluate_device_trust_fails_closed_and_rejects_upstream_failures() {
    let r = evaluate_device_trust(
        connection(),
        obj(r#"{"serialNumber":"To be filled by O.E.M."}"#),
        with_options(&rejecting_shim("error"), r#"{"maxAttempts":1}"#),
    )
    .await
    .unwrap();
    assert_eq!(get(&r, "trusted").as_bool(), Some(false));
    assert!(
        get(&r, "rawResponse").is_null(),
        "no request for a placeholder"
    );
    assert!(get(&r, "statusCode").is_null());

    let r = evaluate_device_trust(
        connection(),
        obj(r#"{"serialNumber":"C02XK1ABJG5J"}"#),
        options(&sync_shim(401, "{}")),
    )
    .await;
    expect_error(r, "UNAUTHORIZED").await;
    let r = evaluate_device_trust(
        connection(),
        obj(r#"{"serialNumber":"C02XK1ABJG5J","rules":{"maxInactiveMinute":5}}"#),
        options(&sync_shim(200, "{}")),
    )
    .await;
    expect_error(r, "INVALID_INPUT").await;
    let r = trust(
        "C02XK1ABJG5J",
        &healthy_agent_body("C02XK1ABJG5J", "false", "0"),
        r#","now":"tomorrow""#,
    )
    .await;
    expect_error(r, "INVALID_INPUT").await;
}

#[wasm_bindgen_test]
async fn test_connection_returns_failures_as_data() {
    let out = test_connection(
        connection(),
        obj("{}"),
        options(&sync_shim(
            401,
            r#"{"errors":[{"code":4010010,"title":"Authentication Failed"}]}"#,
        )),
    )
    .await
    .unwrap();
    assert_eq!(get(&out, "ok").as_bool(), Some(false));
    let error = get(&out, "error");
    assert_eq!(
        get(&error, "code").as_string().as_deref(),
        Some("UNAUTHORIZED")
    );
    assert_no_token(&out);

    let out = test_connection(JsValue::NULL, JsValue::UNDEFINED, JsValue::UNDEFINED)
        .await
        .unwrap();
    assert_eq!(
        get(&get(&out, "error"), "code").as_string().as_deref(),
        Some("INVALID_CONNECTION")
    );

    let out = test_connection(
        connection(),
        JsValue::UNDEFINED,
        options(&sync_shim(
            200,
            r#"{"data":[],"pagination":{"totalItems":12}}"#,
        )),
    )
    .await
    .unwrap();
    assert_eq!(get(&out, "ok").as_bool(), Some(true));
    assert_eq!(get(&out, "agentCount").as_f64(), Some(12.0));
    // The shim answers the token-details POST with the same body: no expiresAt, so a warning.
    let warnings = Array::from(&get(&out, "warnings"));
    assert!(warnings.iter().any(|w| w
        .as_string()
        .unwrap()
        .contains("did not report when the token expires")));
}

#[wasm_bindgen_test]
async fn sync_agents_builds_a_snapshot_that_check_serial_answers_from() {
    let log = Array::new();
    let options = with_options(
        &paged_shim(&fleet_pages(), -1),
        r#"{"now":"2024-05-15T18:30:00Z"}"#,
    );
    Reflect::set(&options, &"onProgress".into(), &progress_log(&log)).unwrap();
    let snapshot = sync_agents(connection(), obj("{}"), options).await.unwrap();
    assert_eq!(
        log.length(),
        2,
        "progress after each page, even when the callback throws"
    );
    assert_eq!(get(&snapshot, "complete").as_bool(), Some(true));
    let summary = get(&snapshot, "summary");
    assert_eq!(get(&summary, "agentsSeen").as_f64(), Some(4.0));
    assert_eq!(get(&summary, "nullSerials").as_f64(), Some(1.0));
    assert_eq!(get(&summary, "requests").as_f64(), Some(2.0));
    assert_no_token(&snapshot);

    let at = |minutes: f64| {
        obj(&format!(
            r#"{{"now":{}}}"#,
            1_715_797_800_000.0 + minutes * 60_000.0
        ))
    };
    let good = check_serial(snapshot.clone(), "GOOD0001".into(), at(10.0)).unwrap();
    assert_eq!(get(&good, "trusted").as_bool(), Some(true));
    let bad = check_serial(snapshot.clone(), "BAD00001".into(), at(10.0)).unwrap();
    let rule = get(&Array::from(&get(&bad, "reasons")).get(0), "rule");
    assert_eq!(rule.as_string().as_deref(), Some("infected"));
    let missing = check_serial(snapshot.clone(), "toString".into(), at(10.0)).unwrap();
    assert_eq!(
        get(&missing, "trusted").as_bool(),
        Some(false),
        "prototype keys are not serials"
    );
    let proto = check_serial(snapshot.clone(), "__proto__".into(), at(10.0)).unwrap();
    assert_eq!(get(&proto, "trusted").as_bool(), Some(false));
    // A head that is not a snapshot's, and an entry that is not an entry, are said as such.
    let message = |error: JsValue| get(&error, "message").as_string().unwrap_or_default();
    let headless = check_serial(obj(r#"{"serials":{}}"#), "GOOD0001".into(), at(10.0));
    let headless = message(headless.unwrap_err());
    assert!(headless.contains("syncAgents snapshot"), "{headless}");
    let broken = js_sys::JSON::parse(
        &js_sys::JSON::stringify(&snapshot)
            .unwrap()
            .as_string()
            .unwrap(),
    )
    .unwrap();
    Reflect::set(
        &get(&broken, "serials"),
        &"GOOD0001".into(),
        &JsValue::from(5),
    )
    .unwrap();
    let broken_entry = check_serial(broken.clone(), "GOOD0001".into(), at(10.0));
    assert!(message(broken_entry.unwrap_err()).contains("is not a syncAgents entry"));
    let other = check_serial(broken, "BAD00001".into(), at(10.0)).unwrap();
    assert_eq!(
        get(&other, "trusted").as_bool(),
        Some(false),
        "other entries still read"
    );
    let stale = check_serial(snapshot.clone(), "GOOD0001".into(), at(90.0)).unwrap();
    let rule = get(&Array::from(&get(&stale, "reasons")).get(0), "rule");
    assert_eq!(rule.as_string().as_deref(), Some("snapshot"));
    let error = check_serial(JsValue::NULL, "GOOD0001".into(), JsValue::UNDEFINED).unwrap_err();
    assert_eq!(
        get(&error, "code").as_string().as_deref(),
        Some("INVALID_INPUT")
    );
}

#[wasm_bindgen_test]
async fn a_failed_sync_rejects_with_a_partial_snapshot_to_resume_from() {
    let options = with_options(&paged_shim(&fleet_pages(), 1), r#"{"maxAttempts":1}"#);
    let error = sync_agents(connection(), obj("{}"), options)
        .await
        .unwrap_err();
    assert_eq!(
        get(&error, "code").as_string().as_deref(),
        Some("UPSTREAM_UNAVAILABLE")
    );
    let partial = get(&error, "partial");
    assert_eq!(get(&partial, "complete").as_bool(), Some(false));
    assert_eq!(
        get(&partial, "resumeCursor").as_string().as_deref(),
        Some("c1")
    );

    let input = Object::new();
    Reflect::set(&input, &"resumeFrom".into(), &partial).unwrap();
    let request = Object::new();
    Reflect::set(&request, &"connection".into(), &connection()).unwrap();
    Reflect::set(&request, &"input".into(), &input).unwrap();
    let resumed = invoke(
        "syncAgents".into(),
        request.into(),
        options_for(&paged_shim(&fleet_pages(), -1)),
    )
    .await
    .unwrap();
    assert_eq!(get(&resumed, "complete").as_bool(), Some(true));
    assert_eq!(
        get(&get(&resumed, "summary"), "agentsSeen").as_f64(),
        Some(4.0)
    );
}

fn options_for(fetch: &Function) -> JsValue {
    with_options(fetch, "{}")
}

/// Bytes of WebAssembly memory the module has.
fn memory_bytes() -> u32 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    memory
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length()
}

/// What a sync does to the heap, page after page: a large body and a large list of agents, freed at
/// the end of the page, and small entries kept for good.
#[wasm_bindgen_test]
fn large_buffers_freed_between_small_long_lived_ones_are_reused() {
    let mut kept: Vec<String> = Vec::new();
    let mut page = |n: usize| {
        // Pages differ in size a little, as real ones do: a body never fits the last one's room exactly.
        let mut body = vec![0u8; (2 << 20) + n * 4096];
        body[n] = 1;
        let mut agents: Vec<[u8; 600]> = Vec::new();
        for _ in 0..1000 {
            agents.push([1; 600]);
            kept.push(format!("serial-{n}-{}", kept.len()));
        }
        assert_eq!(body[n] + agents[999][599], 2);
    };
    for n in 0..5 {
        page(n);
    }
    let before = memory_bytes();
    for n in 5..45 {
        page(n);
    }
    // 40 pages keep 40,000 short strings (under 2 MiB with their list); each page used ~3 MiB more.
    let grown = memory_bytes() - before;
    assert!(grown < 6 << 20, "memory grew {} KiB", grown >> 10);
    assert_eq!(kept.len(), 45_000);
}

/// A buffer that grows past the large-allocation size, or shrinks below it, keeps its bytes.
#[wasm_bindgen_test]
fn a_buffer_keeps_its_bytes_when_it_moves_between_heaps() {
    let mut bytes: Vec<u8> = Vec::new();
    for i in 0..300_000u32 {
        bytes.push((i % 251) as u8);
    }
    bytes.truncate(1000);
    bytes.shrink_to_fit();
    assert!(bytes.capacity() < 64 * 1024);
    assert!(bytes.iter().enumerate().all(|(i, &b)| b == (i % 251) as u8));
    let mut text = String::with_capacity(100);
    text.push_str("kept");
    text.reserve(1 << 20);
    assert_eq!(text, "kept");
}

/// How many copies of `text` the module's memory holds (`text` itself is JS's, not in that memory).
/// Only its middle is looked for: talc writes its own records over the ends of a chunk it frees.
fn copies_in_memory(text: &JsValue) -> u32 {
    let text = js_sys::JsString::from(text.clone());
    let middle = text.slice(24, text.length() - 24);
    occurrences_of_js(&wasm_bindgen::memory(), &middle)
}

#[wasm_bindgen(inline_js = r#"
export function occurrencesOfJs(memory, text) {
  const bytes = new Uint8Array(memory.buffer);
  const needle = new TextEncoder().encode(text);
  let count = 0;
  for (let at = bytes.indexOf(needle[0]); at !== -1; at = bytes.indexOf(needle[0], at + 1)) {
    let i = 1;
    while (i < needle.length && bytes[at + i] === needle[i]) i++;
    if (i === needle.length) count++;
  }
  return count;
}
export function freshSecretJs() {
  return Array.from({ length: 8 }, (_, i) => `${i}-${Math.random().toString(36).slice(2, 12)}`).join('.');
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = occurrencesOfJs)]
    fn occurrences_of_js(memory: &JsValue, text: &js_sys::JsString) -> u32;
    #[wasm_bindgen(js_name = freshSecretJs)]
    fn fresh_secret_js() -> JsValue;
}

/// Freed memory keeps no copy of what it held (a call's token, above all): not when a buffer is
/// dropped, nor the tail a shrink gives back, nor the old room of a buffer that grew and moved, in
/// either heap or between them.
#[wasm_bindgen_test]
fn freed_memory_keeps_no_copy_of_what_it_held() {
    let secret = fresh_secret_js();
    assert_eq!(copies_in_memory(&secret), 0);

    let text = secret.as_string().unwrap();
    assert_eq!(copies_in_memory(&secret), 1);
    drop(text);
    assert_eq!(copies_in_memory(&secret), 0, "a dropped buffer");

    // The secret in the tail a buffer gives back when it shrinks in place: that tail is zeroed.
    let mut bytes = b"kept ".repeat(100);
    bytes.extend_from_slice(secret.as_string().unwrap().as_bytes());
    bytes.extend_from_slice(&[b'.'; 500]);
    let at = bytes.as_ptr();
    assert_eq!(copies_in_memory(&secret), 1, "a buffer about to shrink");
    bytes.truncate(100);
    bytes.shrink_to_fit();
    assert_eq!(bytes.as_ptr(), at);
    assert_eq!(copies_in_memory(&secret), 0, "a shrunk buffer's tail");

    // A small buffer that must move to grow (the next allocation sits right after it), in the small
    // heap, then into the large one, then back: only the live copy is ever left.
    let mut moving = secret.as_string().unwrap().into_bytes();
    let mut neighbours = Vec::new();
    let mut moved = false;
    for _ in 0..64 {
        neighbours.push(Box::new([1u8; 48]));
        let at = moving.as_ptr();
        moving.reserve_exact(moving.capacity() - moving.len() + 64);
        moved |= moving.as_ptr() != at;
        assert_eq!(
            copies_in_memory(&secret),
            1,
            "a buffer grown in the small heap"
        );
    }
    assert!(moved, "no growth in the small heap had to move");
    let at = moving.as_ptr();
    moving.reserve(256 * 1024);
    assert_ne!(moving.as_ptr(), at);
    assert_eq!(
        copies_in_memory(&secret),
        1,
        "a buffer moved to the large heap"
    );
    moving.shrink_to_fit();
    assert!(moving.capacity() < 64 * 1024);
    assert_eq!(
        copies_in_memory(&secret),
        1,
        "a buffer moved back to the small heap"
    );
    drop(moving);
    drop(neighbours);
    assert_eq!(copies_in_memory(&secret), 0);
}
