// Encrypts small secrets at rest (TOTP seeds) with AES-256-GCM. The key comes from SECRETS_KEY or
// DATA_DIR/keys/secrets.key (owner-only), created on first start. Several servers on one
// PostgreSQL must share SECRETS_KEY.

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export class SecretBox {
  readonly #key: Buffer;
  readonly #tagKey: Buffer;
  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the secrets key must be 32 bytes');
    this.#key = key;
    this.#tagKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'fx-backoffice/keyed-tags/v1', 32));
  }

  /**
   * A keyed hash that stands in for a text the record must not keep (a username typed at sign-in
   * that matches nobody): the same text gives the same tag, and the tag cannot be reversed or
   * checked against guesses without the key.
   */
  tag(label: string, text: string): string {
    return createHmac('sha256', this.#tagKey).update(`${label}\n${text}`).digest('hex').slice(0, 24);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `v1:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${ct.toString('base64')}`;
  }

  open(sealed: string): string {
    const [version, iv, tag, ct] = sealed.split(':');
    if (version !== 'v1' || !iv || !tag || ct === undefined) throw new Error('sealed secret has an unknown format');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]).toString('utf8');
  }
}

export function loadSecretBox(opts: { dataDir: string; keyFromEnv?: string | undefined }): SecretBox {
  if (opts.keyFromEnv) return new SecretBox(Buffer.from(opts.keyFromEnv, 'base64'));
  const dir = path.join(opts.dataDir, 'keys');
  const file = path.join(dir, 'secrets.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  return new SecretBox(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64'));
}
