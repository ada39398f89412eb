// The Ed25519 key that signs audit checkpoints. Kept in DATA_DIR/keys (owner-only) or given by
// AUDIT_SIGNING_KEY (PKCS#8 PEM, or its DER in base64) so that several servers on one PostgreSQL
// sign with one key. The private key never leaves this module and is never logged.

import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, createHash, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** A signed checkpoint of the chain's head, as stored and mirrored to the checkpoint file. */
export const checkpoint = z.object({
  seq: z.number().int(),
  hash: z.string(),
  at: z.string(),
  key_id: z.string(),
  signature: z.string(),
  // Format 2 (decision 0027): the segment (first_seq..seq] and the Merkle root over its event hashes.
  first_seq: z.number().int().nullable().default(null),
  root: z.string().nullable().default(null),
});
export type Checkpoint = z.infer<typeof checkpoint>;

/** A checkpoint's segment: its first event and the Merkle root over the hashes of its events (merkle.ts). */
export interface Segment {
  firstSeq: number;
  root: string;
}

/** What a checkpoint's key signs: format 1 (the head alone), or format 2 with the segment's first event and Merkle root. */
export function checkpointMessage(seq: number, hash: string, at: string, segment?: Segment | null): Buffer {
  if (!segment) return Buffer.from(`fx-backoffice/audit-checkpoint/v1\n${seq}\n${hash}\n${at}`, 'utf8');
  return Buffer.from(`fx-backoffice/audit-checkpoint/v2\n${seq}\n${hash}\n${at}\n${segment.firstSeq}\n${segment.root}`, 'utf8');
}

function segmentOf(cp: Pick<Checkpoint, 'first_seq' | 'root'>): Segment | null {
  return cp.first_seq !== null && cp.root !== null ? { firstSeq: cp.first_seq, root: cp.root } : null;
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

  sign(seq: number, hash: string, at: string, segment: Segment | null = null): Checkpoint {
    const signature = sign(null, checkpointMessage(seq, hash, at, segment), this.#privateKey).toString('base64');
    return { seq, hash, at, key_id: this.keyId, signature, first_seq: segment?.firstSeq ?? null, root: segment?.root ?? null };
  }

  /** Signs any other statement of this server (an evidence pack's manifest, an attestation): Ed25519 over the bytes. */
  signBytes(message: Buffer): string {
    return sign(null, message, this.#privateKey).toString('base64');
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

/** Where a rotation leaves the new private key until the old key has signed the rotation (then it becomes the current key). */
export function pendingKeyFile(dataDir: string, keyId: string): string {
  return path.join(keyDir(dataDir), `audit-signing.${keyId}.next.key.pem`);
}

/** The public half of a key taken into use by a rotation, for operators to pin beside the first one. */
export function rotatedPublicKeyFile(dataDir: string, keyId: string): string {
  return path.join(keyDir(dataDir), `audit-signing.${keyId}.pub.pem`);
}

export function currentKeyFile(dataDir: string): string {
  return path.join(keyDir(dataDir), PRIVATE_KEY_FILE);
}

export interface LoadedSigner {
  signer: CheckpointSigner;
  /** The key id pinned in DATA_DIR/keys/audit-signing.pub.pem: the first key this folder signed with. */
  pinnedKeyId: string | null;
  pinnedFile: string;
  /** The key comes from AUDIT_SIGNING_KEY (a rotation then names the new public key; the operator swaps the variable). */
  fromEnv: boolean;
}

/**
 * Loads the signing key from the environment value or DATA_DIR/keys, creating one on first start,
 * and pins its public half on first start. A key other than the pinned one is accepted only where
 * an approved, MAC-verified rotation names it (checked once the database is open: keys.ts).
 */
export function loadSigner(opts: { dataDir: string; keyFromEnv?: string | undefined }): LoadedSigner {
  const dir = keyDir(opts.dataDir);
  let signer: CheckpointSigner;
  if (opts.keyFromEnv) {
    try {
      signer = new CheckpointSigner(parsePrivateKey(opts.keyFromEnv));
    } catch (error) {
      throw new Error(`Invalid configuration: AUDIT_SIGNING_KEY: not a usable Ed25519 private key (${(error as Error).message})`);
    }
  } else {
    const file = currentKeyFile(opts.dataDir);
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
  const pinnedFile = path.join(dir, PUBLIC_KEY_FILE);
  if (!fs.existsSync(pinnedFile)) fs.writeFileSync(pinnedFile, signer.publicKeyPem(), { mode: 0o644, flag: 'wx' });
  let pinnedKeyId: string | null = null;
  try {
    pinnedKeyId = keyIdOf(createPublicKey(fs.readFileSync(pinnedFile, 'utf8')));
  } catch {
    pinnedKeyId = null;
  }
  return { signer, pinnedKeyId, pinnedFile, fromEnv: Boolean(opts.keyFromEnv) };
}

/** A new key pair for a rotation: the private half written owner-only as the pending key, the public half returned. */
export function createPendingKey(dataDir: string): { keyId: string; publicKeyPem: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const signer = new CheckpointSigner(privateKey);
  fs.mkdirSync(keyDir(dataDir), { recursive: true, mode: 0o700 });
  fs.writeFileSync(pendingKeyFile(dataDir, signer.keyId), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  return { keyId: signer.keyId, publicKeyPem: signer.publicKeyPem() };
}

export function loadPendingKey(dataDir: string, keyId: string): CheckpointSigner | null {
  const file = pendingKeyFile(dataDir, keyId);
  if (!fs.existsSync(file)) return null;
  return new CheckpointSigner(parsePrivateKey(fs.readFileSync(file, 'utf8')));
}

/** The audit event that takes a new signing key into use (keys.ts). */
export const ROTATION_ACTION = 'audit.signingKey.rotated';
/** What a rotation event records in its `after`. */
const rotationRecord = z.object({ fromKeyId: z.string(), toKeyId: z.string(), publicKey: z.string() });

/** A signing-key rotation: from which key to which, at which event. */
export interface Rotation {
  seq: number;
  fromKeyId: string;
  toKeyId: string;
  publicKey: string;
}

/** The rotation recorded in an event's `after`, or null when the event is not one. */
export function rotationOf(row: { seq: number; action: string; after_json: string | null }): Rotation | null {
  if (row.action !== ROTATION_ACTION || row.after_json === null) return null;
  const after = rotationRecord.safeParse(JSON.parse(row.after_json));
  return after.success ? { seq: row.seq, ...after.data } : null;
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

export function verifyCheckpoint(keys: TrustedKeys, cp: Pick<Checkpoint, 'seq' | 'hash' | 'at' | 'key_id' | 'signature'> & Partial<Pick<Checkpoint, 'first_seq' | 'root'>>): boolean {
  return verifySigned(keys, cp.key_id, checkpointMessage(cp.seq, cp.hash, cp.at, segmentOf({ first_seq: cp.first_seq ?? null, root: cp.root ?? null })), cp.signature);
}

/** Whether `signature` (base64) is the Ed25519 signature of `message` by the trusted key `keyId`. */
export function verifySigned(keys: TrustedKeys, keyId: string, message: Buffer, signature: string): boolean {
  const key = keys.byId.get(keyId);
  if (!key) return false;
  try {
    return verify(null, message, key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
