// Serves the browser workbench and the mock console on one origin and prints the URL.
//
//   node scripts/serve.mjs [--port 4010]
import { fileURLToPath } from 'node:url';
import { startMockConsole } from '../mock-console/server.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
const i = process.argv.indexOf('--port');
const port = Number(i > 0 ? process.argv[i + 1] : process.env.PORT ?? 4010);
const server = await startMockConsole({
  port,
  staticDirs: { '/www/': `${repo}www`, '/pkg/': `${repo}pkg`, '/mock-console/': `${repo}mock-console` },
});
console.log(`Workbench: ${server.url}/www/  (SentinelOne mock console API on the same origin; Ctrl-C stops)`);
const stop = async () => { await server.close(); process.exit(0); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
