//! The JavaScript side of the boundary: starting calls for the JS driver (`driver.js`) to run,
//! decoding arguments and encoding outputs and coded errors. Only `lib.rs` calls into this file.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::capability::{self, Capability, CapabilityOutput};
use crate::connection::ConnectionProperties;
use crate::effects::{Call, Effect, EffectRuntime, EffectTransport, Effects};
use crate::error::ConnectorError;
use crate::health::HealthOutput;
use crate::json_writer::{to_json_string, JsonWriter, WriteJson};
use crate::latin1::Refused;
use crate::options::CallOptions;
use crate::output::RawFacts;
use crate::redact::redact;
use crate::response::{MAX_BODY_BYTES, READ_HEADERS};
use crate::schema::{MANIFEST_MAIN_JSON, MANIFEST_PARTS_JSON};
use crate::stored::SyncInput;
use crate::sync::{Progress, Snapshot, SyncFailure};
use crate::transport::{HttpRequest, HttpResponse, TransportError};
use crate::value::Value;

/// The name every connector error carries in JavaScript.
const ERROR_NAME: &str = "SentinelOneConnectorError";

/// Starts `capability` for a JS caller: the promise settles with a plain output object or a coded `Error`.
pub fn run(
    capability: Result<Capability, ConnectorError>,
    connection: JsValue,
    input: JsValue,
    options: JsValue,
) -> Promise {
    let [connection_json, input_json, options_json] = read_args(&connection, &input, &options);
    let connection = decode_connection(&connection, connection_json);
    let token = token_of(&connection);
    let is_health_check = matches!(capability, Ok(Capability::TestConnection));
    let prepared = (|| {
        let capability = capability?;
        let connection = connection?;
        let input = input_json
            .map_err(|_| ConnectorError::InvalidInput("input must be a JSON object".into()))?;
        let fetch = option_fn(&options, "fetch", crate::exports::fetch_option)?;
        let call_options = decode_options(options_json, default_timeout(capability))?;
        Ok((capability, connection, input, fetch, call_options))
    })();
    let (capability, connection, input, fetch, call_options) = match prepared {
        Ok(prepared) => prepared,
        Err(error) => {
            return settle_now(finish_run(Err(error), is_health_check, token.as_deref()));
        }
    };
    let effects = Rc::new(RefCell::new(Effects::default()));
    let (transport, runtime) = host_io(&effects);
    let future = async move {
        let outcome = capability::invoke(
            &transport,
            &runtime,
            capability,
            &connection,
            &input,
            call_options,
        )
        .await;
        Outcome::Run(outcome)
    };
    let keep_bodies = matches!(
        capability,
        Capability::GetAgentBySerialNumber | Capability::EvaluateDeviceTrust
    );
    let call = HostCall {
        call: Call::new(effects, future),
        token,
        is_health_check,
        progress: Rc::default(),
        ended: None,
        raw_from: None,
        incoming: Vec::new(),
    };
    crate::exports::drive(
        call.into(),
        fetch_arg(fetch),
        JsValue::UNDEFINED,
        MAX_BODY,
        keep_bodies,
        wasm_bindgen::memory(),
        READ_HEADERS,
        &options,
    )
}

/// The generic entry: `invoke(capability, { connection, input }, options)`.
pub fn invoke(capability: &JsValue, request: &JsValue, options: JsValue) -> Promise {
    let (connection, input) = split_request(request);
    match capability_named(capability) {
        Ok(Capability::SyncAgents) => sync_agents(connection, input, options),
        named => run(named, connection, input, options),
    }
}

/// What a call ends with, before it is encoded for JS.
pub enum Outcome {
    /// A capability run by [`run`].
    Run(Result<CapabilityOutput, ConnectorError>),
    /// A sync run by [`sync_agents`].
    Sync(Result<Snapshot, SyncFailure>),
}

/// A running call as its JS driver sees it: poll it, report what completed, read its end.
pub struct HostCall {
    call: Call<Outcome>,
    token: Option<String>,
    is_health_check: bool,
    progress: Rc<RefCell<Vec<Progress>>>,
    ended: Option<Outcome>,
    raw_from: Option<u32>,
    /// Where the driver writes the next response body (see [`HostCall::body_buffer`]).
    incoming: Vec<u8>,
}

/// What a call waits on, for the JS driver: `{ fetch: [[id, request]], sleep: [[id, ms]], cancel, progress, again }`.
struct Pending<'a> {
    fetch: Vec<(u32, &'a HttpRequest)>,
    sleep: Vec<(u32, u64)>,
    cancel: Vec<u32>,
    progress: Vec<Progress>,
    /// The call has ended: poll again once these are done.
    again: bool,
}

impl WriteJson for Pending<'_> {
    fn write_json(&self, out: &mut JsonWriter) {
        out.begin_object();
        out.key("fetch");
        out.begin_array();
        for (id, request) in &self.fetch {
            out.item(&IdAnd(*id, ShimRequest(request)));
        }
        out.end_array();
        out.key("sleep");
        out.begin_array();
        for (id, ms) in &self.sleep {
            out.item(&IdAnd(*id, *ms));
        }
        out.end_array();
        out.field("cancel", &self.cancel);
        out.field("progress", &self.progress);
        out.field("again", &self.again);
        out.end_object();
    }
}

/// An effect's id with what it asks for, as the pair `[id, what]`.
struct IdAnd<T>(u32, T);

impl<T: WriteJson> WriteJson for IdAnd<T> {
    fn write_json(&self, out: &mut JsonWriter) {
        out.begin_array();
        out.item(&self.0);
        out.item(&self.1);
        out.end_array();
    }
}

/// A request as the host's fetch shim receives it: `{ method, url, headers: { name: value }, body? }`.
struct ShimRequest<'a>(&'a HttpRequest);

impl WriteJson for ShimRequest<'_> {
    fn write_json(&self, out: &mut JsonWriter) {
        let request = self.0;
        out.begin_object();
        out.field("method", request.method);
        out.field("url", &request.url);
        out.key("headers");
        out.begin_object();
        for (name, value) in &request.headers {
            out.entry(name, value);
        }
        out.end_object();
        if let Some(body) = &request.body {
            out.field("body", body);
        }
        out.end_object();
    }
}

impl HostCall {
    /// Runs the call as far as it goes: the effects to perform as JSON text, or the output, or the
    /// coded error as `Err`.
    pub fn poll(&mut self) -> Result<JsValue, JsValue> {
        if self.ended.is_none() {
            self.ended = self.call.poll();
        }
        let progress = std::mem::take(&mut *self.progress.borrow_mut());
        // Progress made on the way to the end is reported before the end itself.
        if progress.is_empty() {
            if let Some(outcome) = self.ended.take() {
                return self.finish(outcome);
            }
        }
        let started = self.call.effects.borrow_mut().take_started();
        let cancel = self.call.effects.borrow_mut().take_cancelled();
        let mut pending = Pending {
            fetch: Vec::new(),
            sleep: Vec::new(),
            cancel,
            progress,
            again: self.ended.is_some(),
        };
        for effect in &started {
            match effect {
                Effect::Fetch { id, request } => pending.fetch.push((*id, request)),
                Effect::Sleep { id, ms } => pending.sleep.push((*id, *ms)),
            }
        }
        Ok(JsValue::from_str(&to_json_string(&pending)))
    }

    /// Makes the body buffer `len` bytes long, keeping its first `keep` bytes, and returns its address:
    /// the driver encodes a response text straight into wasm memory there.
    pub fn body_buffer(&mut self, len: usize, keep: usize) -> usize {
        if !crate::response::resize_body_buffer(&mut self.incoming, len, keep) {
            // No allocation is ever at address 0 (an empty buffer's is 1): the driver's "no memory".
            return 0;
        }
        self.incoming.as_ptr() as usize
    }

    /// Reports the response to fetch `id`: header names and values in turn as one JSON array of
    /// strings (one crossing, not one per string); the body is the first `written` bytes of the body
    /// buffer, Latin-1 text the driver copied to be widened in place when `latin1` (see
    /// [`crate::latin1`]). False, reporting nothing, when the body is not UTF-8 (only bytes a host
    /// passed as they came can be: the driver then decodes them as `response.text()` would and reports
    /// again).
    pub fn fetched(
        &mut self,
        id: u32,
        status: u16,
        headers: String,
        written: usize,
        latin1: bool,
    ) -> bool {
        let mut body = std::mem::take(&mut self.incoming);
        body.truncate(written);
        let body = if latin1 {
            match crate::latin1::into_utf8(body, MAX_BODY_BYTES) {
                Ok(body) => body,
                Err(Refused::NotUtf8) => return false,
                Err(Refused::TooLong(length)) => {
                    let message = format!("the response body is {length} bytes as UTF-8; at most {MAX_BODY_BYTES} bytes are accepted");
                    self.fail_fetch(id, TransportError::TooLarge(message));
                    return true;
                }
                Err(Refused::NoMemory) => {
                    let message = "no memory is left for this response body: too many large responses are being read at once";
                    self.fail_fetch(id, TransportError::TooLarge(message.to_owned()));
                    return true;
                }
            }
        } else {
            let Ok(body) = String::from_utf8(body) else {
                return false;
            };
            body
        };
        let mut effects = self.call.effects.borrow_mut();
        let pairs = header_pairs(&headers);
        effects.fetched(
            id,
            HttpResponse {
                status,
                headers: pairs,
                body,
            },
        );
        true
    }

    /// Reports that fetch `id` got no response: `kind` 0 network, 1 broken shim contract, 2 too large,
    /// 3 aborted, 4 a host the options do not allow, 5 network that no retry can mend.
    pub fn failed(&mut self, id: u32, kind: u8, message: String) {
        // A body the driver gave up on (too large) does not keep its buffer until the call ends.
        self.incoming = Vec::new();
        let error = match kind {
            0 => TransportError::Network(message),
            2 => TransportError::TooLarge(message),
            3 => TransportError::Aborted,
            4 => TransportError::NotAllowed(message),
            5 => TransportError::NetworkFinal(message),
            _ => TransportError::Contract(message),
        };
        self.fail_fetch(id, error);
    }

    fn fail_fetch(&mut self, id: u32, error: TransportError) {
        self.call.effects.borrow_mut().failed(id, error);
    }

    /// Reports that timer `id` fired.
    pub fn fired(&mut self, id: u32) {
        self.call.effects.borrow_mut().fired(id);
    }

    /// The fetch whose response text the driver parses into `rawResponse`, when the output has one.
    pub fn raw_from(&self) -> Option<u32> {
        self.raw_from
    }

    fn finish(&mut self, outcome: Outcome) -> Result<JsValue, JsValue> {
        match outcome {
            Outcome::Run(result) => {
                if let Ok(output) = &result {
                    let raw = match output {
                        CapabilityOutput::Lookup(lookup) => lookup
                            .raw_facts
                            .as_received
                            .then_some(lookup.raw_response.as_str()),
                        CapabilityOutput::Trust {
                            raw_response,
                            raw_facts,
                            ..
                        } => raw_response.as_deref().filter(|_| raw_facts.as_received),
                        _ => None,
                    };
                    self.raw_from = raw.and_then(|raw| self.call.effects.borrow().body_source(raw));
                }
                finish_run(result, self.is_health_check, self.token.as_deref())
                    .map(|output| encode_output(output, self.raw_from.is_some()))?
            }
            Outcome::Sync(result) => finish_sync(result, self.token.as_deref()),
        }
    }
}

fn finish_run(
    result: Result<CapabilityOutput, ConnectorError>,
    is_health_check: bool,
    token: Option<&str>,
) -> Result<CapabilityOutput, JsValue> {
    match result {
        Ok(output) => Ok(output),
        // A health check reports even the arguments it could not read; it never throws.
        Err(error) if is_health_check => {
            let error = match token {
                Some(token) => error.redacted(token),
                None => error,
            };
            Ok(CapabilityOutput::Health(HealthOutput::failed(&error, None)))
        }
        Err(error) => Err(error_to_js(&error, token)),
    }
}

// Out of line: V8 compiles a wasm function when it is first called, and a lookup never calls this.
#[inline(never)]
fn finish_sync(
    result: Result<Snapshot, SyncFailure>,
    token: Option<&str>,
) -> Result<JsValue, JsValue> {
    match result {
        Ok(snapshot) => encode_output(CapabilityOutput::Sync(Box::new(snapshot)), false),
        Err(failure) => {
            let error = error_to_js(&failure.error, token);
            if let Ok(partial) = encode_output(CapabilityOutput::Sync(failure.partial), false) {
                let _ = Reflect::set(&error, &"partial".into(), &partial);
            }
            Err(error)
        }
    }
}

/// Header names and values from the driver's `["name", "value", ...]` (names already lower-case).
fn header_pairs(json: &str) -> Vec<(String, String)> {
    let mut names_and_values = Vec::new();
    let mut reader = crate::json::Reader::new(json, 1);
    let read = reader.array(|r| {
        names_and_values.push(r.string()?.into_owned());
        Ok(())
    });
    // The driver wrote this text from strings; were it ever unreadable, no headers is the safe reading.
    if read.and_then(|()| reader.end()).is_err() {
        return Vec::new();
    }
    let mut names_and_values = names_and_values.into_iter();
    let mut pairs = Vec::new();
    while let (Some(name), Some(value)) = (names_and_values.next(), names_and_values.next()) {
        pairs.push((name, value));
    }
    pairs
}

/// A settled promise for a call that ended before its first request.
fn settle_now(result: Result<CapabilityOutput, JsValue>) -> Promise {
    match result.and_then(|output| encode_output(output, false)) {
        Ok(output) => Promise::resolve(&output),
        Err(error) => Promise::reject(&error),
    }
}

fn token_of(connection: &Result<ConnectionProperties, ConnectorError>) -> Option<String> {
    connection
        .as_ref()
        .ok()
        .and_then(|c| c.api_token.as_ref())
        .and_then(|t| t.as_str())
        .map(|t| t.trim().to_owned())
        // A token refused as too short was never sent and no message repeats it; redacting it would
        // only garble the message about it (a placeholder token "e" or "token" spelled inside it).
        .filter(|t| t.len() >= crate::connection::MIN_TOKEN_CHARS)
}

/// The transport and runtime of one call: requests and timers become effects for the JS driver.
fn host_io(effects: &Rc<RefCell<Effects>>) -> (EffectTransport, EffectRuntime) {
    let transport = EffectTransport(Rc::clone(effects));
    let runtime = EffectRuntime {
        effects: Rc::clone(effects),
        now: js_sys::Date::now,
        random: js_sys::Math::random,
    };
    (transport, runtime)
}

fn fetch_arg(fetch: Option<Function>) -> JsValue {
    fetch.map_or(JsValue::UNDEFINED, JsValue::from)
}

/// The body limit as the JS driver checks it before a body crosses into wasm memory.
const MAX_BODY: f64 = MAX_BODY_BYTES as f64;

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
    Ok(crate::exports::expand_json(
        MANIFEST_MAIN_JSON,
        MANIFEST_PARTS_JSON,
    ))
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

/// The output as a plain object; `rawResponse` is left `null` for the driver when `raw_from_host` (the
/// driver parses its own copy of the body: no copy out of wasm memory).
fn encode_output(output: CapabilityOutput, raw_from_host: bool) -> Result<JsValue, JsValue> {
    // A snapshot is ~150 bytes of text per serial (14 MiB for 100,000 agents): room for it up front
    // rather than a chain of doublings, each a copy beside the last.
    let mut out = JsonWriter::with_capacity(match &output {
        CapabilityOutput::Sync(snapshot) => 1024 + 160 * snapshot.serials.len(),
        _ => 1024,
    });
    // The body to parse into `rawResponse` here, when the driver does not have it.
    let mut raw_here = None;
    // When the driver has it, it adds `rawResponse` itself (a lazy accessor): written here as null it
    // would be a data property turned into an accessor, which puts the object in V8's slow mode.
    let raw_null = |out: &mut JsonWriter| {
        if !raw_from_host {
            out.key("rawResponse");
            out.null();
        }
    };
    match &output {
        CapabilityOutput::Lookup(lookup) => {
            out.begin_object();
            lookup.output.write_fields(&mut out);
            raw_null(&mut out);
            out.end_object();
            raw_here = Some(lookup.raw_response.as_str());
        }
        CapabilityOutput::Trust {
            evaluation,
            raw_response,
            ..
        } => {
            out.begin_object();
            evaluation.write_fields(&mut out);
            raw_null(&mut out);
            out.end_object();
            raw_here = raw_response.as_deref();
        }
        CapabilityOutput::Health(health) => health.write_json(&mut out),
        CapabilityOutput::Sync(snapshot) => snapshot.write_json(&mut out),
    }
    // JSON.parse builds the output faster than any per-field crossing. It fails only on a text longer
    // than the longest string the engine holds (~512 MiB in V8): a snapshot of hostile fields.
    let object = js_sys::JSON::parse(&out.finish()).map_err(|_| {
        let error = ConnectorError::ResponseTooLarge(
            "the output is longer than the longest string JavaScript holds".into(),
        );
        error_to_js(&error, None)
    })?;
    match raw_here {
        Some(raw) if !raw_from_host => {
            // Parsed on its own rather than spliced into the output text: no second copy of a big body.
            let raw = js_sys::JSON::parse(raw).map_err(|_| {
                let error = ConnectorError::MalformedResponse {
                    status: None,
                    message: "the body is not JSON".into(),
                };
                error_to_js(&error, None)
            })?;
            Reflect::set(&object, &"rawResponse".into(), &raw)?;
        }
        _ => {}
    }
    Ok(object)
}

/// The arguments of a capability call as JSON trees: in one crossing when all three are JSON, else
/// one by one so that the one that is not can be named.
fn read_args(connection: &JsValue, input: &JsValue, options: &JsValue) -> [Result<Value, ()>; 3] {
    let joint = crate::exports::args_json(connection, input, options)
        .and_then(|text| crate::json::parse_value(&text).ok());
    if let Some(Value::Array(items)) = joint {
        if let Ok([connection, input, options]) = <[Value; 3]>::try_from(items) {
            return [Ok(connection), Ok(input), Ok(options)];
        }
    }
    [
        arg_json(0, connection),
        arg_json(1, input),
        // Connection and input are read before the options: the options are only reached when both
        // read alone, and then they are what the joint text could not hold.
        Err(()),
    ]
}

/// Argument `at` (0 the connection, 1 the input) alone as a JSON tree, as the joint text holds it.
fn arg_json(at: u8, value: &JsValue) -> Result<Value, ()> {
    let text = crate::exports::arg_json(at, value).ok_or(())?;
    crate::json::parse_value(&text).map_err(|_| ())
}

/// The arguments of a sync: connection and options as [`read_args`] reads them, the input apart, its
/// stored snapshots read straight from its text ([`SyncInput::read`]): no JSON tree of 100,000 serials.
fn read_sync_args(
    connection: &JsValue,
    input: &JsValue,
    options: &JsValue,
) -> (Result<Value, ()>, Result<SyncInput, ()>, Result<Value, ()>) {
    let [connection_json, _, options_json] = read_args(connection, &JsValue::NULL, options);
    let input = to_json_text(input).and_then(|text| {
        let mut reader = crate::json::Reader::new(&text, crate::json::MAX_VALUE_DEPTH);
        let input = SyncInput::read(&mut reader).map_err(|_| ())?;
        reader.end().map_err(|_| ())?;
        Ok(input)
    });
    (connection_json, input, options_json)
}

fn decode_connection(
    connection: &JsValue,
    json: Result<Value, ()>,
) -> Result<ConnectionProperties, ConnectorError> {
    let not_object = || {
        ConnectorError::InvalidConnection(
            "connection must be an object with baseUrl and apiToken".into(),
        )
    };
    let value = match json {
        Ok(value) => value,
        Err(()) if !connection.is_object() => return Err(not_object()),
        Err(()) => {
            return Err(ConnectorError::InvalidConnection(
                "connection properties must be JSON values".into(),
            ))
        }
    };
    ConnectionProperties::from_json(value).ok_or_else(not_object)
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

/// A sync reads many pages: its default deadline is the longest a call may have.
fn default_timeout(capability: Capability) -> u64 {
    match capability {
        Capability::SyncAgents => crate::options::MAX_TIMEOUT_MS,
        _ => crate::options::DEFAULT_TIMEOUT_MS,
    }
}

/// Why the options the core reads as JSON could not be read (a getter threw, or a value is a BigInt).
const OPTIONS_NOT_JSON: &str =
    "options.timeoutMs, maxAttempts, now and maxSnapshotAgeMinutes must be numbers, dates or strings";

/// `timeoutMs`, `maxAttempts` and `now` (ms, a `Date`, which serialises to ISO, or an ISO string).
fn decode_options(
    options: Result<Value, ()>,
    default_timeout_ms: u64,
) -> Result<CallOptions, ConnectorError> {
    let value = options.map_err(|_| ConnectorError::InvalidInput(OPTIONS_NOT_JSON.to_owned()))?;
    // Most hosts set none of them (the driver writes `{}` then): the reader below is not even called,
    // so not compiled (V8 compiles a wasm function when it is first called).
    if value.is_null() || value.as_object().is_some_and(|members| members.is_empty()) {
        return Ok(CallOptions {
            timeout_ms: default_timeout_ms,
            ..CallOptions::default()
        });
    }
    decode_set_options(&value, default_timeout_ms)
}

/// `timeoutMs`, `maxAttempts` and `now` from options that set at least one property.
#[inline(never)]
fn decode_set_options(
    value: &Value,
    default_timeout_ms: u64,
) -> Result<CallOptions, ConnectorError> {
    let invalid = |m: &str| ConnectorError::InvalidInput(m.to_owned());
    let number = |name: &str| -> Result<Option<f64>, ConnectorError> {
        match value.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| invalid(&format!("options.{name} must be a number"))),
        }
    };
    let now = match value.get("now") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(
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
    // The driver writes whether `signal` is an AbortSignal (it listens to it; the core never sees it).
    if matches!(value.get("signal"), Some(Value::Bool(false))) {
        return Err(invalid("options.signal must be an AbortSignal"));
    }
    // And whether `allowedHosts` is a list of host patterns (the driver checks each request's host).
    if matches!(value.get("allowedHosts"), Some(Value::Bool(false))) {
        return Err(invalid(
            "options.allowedHosts must be an array of host names or IP addresses, each alone or \
             after *. for the hosts under a domain, such as [\"*.sentinelone.net\"]",
        ));
    }
    let timeout = number("timeoutMs")?.or(Some(default_timeout_ms as f64));
    CallOptions::new(timeout, number("maxAttempts")?)?.with_now(now)
}

/// Starts Sync Agents for a JS caller: `options.onProgress` gets `{ page, agentsSeen, totalItems }` after
/// each page; a failure rejects with a coded `Error` whose `.partial` is the snapshot so far.
pub fn sync_agents(connection: JsValue, input: JsValue, options: JsValue) -> Promise {
    let (connection_json, input_read, options_json) = read_sync_args(&connection, &input, &options);
    let decoded = decode_connection(&connection, connection_json);
    let token = token_of(&decoded);
    let prepared = (|| {
        let connection = decoded?;
        let mut input = input_read
            .map_err(|_| ConnectorError::InvalidInput("input must be a JSON object".into()))?;
        if input.rest.is_null() {
            input.rest = Value::Object(crate::value::Object::default());
        }
        let fetch = option_fn(&options, "fetch", crate::exports::fetch_option)?;
        let progress = option_fn(&options, "onProgress", crate::exports::progress_option)?;
        let call_options = decode_options(options_json, default_timeout(Capability::SyncAgents))?;
        Ok::<_, ConnectorError>((connection, input, fetch, progress, call_options))
    })();
    let (connection, input, fetch, on_progress, call_options) = match prepared {
        Ok(prepared) => prepared,
        Err(error) => return Promise::reject(&error_to_js(&error, token.as_deref())),
    };
    let effects = Rc::new(RefCell::new(Effects::default()));
    let (transport, runtime) = host_io(&effects);
    let progress: Rc<RefCell<Vec<Progress>>> = Rc::default();
    let reports = Rc::clone(&progress);
    let future = async move {
        let report = |p: Progress| reports.borrow_mut().push(p);
        let outcome = capability::sync_agents_read(
            &transport,
            &runtime,
            &connection,
            input,
            call_options,
            &report,
        )
        .await;
        Outcome::Sync(outcome)
    };
    let call = HostCall {
        call: Call::new(effects, future),
        token,
        is_health_check: false,
        progress,
        ended: None,
        raw_from: None,
        incoming: Vec::new(),
    };
    let on_progress = on_progress.map_or(JsValue::UNDEFINED, JsValue::from);
    crate::exports::drive(
        call.into(),
        fetch_arg(fetch),
        on_progress,
        MAX_BODY,
        false,
        wasm_bindgen::memory(),
        READ_HEADERS,
        &options,
    )
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
    let serial_value = match serial.as_string() {
        Some(text) => Some(Value::String(text)),
        None if serial.is_undefined() || serial.is_null() => None,
        // Not text: only that is read of it, so that it is named as the lookups name it ("must be a
        // string"), not as missing. (Its content is never read: a hostile object stays unread.)
        None => Some(Value::Array(Vec::new())),
    };
    let trimmed = crate::serial::validate(serial_value.as_ref()).ok();
    let not_a_snapshot = || invalid("snapshot is not a syncAgents snapshot");
    let parts = crate::exports::snapshot_parts_json(snapshot, trimmed)
        .and_then(|text| crate::json::parse_value(&text).ok());
    let Some(Value::Array(parts)) = parts else {
        return Err(not_a_snapshot());
    };
    let [head, entry, found] = <[Value; 3]>::try_from(parts).map_err(|_| not_a_snapshot())?;
    let head = crate::sync::SnapshotHead::from_json(&head).map_err(|_| not_a_snapshot())?;
    let entry = match found {
        Value::Bool(true) => Some(
            crate::sync::SerialEntry::from_json(&entry)
                .map_err(|_| invalid("snapshot entry is not a syncAgents entry"))?,
        ),
        _ => None,
    };
    let [_, _, options_json] = read_args(&JsValue::NULL, &JsValue::NULL, options);
    let options_json = options_json.map_err(|_| invalid(OPTIONS_NOT_JSON))?;
    let now = match decode_options(Ok(options_json.clone()), crate::options::DEFAULT_TIMEOUT_MS)
        .map_err(coded)?
        .now_ms
    {
        Some(now) => now,
        None => js_sys::Date::now(),
    };
    let max_age = match options_json.get("maxSnapshotAgeMinutes") {
        None | Some(Value::Null) => crate::sync::DEFAULT_MAX_SNAPSHOT_AGE_MINUTES,
        Some(v) => v
            .as_f64()
            .filter(|m| m.is_finite() && *m >= 0.0)
            .ok_or_else(|| invalid("options.maxSnapshotAgeMinutes must be a number of minutes"))?,
    };
    let evaluation =
        crate::sync::check_serial(&head, entry.as_ref(), serial_value.as_ref(), now, max_age)
            .map_err(coded)?;
    encode_output(
        CapabilityOutput::Trust {
            evaluation,
            raw_response: None,
            raw_facts: RawFacts::default(),
        },
        false,
    )
}

/// The function option `name`, read by `read` (one of the driver's readers), or why it is not one.
fn option_fn(
    options: &JsValue,
    name: &str,
    read: fn(&JsValue) -> Result<JsValue, JsValue>,
) -> Result<Option<Function>, ConnectorError> {
    if options.is_undefined() || options.is_null() {
        return Ok(None);
    }
    if !options.is_object() {
        return Err(ConnectorError::InvalidInput(
            "options must be an object".into(),
        ));
    }
    // A getter that throws must not leave the call on the platform fetch the host meant to replace.
    let value = read(options).map_err(|_| {
        ConnectorError::InvalidInput(format!(
            "options.{name} could not be read: its getter threw"
        ))
    })?;
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .dyn_into::<Function>()
        .map(Some)
        .map_err(|_| ConnectorError::InvalidInput(format!("options.{name} must be a function")))
}
