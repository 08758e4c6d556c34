// A SentinelOne-compatible mock management console: GET /web/api/v2.1/agents as the OpenAPI
// definition describes it, over a realistic fleet, on loopback. Run it directly or start it in-process.
//
//   node mock-console/server.mjs [--port 4010] [--host 127.0.0.1]
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildFleet } from './fixtures.mjs';

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

const errorBody = (code, title, detail = null) => JSON.stringify({ errors: [{ code, detail, title }] });

/**
 * Starts the mock console. Options: port (0 = any free), host, token, fleet (agents), now (ms),
 * maxPageSize (cap pages below `limit`, to exercise cursors), staticDirs ({ '/prefix/': directory } served
 * as files outside /web/api/, so a page and the console share one origin). Resolves with { url, requests, close }.
 */
export async function startMockConsole(options = {}) {
  const now = options.now ?? Date.now();
  const lifetimes = options.token ? { [options.token]: 365 } : TOKEN_LIFETIME_DAYS;
  const fleet = options.fleet ?? buildFleet(now);
  const maxPageSize = options.maxPageSize ?? 1000;
  const requests = [];

  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://mock');
    requests.push({ method: req.method, url: req.url, authorization: req.headers.authorization ? 'present' : 'absent' });
    const send = (status, body, headers = {}) => {
      res.writeHead(status, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        'x-rqid': randomUUID(),
        server: 'nginx',
        // The browser harness and user pages on other origins may call the mock directly.
        'access-control-allow-origin': '*',
        'access-control-allow-headers': 'Authorization, Accept, Content-Type',
        ...headers,
      });
      res.end(body);
    };
    if (req.method === 'OPTIONS') return send(204, '');
    if (!url.pathname.startsWith('/web/api/') && options.staticDirs) {
      return serveStatic(options.staticDirs, url.pathname, res);
    }
    const token = bearer(req.headers.authorization);
    if (token === null || !(token in lifetimes)) {
      return send(401, errorBody(4010010, 'Authentication Failed'));
    }
    if (req.method === 'POST' && url.pathname === TOKEN_DETAILS_PATH) {
      return readBody(req).then((text) => {
        let asked;
        try { asked = JSON.parse(text)?.data?.apiToken; } catch { asked = undefined; }
        if (typeof asked !== 'string') return send(400, errorBody(4000010, 'Validation Error', 'data.apiToken: Missing data for required field.'));
        if (!(asked in lifetimes)) return send(400, errorBody(4000010, 'Validation Error', 'Invalid API token.'));
        const days = lifetimes[asked];
        const createdAt = new Date(now - 30 * 86_400_000).toISOString();
        const expiresAt = days === null ? null : new Date(now + days * 86_400_000).toISOString();
        return send(200, JSON.stringify({ data: { createdAt, expiresAt } }));
      });
    }
    if (token === MOCK_TOKENS.forbidden) {
      return send(403, errorBody(4030010, 'Forbidden', 'The user does not have permission to perform this action.'));
    }
    if (req.method === 'GET' && url.pathname === AGENTS_PATH) {
      const { status, body } = listAgents(fleet, url.searchParams, maxPageSize);
      return send(status, body);
    }
    return send(404, errorBody(4040010, 'Not Found', `No route for ${req.method} ${url.pathname}`));
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.json': 'application/json', '.css': 'text/css', '.ts': 'text/plain',
  '.png': 'image/png', '.svg': 'image/svg+xml',
};

async function serveStatic(dirs, pathname, res) {
  const prefix = Object.keys(dirs).filter((p) => pathname.startsWith(p)).sort((a, b) => b.length - a.length)[0];
  const notFound = () => { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('not found'); };
  if (prefix === undefined) return notFound();
  const root = normalize(dirs[prefix]);
  let relative = decodeURIComponent(pathname.slice(prefix.length)) || 'index.html';
  if (relative.endsWith('/')) relative += 'index.html';
  const file = normalize(join(root, relative));
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return notFound();
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(body);
  } catch {
    notFound();
  }
}

function bearer(header) {
  if (typeof header !== 'string') return null;
  const match = /^ApiToken\s+(\S+)$/i.exec(header.trim());
  return match === null ? null : match[1];
}

function readBody(req) {
  return new Promise((resolve) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { if (text.length < 65_536) text += chunk; });
    req.on('end', () => resolve(text));
  });
}

const CSV_FILTERS = { siteIds: 'siteId', accountIds: 'accountId', groupIds: 'groupId', osTypes: 'osType', networkStatuses: 'networkStatus', ids: 'id' };

/** Answers GET /agents: filters, sorts by id, pages by cursor; 400 for values the API refuses. */
export function listAgents(fleet, params, maxPageSize = 1000) {
  const bad = (detail) => ({ status: 400, body: errorBody(4000010, 'Validation Error', detail) });
  const limitText = params.get('limit') ?? '10';
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > 1000) {
    return bad('limit: Must be between 1 and 1000.');
  }
  let agents = fleet;
  const serialFilter = params.get('serialNumber__contains');
  if (serialFilter !== null) {
    // The API splits the decoded value on commas ("supports multiple values"), each at least 2 characters.
    const needles = serialFilter.split(',');
    if (needles.some((n) => n.length < 2)) {
      return bad('serialNumber__contains: Shorter than minimum length 2.');
    }
    const lower = needles.map((n) => n.toLowerCase());
    agents = agents.filter((a) => {
      const serial = a.serialNumber == null ? null : String(a.serialNumber).toLowerCase();
      return serial !== null && lower.some((n) => serial.includes(n));
    });
  }
  for (const [param, field] of Object.entries(CSV_FILTERS)) {
    const value = params.get(param);
    if (value !== null) {
      const allowed = new Set(value.split(','));
      agents = agents.filter((a) => allowed.has(String(a[field])));
    }
  }
  agents = [...agents].sort((a, b) => (a.id.length - b.id.length) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const totalItems = agents.length;
  if (params.get('countOnly') === 'true') {
    return { status: 200, body: JSON.stringify({ data: [], pagination: { nextCursor: null, totalItems } }) };
  }
  let offset = 0;
  const cursor = params.get('cursor');
  if (cursor !== null) {
    const decoded = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
    if (!decoded) return bad('cursor: Invalid cursor.');
    offset = Number(decoded[1]);
  } else if (params.get('skip') !== null) {
    offset = Number(params.get('skip')) || 0;
  }
  const size = Math.min(limit, maxPageSize);
  const page = agents.slice(offset, offset + size);
  const nextOffset = offset + page.length;
  const nextCursor = nextOffset < totalItems ? Buffer.from(`offset:${nextOffset}`).toString('base64') : null;
  return { status: 200, body: JSON.stringify({ data: page, pagination: { nextCursor, totalItems } }) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const mock = await startMockConsole({ port: Number(arg('port', '4010')), host: arg('host', '127.0.0.1') });
  console.log(`SentinelOne mock console listening on ${mock.url} (API token: see MOCK_API_TOKEN in mock-console/server.mjs)`);
  const stop = async () => { await mock.close(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
