// Minimal flag parsing for the command-line tools, on node:util's parseArgs.

import { parseArgs, type ParseArgsConfig } from 'node:util';

export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(options: T, usage: string) {
  try {
    return parseArgs({ options, allowPositionals: true, strict: true });
  } catch (error) {
    console.error(`${(error as Error).message}\n\nUsage: ${usage}`);
    process.exit(2);
  }
}
