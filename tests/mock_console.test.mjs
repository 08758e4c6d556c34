// The mock console answers a generated (lazy) fleet as it answers the same agents listed in an
// array: the same filters, pages and refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import { listAgents, createConsole, MOCK_API_TOKEN } from '../mock-console/console.mjs';
import { seededFleet } from '../mock-console/fixtures.mjs';

const NOW = Date.parse('2026-11-24T09:00:00Z');
const lazy = seededFleet(2500, NOW);
const listed = Array.from({ length: lazy.size }, (_, i) => lazy.at(i));
const updates = listed.map((a) => a.updatedAt).sort();
const median = updates[updates.length >> 1];

/** Every page of `query`, following cursors, as the console answered them. */
function allPages(fleet, query) {
  const answers = [];
  let cursor = null;
  do {
    const params = new URLSearchParams(query);
    params.set('limit', '1000');
    if (cursor !== null) params.set('cursor', cursor);
    const answer = listAgents(fleet, params);
    answers.push(answer);
    cursor = answer.status === 200 ? JSON.parse(answer.body).pagination.nextCursor : null;
  } while (cursor !== null);
  return answers;
}

for (const query of [
  `updatedAt__gt=${median}`,
  'osTypes=windows,linux',
  'serialNumber__contains=C0',
  `osTypes=macos&updatedAt__gt=${median}`,
  'updatedAt__gt=yesterday',
  'serialNumber__contains=C',
]) {
  test(`a generated fleet answers ${query} as the same fleet listed`, () => {
    const answers = allPages(lazy, query);
    assert.deepEqual(answers, allPages(listed, query));
    if (answers[0].status === 200) {
      const { totalItems } = JSON.parse(answers[0].body).pagination;
      assert.ok(totalItems > 0 && totalItems < lazy.size, `${query} selects some agents: ${totalItems}`);
    }
  });
}

test('the filter of a generated fleet is not carried over to the next request with other filters', () => {
  const windows = allPages(lazy, 'osTypes=windows');
  const macos = allPages(lazy, 'osTypes=macos');
  const os = (answers) => new Set(answers.flatMap((a) => JSON.parse(a.body).data.map((agent) => agent.osType)));
  assert.deepEqual([...os(windows)], ['windows']);
  assert.deepEqual([...os(macos)], ['macos']);
});

test('paging parameters are refused as the OpenAPI definition bounds them, by a listed and a generated fleet', () => {
  const detail = (fleet, query) => {
    const answer = listAgents(fleet, new URLSearchParams(query));
    return answer.status === 200 ? 200 : JSON.parse(answer.body).errors[0].detail;
  };
  const cases = [
    ['limit=0', 'limit: Must be between 1 and 1000.'],
    ['limit=1001', 'limit: Must be between 1 and 1000.'],
    ['limit=ten', 'limit: Must be between 1 and 1000.'],
    ['skip=1001', 'skip: Must be between 0 and 1000.'],
    ['skip=-1', 'skip: Must be between 0 and 1000.'],
    ['sortOrder=sideways', 'sortOrder: Must be one of: asc, desc.'],
    ['cursor=garbage', 'cursor: Invalid cursor.'],
    ['limit=5&skip=1000&sortOrder=desc', 200],
  ];
  for (const [query, expected] of cases) {
    assert.equal(detail(listed, query), expected, `listed: ${query}`);
    assert.equal(detail(lazy, query), expected, `generated: ${query}`);
  }
  // skip pages as a cursor does, in both.
  const page = (fleet) => JSON.parse(listAgents(fleet, new URLSearchParams('limit=3&skip=10')).body).data.map((a) => a.id);
  assert.deepEqual(page(lazy), page(listed));
  assert.equal(page(lazy).length, 3);
});

// The OpenAPI definition's response schemas (mock-console/agents-openapi.json, an excerpt), as JSON
// Schema: Swagger 2.0's `x-nullable` becomes a null type, and enums take the values later sources add.
const spec = JSON.parse(readFileSync(new URL('../mock-console/agents-openapi.json', import.meta.url), 'utf8'));
const later = new Map(spec.laterEnumValues.map((d) => [d.name, Object.entries(d).find(([k]) => k !== 'name' && k !== 'thisSpec')[1]]));
// Fields the definition types as non-null that real consoles send as null (agents never scanned, no
// Active Directory, no storage, no serial read from the firmware): the mock sends them so too.
const NULL_IN_PRACTICE = new Set(['storageName', 'storageType', 'operationalStateExpiration', 'remoteProfilingStateExpiration',
  'scanAbortedAt', 'osUsername', 'serialNumber', 'lastUserDistinguishedName', 'computerDistinguishedName']);
function toJsonSchema(node, name) {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n));
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (['description', 'example', 'format', 'default', 'x-nullable'].includes(k)) continue;
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v).map(([n, p]) => [n, toJsonSchema(p, n)])) : toJsonSchema(v);
  }
  if (out.enum && later.has(name)) out.enum = [...new Set([...out.enum, ...later.get(name)])];
  if (out.items?.enum && later.has(name)) out.items.enum = [...new Set([...out.items.enum, ...later.get(name)])];
  if (node['x-nullable'] || NULL_IN_PRACTICE.has(name)) out.type = [out.type, 'null'];
  return out;
}
const definitions = toJsonSchema(spec.definitions);
const ajv = new Ajv({ strict: false, allErrors: true });
const validator = (name) => ajv.compile({ definitions, $ref: `#/definitions/${name}` });

/**
 * The deviations the mock makes on purpose, so that the connector's leniency is tested: booleans as
 * "True"/"False", counts as digit strings, a serial as a number, enum values the definition does not
 * list (osType, networkStatus are open). Anything else an agent gets wrong fails the test.
 */
function deviation(error, agent) {
  const path = error.instancePath.split('/').slice(3);
  const value = path.reduce((o, k) => o?.[k], agent);
  if (error.keyword === 'type' && error.params.type === 'boolean' && (value === 'True' || value === 'False')) return 'boolean as "True"/"False"';
  if (error.keyword === 'type' && error.params.type === 'integer' && /^\d+$/.test(value)) return 'count as a digit string';
  if (error.keyword === 'type' && path.join('/') === 'serialNumber' && typeof value === 'number') return 'serial as a number';
  if (error.keyword === 'enum' && ['osType', 'networkStatus'].includes(path.join('/')) && /^[a-z_]+$/.test(value)) return 'an enum value not listed';
  return null;
}

test('the mock console answers as the OpenAPI definition of GET /web/api/v2.1/agents says, but for the deviations it makes on purpose', () => {
  const page200 = validator('agents.schemas_AgentViewSchema_many_200');
  const page400 = validator('_NoDataSchema_400');
  const page401 = validator('_NoDataSchema_401');
  const authorization = `ApiToken ${MOCK_API_TOKEN}`;
  for (const [name, mock, allowedShare] of [['listed', createConsole({ now: NOW }), 0.2], ['generated', createConsole({ now: NOW, fleetSize: 3000 }), 0.15]]) {
    const seen = new Map();
    let agents = 0;
    let cursor = null;
    do {
      const answer = mock.handle({ url: `/web/api/v2.1/agents?limit=1000${cursor ? `&cursor=${cursor}` : ''}`, headers: { authorization } });
      assert.equal(answer.status, 200);
      const body = JSON.parse(answer.body);
      if (!page200(body)) {
        for (const error of page200.errors) {
          const index = Number(error.instancePath.split('/')[2]);
          const kind = error.instancePath.startsWith('/data/') ? deviation(error, body.data[index]) : null;
          assert.ok(kind, `${name}: ${error.instancePath} ${error.message} (${JSON.stringify(error.params)})`);
          if (!seen.has(kind)) seen.set(kind, new Set());
          seen.get(kind).add(body.data[index].id);
        }
      }
      agents += body.data.length;
      cursor = body.pagination.nextCursor;
    } while (cursor !== null);
    const deviating = new Set([...seen.values()].flatMap((ids) => [...ids]));
    assert.ok(deviating.size <= agents * allowedShare, `${name}: ${deviating.size} of ${agents} agents deviate`);
    if (name === 'listed') {
      // Each lenient reading the connector claims has an agent in the default fleet that needs it.
      assert.deepEqual([...seen.keys()].sort(), ['an enum value not listed', 'boolean as "True"/"False"', 'count as a digit string', 'serial as a number']);
    }
  }
  const mock = createConsole({ now: NOW });
  const refused = mock.handle({ url: '/web/api/v2.1/agents?limit=0', headers: { authorization } });
  assert.equal(refused.status, 400);
  assert.ok(page400(JSON.parse(refused.body)), JSON.stringify(page400.errors));
  const unauthorized = mock.handle({ url: '/web/api/v2.1/agents', headers: { authorization: 'ApiToken wrong-token-0123456789' } });
  assert.equal(unauthorized.status, 401);
  assert.ok(page401(JSON.parse(unauthorized.body)), JSON.stringify(page401.errors));
  // The definition is strict where the mock is: a missing totalItems or a string id would fail.
  assert.equal(page200({ data: [], pagination: { nextCursor: null } }), false);
  assert.equal(page200({ data: [{ id: 7 }], pagination: { nextCursor: null, totalItems: 1 } }), false);
});
