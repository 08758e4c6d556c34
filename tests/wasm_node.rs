//! The wasm build under Node, through the real exports.
#![cfg(target_arch = "wasm32")]

mod wasm_cases;
