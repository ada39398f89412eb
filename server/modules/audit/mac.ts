// The key that authenticates each audit event: HMAC-SHA256 over the event's sequence number and
// hash (which covers its content and the previous hash). The key never enters the database, so a
// row inserted or rewritten with SQL, however correct its plain hash, fails verification. Given by
// AUDIT_MAC_KEY (32 bytes or more, base64 or hex; servers on one PostgreSQL share it) or kept in
// DATA_DIR/keys/audit-mac.key (owner-only), created on first start. Never logged.

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const MAC_KEY_FILE = 'audit-mac.key';

export class AuditMacKey {
  readonly keyId: string;
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length < 32) throw new Error(`the audit MAC key must be at least 32 bytes, not ${key.length}`);
    this.#key = Buffer.from(key);
    // An identifier that says which key, and nothing about it.
    this.keyId = createHash('sha256').update('fx-backoffice/audit-mac-key-id/v1\n').update(this.#key).digest('hex').slice(0, 16);
  }

  mac(seq: number, hash: string): string {
    return createHmac('sha256', this.#key).update(`fx-backoffice/audit-event/v1\n${seq}\n${hash}`).digest('hex');
  }

  verify(seq: number, hash: string, mac: string): boolean {
    const expected = Buffer.from(this.mac(seq, hash), 'hex');
    const given = Buffer.from(mac, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

/** The key as written in AUDIT_MAC_KEY or a key file: base64 or hex. */
export function parseMacKey(text: string, where: string): AuditMacKey {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]+$/.test(trimmed) && trimmed.length % 2 === 0 ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  try {
    return new AuditMacKey(bytes);
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message} (base64 or hex)`);
  }
}

export function macKeyFile(dataDir: string): string {
  return path.join(dataDir, 'keys', MAC_KEY_FILE);
}

/** Loads the MAC key from the environment value or DATA_DIR/keys, creating one on first start. */
export function loadMacKey(opts: { dataDir: string; keyFromEnv?: string | undefined }): AuditMacKey {
  if (opts.keyFromEnv) return parseMacKey(opts.keyFromEnv, 'Invalid configuration: AUDIT_MAC_KEY');
  const file = macKeyFile(opts.dataDir);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process on the same folder made it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return parseMacKey(fs.readFileSync(file, 'utf8'), file);
}
