// Keeps the wasm-bindgen glue's async `init()` from touching `Request` and `Response` unless it was given
// one. In Node 18 and 20 both are lazy getters that load the whole fetch implementation on first touch
// (~25 ms, more than the rest of a cold start), and the generated `init()` asks `typeof Request` and
// `instanceof Response` of whatever it is given: a Node, Deno or Bun host passing the .wasm's bytes or a
// compiled `WebAssembly.Module` to the `/web` entry paid for a fetch it never made. Now a value is asked
// `instanceof` only when its `Symbol.toStringTag` already says it is one (a `Request` or `Response`
// from any realm or polyfill is tagged so), which is what the test that follows decides anyway.
//
//   node scripts/lazy-init.mjs pkg/sentinelone_connector.js
//
// Fails loudly when the glue is not shaped as expected (a new wasm-bindgen).
import { readFileSync, writeFileSync } from 'node:fs';

const gluePath = process.argv[2];
if (!gluePath) throw new Error('usage: node scripts/lazy-init.mjs <glue .js>');
let glue = readFileSync(gluePath, 'utf8');

const LOAD = 'async function __wbg_load(module, imports) {';
const TAGGED = [
  '// Whether `value` says it is a `tag` (a Request or a Response) without touching the global of that name',
  '// (added by scripts/lazy-init.mjs: in Node those globals load the fetch implementation when read).',
  'function __wbg_tagged(value, tag) {',
  "    return value !== null && typeof value === 'object' && value[Symbol.toStringTag] === tag;",
  '}',
  '',
].join('\n');

const edits = [
  [LOAD, `${TAGGED}${LOAD}`],
  [
    "typeof Response === 'function' && module instanceof Response",
    "__wbg_tagged(module, 'Response') && typeof Response === 'function' && module instanceof Response",
  ],
  [
    "(typeof Request === 'function' && module_or_path instanceof Request)",
    "(__wbg_tagged(module_or_path, 'Request') && typeof Request === 'function' && module_or_path instanceof Request)",
  ],
];
for (const [from, to] of edits) {
  const count = glue.split(from).length - 1;
  if (count !== 1) throw new Error(`expected \`${from}\` once in ${gluePath}, found it ${count} times`);
  glue = glue.replace(from, () => to);
}
// Another test of the two globals would undo the point of the edits.
const guarded = /__wbg_tagged\(\w+, '(Request|Response)'\) && typeof \1 === 'function' && \w+ instanceof \1/g;
const unguarded = glue.replace(guarded, '').match(/\b(typeof|instanceof) (Request|Response)\b/g);
if (unguarded) throw new Error(`${gluePath} still tests ${unguarded.join(', ')} unguarded`);
writeFileSync(gluePath, glue);
console.log(`guarded init()'s Request and Response tests in ${gluePath}`);
