// Puts the JS driver (src/driver.js) into the wasm-bindgen glue it is imported by, in place of the
// import: one module where there were two. wasm-bindgen copies a `module = "/src/driver.js"` snippet to
// pkg/snippets/<crate>-<hash>/src/driver.js and imports it from there; loading that second module
// cost a Node host ~0.4 ms of its cold start, and a browser loading the package unbundled one more
// request, made only once the glue has arrived.
//
//   node scripts/inline-driver.mjs pkg/sentinelone_connector.js
//
// The driver runs inside a function of its own, so its names cannot meet the glue's. Fails loudly when
// the glue or the driver is not shaped as expected (a new wasm-bindgen, an import added to the driver).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const gluePath = process.argv[2];
if (!gluePath) throw new Error('usage: node scripts/inline-driver.mjs <glue .js>');
const glue = readFileSync(gluePath, 'utf8');

const IMPORT = /^import \{ ([\w, ]+) \} from '\.\/(snippets\/[^']+\/src\/driver\.js)';$/gm;
const imports = [...glue.matchAll(IMPORT)];
if (imports.length !== 1) {
  throw new Error(`expected one import of the driver snippet in ${gluePath}, found ${imports.length}`);
}
const [line, list, snippetPath] = imports[0];
const names = list.split(',').map((name) => name.trim());
const snippetsDir = join(dirname(gluePath), 'snippets');
const driver = readFileSync(join(dirname(gluePath), snippetPath), 'utf8');

if (/^\s*import\b/m.test(driver)) throw new Error('the driver imports a module: it can no longer be inlined');
const exported = [...driver.matchAll(/^export function (\w+)\(/gm)].map((m) => m[1]);
if (/^export (?!function )/m.test(driver)) throw new Error('the driver exports something other than functions');
for (const name of names) {
  if (!exported.includes(name)) throw new Error(`the glue imports ${name}, which the driver does not export`);
}

const inlined = [
  '// src/driver.js, inlined by scripts/inline-driver.mjs (one module to load instead of two).',
  `const { ${names.join(', ')} } = (() => {`,
  driver.replace(/^export function /gm, 'function ').trimEnd(),
  `return { ${names.join(', ')} };`,
  '})();',
].join('\n');
// A function as the replacement: the driver's text is used as it is (no `$&` patterns).
const result = glue.replace(line, () => inlined);
// snippets/ is removed below: nothing else may still be loaded from it.
if (result.includes('./snippets/')) throw new Error(`${gluePath} loads another snippet: it would be removed`);
writeFileSync(gluePath, result);
rmSync(snippetsDir, { recursive: true, force: true });
console.log(`inlined the driver (${names.length} functions) into ${gluePath}`);
