//! One export that uses each runtime dependency of the connector once and settles a JS promise.

use wasm_bindgen::prelude::*;

#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The serial percent-encoded and a number written shortest, through a promise.
#[wasm_bindgen(js_name = getAgentBySerialNumber)]
pub fn get_agent_by_serial_number(serial: &str, number: f64) -> js_sys::Promise {
    let mut text: String =
        percent_encoding::utf8_percent_encode(serial, percent_encoding::NON_ALPHANUMERIC).collect();
    text.push_str(ryu::Buffer::new().format(number));
    // Through js-sys, not a JS snippet: one module to load, as the connector's glue is since its
    // driver is inlined (scripts/inline-driver.mjs).
    js_sys::Promise::resolve(&JsValue::from_str(&text))
}
