// `npm run audit:verify -- --data-dir DIR` (or `--database-url URL`): checks the audit hash chain,
// every event's MAC and every signed checkpoint. Exit 0 and a summary when intact; exit 1 and the
// first broken sequence number when not; exit 2 on bad usage.
//
// What it trusts comes from outside the database: the checkpoint public keys from --public-key
// FILE or AUDIT_TRUSTED_KEYS (pinned away from the data folder; the folder's own copy is used only
// when neither is given, with a warning), the MAC key from --mac-key FILE, AUDIT_MAC_KEY or the
// data folder, and the checkpoint copies from the data folder's mirror and --checkpoints DIR.

import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../db/connect.js';
import { appliedMigrations } from '../db/migrate.js';
import { checkpointMirrorFile, readCheckpointFile } from '../modules/audit/log.js';
import { macKeyFile, parseMacKey, type AuditMacKey } from '../modules/audit/mac.js';
import { keyDir, PUBLIC_KEY_FILE, trustedKeysFromPem } from '../modules/audit/signer.js';
import { verifyAuditLog } from '../modules/audit/verify.js';
import type { Checkpoint } from '../modules/audit/signer.js';
import { parseFlags, verifiedDatabase } from './args.js';

const USAGE =
  'npm run audit:verify -- --data-dir DIR | --database-url URL [--public-key FILE]... [--mac-key FILE]... [--checkpoints DIR]... [--checkpoint-interval-ms N] [--json]';
const { values } = parseFlags(
  {
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    'public-key': { type: 'string', multiple: true },
    'mac-key': { type: 'string', multiple: true },
    checkpoints: { type: 'string', multiple: true },
    'checkpoint-interval-ms': { type: 'string' },
    json: { type: 'boolean' },
  },
  USAGE,
);
function usage(message: string): never {
  console.error(`${message}\nUsage: ${USAGE}`);
  process.exit(2);
}
const { dataDir, databaseUrl } = verifiedDatabase(values, USAGE);
const intervalText = values['checkpoint-interval-ms'] ?? process.env.AUDIT_CHECKPOINT_INTERVAL_MS ?? '60000';
if (!/^\d+$/.test(intervalText) || Number(intervalText) < 1000) usage(`--checkpoint-interval-ms must be a whole number of milliseconds, 1000 or more, not "${intervalText}"`);

// Checkpoint public keys: pinned ones first; the data folder's copy only as a last resort.
const pinned: string[] = [];
for (const file of values['public-key'] ?? []) {
  if (!fs.existsSync(file)) usage(`--public-key ${file}: no such file`);
  pinned.push(fs.readFileSync(file, 'utf8'));
}
for (const item of (process.env.AUDIT_TRUSTED_KEYS ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
  if (item.startsWith('-----BEGIN')) pinned.push(item);
  else if (fs.existsSync(item)) pinned.push(fs.readFileSync(item, 'utf8'));
  else usage(`AUDIT_TRUSTED_KEYS: ${item} is neither a PEM public key nor a file`);
}
const folderKey = dataDir ? path.join(keyDir(dataDir), PUBLIC_KEY_FILE) : undefined;
if (pinned.length === 0) {
  if (folderKey === undefined || !fs.existsSync(folderKey)) usage('No public key to check checkpoint signatures with: pass --public-key FILE (or set AUDIT_TRUSTED_KEYS).');
  console.error(`Warning: trusting the public key in ${folderKey}: whoever can write to the data folder could have replaced it. Pin the key kept elsewhere with --public-key FILE or AUDIT_TRUSTED_KEYS.`);
  pinned.push(fs.readFileSync(folderKey, 'utf8'));
}

// MAC keys: given files, the environment, the data folder's key file.
const macKeys: AuditMacKey[] = [];
for (const file of values['mac-key'] ?? []) {
  if (!fs.existsSync(file)) usage(`--mac-key ${file}: no such file`);
  macKeys.push(parseMacKey(fs.readFileSync(file, 'utf8'), file));
}
if (process.env.AUDIT_MAC_KEY) macKeys.push(parseMacKey(process.env.AUDIT_MAC_KEY, 'AUDIT_MAC_KEY'));
if (dataDir && fs.existsSync(macKeyFile(dataDir))) macKeys.push(parseMacKey(fs.readFileSync(macKeyFile(dataDir), 'utf8'), macKeyFile(dataDir)));

// Checkpoint copies outside the database: the data folder's mirror and every .jsonl file in --checkpoints DIR.
const mirrored: Checkpoint[] = [];
if (dataDir) mirrored.push(...readCheckpointFile(checkpointMirrorFile(dataDir)));
for (const dir of values.checkpoints ?? []) {
  if (!fs.existsSync(dir)) usage(`--checkpoints ${dir}: no such folder or file`);
  const files = fs.statSync(dir).isDirectory() ? fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => path.join(dir, f)) : [dir];
  if (files.length === 0) usage(`--checkpoints ${dir}: no .jsonl checkpoint file in it`);
  for (const file of files) mirrored.push(...readCheckpointFile(file));
}

const db = openDatabase({ dataDir: dataDir ?? '.', databaseUrl });
try {
  if ((await appliedMigrations(db)).length === 0) {
    console.error('This database has no back-office schema: nothing to verify.');
    process.exitCode = 2;
  } else {
    const result = await verifyAuditLog(db, trustedKeysFromPem(pinned), { macKeys, mirrored, checkpointIntervalMs: Number(intervalText) });
    if (values.json) console.log(JSON.stringify(result));
    else if (result.ok) {
      console.log(
        `Audit log intact: ${result.checked} events (head ${result.headSeq}), every MAC and ${result.checkpoints} signed checkpoints verified` +
          (result.legacyEvents > 0 ? `; the first ${result.legacyEvents} events predate MACs and rest on the chain and checkpoints.` : '.'),
      );
    } else {
      console.log(`AUDIT LOG BROKEN at sequence ${result.firstBrokenSeq}: ${result.problem}. ${result.checked} events checked before it.`);
    }
    process.exitCode = result.ok ? 0 : 1;
  }
} finally {
  await db.close();
}
