// Node entry: instantiates the module synchronously from its bytes, so importing is all a host does.
import { readFileSync } from 'node:fs';
import { initSync } from './sentinelone_connector.js';

initSync({ module: readFileSync(new URL('./sentinelone_connector_bg.wasm', import.meta.url)) });

export * from './sentinelone_connector.js';
