// Promoting a rule version from one server to another unchanged (issue 19 §7): a version exports to
// a JSON file signed with the exporting server's Ed25519 key, and imports on another server as a
// proposal of exactly that document, so both show the same content hash. The import checks the
// file's signature against the key it names, the document against its hash, and the document
// against the type's schema, then proposes it through the same maker-checker as any version; the
// proposal's reason names the source version, the content hash and the signing key, which the
// approver checks against the staging server's published key id.

import { createHash, createPublicKey, verify } from 'node:crypto';
import { z } from 'zod';
import { DomainError } from '../../../shared/errors.js';
import { versionName } from '../../../shared/policies/diff.js';
import type { Actor } from '../../core/actor.js';
import type { Store } from '../../core/store.js';
import { canonicalJson } from '../audit/canonical.js';
import type { AuditLog } from '../audit/log.js';
import { keyIdOf } from '../audit/signer.js';
import type { PoliciesService } from './service.js';
import type { PolicyChanges } from './changes.js';
import type { AuthContext } from '../../core/auth.js';
import type { ChangeDetails } from '../../../shared/policies/change-request.js';

export const POLICY_FILE_FORMAT = 'fx-backoffice/policy-version/v1';

const policyFile = z
  .object({
    format: z.literal(POLICY_FILE_FORMAT),
    type: z.string(),
    version: z.number().int().positive(),
    name: z.string(),
    documentHash: z.string().regex(/^[0-9a-f]{64}$/),
    document: z.unknown(),
    exportedAt: z.string(),
    exportedBy: z.string(),
    key: z.object({ keyId: z.string(), publicKey: z.string() }).strict(),
    signature: z.string(),
  })
  .strict();

export class PolicyTransfer {
  constructor(
    private readonly store: Store,
    private readonly policies: PoliciesService,
    private readonly changes: PolicyChanges,
    private readonly auditLog: AuditLog,
  ) {}

  async export(actor: Actor, input: { type: string; version: number }): Promise<{ fileName: string; content: string; documentHash: string }> {
    const v = await this.policies.get(input.type, input.version);
    const exportedAt = this.store.now();
    const probe = this.auditLog.signBytes(Buffer.alloc(0));
    const body = { format: POLICY_FILE_FORMAT, type: v.type, version: v.version, name: versionName(v.type, v.version), documentHash: v.documentHash, document: v.document, exportedAt, exportedBy: actor.name, key: { keyId: probe.keyId, publicKey: probe.publicKeyPem } };
    const { signature } = this.auditLog.signBytes(Buffer.from(canonicalJson(body), 'utf8'));
    const content = `${JSON.stringify({ ...body, signature }, null, 2)}\n`;
    await this.store.mutate(actor, async (m) => {
      m.audit({ action: 'policy.exported', targetType: 'policy', targetId: v.type, after: { version: v.version, name: body.name, documentHash: v.documentHash, keyId: probe.keyId }, policyRef: `${v.type}@${v.version}` });
    });
    return { fileName: `${body.name}.json`, content, documentHash: v.documentHash };
  }

  async import(auth: AuthContext, input: { content: string; reason: string; change: ChangeDetails; dryRun?: { from: string; to: string } | undefined }) {
    let raw: unknown;
    try {
      raw = JSON.parse(input.content);
    } catch (error) {
      throw new DomainError('VALIDATION_FAILED', `content: not JSON (${(error as Error).message}).`, { field: 'content' });
    }
    const parsed = policyFile.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new DomainError('VALIDATION_FAILED', `content: not a policy version file (${issue.path.join('.') || 'top level'}: ${issue.message}).`, { field: 'content' });
    }
    const { signature, ...body } = parsed.data;
    let key;
    try {
      key = createPublicKey(body.key.publicKey);
    } catch (error) {
      throw new DomainError('VALIDATION_FAILED', `content: key.publicKey is not a public key (${(error as Error).message}).`, { field: 'content' });
    }
    if (keyIdOf(key) !== body.key.keyId) throw new DomainError('VALIDATION_FAILED', `content: key.keyId ${body.key.keyId} is not the id of the public key in the file.`, { field: 'content' });
    if (!verify(null, Buffer.from(canonicalJson(body), 'utf8'), key, Buffer.from(signature, 'base64'))) {
      throw new DomainError('VALIDATION_FAILED', `content: the signature does not match: the file was changed after ${body.name} was exported.`, { field: 'content' });
    }
    const hash = createHash('sha256').update(canonicalJson(body.document)).digest('hex');
    if (hash !== body.documentHash) throw new DomainError('VALIDATION_FAILED', `content: the document's hash is ${hash}, not the ${body.documentHash} it was exported with.`, { field: 'content' });
    const reason = `Imported ${body.name} (content ${body.documentHash.slice(0, 16)}, signed by key ${body.key.keyId}${body.key.keyId === this.auditLog.keyId ? ', this server' : ''}): ${input.reason}`;
    const proposal = await this.changes.submit(auth.actor, { type: body.type, document: body.document, reason, change: input.change, dryRun: input.dryRun });
    return { ...proposal, name: versionName(proposal.type, proposal.version), documentHash: body.documentHash, from: body.name, signedBy: body.key.keyId };
  }
}
