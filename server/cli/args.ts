// Minimal flag parsing for the command-line tools, on node:util's parseArgs.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig } from '../config.js';

export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(options: T, usage: string) {
  try {
    return parseArgs({ options, allowPositionals: true, strict: true });
  } catch (error) {
    console.error(`${(error as Error).message}\n\nUsage: ${usage}`);
    process.exit(2);
  }
}

/** The configuration of a command-line tool that works on a server's storage: `--data-dir` and `--database-url`, quiet logs. */
export function storageConfig(values: { 'data-dir'?: string | undefined; 'database-url'?: string | undefined }) {
  return loadConfig({
    ...process.env,
    DATA_DIR: values['data-dir'] ?? process.env.DATA_DIR ?? './data',
    ...(values['database-url'] ? { DATABASE_URL: values['database-url'] } : {}),
    LOG_LEVEL: 'silent',
  });
}
