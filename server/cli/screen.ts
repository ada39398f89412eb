// `npm run screen -- --data-dir DIR --input customers.csv --output hits.csv`:
// screens a customer file against every list loaded into DIR (see `npm run
// lists`), with the active screening.thresholds policy.

import { stat } from 'node:fs/promises';
import { createServer } from '../app.js';
import type { ScreeningThresholds } from '../../shared/policies/screening.js';
import { BatchInputError, screenFile } from '../modules/screening/batch.js';
import { ListMatcher } from '../modules/screening/matching/matcher.js';
import { parseFlags, storageConfig } from './args.js';

const USAGE = 'npm run screen -- --data-dir DIR --input customers.csv --output hits.csv [--database-url URL]';
const { values } = parseFlags(
  { 'data-dir': { type: 'string' }, 'database-url': { type: 'string' }, input: { type: 'string' }, output: { type: 'string' } },
  USAGE,
);
if (values.input === undefined || values.output === undefined) {
  console.error(`--input and --output are required.\n\nUsage: ${USAGE}`);
  process.exit(2);
}
const inputSize = await stat(values.input).then(
  (s) => s.size,
  () => {
    console.error(`${values.input}: cannot be read`);
    process.exit(2);
  },
);

const config = storageConfig(values);
const server = await createServer(config);
try {
  const { services } = server;
  const entries = await services.lists.allEntries();
  if (entries.length === 0) {
    console.error(`No lists are loaded in ${config.dataDir}; load them first with npm run lists -- import FILE... --data-dir ${config.dataDir}`);
    process.exitCode = 1;
  } else {
    const policy = await services.policies.require<ScreeningThresholds>(services.store.kysely, 'screening.thresholds');
    const matcher = new ListMatcher(entries);
    const tty = process.stderr.isTTY;
    const progress = (rows: number, bytes: number): void => {
      if (!tty) return;
      const share = inputSize === 0 ? 1 : Math.min(1, bytes / inputSize);
      const width = 30;
      const bar = '#'.repeat(Math.round(share * width)).padEnd(width, '.');
      process.stderr.write(`\r[${bar}] ${(share * 100).toFixed(0).padStart(3)}%  ${rows} rows`);
    };
    const summary = await screenFile(matcher, policy.document, values.input, values.output, progress);
    if (tty) process.stderr.write('\n');
    console.log(
      `Screened ${summary.rows} rows against ${matcher.size.entries} list entries (${matcher.size.names} names, policy ${policy.ref}): ` +
        `${summary.hits} hits for ${summary.subjectsWithHits} customers in ${(summary.millis / 1000).toFixed(1)} s. Output: ${values.output}`,
    );
  }
} catch (error) {
  if (error instanceof BatchInputError) {
    console.error(`Stopped: ${error.message}. No output was written.`);
    process.exitCode = 1;
  } else throw error;
} finally {
  await server.close();
}
