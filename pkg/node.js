// Node entry: instantiates the module synchronously from its bytes, so importing is all a host does.
// `fs` comes from process.getBuiltinModule (Node >= 20.16, 22.3) where there is one: importing `node:fs`
// builds its ES module facade, ~1.5 ms of a ~13 ms cold start; `node:module` costs a third of that.
// Nodes with the `module-sync` condition (>= 20.19, 22.12) load node-sync.js instead, without the import.
// (No top-level await: a bundler may still hand this entry to require().)
import { createRequire } from 'node:module';
import { initSync } from './sentinelone_connector.js';

const { readFileSync } = process.getBuiltinModule?.('fs') ?? createRequire(import.meta.url)('fs');
initSync({ module: readFileSync(new URL('./sentinelone_connector_bg.wasm', import.meta.url)) });

export * from './sentinelone_connector.js';
