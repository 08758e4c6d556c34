// The mock console answers a generated (lazy) fleet as it answers the same agents listed in an
// array: the same filters, pages and refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listAgents } from '../mock-console/console.mjs';
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
