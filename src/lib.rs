//! SentinelOne device-trust connector: capabilities an identity flow calls by name, with every
//! request sent through a host-provided transport.
//!
//! The core is plain Rust and natively testable; this file is the only `#[wasm_bindgen]` layer,
//! each export a one-line decode, call, encode.
#![warn(missing_docs)]

pub mod capability;
pub mod client;
pub mod connection;
pub mod error;
pub mod health;
pub mod lookup;
pub mod loose;
pub mod options;
pub mod output;
pub mod redact;
pub mod response;
pub mod runtime;
pub mod schema;
pub mod serial;
pub mod sync;
pub mod timestamp;
pub mod transport;
pub mod trust;
pub mod wire;

#[cfg(target_arch = "wasm32")]
mod js_glue;

#[cfg(target_arch = "wasm32")]
pub use exports::*;

/// The JavaScript API: `manifest`, `inputSchema`, `outputSchema`, `getAgentBySerialNumber`, `invoke`.
#[cfg(target_arch = "wasm32")]
mod exports {
    use wasm_bindgen::prelude::*;

    use crate::capability::Capability;
    use crate::js_glue;

    #[wasm_bindgen]
    extern "C" {
        /// The platform's global `fetch`; a missing or throwing one is an `Err`, never a trap.
        #[wasm_bindgen(catch, js_name = fetch)]
        pub(crate) fn platform_fetch(
            request: &web_sys::Request,
        ) -> Result<js_sys::Promise, JsValue>;
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
    pub async fn get_agent_by_serial_number(
        connection: JsValue,
        input: JsValue,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        js_glue::run(
            Ok(Capability::GetAgentBySerialNumber),
            connection,
            input,
            options,
        )
        .await
    }

    /// Looks the device up and judges it against the trust rules: `trusted`, `reasons`, `checks`.
    #[wasm_bindgen(js_name = evaluateDeviceTrust, skip_typescript)]
    pub async fn evaluate_device_trust(
        connection: JsValue,
        input: JsValue,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        js_glue::run(
            Ok(Capability::EvaluateDeviceTrust),
            connection,
            input,
            options,
        )
        .await
    }

    /// Checks the base URL and token with one least-privilege read; failures are returned, not thrown.
    #[wasm_bindgen(js_name = testConnection, skip_typescript)]
    pub async fn test_connection(
        connection: JsValue,
        input: JsValue,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        js_glue::run(Ok(Capability::TestConnection), connection, input, options).await
    }

    /// Judges every agent of the tenant in one paged pass into a snapshot keyed by serial.
    #[wasm_bindgen(js_name = syncAgents, skip_typescript)]
    pub async fn sync_agents(
        connection: JsValue,
        input: JsValue,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        js_glue::sync_agents(connection, input, options).await
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
    pub async fn invoke(
        capability: JsValue,
        request: JsValue,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        js_glue::invoke(&capability, &request, options).await
    }
}
