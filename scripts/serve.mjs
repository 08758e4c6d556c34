// Serves the browser workbench and the mock console on one origin and prints the URL.
//
//   node scripts/serve.mjs [--port 4010] [--help]
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startMockConsole } from '../mock-console/server.mjs';

const USAGE = 'usage: bash scripts/main.sh --serve [--port N]   (N from 0, any free port, to 65535; default 4010 or $PORT)';
let parsed;
try {
  parsed = parseArgs({ options: { port: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
} catch (error) {
  console.error(`${error.message}\n${USAGE}`);
  process.exit(2);
}
if (parsed.values.help) {
  console.log(USAGE);
  process.exit(0);
}
const repo = fileURLToPath(new URL('..', import.meta.url));
const portText = parsed.values.port ?? process.env.PORT ?? '4010';
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65535) {
  console.error(`--port must be a whole number from 0 to 65535, got ${JSON.stringify(portText)}\n${USAGE}`);
  process.exit(2);
}
const server = await startMockConsole({
  port,
  staticDirs: { '/www/': `${repo}www`, '/pkg/': `${repo}pkg`, '/mock-console/': `${repo}mock-console` },
});
console.log(`Workbench: ${server.url}/www/  (SentinelOne mock console API on the same origin; Ctrl-C stops)`);
const stop = async () => { await server.close(); process.exit(0); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
