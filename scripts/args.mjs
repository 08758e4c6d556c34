// Command-line arguments for the scripts behind `bash scripts/main.sh`: strict, so a mistyped flag is
// refused rather than silently ignored.
import { parseArgs } from 'node:util';

/**
 * `util.parseArgs` of this process's arguments with `options` (plus `--help`/`-h`): prints `usage` and
 * exits 0 for `--help`, prints the reason and `usage` to stderr and exits 2 for what it refuses.
 */
export function argsOrExit(options, usage, allowPositionals = false) {
  let parsed;
  try {
    parsed = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals });
  } catch (error) {
    exitWithUsage(error.message, usage);
  }
  if (parsed.values.help) {
    console.log(usage);
    process.exit(0);
  }
  return parsed;
}

/** Prints `reason` and `usage` to stderr and exits 2. */
export function exitWithUsage(reason, usage) {
  console.error(`${reason}\n${usage}`);
  process.exit(2);
}
