// Browser (and bundler) entry: fetches and instantiates the module once, at import.
// For explicit control over loading, import 'sentinelone-connector/web' and call its default init().
import init from './sentinelone_connector.js';

await init({ module_or_path: new URL('./sentinelone_connector_bg.wasm', import.meta.url) });

export * from './sentinelone_connector.js';
