// `npm run screen -- --data-dir DIR --input customers.csv --output hits.csv [--rejects FILE]
// [--strict] [--workers N]`: screens a customer file against every list loaded into DIR (see
// `npm run lists`), with the active screening.thresholds policy, on one worker thread per core.

import { stat } from 'node:fs/promises';
import { createServer } from '../app.js';
import { BatchInputError, screenFile } from '../modules/screening/batch.js';
import { parseFlags, storageConfig } from './args.js';

const USAGE = 'npm run screen -- --data-dir DIR --input customers.csv --output hits.csv [--rejects FILE] [--strict] [--workers N] [--database-url URL]';
const { values } = parseFlags(
  {
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    input: { type: 'string' },
    output: { type: 'string' },
    rejects: { type: 'string' },
    strict: { type: 'boolean' },
    workers: { type: 'string' },
  },
  USAGE,
);
if (values.workers !== undefined && !/^[1-9]\d*$/.test(values.workers)) {
  console.error(`--workers must be a whole number of threads, 1 or more, not "${values.workers}"`);
  process.exit(2);
}
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
    const policy = await services.policies.require(services.store.kysely, 'screening.thresholds');
    const tty = process.stderr.isTTY;
    const progress = (rows: number, bytes: number): void => {
      if (!tty) return;
      const share = inputSize === 0 ? 1 : Math.min(1, bytes / inputSize);
      const width = 30;
      const bar = '#'.repeat(Math.round(share * width)).padEnd(width, '.');
      process.stderr.write(`\r[${bar}] ${(share * 100).toFixed(0).padStart(3)}%  ${rows} rows`);
    };
    const summary = await screenFile(entries, policy.document, values.input, values.output, {
      ...(values.rejects === undefined ? {} : { rejects: values.rejects }),
      ...(values.workers === undefined ? {} : { workers: Number(values.workers) }),
      strict: values.strict === true,
      onProgress: progress,
    });
    if (tty) process.stderr.write('\n');
    console.log(
      `Screened ${summary.rows} rows against ${entries.length} list entries (policy ${policy.ref}, ${summary.workers} worker thread(s)): ` +
        `${summary.hits} hits for ${summary.subjectsWithHits} customers in ${(summary.millis / 1000).toFixed(1)} s. Output: ${values.output}`,
    );
    console.log(
      summary.rowsWithRejects === 0
        ? `Every birth_date and nationality was read (rejects file: ${summary.rejectsFile}, empty).`
        : `${summary.rowsWithRejects} row(s) screened without a birth_date or nationality that could not be read; each is listed with the reason in ${summary.rejectsFile}.`,
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
