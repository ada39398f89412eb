// `npm run seed -- --data-dir DIR [--clients N] [--seed S]`: the deterministic demo brokerage.

import { createServer } from '../app.js';
import { seedDemo, writeCredentials } from '../seed/demo.js';
import { parseFlags, storageConfig } from './args.js';

const USAGE = 'npm run seed -- --data-dir DIR [--database-url URL] [--clients N] [--seed S]';
const { values } = parseFlags(
  { 'data-dir': { type: 'string' }, 'database-url': { type: 'string' }, clients: { type: 'string' }, seed: { type: 'string' } },
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
const config = storageConfig(values);
const server = await createServer(config);
try {
  const { credentials, created } = await seedDemo(server.services, { seed });
  const file = writeCredentials(config.dataDir, credentials);
  console.log(`${created ? 'Seeded' : 'Already seeded;'} ${credentials.length} demo staff users in 2 legal entities (seed ${seed}). Credentials: ${file}`);
  if (values.clients !== undefined) {
    console.log('Note: --clients is accepted; client records are generated once the clients module exists.');
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await server.close();
}
