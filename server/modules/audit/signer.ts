// The Ed25519 key that signs audit checkpoints. Kept in DATA_DIR/keys (owner-only) or given by
// AUDIT_SIGNING_KEY (PKCS#8 PEM, or its DER in base64) so that several servers on one PostgreSQL
// sign with one key. The private key never leaves this module and is never logged.

import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, createHash, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface Checkpoint {
  seq: number;
  hash: string;
  at: string;
  key_id: string;
  signature: string;
}

export function checkpointMessage(seq: number, hash: string, at: string): Buffer {
  return Buffer.from(`fx-backoffice/audit-checkpoint/v1\n${seq}\n${hash}\n${at}`, 'utf8');
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

export class CheckpointSigner {
  readonly keyId: string;
  readonly publicKey: KeyObject;
  readonly #privateKey: KeyObject;

  constructor(privateKey: KeyObject) {
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the audit signing key must be an Ed25519 key');
    this.#privateKey = privateKey;
    this.publicKey = createPublicKey(privateKey);
    this.keyId = keyIdOf(this.publicKey);
  }

  sign(seq: number, hash: string, at: string): Checkpoint {
    const signature = sign(null, checkpointMessage(seq, hash, at), this.#privateKey).toString('base64');
    return { seq, hash, at, key_id: this.keyId, signature };
  }

  publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }
}

export function keyDir(dataDir: string): string {
  return path.join(dataDir, 'keys');
}

export const PUBLIC_KEY_FILE = 'audit-signing.pub.pem';
const PRIVATE_KEY_FILE = 'audit-signing.key.pem';

function parsePrivateKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) return createPrivateKey(trimmed);
  return createPrivateKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'pkcs8' });
}

/** Loads the signing key from the environment value or DATA_DIR/keys, creating one on first start. */
export function loadSigner(opts: { dataDir: string; keyFromEnv?: string | undefined }): CheckpointSigner {
  const dir = keyDir(opts.dataDir);
  let signer: CheckpointSigner;
  if (opts.keyFromEnv) {
    try {
      signer = new CheckpointSigner(parsePrivateKey(opts.keyFromEnv));
    } catch (error) {
      throw new Error(`Invalid configuration: AUDIT_SIGNING_KEY: not a usable Ed25519 private key (${(error as Error).message})`);
    }
  } else {
    const file = path.join(dir, PRIVATE_KEY_FILE);
    if (!fs.existsSync(file)) {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const { privateKey } = generateKeyPairSync('ed25519');
      fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    }
    signer = new CheckpointSigner(parsePrivateKey(fs.readFileSync(file, 'utf8')));
  }
  // The public half beside it lets anyone verify checkpoints without the private key. Written once:
  // a server that starts with another key never replaces it (that would make a forged key trusted).
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pubFile = path.join(dir, PUBLIC_KEY_FILE);
  if (!fs.existsSync(pubFile)) {
    fs.writeFileSync(pubFile, signer.publicKeyPem(), { mode: 0o644, flag: 'wx' });
  } else {
    let pinned: string | null = null;
    try {
      pinned = keyIdOf(createPublicKey(fs.readFileSync(pubFile, 'utf8')));
    } catch {
      pinned = null;
    }
    if (pinned !== signer.keyId) {
      throw new Error(
        `The audit signing key (key id ${signer.keyId}${opts.keyFromEnv ? ', from AUDIT_SIGNING_KEY' : ''}) is not the one pinned in ${pubFile} (key id ${pinned ?? 'unreadable'}). ` +
          'The server never replaces a pinned key: restore the signing key that matches it; a new key is taken into use by an approved rotation.',
      );
    }
  }
  return signer;
}

export interface TrustedKeys {
  byId: Map<string, KeyObject>;
}

export function trustedKeysFromPem(pems: string[]): TrustedKeys {
  const byId = new Map<string, KeyObject>();
  for (const pem of pems) {
    const key = createPublicKey(pem);
    byId.set(keyIdOf(key), key);
  }
  return { byId };
}

export function verifyCheckpoint(keys: TrustedKeys, cp: Checkpoint): boolean {
  const key = keys.byId.get(cp.key_id);
  if (!key) return false;
  try {
    return verify(null, checkpointMessage(cp.seq, cp.hash, cp.at), key, Buffer.from(cp.signature, 'base64'));
  } catch {
    return false;
  }
}
