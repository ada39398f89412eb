// Cache keys: a random 256-bit raw key per user, kept on disk only wrapped. In Electron the
// wrapper is safeStorage (the OS keychain); headless, a host key file readable by the owner alone
// wraps it with AES-256-GCM. A key that cannot be unwrapped means the cache is rebuilt, never trusted.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface KeyWrapper {
  readonly kind: string;
  wrap(key: Buffer): Buffer;
  unwrap(blob: Buffer): Buffer;
}

/** Headless: AES-256-GCM under a host key in a file of mode 0600. */
export class FileKeyWrapper implements KeyWrapper {
  readonly kind = 'file';
  readonly #hostKey: Buffer;

  constructor(dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, 'host-wrap.key');
    if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(32), { mode: 0o600, flag: 'wx' });
    const stat = fs.statSync(file);
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      throw new Error(`${file} is readable by others (mode ${(stat.mode & 0o777).toString(8)}); refusing to use it`);
    }
    this.#hostKey = fs.readFileSync(file);
  }

  wrap(key: Buffer): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#hostKey, iv);
    const ct = Buffer.concat([cipher.update(key), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), ct]);
  }

  unwrap(blob: Buffer): Buffer {
    const decipher = createDecipheriv('aes-256-gcm', this.#hostKey, blob.subarray(0, 12));
    decipher.setAuthTag(blob.subarray(12, 28));
    return Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]);
  }
}

/** Loads the user's cache key, or makes a new one (and says so: a new key means an empty cache). */
export function loadOrCreateKey(file: string, wrapper: KeyWrapper): { key: Buffer; created: boolean } {
  if (fs.existsSync(file)) {
    try {
      const key = wrapper.unwrap(fs.readFileSync(file));
      if (key.length === 32) return { key, created: false };
    } catch {
      // Unwrappable: another machine's or a tampered key file. Start over below.
    }
    fs.rmSync(file, { force: true });
  }
  const key = randomBytes(32);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, wrapper.wrap(key), { mode: 0o600 });
  return { key, created: true };
}
