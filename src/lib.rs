//! SentinelOne device-trust connector: capabilities an identity flow calls by name, with every
//! request sent through a host-provided transport.
//!
//! The core is plain Rust and natively testable; this file is the only `#[wasm_bindgen]` layer,
//! each export a one-line decode, call, encode.
#![warn(missing_docs)]

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
pub mod allocator;
pub mod capability;
pub mod client;
pub mod connection;
pub mod effects;
pub mod error;
pub mod fields;
pub mod health;
pub mod json;
pub mod json_writer;
pub mod latin1;
pub mod lookup;
pub mod loose;
pub mod options;
pub mod output;
pub mod pairs;
pub mod redact;
pub mod response;
pub mod runtime;
pub mod schema;
pub mod serial;
pub mod stored;
pub mod sync;
pub mod timestamp;
pub mod transport;
pub mod trust;
pub mod value;
pub mod wire;

#[cfg(target_arch = "wasm32")]
mod js_glue;

// Talc instead of the default dlmalloc: smaller in the .wasm (−7 KB) and as fast; two heaps, so that
// a sync's long-lived entries do not fragment the room its pages need (see `allocator.rs`).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: allocator::SplitHeap = allocator::SplitHeap::new();

#[cfg(target_arch = "wasm32")]
pub use exports::*;

/// The JavaScript API: `manifest`, `inputSchema`, `outputSchema`, `getAgentBySerialNumber`, `invoke`.
#[cfg(target_arch = "wasm32")]
mod exports {
    use wasm_bindgen::prelude::*;

    use crate::capability::Capability;
    use crate::js_glue;

    #[wasm_bindgen(module = "/src/driver.js")]
    extern "C" {
        /// Runs a started call to its end: performs its effects (requests, timers, progress) and polls it.
        pub(crate) fn drive(
            call: Call,
            fetch: JsValue,
            on_progress: JsValue,
            max_body_bytes: f64,
            keep_bodies: bool,
            memory: JsValue,
            header_names: &str,
            options: &JsValue,
        ) -> js_sys::Promise;

        /// The manifest from its embedded form (repeated schemas stored once; see `build.rs`).
        #[wasm_bindgen(js_name = expandJson)]
        pub(crate) fn expand_json(main: &str, parts: &str) -> JsValue;

        /// `options.fetch`, read in JS (a property name from Rust is decoded anew on every call).
        /// Throws what a throwing getter throws.
        #[wasm_bindgen(catch, js_name = fetchOption)]
        pub(crate) fn fetch_option(options: &JsValue) -> Result<JsValue, JsValue>;

        /// `options.onProgress`, read in JS.
        #[wasm_bindgen(catch, js_name = progressOption)]
        pub(crate) fn progress_option(options: &JsValue) -> Result<JsValue, JsValue>;

        /// What checkSerial reads of a snapshot as one JSON text, `[head, entry, found]`.
        #[wasm_bindgen(js_name = snapshotPartsJson)]
        pub(crate) fn snapshot_parts_json(
            snapshot: &JsValue,
            serial: Option<&str>,
        ) -> Option<String>;

        /// Argument `at` (0 the connection, 1 the input) alone as JSON text; `None` when it is not JSON.
        #[wasm_bindgen(js_name = argJson)]
        pub(crate) fn arg_json(at: u8, value: &JsValue) -> Option<String>;

        /// `[connection, input, options]` as one JSON text; `None` when one of them is not JSON.
        #[wasm_bindgen(js_name = argsJson)]
        pub(crate) fn args_json(
            connection: &JsValue,
            input: &JsValue,
            options: &JsValue,
        ) -> Option<String>;
    }

    /// A running capability call, driven by `driver.js`; hosts never see it.
    #[wasm_bindgen(skip_typescript)]
    pub struct Call(js_glue::HostCall);

    impl From<js_glue::HostCall> for Call {
        fn from(call: js_glue::HostCall) -> Self {
            Self(call)
        }
    }

    #[wasm_bindgen]
    impl Call {
        /// Runs the call as far as it goes: effects as JSON text, the output, or throws the coded error.
        pub fn poll(&mut self) -> Result<JsValue, JsValue> {
            self.0.poll()
        }

        /// Makes the body buffer `len` bytes long, keeping its first `keep`; its address in wasm memory,
        /// or 0 when the memory cannot be had.
        #[wasm_bindgen(js_name = bodyBuffer)]
        pub fn body_buffer(&mut self, len: usize, keep: usize) -> usize {
            self.0.body_buffer(len, keep)
        }

        /// Reports the response to fetch `id`: header names and values in turn as one JSON array of
        /// strings; the body is the first `written` bytes of the body buffer, Latin-1 to be widened when
        /// `latin1` (see `crate::latin1`). False, reporting nothing, when they are not UTF-8.
        pub fn fetched(
            &mut self,
            id: u32,
            status: u16,
            headers: String,
            written: usize,
            latin1: bool,
        ) -> bool {
            self.0.fetched(id, status, headers, written, latin1)
        }

        /// Reports that fetch `id` got no response: `kind` 0 network, 1 broken contract, 2 too large.
        pub fn failed(&mut self, id: u32, kind: u8, message: String) {
            self.0.failed(id, kind, message)
        }

        /// Reports that timer `id` fired.
        pub fn fired(&mut self, id: u32) {
            self.0.fired(id)
        }

        /// The fetch whose response text becomes `rawResponse`, once the call has ended.
        #[wasm_bindgen(getter, js_name = rawFrom)]
        pub fn raw_from(&self) -> Option<u32> {
            self.0.raw_from()
        }
    }

    #[wasm_bindgen(typescript_custom_section)]
    const TYPES: &'static str = include_str!("connector.d.ts");

    /// The connector manifest with every schema resolved into it.
    #[wasm_bindgen(skip_typescript)]
    pub fn manifest() -> Result<JsValue, JsValue> {
        js_glue::manifest()
    }

    /// The input JSON Schema of a capability.
    #[wasm_bindgen(js_name = inputSchema, skip_typescript)]
    pub fn input_schema(capability: JsValue) -> Result<JsValue, JsValue> {
        js_glue::capability_schema(&capability, "inputSchema")
    }

    /// The output JSON Schema of a capability.
    #[wasm_bindgen(js_name = outputSchema, skip_typescript)]
    pub fn output_schema(capability: JsValue) -> Result<JsValue, JsValue> {
        js_glue::capability_schema(&capability, "outputSchema")
    }

    /// Looks up the SentinelOne agent whose serial number equals `input.serialNumber` exactly.
    #[wasm_bindgen(js_name = getAgentBySerialNumber, skip_typescript)]
    pub fn get_agent_by_serial_number(
        connection: JsValue,
        input: JsValue,
        options: JsValue,
    ) -> js_sys::Promise {
        js_glue::run(
            Ok(Capability::GetAgentBySerialNumber),
            connection,
            input,
            options,
        )
    }

    /// Looks the device up and judges it against the trust rules: `trusted`, `reasons`, `checks`.
    #[wasm_bindgen(js_name = evaluateDeviceTrust, skip_typescript)]
    pub fn evaluate_device_trust(
        connection: JsValue,
        input: JsValue,
        options: JsValue,
    ) -> js_sys::Promise {
        js_glue::run(
            Ok(Capability::EvaluateDeviceTrust),
            connection,
            input,
            options,
        )
    }

    /// Checks the base URL and token with one least-privilege read; failures are returned, not thrown.
    #[wasm_bindgen(js_name = testConnection, skip_typescript)]
    pub fn test_connection(
        connection: JsValue,
        input: JsValue,
        options: JsValue,
    ) -> js_sys::Promise {
        js_glue::run(Ok(Capability::TestConnection), connection, input, options)
    }

    /// Judges every agent of the tenant in one paged pass into a snapshot keyed by serial.
    #[wasm_bindgen(js_name = syncAgents, skip_typescript)]
    pub fn sync_agents(connection: JsValue, input: JsValue, options: JsValue) -> js_sys::Promise {
        js_glue::sync_agents(connection, input, options)
    }

    /// Answers a sign-in check from a snapshot, with no network: the Evaluate Device Trust shape.
    #[wasm_bindgen(js_name = checkSerial, skip_typescript)]
    pub fn check_serial(
        snapshot: JsValue,
        serial_number: JsValue,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        js_glue::check_serial(&snapshot, &serial_number, &options)
    }

    /// Runs a capability by name with `{ connection, input }`, as a flow engine calls it.
    #[wasm_bindgen(skip_typescript)]
    pub fn invoke(capability: JsValue, request: JsValue, options: JsValue) -> js_sys::Promise {
        js_glue::invoke(&capability, &request, options)
    }
}
