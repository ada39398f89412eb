// Minimal flag parsing for the command-line tools, on node:util's parseArgs.

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { sqlitePath } from '../db/connect.js';
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

/**
 * The database a verifying tool reads: `--database-url`, or the SQLite file in `--data-dir`, or
 * DATABASE_URL. Exits 2 with the usage when neither is given or the folder holds no database.
 */
export function verifiedDatabase(values: { 'data-dir'?: string | undefined; 'database-url'?: string | undefined }, usage: string): { dataDir: string | undefined; databaseUrl: string | undefined } {
  const fail = (message: string): never => {
    console.error(`${message}\nUsage: ${usage}`);
    process.exit(2);
  };
  const dataDir = values['data-dir'] ? path.resolve(values['data-dir']) : undefined;
  const databaseUrl = values['database-url'] ?? (dataDir ? undefined : process.env.DATABASE_URL);
  if (!dataDir && !databaseUrl) fail('Say where the database is: --data-dir DIR or --database-url URL.');
  if (!databaseUrl && !fs.existsSync(sqlitePath(dataDir!))) fail(`No database at ${sqlitePath(dataDir!)}: is ${dataDir} a data directory?`);
  return { dataDir, databaseUrl };
}
