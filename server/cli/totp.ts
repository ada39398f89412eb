// `npm run totp -- USERNAME [--data-dir DIR]`: the current TOTP code of a demo user, read from the
// demo credentials file, for signing in without an authenticator app. Demo data only.

import fs from 'node:fs';
import path from 'node:path';
import { totpCode } from '../modules/access/totp.js';
import type { DemoCredential } from '../seed/demo.js';
import { parseFlags } from './args.js';

const USAGE = 'npm run totp -- USERNAME [--data-dir DIR]';
const { values, positionals } = parseFlags({ 'data-dir': { type: 'string' } }, USAGE);
const file = path.join(path.resolve(values['data-dir'] ?? './data/demo'), 'demo-credentials.json');
if (!fs.existsSync(file)) {
  console.error(`No demo credentials at ${file}: run npm start (or npm run seed) first.`);
  process.exit(2);
}
const creds = JSON.parse(fs.readFileSync(file, 'utf8')) as DemoCredential[];
const user = creds.find((c) => c.username === positionals[0]);
if (!user) {
  console.error(`Usage: ${USAGE}\nDemo users: ${creds.map((c) => c.username).join(', ')}`);
  process.exit(2);
}
const now = new Date();
console.log(`${totpCode(user.totpSecret, now)}  (valid for ${30 - (Math.floor(now.getTime() / 1000) % 30)} s)`);
