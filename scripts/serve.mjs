// Serves the browser workbench and the mock console on one origin and prints the URL.
//
//   node scripts/serve.mjs [--port 4010] [--help]
import { fileURLToPath } from 'node:url';
import { argsOrExit, exitWithUsage } from './args.mjs';
import { startMockConsole, workbenchDirs } from '../mock-console/server.mjs';

const USAGE = 'usage: bash scripts/main.sh --serve [--port N]   (N from 0, any free port, to 65535; default 4010 or $PORT)';
const parsed = argsOrExit({ port: { type: 'string' } }, USAGE);
const repo = fileURLToPath(new URL('..', import.meta.url));
const portText = parsed.values.port ?? process.env.PORT ?? '4010';
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65535) {
  exitWithUsage(`--port must be a whole number from 0 to 65535, got ${JSON.stringify(portText)}`, USAGE);
}
const server = await startMockConsole({
  port,
  staticDirs: workbenchDirs(repo),
});
console.log(`Workbench: ${server.url}/www/  (SentinelOne mock console API on the same origin; Ctrl-C stops)`);
const stop = async () => { await server.close(); process.exit(0); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
