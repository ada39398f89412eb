// `npm run audit:verify -- --data-dir DIR` (or `--database-url URL --public-key FILE`): checks the
// audit hash chain and every signed checkpoint. Exit 0 and a summary when intact; exit 1 and the
// first broken sequence number when not; exit 2 on bad usage.

import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, sqlitePath } from '../db/connect.js';
import { appliedMigrations } from '../db/migrate.js';
import { readCheckpointMirror } from '../modules/audit/log.js';
import { keyDir, PUBLIC_KEY_FILE, trustedKeysFromPem } from '../modules/audit/signer.js';
import { verifyAuditLog } from '../modules/audit/verify.js';
import { parseFlags } from './args.js';

const USAGE = 'npm run audit:verify -- --data-dir DIR | --database-url URL (--public-key FILE | --data-dir DIR) [--json]';
const { values } = parseFlags(
  { 'data-dir': { type: 'string' }, 'database-url': { type: 'string' }, 'public-key': { type: 'string', multiple: true }, json: { type: 'boolean' } },
  USAGE,
);
const dataDir = values['data-dir'] ? path.resolve(values['data-dir']) : undefined;
const databaseUrl = values['database-url'] ?? (dataDir ? undefined : process.env.DATABASE_URL);
if (!dataDir && !databaseUrl) {
  console.error(`Say where the log is.\nUsage: ${USAGE}`);
  process.exit(2);
}
if (!databaseUrl && !fs.existsSync(sqlitePath(dataDir!))) {
  console.error(`No database at ${sqlitePath(dataDir!)}: is ${dataDir} a data directory?`);
  process.exit(2);
}
// The public keys to trust come from outside the database, so that whoever can write SQL cannot swap them.
const keyFiles = [...(values['public-key'] ?? [])];
if (dataDir && fs.existsSync(path.join(keyDir(dataDir), PUBLIC_KEY_FILE))) keyFiles.push(path.join(keyDir(dataDir), PUBLIC_KEY_FILE));
if (keyFiles.length === 0) {
  console.error(`No public key to check checkpoint signatures with: pass --public-key FILE or --data-dir DIR.\nUsage: ${USAGE}`);
  process.exit(2);
}

const db = openDatabase({ dataDir: dataDir ?? '.', databaseUrl });
try {
  if ((await appliedMigrations(db)).length === 0) {
    console.error('This database has no back-office schema: nothing to verify.');
    process.exitCode = 2;
  } else {
    const keys = trustedKeysFromPem(keyFiles.map((f) => fs.readFileSync(f, 'utf8')));
    const result = await verifyAuditLog(db, keys, dataDir ? readCheckpointMirror(dataDir) : []);
    if (values.json) console.log(JSON.stringify(result));
    else if (result.ok) {
      console.log(`Audit log intact: ${result.checked} events (head ${result.headSeq}), ${result.checkpoints} signed checkpoints verified.`);
    } else {
      console.log(`AUDIT LOG BROKEN at sequence ${result.firstBrokenSeq}: ${result.problem}. ${result.checked} events checked before it.`);
    }
    process.exitCode = result.ok ? 0 : 1;
  }
} finally {
  await db.close();
}
