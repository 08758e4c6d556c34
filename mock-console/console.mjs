// The mock console's behaviour as a pure function from request to response, with no Node imports:
// the HTTP server (server.mjs) and the browser harness's in-page mock shim both answer through it.
import { buildFleet, seededFleet } from './fixtures.mjs';

/** The token the mock accepts unless told otherwise; it expires in a year. */
export const MOCK_API_TOKEN = 'mock-s1-api-token-6b1f0c2e9a7d4c3b8e5f';

/** More tokens, one per Test Connection case: expiring in 5 days, no expiry, and a wrong scope (403). */
export const MOCK_TOKENS = {
  expiring: 'mock-s1-expiring-token-2d4f6a8c0e1b3d5f',
  noExpiry: 'mock-s1-no-expiry-token-9e8d7c6b5a4f3e2d',
  forbidden: 'mock-s1-other-scope-token-1a2b3c4d5e6f7a8b',
};

const TOKEN_LIFETIME_DAYS = {
  [MOCK_API_TOKEN]: 365,
  [MOCK_TOKENS.expiring]: 5,
  [MOCK_TOKENS.noExpiry]: null,
  [MOCK_TOKENS.forbidden]: 90,
};

const AGENTS_PATH = '/web/api/v2.1/agents';
const TOKEN_DETAILS_PATH = '/web/api/v2.1/users/api-token-details';
const CSV_FILTERS = { siteIds: 'siteId', accountIds: 'accountId', groupIds: 'groupId', osTypes: 'osType', networkStatuses: 'networkStatus', ids: 'id' };

const errorBody = (code, title, detail = null) => JSON.stringify({ errors: [{ code, detail, title }] });
const json = (status, body) => ({ status, headers: { 'content-type': 'application/json' }, body });

/**
 * A mock console. Options: token (accept only this one), fleet (agents), fleetSize (a seeded fleet of
 * that many agents, generated page by page), now (ms), maxPageSize (cap pages below `limit`, to exercise
 * cursors). Returns { handle(request) → { status, headers, body }, fleet }.
 */
export function createConsole(options = {}) {
  const now = options.now ?? Date.now();
  const lifetimes = options.token ? { [options.token]: 365 } : TOKEN_LIFETIME_DAYS;
  const fleet = options.fleet ?? (options.fleetSize ? seededFleet(options.fleetSize, now, options.seed ?? 1) : buildFleet(now));
  const maxPageSize = options.maxPageSize ?? 1000;

  function handle({ method = 'GET', url, headers = {}, body = '' }) {
    const parsed = new URL(url, 'http://mock');
    const authorization = headers.authorization ?? headers.Authorization;
    const token = bearer(authorization);
    if (token === null || !(token in lifetimes)) return json(401, errorBody(4010010, 'Authentication Failed'));
    if (method === 'POST' && parsed.pathname === TOKEN_DETAILS_PATH) {
      let asked;
      try { asked = JSON.parse(body)?.data?.apiToken; } catch { asked = undefined; }
      if (typeof asked !== 'string') return json(400, errorBody(4000010, 'Validation Error', 'data.apiToken: Missing data for required field.'));
      if (!(asked in lifetimes)) return json(400, errorBody(4000010, 'Validation Error', 'Invalid API token.'));
      const days = lifetimes[asked];
      const createdAt = new Date(now - 30 * 86_400_000).toISOString();
      const expiresAt = days === null ? null : new Date(now + days * 86_400_000).toISOString();
      return json(200, JSON.stringify({ data: { createdAt, expiresAt } }));
    }
    if (token === MOCK_TOKENS.forbidden) {
      return json(403, errorBody(4030010, 'Forbidden', 'The user does not have permission to perform this action.'));
    }
    if (method === 'GET' && parsed.pathname === AGENTS_PATH) {
      return json(...Object.values(listAgents(fleet, parsed.searchParams, maxPageSize)));
    }
    return json(404, errorBody(4040010, 'Not Found', `No route for ${method} ${parsed.pathname}`));
  }

  return { handle, fleet };
}

function bearer(header) {
  if (typeof header !== 'string') return null;
  const match = /^ApiToken\s+(\S+)$/i.exec(header.trim());
  return match === null ? null : match[1];
}

/**
 * The request's filters as one test of an agent (`any` when there is one), or the 400 the API answers
 * for a value it refuses (`refused`).
 */
function agentFilter(params) {
  const refuse = (detail) => ({ refused: { status: 400, body: errorBody(4000010, 'Validation Error', detail) } });
  const tests = [];
  const serialFilter = params.get('serialNumber__contains');
  if (serialFilter !== null) {
    // The API splits the decoded value on commas ("supports multiple values"), each at least 2 characters.
    const needles = serialFilter.split(',');
    if (needles.some((n) => n.length < 2)) {
      return refuse('serialNumber__contains: Shorter than minimum length 2.');
    }
    const lower = needles.map((n) => n.toLowerCase());
    tests.push((a) => {
      const serial = a.serialNumber == null ? null : String(a.serialNumber).toLowerCase();
      return serial !== null && lower.some((n) => serial.includes(n));
    });
  }
  for (const [param, field] of Object.entries(CSV_FILTERS)) {
    const value = params.get(param);
    if (value !== null) {
      const allowed = new Set(value.split(','));
      tests.push((a) => allowed.has(String(a[field])));
    }
  }
  const updatedAfter = params.get('updatedAt__gt');
  if (updatedAfter !== null) {
    const t = Date.parse(updatedAfter);
    if (Number.isNaN(t)) return refuse('updatedAt__gt: Not a valid datetime.');
    tests.push((a) => Date.parse(a.updatedAt) > t);
  }
  return { any: tests.length > 0, test: (a) => tests.every((test) => test(a)) };
}

/** Answers GET /agents: filters, sorts by id, pages by cursor; 400 for values the API refuses. */
export function listAgents(fleet, params, maxPageSize = 1000) {
  if (!Array.isArray(fleet)) return listLazy(fleet, params, maxPageSize);
  const paged = paging(params);
  if (paged.refused) return paged.refused;
  const filter = agentFilter(params);
  if (filter.refused) return filter.refused;
  let agents = filter.any ? fleet.filter(filter.test) : fleet;
  agents = [...agents].sort((a, b) => (a.id.length - b.id.length) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const totalItems = agents.length;
  if (paged.countOnly) {
    return { status: 200, body: JSON.stringify({ data: [], pagination: { nextCursor: null, totalItems } }) };
  }
  const { offset } = paged;
  const page = agents.slice(offset, offset + Math.min(paged.limit, maxPageSize));
  const nextOffset = offset + page.length;
  const nextCursor = nextOffset < totalItems ? btoa(`offset:${nextOffset}`) : null;
  return { status: 200, body: JSON.stringify({ data: page, pagination: { nextCursor, totalItems } }) };
}

/**
 * The paging parameters as the API reads them, `{ limit, offset, countOnly }`, or the 400 it answers
 * (`refused`): limit 1-1000 (default 10), skip 0-1000, sortOrder asc or desc, a cursor this console made.
 */
function paging(params) {
  const refuse = (detail) => ({ refused: { status: 400, body: errorBody(4000010, 'Validation Error', detail) } });
  const limitText = params.get('limit') ?? '10';
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > 1000) return refuse('limit: Must be between 1 and 1000.');
  const sortOrder = params.get('sortOrder');
  if (sortOrder !== null && sortOrder !== 'asc' && sortOrder !== 'desc') {
    return refuse('sortOrder: Must be one of: asc, desc.');
  }
  let offset = 0;
  const cursor = params.get('cursor');
  const skip = params.get('skip');
  if (cursor !== null) {
    let decoded = null;
    try { decoded = /^offset:(\d+)$/.exec(atob(cursor)); } catch { decoded = null; }
    if (!decoded) return refuse('cursor: Invalid cursor.');
    offset = Number(decoded[1]);
  } else if (skip !== null) {
    // "To iterate over more than 1000 items, use cursor."
    if (!/^\d+$/.test(skip) || Number(skip) > 1000) return refuse('skip: Must be between 0 and 1000.');
    offset = Number(skip);
  }
  return { limit, offset, countOnly: params.get('countOnly') === 'true' };
}

const FILTER_PARAMS = ['serialNumber__contains', 'updatedAt__gt', ...Object.keys(CSV_FILTERS)];

/** The last filter's matches per lazy fleet. */
const lazyMatches = new WeakMap();

/** Pages a lazy fleet: unfiltered pages are generated slice by slice; a filter scans agent by agent. */
function listLazy(fleet, params, maxPageSize) {
  const filter = agentFilter(params);
  // The same 400s, in the same order, as a listed fleet.
  if (filter.refused) return listAgents([], params, maxPageSize);
  if (filter.any) {
    // The agents a filter matches are kept for the pages that follow (same filters, next cursor):
    // scanning a 100,000-agent fleet again for every page made an incremental sync take 30 s.
    const key = FILTER_PARAMS.map((p) => params.get(p)).join('\u0000');
    let found = lazyMatches.get(fleet);
    if (found?.key !== key) {
      const matching = [];
      for (let i = 0; i < fleet.size; i++) {
        const agent = fleet.at(i);
        if (filter.test(agent)) matching.push(agent);
      }
      found = { key, matching };
      lazyMatches.set(fleet, found);
    }
    return listAgents(found.matching, params, maxPageSize);
  }
  const paged = paging(params);
  if (paged.refused) return paged.refused;
  if (paged.countOnly) {
    return { status: 200, body: JSON.stringify({ data: [], pagination: { nextCursor: null, totalItems: fleet.size } }) };
  }
  const { limit, offset } = paged;
  const end = Math.min(fleet.size, offset + Math.min(limit, maxPageSize));
  const page = [];
  for (let i = offset; i < end; i++) page.push(fleet.at(i));
  const nextCursor = end < fleet.size ? btoa(`offset:${end}`) : null;
  return { status: 200, body: JSON.stringify({ data: page, pagination: { nextCursor, totalItems: fleet.size } }) };
}

/** A fetch shim answering from an in-page mock console, for pages served with no server behind them. */
export function inPageFetchShim(mock = createConsole()) {
  return async (request) => mock.handle(request);
}
