// The packed TypeScript types and the JSON Schemas the module exports describe the same values: the
// same property names, the same optional ones, the same JSON types and the same closed sets of
// strings, walked through every nested object, array and map. A TS host is told what a flow engine is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { manifest } from 'sentinelone-connector';

const ts = createRequire(import.meta.url)('typescript');

// Each capability through the Capabilities map invoke() reads, and through its named function.
const source = `import type * as C from 'sentinelone-connector';
export type connection = C.ConnectionProperties;
export type error = C.ConnectorError;
export type trustRules = C.TrustRules;
${['getAgentBySerialNumber', 'evaluateDeviceTrust', 'testConnection', 'syncAgents']
  .map((name) => `export type ${name}Input = C.Capabilities['${name}']['input'];
export type ${name}Output = C.Capabilities['${name}']['output'];
export type ${name}CallInput = NonNullable<Parameters<typeof C.${name}>[1]>;
export type ${name}CallOutput = Awaited<ReturnType<typeof C.${name}>>;`)
  .join('\n')}
export type checkSerialOutput = ReturnType<typeof C.checkSerial>;
`;

/** The checker and the exported aliases of a program holding `source`, resolved as a host's tsc does. */
function load() {
  const file = `${process.cwd()}/types-probe.ts`;
  const options = { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, ...rest) => (name === file ? ts.createSourceFile(name, source, ts.ScriptTarget.ES2022, true) : read(name, ...rest));
  const exists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || exists(name);
  const program = ts.createProgram([file], options, host);
  const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  assert.deepEqual(problems, [], 'the probe type-checks');
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(file));
  const types = {};
  for (const symbol of checker.getExportsOfModule(module)) types[symbol.name] = checker.getDeclaredTypeOfSymbol(symbol);
  return { checker, types };
}

/** The JSON types a schema allows (integer as number), or null when it does not say (any value). */
function schemaKinds(schema) {
  if (schema.const !== undefined) return new Set([jsonKind(schema.const)]);
  if (Array.isArray(schema.enum)) return new Set(schema.enum.map(jsonKind));
  if (schema.type !== undefined) return new Set([schema.type].flat().map((t) => (t === 'integer' ? 'number' : t)));
  const branches = schema.anyOf ?? schema.oneOf;
  if (!branches) return null;
  const kinds = branches.map(schemaKinds);
  return kinds.includes(null) ? null : new Set(kinds.flatMap((k) => [...k]));
}

function jsonKind(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** The branch of `schema` (itself or one of its anyOf/oneOf) that describes values of `kind`. */
function branchOf(schema, kind) {
  const branches = schema.anyOf ?? schema.oneOf;
  if (!branches) return schema;
  return branches.find((b) => schemaKinds(b)?.has(kind)) ?? schema;
}

/** Compares the TS type at `path` with its schema, recording each disagreement in `found`. */
function compare(checker, type, schema, path, found) {
  // `allOf: [X]` beside a description is X described.
  for (const part of schema.allOf ?? []) schema = { ...schema, ...part, allOf: undefined };
  // A schema that only describes (no type, no shape) leaves the TS type free to say more.
  if (schemaKinds(schema) === null && !schema.properties) return;
  const parts = type.isUnion() ? type.types : [type];
  if (parts.some((t) => t.flags & (ts.TypeFlags.Unknown | ts.TypeFlags.Any))) return; // says nothing, like the schema's {}
  const kinds = schemaKinds(schema);
  const byKind = new Map();
  for (const part of parts) {
    const kind = tsKind(checker, part);
    if (kind === 'undefined') continue; // an optional property: compared with `required` instead
    if (!byKind.has(kind)) byKind.set(kind, []);
    byKind.get(kind).push(part);
  }
  if (kinds !== null) {
    const declared = [...byKind.keys()].sort().join('|');
    const expected = [...kinds].sort().join('|');
    if (declared !== expected) found.push(`${path}: TS is ${declared}, schema ${expected}`);
  }
  const strings = byKind.get('string') ?? [];
  const closed = strings.length > 0 && strings.every((t) => t.isStringLiteral());
  const schemaStrings = (schema.const !== undefined ? [schema.const] : schema.enum)?.filter((v) => typeof v === 'string');
  if (closed || schemaStrings?.length) {
    const tsSet = closed ? strings.map((t) => t.value).sort().join(',') : 'any string';
    const schemaSet = schemaStrings?.length ? schemaStrings.sort().join(',') : 'any string';
    if (tsSet !== schemaSet) found.push(`${path}: TS strings ${tsSet}; schema ${schemaSet}`);
  }
  for (const part of byKind.get('array') ?? []) {
    const items = branchOf(schema, 'array').items;
    if (items) compare(checker, checker.getTypeArguments(part)[0], items, `${path}[]`, found);
  }
  for (const part of byKind.get('object') ?? []) compareObject(checker, part, branchOf(schema, 'object'), path, found);
}

function tsKind(checker, type) {
  const f = type.flags;
  if (f & ts.TypeFlags.Undefined) return 'undefined';
  if (f & ts.TypeFlags.Null) return 'null';
  if (f & ts.TypeFlags.StringLike) return 'string';
  if (f & ts.TypeFlags.NumberLike) return 'number';
  if (f & ts.TypeFlags.BooleanLike) return 'boolean';
  if (checker.isArrayType(type)) return 'array';
  // `string & {}`: any string, kept apart from the literals an editor offers.
  if (type.isIntersection() && type.types.some((t) => t.flags & ts.TypeFlags.String)) return 'string';
  if (f & ts.TypeFlags.Object) return 'object';
  return checker.typeToString(type);
}

/** Properties Error gives every error (the error schema describes the connector's own). */
const ERROR_BASE = new Set(['stack', 'cause']);

function compareObject(checker, type, schema, path, found) {
  const props = checker.getPropertiesOfType(type).filter((p) => !(path === 'error' && ERROR_BASE.has(p.name)));
  const declared = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const names = Object.keys(declared);
  const keyEnum = schema.propertyNames?.enum;
  if (names.length === 0 && keyEnum) {
    // A map over a closed set of keys: Partial<Record<K, V>> in TS.
    const tsKeys = props.map((p) => p.name).sort().join(',');
    if (tsKeys !== [...keyEnum].sort().join(',')) found.push(`${path}: TS keys ${tsKeys}; schema keys ${keyEnum.join(',')}`);
    for (const p of props) {
      if (!(p.flags & ts.SymbolFlags.Optional)) found.push(`${path}.${p.name}: required in TS, any subset in the schema`);
      compare(checker, checker.getTypeOfSymbol(p), schema.additionalProperties ?? {}, `${path}.${p.name}`, found);
    }
    return;
  }
  if (names.length === 0 && !keyEnum && schema.additionalProperties === undefined) return; // any object
  const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
  if (index && names.length === 0) {
    if (typeof schema.additionalProperties === 'object') compare(checker, index.type, schema.additionalProperties, `${path}{*}`, found);
    return;
  }
  const tsNames = props.map((p) => p.name);
  for (const name of names) if (!tsNames.includes(name)) found.push(`${path}.${name}: in the schema, not in TS`);
  for (const p of props) {
    const sub = declared[p.name];
    if (sub === undefined) {
      found.push(`${path}.${p.name}: in TS, not in the schema`);
      continue;
    }
    const optional = (p.flags & ts.SymbolFlags.Optional) !== 0;
    if (optional === required.has(p.name)) found.push(`${path}.${p.name}: ${optional ? 'optional' : 'required'} in TS, not in the schema`);
    compare(checker, checker.getTypeOfSymbol(p), sub, `${path}.${p.name}`, found);
  }
}

test('the packed types say what the exported schemas say, property by property', () => {
  const { checker, types } = load();
  const m = manifest();
  const pairs = [
    ['connection', m.connectionProperties],
    ['error', m.errorSchema],
    ['trustRules', m.trustRulesSchema],
  ];
  for (const [name, capability] of Object.entries(m.capabilities)) {
    pairs.push([`${name}Input`, capability.inputSchema], [`${name}Output`, capability.outputSchema]);
    // The named functions' own signatures, not only the Capabilities map invoke() reads.
    pairs.push([`${name}CallInput`, capability.inputSchema], [`${name}CallOutput`, capability.outputSchema]);
  }
  pairs.push(['checkSerialOutput', m.capabilities.evaluateDeviceTrust.outputSchema]);
  assert.equal(pairs.length, 20);
  const found = [];
  for (const [name, schema] of pairs) {
    assert.ok(types[name], `${name} is exported by the probe`);
    compare(checker, types[name], schema, name, found);
  }
  assert.deepEqual(found, []);
});
