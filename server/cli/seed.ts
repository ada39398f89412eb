// `npm run seed -- --data-dir DIR [--clients N] [--seed S] [--shared-data DIR]`: the deterministic
// demo brokerage, with its KYC stories; the FATF and OFAC SDN lists come from --shared-data
// (default: ../shared/data beside the repository, when it is there).

import fs from 'node:fs';
import path from 'node:path';

import { createServer } from '../app.js';
import { SeedIncompleteError, seedDemo, writeCredentials } from '../seed/demo.js';
import { parseFlags, storageConfig } from './args.js';

const USAGE = 'npm run seed -- --data-dir DIR [--database-url URL] [--clients N] [--seed S] [--shared-data DIR]';
const { values } = parseFlags(
  { 'data-dir': { type: 'string' }, 'database-url': { type: 'string' }, clients: { type: 'string' }, seed: { type: 'string' }, 'shared-data': { type: 'string' } },
  USAGE,
);
const seed = Number(values.seed ?? '1');
if (!Number.isInteger(seed) || seed < 0) {
  console.error(`--seed must be a non-negative integer, not "${values.seed}"`);
  process.exit(2);
}
if (values.clients !== undefined && !/^\d+$/.test(values.clients)) {
  console.error(`--clients must be a whole number, not "${values.clients}"`);
  process.exit(2);
}
const sharedData = values['shared-data'] ? path.resolve(values['shared-data']) : path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data');
if (values['shared-data'] && !fs.existsSync(sharedData)) {
  console.error(`--shared-data: ${sharedData} does not exist`);
  process.exit(2);
}
const config = storageConfig(values);
const server = await createServer(config);
try {
  const clients = Number(values.clients ?? '0');
  const progress = process.stderr.isTTY ? (done: number, total: number) => process.stderr.write(`\rRegistering clients: ${done.toLocaleString()} of ${total.toLocaleString()}`) : undefined;
  const { credentials, created, clientsRegistered } = await seedDemo(server.services, { seed, clients, stories: true, sharedData: fs.existsSync(sharedData) ? sharedData : null, log: (line) => console.log(line), ...(progress ? { onProgress: progress } : {}) });
  if (progress) process.stderr.write('\n');
  const file = writeCredentials(config.dataDir, credentials);
  console.log(
    `${created ? 'Seeded' : 'Already seeded;'} ${credentials.length} demo staff users in 2 legal entities (seed ${seed}); ${clientsRegistered.toLocaleString()} client(s) registered (the fixed demo cast, the KYC story clients and ${clients.toLocaleString()} generated). Credentials: ${file}`,
  );
} catch (error) {
  console.error(error instanceof SeedIncompleteError ? error.advice(config.dataDir, config.databaseUrl) : error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await server.close();
}
