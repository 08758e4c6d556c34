// Node entry where the `module-sync` export condition holds (Node >= 20.19 and 22.12, every one of which
// has process.getBuiltinModule): node.js without the `node:module` import its fallback needs, which
// costs ~0.3 ms of a ~10 ms cold start. Older Nodes resolve node.js.
import { initSync } from './sentinelone_connector.js';

const fs = process.getBuiltinModule?.('fs');
if (fs === undefined) {
  throw new Error("sentinelone-connector: this entry needs process.getBuiltinModule (Node >= 20.16); import the package by name and Node picks the entry it can load");
}
initSync({ module: fs.readFileSync(new URL('./sentinelone_connector_bg.wasm', import.meta.url)) });

export * from './sentinelone_connector.js';
