// Runs one capability and prints the connector's output JSON (default: Get Agent by Serial Number).
// Against a real console when S1_BASE_URL and S1_API_TOKEN are set; otherwise against the embedded mock.
//
//   node scripts/lookup.mjs [SERIAL] [--capability getAgentBySerialNumber|evaluateDeviceTrust|testConnection] [--help]
import { argsOrExit, exitWithUsage } from './args.mjs';
import { invoke } from '../pkg/node.js';
import { startMockConsole, MOCK_API_TOKEN } from '../mock-console/server.mjs';

const USAGE = `usage: bash scripts/main.sh [SERIAL] [--capability NAME]   (NAME: getAgentBySerialNumber, the default,
         evaluateDeviceTrust, testConnection; a serial starting with "-" goes after "--")
       bash scripts/main.sh --serve [--port N]`;

const parsed = argsOrExit({ capability: { type: 'string' } }, USAGE, true);
if (parsed.positionals.length > 1) {
  exitWithUsage(`one serial number at most, got ${parsed.positionals.length}: ${parsed.positionals.join(' ')}`, USAGE);
}
const capability = parsed.values.capability ?? 'getAgentBySerialNumber';
const serialNumber = parsed.positionals[0] ?? 'C02XK1ABJG5J';

let mock = null;
let connection;
if (process.env.S1_BASE_URL || process.env.S1_API_TOKEN) {
  connection = { baseUrl: process.env.S1_BASE_URL ?? '', apiToken: process.env.S1_API_TOKEN ?? '' };
  console.error(`[lookup] console ${connection.baseUrl} (token from S1_API_TOKEN)`);
} else {
  mock = await startMockConsole();
  connection = { baseUrl: mock.url, apiToken: MOCK_API_TOKEN };
  console.error(`[lookup] embedded mock console at ${mock.url}; set S1_BASE_URL and S1_API_TOKEN for a real one`);
}
const input = capability === 'testConnection' ? {} : { serialNumber };
console.error(`[lookup] ${capability} ${JSON.stringify(input)}`);

let exitCode = 0;
try {
  const output = await invoke(capability, { connection, input });
  console.log(JSON.stringify(output, null, 2));
} catch (error) {
  const { code, message, retryable, status, upstreamCode } = error ?? {};
  console.log(JSON.stringify({ error: { code, message, retryable, status, upstreamCode } }, null, 2));
  exitCode = 1;
} finally {
  await mock?.close();
}
process.exit(exitCode);
