// A SentinelOne-compatible mock management console over HTTP on loopback: the API as console.mjs answers
// it, plus static files (the browser harness and the package) on the same origin.
//
//   node mock-console/server.mjs [--port 4010] [--host 127.0.0.1] [--fleet-size 100000]
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createConsole, MOCK_API_TOKEN, MOCK_TOKENS } from './console.mjs';

export { MOCK_API_TOKEN, MOCK_TOKENS, listAgents } from './console.mjs';

/**
 * The static layout that serves the browser workbench from a checkout at `repo` (its www/, the built
 * pkg/ and this mock console's modules for the in-page mock), for `startMockConsole({ staticDirs })`.
 */
export function workbenchDirs(repo) {
  return { '/www/': join(repo, 'www'), '/pkg/': join(repo, 'pkg'), '/mock-console/': join(repo, 'mock-console') };
}

/**
 * Starts the mock console. Options: port (0 = any free), host, token, fleet, now, maxPageSize (see
 * createConsole), staticDirs ({ '/prefix/': directory } served outside /web/api/, so a page and the
 * console share one origin), staticHeaders ({ '/path': { name: value } } added to that static file's
 * answer, e.g. to make a page cross-origin isolated). Resolves with { url, requests, close, injectFaults }.
 *
 * injectFaults([...]) makes the next API requests misbehave, one fault each, in order:
 *   { status: 401 | 403 | 429 | 500 | 503, retryAfter?: '2' | HTTP-date }  an error answer
 *   { delayMs: 2000 }                                                     a slow (then normal) answer
 *   { truncate: true }                                                    the normal body cut in half
 *   { malformed: true }                                                   a proxy's HTML page with 200
 *   { location: 'https://…', status?: 301 | 302 | 307 | 308 }              a redirect (302 by default)
 */
export async function startMockConsole(options = {}) {
  const mock = createConsole(options);
  const requests = [];
  const faults = [];
  const ERROR_TITLES = { 401: [4010010, 'Authentication Failed'], 403: [4030010, 'Forbidden'], 429: [4290010, 'Too Many Requests'], 500: [5000010, 'Internal server error'], 503: [5030010, 'Service Unavailable'] };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://mock');
    requests.push({ method: req.method, url: req.url, authorization: req.headers.authorization ? 'present' : 'absent' });
    const send = (status, body, headers = {}) => {
      res.writeHead(status, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        'x-rqid': randomUUID(),
        server: 'nginx',
        // User pages on other origins may call the mock directly.
        'access-control-allow-origin': '*',
        'access-control-allow-headers': 'Authorization, Accept, Content-Type',
        ...headers,
      });
      res.end(body);
    };
    if (req.method === 'OPTIONS') return send(204, '');
    if (!url.pathname.startsWith('/web/api/')) {
      if (url.pathname === '/' && options.staticDirs?.['/www/']) {
        res.writeHead(302, { location: '/www/' });
        return res.end();
      }
      if (options.staticDirs) return serveStatic(options.staticDirs, url.pathname, res, options.staticHeaders?.[url.pathname]);
    }
    const body = req.method === 'POST' ? await readBody(req) : '';
    const fault = faults.shift();
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault?.location) return send(fault.status ?? 302, '', { location: fault.location, 'content-type': 'text/html' });
    if (fault?.status) {
      const [code, title] = ERROR_TITLES[fault.status] ?? [fault.status * 10000 + 10, 'Error'];
      const headers = fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter };
      return send(fault.status, JSON.stringify({ errors: [{ code, detail: null, title }] }), headers);
    }
    if (fault?.malformed) return send(200, '<html><body><h1>Login</h1></body></html>', { 'content-type': 'text/html' });
    const answer = mock.handle({ method: req.method, url: req.url, headers: req.headers, body });
    const text = fault?.truncate ? answer.body.slice(0, Math.floor(answer.body.length / 2)) : answer.body;
    return send(answer.status, text, answer.headers);
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    injectFaults: (list) => faults.push(...list),
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(resolve); }),
  };
}

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.json': 'application/json', '.css': 'text/css', '.ts': 'text/plain',
  '.png': 'image/png', '.svg': 'image/svg+xml',
};

async function serveStatic(dirs, pathname, res, extraHeaders = {}) {
  const prefix = Object.keys(dirs).filter((p) => pathname.startsWith(p)).sort((a, b) => b.length - a.length)[0];
  const notFound = () => { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('not found'); };
  if (prefix === undefined) return notFound();
  const root = normalize(dirs[prefix]);
  let relative;
  try { relative = decodeURIComponent(pathname.slice(prefix.length)) || 'index.html'; } catch { return notFound(); }
  if (relative.endsWith('/')) relative += 'index.html';
  const file = normalize(join(root, relative));
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return notFound();
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store', ...extraHeaders });
    res.end(body);
  } catch {
    notFound();
  }
}

function readBody(req) {
  return new Promise((resolve) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { if (text.length < 65_536) text += chunk; });
    req.on('end', () => resolve(text));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const fleetSize = arg('fleet-size', undefined);
  const mock = await startMockConsole({ port: Number(arg('port', '4010')), host: arg('host', '127.0.0.1'), fleetSize: fleetSize && Number(fleetSize) });
  console.log(`SentinelOne mock console listening on ${mock.url} (API token: MOCK_API_TOKEN in mock-console/console.mjs)`);
  const stop = async () => { await mock.close(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
