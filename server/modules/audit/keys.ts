// Rotation of the key that signs audit checkpoints, as an audited maker-checker event. A request
// (`audit.rotateSigningKey`) needs two approvers among administrators and the MLRO (tier in the
// `approvals.tiers` policy). Its execution records `audit.signingKey.rotated` with the new public
// key; after commit the old key signs the head, which holds that event, and only then does the new
// key sign. A verifier that trusts the first key therefore learns each later key from a record
// signed by the key before it (verify.ts), and needs nothing but the first key pinned.
//
// The server makes the new key pair itself when its key lives in the data folder; when the key
// comes from AUDIT_SIGNING_KEY the request names the new public key (made where the private half
// will be kept), and the operator restarts the server with the new variable. At start the server
// accepts only the pinned key or one that an approved rotation, MAC-verified, took into use from it;
// a rotation interrupted between commit and key swap is finished.

import fs from 'node:fs';
import { createPublicKey } from 'node:crypto';
import { z } from 'zod';
import { DomainError } from '../../../shared/errors.js';
import type { Actor } from '../../core/actor.js';
import type { Store } from '../../core/store.js';
import type { ApprovalKinds } from '../approvals/registry.js';
import type { ApprovalsService } from '../approvals/service.js';
import { eventHash } from './canonical.js';
import type { AuditLog } from './log.js';
import type { AuditMacKey } from './mac.js';
import { createPendingKey, currentKeyFile, keyIdOf, loadPendingKey, pendingKeyFile, ROTATION_ACTION, rotatedPublicKeyFile, rotationOf, type LoadedSigner, type Rotation } from './signer.js';

const KIND = 'audit.rotateSigningKey';

const rotationPayload = z.object({ fromKeyId: z.string(), publicKey: z.string().nullable() });

function publicKeyIdOf(pem: string): string {
  let key;
  try {
    key = createPublicKey(pem.trim());
  } catch (error) {
    throw new DomainError('VALIDATION_FAILED', `publicKey: not a PEM public key (${(error as Error).message}).`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new DomainError('VALIDATION_FAILED', `publicKey: an Ed25519 key is needed, not ${key.asymmetricKeyType ?? 'this kind'}.`);
  return keyIdOf(key);
}

export class SigningKeys {
  constructor(
    private readonly store: Store,
    private readonly auditLog: AuditLog,
    private readonly approvals: ApprovalsService,
    private readonly loaded: LoadedSigner,
    private readonly macKey: AuditMacKey,
    private readonly dataDir: string,
  ) {}

  /** The current key and the rotations that led to it, for the MLRO and auditors. */
  async describe() {
    return { keyId: this.auditLog.keyId, pinnedKeyId: this.loaded.pinnedKeyId, keptIn: this.loaded.fromEnv ? 'AUDIT_SIGNING_KEY' : 'data folder', rotations: await this.rotations() };
  }

  /** The public key of every key this log was signed with: the pinned first key, each rotation's, and the one in use. */
  async publicKeys(): Promise<Array<{ keyId: string; publicKey: string }>> {
    const byId = new Map<string, string>();
    if (fs.existsSync(this.loaded.pinnedFile)) {
      const pem = fs.readFileSync(this.loaded.pinnedFile, 'utf8');
      byId.set(keyIdOf(createPublicKey(pem)), pem);
    }
    for (const r of await this.rotations()) byId.set(r.toKeyId, r.publicKey);
    byId.set(this.auditLog.keyId, this.loaded.signer.keyId === this.auditLog.keyId ? this.loaded.signer.publicKeyPem() : (byId.get(this.auditLog.keyId) ?? ''));
    return [...byId].filter(([, pem]) => pem !== '').map(([keyId, publicKey]) => ({ keyId, publicKey }));
  }

  async requestRotation(actor: Actor, input: { reason: string; publicKey?: string | undefined }): Promise<{ approvalId: string }> {
    let publicKey: string | null = null;
    if (input.publicKey !== undefined) {
      const keyId = publicKeyIdOf(input.publicKey);
      if (keyId === this.auditLog.keyId) throw new DomainError('VALIDATION_FAILED', `publicKey: ${keyId} is the key in use already.`);
      publicKey = createPublicKey(input.publicKey.trim()).export({ type: 'spki', format: 'pem' }).toString();
    } else if (this.loaded.fromEnv) {
      throw new DomainError(
        'VALIDATION_FAILED',
        'publicKey: the signing key comes from AUDIT_SIGNING_KEY, so the server cannot keep a new one: make the new Ed25519 key pair where its private half will be kept, and give its public half here.',
      );
    }
    return this.store.mutate(actor, async (m) => {
      return this.approvals.request(m, { kind: KIND, payload: { fromKeyId: this.auditLog.keyId, publicKey }, reason: input.reason });
    });
  }

  registerKinds(kinds: ApprovalKinds): void {
    kinds.register({
      kind: KIND,
      payload: rotationPayload,
      pendingKey: () => 'signing-key',
      legalEntity: () => null,
      excludedApprovers: () => [],
      summary: (p) => `Rotate the audit signing key ${p.fromKeyId} to ${p.publicKey ? `the operator's key ${publicKeyIdOf(p.publicKey)}` : 'a new key made by the server'}`,
      execute: async (m, p, request) => {
        if (this.auditLog.keyId !== p.fromKeyId) {
          throw new DomainError('INVALID_TRANSITION', `The signing key changed since the request (from ${p.fromKeyId} to ${this.auditLog.keyId}); ask again.`);
        }
        if (p.publicKey === null && this.loaded.fromEnv) throw new DomainError('INVALID_TRANSITION', 'The signing key now comes from AUDIT_SIGNING_KEY; ask again with the new public key.');
        const made = p.publicKey === null ? createPendingKey(this.dataDir) : null;
        const toKeyId = made ? made.keyId : publicKeyIdOf(p.publicKey!);
        m.audit({
          action: ROTATION_ACTION,
          targetType: 'audit_key',
          targetId: toKeyId,
          before: { keyId: p.fromKeyId },
          after: { fromKeyId: p.fromKeyId, toKeyId, publicKey: made ? made.publicKeyPem : p.publicKey, keptIn: made ? 'data folder' : 'AUDIT_SIGNING_KEY' },
          reason: request.reason,
          approvers: request.approvers,
          caseRef: request.id,
          policyRef: request.policyRef,
        });
        m.afterCommit(() => this.takeIntoUse(toKeyId, this.store.now()));
      },
    });
  }

  /**
   * After the rotation commits: the current key signs the head (the rotation event included). A
   * key the server made then signs from now on and replaces the old private key, which is gone; a
   * key the operator keeps signs once the server restarts with it.
   */
  private async takeIntoUse(toKeyId: string, at: string): Promise<void> {
    const next = loadPendingKey(this.dataDir, toKeyId);
    if (!next) {
      await this.auditLog.checkpointNow(at, true);
      return;
    }
    await this.auditLog.rotate(next, at);
    fs.writeFileSync(rotatedPublicKeyFile(this.dataDir, toKeyId), next.publicKeyPem(), { mode: 0o644 });
    fs.renameSync(pendingKeyFile(this.dataDir, toKeyId), currentKeyFile(this.dataDir));
  }

  /** Rotations in the log whose event is intact and carries a valid MAC (a row written with SQL has none). */
  async rotations(): Promise<Rotation[]> {
    const rows = await this.store.kysely.selectFrom('audit_events').selectAll().where('action', '=', ROTATION_ACTION).orderBy('seq').execute();
    return rows.flatMap((row) => {
      const intact = row.mac !== null && row.mac_key_id === this.macKey.keyId && eventHash(row) === row.hash && this.macKey.verify(row.seq, row.hash, row.mac);
      const r = intact ? rotationOf(row) : null;
      return r ? [r] : [];
    });
  }

  /**
   * At start, before anything is signed: finishes a rotation cut short after its commit, then
   * accepts the signing key only if it is the pinned one or reached from it by approved rotations.
   */
  async start(): Promise<void> {
    const rotations = await this.rotations();
    const last = rotations.at(-1);
    if (last && last.fromKeyId === this.auditLog.keyId && !this.loaded.fromEnv && loadPendingKey(this.dataDir, last.toKeyId)) {
      await this.takeIntoUse(last.toKeyId, this.store.now());
    }
    const trusted = new Set(this.loaded.pinnedKeyId ? [this.loaded.pinnedKeyId] : []);
    for (const r of rotations) if (trusted.has(r.fromKeyId)) trusted.add(r.toKeyId);
    const keyId = this.auditLog.keyId;
    if (!trusted.has(keyId)) {
      throw new Error(
        `The audit signing key (key id ${keyId}${this.loaded.fromEnv ? ', from AUDIT_SIGNING_KEY' : ''}) is not the one pinned in ${this.loaded.pinnedFile} (key id ${this.loaded.pinnedKeyId ?? 'unreadable'}), nor one an approved rotation took into use. ` +
          'The server never replaces a pinned key: restore the signing key that matches it; a new key is taken into use by an approved rotation (audit.rotateSigningKey).',
      );
    }
  }
}
