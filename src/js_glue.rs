//! The JavaScript side of the boundary: the host fetch shim and the platform fetch as transports,
//! decoding arguments and encoding outputs and coded errors. Only `lib.rs` calls into this file.

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::capability::{self, Capability, CapabilityOutput};
use crate::connection::ConnectionProperties;
use crate::error::ConnectorError;
use crate::health::HealthOutput;
use crate::options::CallOptions;
use crate::redact::redact;
use crate::response::MAX_BODY_BYTES;
use crate::runtime::Runtime;
use crate::schema::MANIFEST_JSON;
use crate::transport::{HttpRequest, HttpResponse, Transport, TransportError};

/// The name every connector error carries in JavaScript.
const ERROR_NAME: &str = "SentinelOneConnectorError";

/// Runs `capability` for a JS caller and settles with a plain output object or a coded `Error`.
pub async fn run(
    capability: Result<Capability, ConnectorError>,
    connection: JsValue,
    input: JsValue,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let connection = decode_connection(&connection);
    let token = connection
        .as_ref()
        .ok()
        .and_then(|c| c.api_token.as_ref())
        .and_then(|t| t.as_str())
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty());
    let is_health_check = matches!(capability, Ok(Capability::TestConnection));
    let outcome = async {
        let capability = capability?;
        let connection = connection?;
        let input = to_json_value(&input)
            .map_err(|_| ConnectorError::InvalidInput("input must be a JSON object".into()))?;
        let fetch = option_fn(&options, "fetch")?;
        let call_options = decode_options(&options, default_timeout(capability))?;
        let runtime = HostRuntime;
        let transport = HostTransport::new(fetch);
        capability::invoke(
            &transport,
            &runtime,
            capability,
            &connection,
            &input,
            call_options,
        )
        .await
    }
    .await;
    match outcome {
        Ok(output) => encode_output(output),
        // A health check reports even the arguments it could not read; it never throws.
        Err(error) if is_health_check => {
            let error = match &token {
                Some(token) => error.redacted(token),
                None => error,
            };
            encode_output(CapabilityOutput::Health(HealthOutput::failed(&error, None)))
        }
        Err(error) => Err(error_to_js(&error, token.as_deref())),
    }
}

/// The generic entry: `invoke(capability, { connection, input }, options)`.
pub async fn invoke(
    capability: &JsValue,
    request: &JsValue,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let (connection, input) = split_request(request);
    match capability_named(capability) {
        Ok(Capability::SyncAgents) => sync_agents(connection, input, options).await,
        named => run(named, connection, input, options).await,
    }
}

/// Reads `{ connection, input }` of the generic `invoke` entry.
pub fn split_request(request: &JsValue) -> (JsValue, JsValue) {
    let field =
        |name: &str| Reflect::get(request, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    if request.is_object() {
        (field("connection"), field("input"))
    } else {
        (JsValue::UNDEFINED, JsValue::UNDEFINED)
    }
}

/// The capability named by a JS value, which must be a known capability name.
pub fn capability_named(name: &JsValue) -> Result<Capability, ConnectorError> {
    match name.as_string() {
        Some(name) => Capability::from_name(&name),
        None => Err(ConnectorError::UnknownCapability(
            "(not a string)".to_owned(),
        )),
    }
}

/// The manifest as a fresh plain object.
pub fn manifest() -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(MANIFEST_JSON)
}

/// One of a capability's schemas (`inputSchema` or `outputSchema`) as a plain object.
pub fn capability_schema(name: &JsValue, which: &str) -> Result<JsValue, JsValue> {
    let capability = capability_named(name).map_err(|e| error_to_js(&e, None))?;
    let manifest = manifest()?;
    let capabilities = Reflect::get(&manifest, &"capabilities".into())?;
    let entry = Reflect::get(&capabilities, &capability.name().into())?;
    Reflect::get(&entry, &which.into())
}

/// Turns a coded error into a real JS `Error` with `.code`, `.retryable`, `.status` and friends.
pub fn error_to_js(error: &ConnectorError, token: Option<&str>) -> JsValue {
    let scrub = |text: &str| -> String {
        match token {
            Some(t) => redact(text, t).into_owned(),
            None => text.to_owned(),
        }
    };
    let js_error = js_sys::Error::new(&scrub(&error.to_string()));
    js_error.set_name(ERROR_NAME);
    let upstream = error.upstream();
    let number = |n: Option<f64>| n.map_or(JsValue::NULL, JsValue::from_f64);
    let text = |t: Option<&String>| t.map_or(JsValue::NULL, |t| JsValue::from_str(&scrub(t)));
    let fields: [(&str, JsValue); 7] = [
        ("code", JsValue::from_str(error.code())),
        ("retryable", JsValue::from_bool(error.retryable())),
        ("status", number(error.status().map(f64::from))),
        (
            "retryAfterMs",
            number(error.retry_after_ms().map(|ms| ms as f64)),
        ),
        (
            "upstreamCode",
            number(upstream.and_then(|u| u.code).map(|c| c as f64)),
        ),
        (
            "upstreamTitle",
            text(upstream.and_then(|u| u.title.as_ref())),
        ),
        (
            "upstreamDetail",
            text(upstream.and_then(|u| u.detail.as_ref())),
        ),
    ];
    for (name, value) in fields {
        // Reflect::set on a fresh Error cannot fail; ignoring keeps the error path panic-free.
        let _ = Reflect::set(&js_error, &JsValue::from_str(name), &value);
    }
    js_error.into()
}

fn encode_output(output: CapabilityOutput) -> Result<JsValue, JsValue> {
    let (text, raw) = match &output {
        CapabilityOutput::Lookup(lookup) => (
            serde_json::to_string(&lookup.output),
            Some(Some(lookup.raw_response.as_str())),
        ),
        CapabilityOutput::Trust {
            evaluation,
            raw_response,
        } => (
            serde_json::to_string(evaluation),
            Some(raw_response.as_deref()),
        ),
        CapabilityOutput::Health(health) => (serde_json::to_string(health), None),
        CapabilityOutput::Sync(snapshot) => (serde_json::to_string(snapshot), None),
    };
    let malformed = || {
        error_to_js(
            &ConnectorError::MalformedResponse("the body is not JSON".into()),
            None,
        )
    };
    // JSON.parse builds the output faster than any per-field crossing.
    let object = js_sys::JSON::parse(&text.unwrap_or_else(|_| "{}".to_owned()))?;
    if let Some(raw) = raw {
        // Parsed on its own rather than spliced into the output text: no second copy of a big body.
        let raw = match raw {
            Some(raw) => js_sys::JSON::parse(raw).map_err(|_| malformed())?,
            None => JsValue::NULL,
        };
        Reflect::set(&object, &"rawResponse".into(), &raw)?;
    }
    Ok(object)
}

fn decode_connection(connection: &JsValue) -> Result<ConnectionProperties, ConnectorError> {
    let not_object = || {
        ConnectorError::InvalidConnection(
            "connection must be an object with baseUrl and apiToken".into(),
        )
    };
    if !connection.is_object() {
        return Err(not_object());
    }
    let text = to_json_text(connection).map_err(|_| {
        ConnectorError::InvalidConnection("connection properties must be JSON values".into())
    })?;
    serde_json::from_str(&text).map_err(|_| not_object())
}

/// Reads a JS value as JSON text with the engine's own `JSON.stringify`: one crossing, not one per field.
fn to_json_text(value: &JsValue) -> Result<String, ()> {
    if value.is_undefined() {
        return Ok("null".to_owned());
    }
    js_sys::JSON::stringify(value)
        .map_err(|_| ())?
        .as_string()
        .ok_or(())
}

/// Reads a JS value as a JSON tree.
fn to_json_value(value: &JsValue) -> Result<serde_json::Value, ()> {
    from_json_text(value)
}

/// Reads a JS value straight into a type. From text, not from a `serde_json::Value`: every type read
/// from a `Value` instantiates a second deserializer in the .wasm.
fn from_json_text<T: serde::de::DeserializeOwned>(value: &JsValue) -> Result<T, ()> {
    serde_json::from_str(&to_json_text(value)?).map_err(|_| ())
}

/// A sync reads many pages: its default deadline is the longest a call may have.
fn default_timeout(capability: Capability) -> u64 {
    match capability {
        Capability::SyncAgents => crate::options::MAX_TIMEOUT_MS,
        _ => crate::options::DEFAULT_TIMEOUT_MS,
    }
}

/// `timeoutMs`, `maxAttempts` and `now` (ms, a `Date`, which serialises to ISO, or an ISO string).
fn decode_options(
    options: &JsValue,
    default_timeout_ms: u64,
) -> Result<CallOptions, ConnectorError> {
    if options.is_undefined() || options.is_null() {
        return Ok(CallOptions {
            timeout_ms: default_timeout_ms,
            ..CallOptions::default()
        });
    }
    let invalid = |m: &str| ConnectorError::InvalidInput(m.to_owned());
    let value = to_json_value(options).map_err(|_| invalid("options must be a plain object"))?;
    let number = |name: &str| -> Result<Option<f64>, ConnectorError> {
        match value.get(name) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| invalid(&format!("options.{name} must be a number"))),
        }
    };
    let now = match value.get("now") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(text)) => Some(
            crate::timestamp::parse_micros(text)
                .map(|micros| micros as f64 / 1000.0)
                .ok_or_else(|| {
                    invalid("options.now must be ms since the epoch, a Date or an ISO-8601 string")
                })?,
        ),
        Some(v) => Some(v.as_f64().ok_or_else(|| {
            invalid("options.now must be ms since the epoch, a Date or an ISO-8601 string")
        })?),
    };
    let timeout = number("timeoutMs")?.or(Some(default_timeout_ms as f64));
    CallOptions::new(timeout, number("maxAttempts")?)?.with_now(now)
}

/// Runs Sync Agents for a JS caller: `options.onProgress` gets `{ page, agentsSeen, totalItems }` after
/// each page; a failure rejects with a coded `Error` whose `.partial` is the snapshot so far.
pub async fn sync_agents(
    connection: JsValue,
    input: JsValue,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let decoded = decode_connection(&connection);
    let token = decoded
        .as_ref()
        .ok()
        .and_then(|c| c.api_token.as_ref())
        .and_then(|t| t.as_str())
        .map(|t| t.trim().to_owned());
    let prepared = (|| {
        let connection = decoded?;
        let input = to_json_value(&input)
            .map_err(|_| ConnectorError::InvalidInput("input must be a JSON object".into()))?;
        let input = if input.is_null() {
            serde_json::json!({})
        } else {
            input
        };
        let fetch = option_fn(&options, "fetch")?;
        let progress = option_fn(&options, "onProgress")?;
        let call_options = decode_options(&options, default_timeout(Capability::SyncAgents))?;
        Ok::<_, ConnectorError>((connection, input, fetch, progress, call_options))
    })();
    let (connection, input, fetch, progress, call_options) =
        prepared.map_err(|e| error_to_js(&e, token.as_deref()))?;
    let report = |p: crate::sync::Progress| {
        if let (Some(callback), Ok(text)) = (&progress, serde_json::to_string(&p)) {
            if let Ok(arg) = js_sys::JSON::parse(&text) {
                // A throwing progress callback is the host's bug; the sync goes on.
                let _ = callback.call1(&JsValue::UNDEFINED, &arg);
            }
        }
    };
    let runtime = HostRuntime;
    let transport = HostTransport::new(fetch);
    let result = crate::capability::sync_agents(
        &transport,
        &runtime,
        &connection,
        &input,
        call_options,
        &report,
    )
    .await;
    match result {
        Ok(snapshot) => encode_output(CapabilityOutput::Sync(Box::new(snapshot))),
        Err(failure) => {
            let error = error_to_js(&failure.error, token.as_deref());
            if let Ok(partial) = encode_output(CapabilityOutput::Sync(failure.partial)) {
                let _ = Reflect::set(&error, &"partial".into(), &partial);
            }
            Err(error)
        }
    }
}

/// Answers a sign-in check from a snapshot object, reading only its head and the one serial's entry.
pub fn check_serial(
    snapshot: &JsValue,
    serial: &JsValue,
    options: &JsValue,
) -> Result<JsValue, JsValue> {
    let coded = |e: ConnectorError| error_to_js(&e, None);
    let invalid = |m: &str| coded(ConnectorError::InvalidInput(m.to_owned()));
    if !snapshot.is_object() {
        return Err(invalid("snapshot must be the object syncAgents returned"));
    }
    let serial_value = serde_json::Value::String(serial.as_string().unwrap_or_default());
    let serial_input = if serial.as_string().is_some() {
        Some(&serial_value)
    } else {
        None
    };
    let head = Object::new();
    for name in ["version", "syncedAt", "complete", "rules"] {
        let value = Reflect::get(snapshot, &name.into()).unwrap_or(JsValue::UNDEFINED);
        let _ = Reflect::set(&head, &name.into(), &value);
    }
    let head: crate::sync::SnapshotHead = from_json_text(&head.into())
        .map_err(|_| invalid("snapshot is not a syncAgents snapshot"))?;
    let entry = match crate::serial::validate(serial_input) {
        Ok(trimmed) => {
            let serials = Reflect::get(snapshot, &"serials".into()).unwrap_or(JsValue::UNDEFINED);
            // Own keys only: "toString" or "__proto__" must not find the object's prototype.
            let has = serials.is_object()
                && Object::has_own(serials.unchecked_ref::<Object>(), &trimmed.into());
            if has {
                let raw = Reflect::get(&serials, &trimmed.into()).unwrap_or(JsValue::UNDEFINED);
                Some(
                    from_json_text::<crate::sync::SerialEntry>(&raw)
                        .map_err(|_| invalid("snapshot entry is not a syncAgents entry"))?,
                )
            } else {
                None
            }
        }
        Err(_) => None,
    };
    let options_json =
        to_json_value(options).map_err(|_| invalid("options must be a plain object"))?;
    let now = match decode_options(options, crate::options::DEFAULT_TIMEOUT_MS)
        .map_err(coded)?
        .now_ms
    {
        Some(now) => now,
        None => js_sys::Date::now(),
    };
    let max_age = match options_json.get("maxSnapshotAgeMinutes") {
        None | Some(serde_json::Value::Null) => crate::sync::DEFAULT_MAX_SNAPSHOT_AGE_MINUTES,
        Some(v) => v
            .as_f64()
            .filter(|m| m.is_finite() && *m >= 0.0)
            .ok_or_else(|| invalid("options.maxSnapshotAgeMinutes must be a number of minutes"))?,
    };
    let evaluation = crate::sync::check_serial(&head, entry.as_ref(), serial_input, now, max_age)
        .map_err(coded)?;
    encode_output(CapabilityOutput::Trust {
        evaluation,
        raw_response: None,
    })
}

fn option_fn(options: &JsValue, name: &str) -> Result<Option<Function>, ConnectorError> {
    if options.is_undefined() || options.is_null() {
        return Ok(None);
    }
    if !options.is_object() {
        return Err(ConnectorError::InvalidInput(
            "options must be an object".into(),
        ));
    }
    let value = Reflect::get(options, &name.into()).unwrap_or(JsValue::UNDEFINED);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .dyn_into::<Function>()
        .map(Some)
        .map_err(|_| ConnectorError::InvalidInput(format!("options.{name} must be a function")))
}

/// The JS host's clock (`Date.now`), timer (`setTimeout`) and randomness (`Math.random`).
struct HostRuntime;

impl Runtime for HostRuntime {
    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    async fn sleep(&self, ms: u64) {
        let global = js_sys::global();
        let function = |name: &str| {
            Reflect::get(&global, &name.into())
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
        };
        // Every JS runtime has setTimeout; without one, a timer never fires rather than firing at once.
        let Some(set_timeout) = function("setTimeout") else {
            std::future::pending::<()>().await;
            return;
        };
        let delay = JsValue::from_f64(ms.min(i32::MAX as u64) as f64);
        let mut timer = Timer {
            id: JsValue::UNDEFINED,
            resolve: None,
            clear_timeout: function("clearTimeout"),
        };
        let promise = Promise::new(&mut |resolve, _reject| {
            timer.id = set_timeout
                .call2(&JsValue::UNDEFINED, &resolve, &delay)
                .unwrap_or(JsValue::UNDEFINED);
            timer.resolve = Some(resolve);
        });
        let _ = JsFuture::from(promise).await;
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }
}

/// A pending `setTimeout`, cleared when its sleep is dropped (a finished call must not keep a Node
/// host's event loop alive) and resolved then, so the awaiting future's callbacks are freed.
struct Timer {
    id: JsValue,
    resolve: Option<Function>,
    clear_timeout: Option<Function>,
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let Some(clear) = &self.clear_timeout {
            let _ = clear.call1(&JsValue::UNDEFINED, &self.id);
        }
        if let Some(resolve) = &self.resolve {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }
}

/// Where requests go: the host's fetch shim when it passed one, else the platform's `fetch`.
enum HostTransport {
    Shim(ShimTransport),
    Platform(PlatformTransport),
}

impl HostTransport {
    fn new(fetch: Option<Function>) -> Self {
        match fetch {
            Some(fetch) => Self::Shim(ShimTransport { fetch }),
            None => Self::Platform(PlatformTransport),
        }
    }
}

impl Transport for HostTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        match self {
            Self::Shim(shim) => shim.send(request).await,
            Self::Platform(platform) => platform.send(request).await,
        }
    }
}

/// The host's fetch shim: `(request) => Promise<{ status, headers?, body }>`.
struct ShimTransport {
    fetch: Function,
}

/// Aborts its controller when dropped: the connector stopped waiting (deadline) or the call ended.
struct AbortOnDrop(Option<web_sys::AbortController>);

impl AbortOnDrop {
    fn new() -> Self {
        Self(web_sys::AbortController::new().ok())
    }

    fn signal(&self) -> Option<web_sys::AbortSignal> {
        self.0.as_ref().map(web_sys::AbortController::signal)
    }

    /// A response arrived: nothing to abort (and `abort()` costs a DOMException with a stack).
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(controller) = &self.0 {
            controller.abort();
        }
    }
}

impl Transport for ShimTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let abort = AbortOnDrop::new();
        let js_request = request_to_js(&request);
        if let Some(signal) = abort.signal() {
            let _ = Reflect::set(&js_request, &"signal".into(), &signal);
        }
        let returned = self
            .fetch
            .call1(&JsValue::UNDEFINED, &js_request)
            .map_err(|thrown| TransportError::Network(describe_rejection(&thrown)))?;
        // Promise.resolve also adopts foreign thenables and plain values.
        let settled = JsFuture::from(Promise::resolve(&returned))
            .await
            .map_err(|rejected| TransportError::Network(describe_rejection(&rejected)))?;
        abort.disarm();
        response_from_js(&settled)
    }
}

fn request_to_js(request: &HttpRequest) -> JsValue {
    let object = Object::new();
    let headers = Object::new();
    for (name, value) in &request.headers {
        let _ = Reflect::set(
            &headers,
            &JsValue::from_str(name),
            &JsValue::from_str(value),
        );
    }
    let _ = Reflect::set(&object, &"method".into(), &request.method.into());
    let _ = Reflect::set(&object, &"url".into(), &JsValue::from_str(&request.url));
    let _ = Reflect::set(&object, &"headers".into(), &headers);
    if let Some(body) = &request.body {
        let _ = Reflect::set(&object, &"body".into(), &JsValue::from_str(body));
    }
    object.into()
}

fn response_from_js(value: &JsValue) -> Result<HttpResponse, TransportError> {
    let contract = |m: &str| TransportError::Contract(m.to_owned());
    if !value.is_object() {
        return Err(contract(
            "the fetch shim must resolve with an object { status, headers?, body }",
        ));
    }
    let get = |name: &str| {
        Reflect::get(value, &JsValue::from_str(name))
            .map_err(|_| contract("reading the response object threw"))
    };
    let status = get("status")?
        .as_f64()
        .filter(|s| s.fract() == 0.0 && (100.0..=599.0).contains(s))
        .ok_or_else(|| {
            contract("response.status must be an integer HTTP status from 100 to 599")
        })?;
    let body = body_text(&get("body")?)?;
    Ok(HttpResponse {
        status: status as u16,
        headers: headers_from_js(&get("headers")?),
        body,
    })
}

/// Copies a JS string body into wasm memory, refusing a non-string or an oversized one before the copy.
fn body_text(body: &JsValue) -> Result<String, TransportError> {
    let Some(text) = body.dyn_ref::<js_sys::JsString>() else {
        return Err(TransportError::Contract(
            "response.body must be a string (the response text)".into(),
        ));
    };
    // A JS length counts UTF-16 units, at most one per UTF-8 byte: over the limit here is over it in bytes.
    let units = text.length() as usize;
    if units > MAX_BODY_BYTES {
        return Err(TransportError::TooLarge(format!(
            "the response body is {units} characters; at most {MAX_BODY_BYTES} bytes are accepted"
        )));
    }
    Ok(String::from(text))
}

fn headers_from_js(headers: &JsValue) -> Vec<(String, String)> {
    if !headers.is_object() {
        return Vec::new();
    }
    // A Headers or Map instance iterates as [name, value] pairs; a plain object does not iterate.
    let pairs: Array = match js_sys::try_iter(headers) {
        Ok(Some(iter)) => iter.filter_map(Result::ok).collect(),
        _ => Object::entries(headers.unchecked_ref()),
    };
    pairs
        .iter()
        .filter_map(|pair| {
            let pair: Array = pair.dyn_into().ok()?;
            Some((
                pair.get(0).as_string()?.to_ascii_lowercase(),
                pair.get(1).as_string()?,
            ))
        })
        .collect()
}

fn describe_rejection(value: &JsValue) -> String {
    let text = if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        String::from(error.message())
    } else if let Some(text) = value.as_string() {
        text
    } else if value.is_undefined() {
        "the fetch shim rejected with undefined".to_owned()
    } else {
        format!(
            "the fetch shim rejected with a non-Error value ({})",
            value.js_typeof().as_string().unwrap_or_default()
        )
    };
    text.chars().take(500).collect()
}

/// The platform's own `fetch` (Node 18+ or the browser): gloo-net builds the request.
struct PlatformTransport;

impl Transport for PlatformTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let network = |m: String| TransportError::Network(m);
        let method = match request.method {
            "POST" => gloo_net::http::Method::POST,
            _ => gloo_net::http::Method::GET,
        };
        let abort = AbortOnDrop::new();
        let signal = abort.signal();
        let mut builder = gloo_net::http::RequestBuilder::new(&request.url)
            .method(method)
            .abort_signal(signal.as_ref());
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let built = match request.body {
            Some(body) => builder.body(body),
            None => builder.build(),
        }
        .map_err(|e| network(e.to_string()))?;
        // gloo-net's own send() panics when fetch resolves with a foreign object; this call cannot.
        let promise = crate::exports::platform_fetch(&built.into())
            .map_err(|thrown| network(describe_rejection(&thrown)))?;
        let resolved = JsFuture::from(promise)
            .await
            .map_err(|rejected| network(describe_rejection(&rejected)))?;
        let response: web_sys::Response = resolved.dyn_into().map_err(|_| {
            TransportError::Contract(
                "the platform fetch resolved with something that is not a Response".into(),
            )
        })?;
        let text = response
            .text()
            .map_err(|e| network(describe_rejection(&e)))?;
        let body = JsFuture::from(text)
            .await
            .map_err(|e| network(describe_rejection(&e)))?;
        let body = body_text(&body)?;
        abort.disarm();
        Ok(HttpResponse {
            status: response.status(),
            headers: headers_from_js(&response.headers()),
            body,
        })
    }
}
