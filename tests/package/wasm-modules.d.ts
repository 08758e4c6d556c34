// What @cloudflare/workers-types and wrangler declare for a .wasm import: the module the runtime compiled.
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
