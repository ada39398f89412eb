// Client documents at rest: content-addressed by the SHA-256 of the plaintext, encrypted with
// AES-256-GCM under a key kept in DATA_DIR/keys/documents.key (DOCUMENTS_KEY when several servers
// share one store), written to a temporary file and renamed, so a crash never leaves half a file
// under a real name. The same file uploaded twice is stored once.

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const MAGIC = Buffer.from('FXBODOC1');

export class DocumentStore {
  readonly #key: Buffer;

  constructor(
    private readonly dir: string,
    key: Buffer,
  ) {
    if (key.length !== 32) throw new Error('the documents key must be 32 bytes');
    this.#key = key;
  }

  static open(dataDir: string, keyFromEnv?: string): DocumentStore {
    if (keyFromEnv) return new DocumentStore(path.join(dataDir, 'documents'), Buffer.from(keyFromEnv, 'base64'));
    const file = path.join(dataDir, 'keys', 'documents.key');
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      try {
        fs.writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    return new DocumentStore(path.join(dataDir, 'documents'), Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64'));
  }

  static hash(bytes: Buffer): string {
    return createHash('sha256').update(bytes).digest('hex');
  }

  private file(sha256: string): string {
    return path.join(this.dir, sha256.slice(0, 2), sha256.slice(2, 4), `${sha256}.enc`);
  }

  /** Stores the bytes (once per content) and returns their SHA-256. */
  put(bytes: Buffer): string {
    const sha256 = DocumentStore.hash(bytes);
    const target = this.file(sha256);
    if (fs.existsSync(target)) return sha256;
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    // The hash is authenticated with the content: a file moved under another name does not open.
    cipher.setAAD(Buffer.from(sha256));
    const body = Buffer.concat([cipher.update(bytes), cipher.final()]);
    const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, Buffer.concat([MAGIC, iv, cipher.getAuthTag(), body]), { mode: 0o600 });
    fs.renameSync(tmp, target);
    return sha256;
  }

  /** The plaintext, checked against its hash; throws when the file is missing or was altered. */
  get(sha256: string): Buffer {
    const raw = fs.readFileSync(this.file(sha256));
    if (!raw.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error(`document ${sha256} has an unknown format`);
    const iv = raw.subarray(8, 20);
    const tag = raw.subarray(20, 36);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv);
    decipher.setAAD(Buffer.from(sha256));
    decipher.setAuthTag(tag);
    const bytes = Buffer.concat([decipher.update(raw.subarray(36)), decipher.final()]);
    if (DocumentStore.hash(bytes) !== sha256) throw new Error(`document ${sha256} does not match its hash`);
    return bytes;
  }

  has(sha256: string): boolean {
    return fs.existsSync(this.file(sha256));
  }
}
