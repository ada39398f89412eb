// `npm start [-- --headless]`: the demo. Seeds ./data/demo on first run, starts the server with
// DEMO=1 and prints where to find it. The desktop window arrives with the desktop-client issue;
// until then (and wherever Electron's binary is missing) it runs headless and says so.

import fs from 'node:fs';
import path from 'node:path';
import { startServer } from '../app.js';
import { loadConfig } from '../config.js';
import { seedDemo, writeCredentials } from '../seed/demo.js';
import { parseFlags } from './args.js';

const { values } = parseFlags({ headless: { type: 'boolean' }, 'data-dir': { type: 'string' } }, 'npm start [-- --headless] [--data-dir DIR]');
const dataDir = path.resolve(values['data-dir'] ?? process.env.DATA_DIR ?? './data/demo');

function electronBinaryPresent(): boolean {
  const dir = path.resolve('node_modules/electron');
  const pathFile = path.join(dir, 'path.txt');
  return fs.existsSync(pathFile) && fs.existsSync(path.join(dir, 'dist', fs.readFileSync(pathFile, 'utf8').trim()));
}

const config = loadConfig({ ...process.env, DATA_DIR: dataDir, DEMO: '1' });
const server = await startServer(config);
const { credentials, created } = await seedDemo(server.services, { seed: 1 });
const file = writeCredentials(dataDir, credentials);
const storage = server.db.engine === 'sqlite' ? `sqlite ${server.db.location}` : `postgres ${server.db.location}`;
console.log(`fx-backoffice server listening on ${server.url} (storage: ${storage}, demo mode)`);
console.log(`${created ? 'Seeded the demo brokerage' : 'Demo brokerage already seeded'}; sign-in credentials and TOTP secrets: ${file}`);
if (!values.headless) {
  console.log(
    electronBinaryPresent()
      ? 'The desktop window is not part of this build yet; running headless.'
      : "Electron's binary is not installed here (it downloads from outside the npm registry); running headless.",
  );
}
const stop = () => {
  server.close().then(() => process.exit(0), () => process.exit(1));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
