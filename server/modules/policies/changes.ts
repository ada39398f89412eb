// Change requests for rules (issue 19, decision 0031). A new version is submitted with its purpose,
// segments, edge cases, test and rollback plans and, for a type whose tier asks for one, a dry run
// the server runs itself over the window given; it is released through the approval chain of the
// type's tier (policies.changeControl) to everyone or, as a canary, to a segment, and a canary is
// promoted to everyone by one approved action. A release of tier 2 or 3 first stores a signed
// snapshot of every policy in force; a tier's blackout hours refuse the approval that would release.

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DomainError } from '../../../shared/errors.js';
import { blackoutAt, CANARY_REFUSED, CANARY_TYPES, classify } from '../../../shared/policies/change-control.js';
import type { ApprovalTiersPolicy } from '../../../shared/policies/approval-tiers.js';
import { celReferences } from '../../../shared/policies/cel.js';
import type { ChangeDetails } from '../../../shared/policies/change-request.js';
import { describeSegment, segmentSchema, type Segment } from '../../../shared/policies/segment.js';
import { POLICY_TYPES, type PolicyType } from '../../../shared/policies/types.js';
import { versionName } from '../../../shared/policies/diff.js';
import type { Actor } from '../../core/actor.js';
import type { AuthContext } from '../../core/auth.js';
import type { Mutation, Store } from '../../core/store.js';
import { nextRef } from '../../db/counters.js';
import { canonicalJson } from '../audit/canonical.js';
import type { AuditLog } from '../audit/log.js';
import type { ApprovalKinds, Requirement } from '../approvals/registry.js';
import type { ApprovalsService } from '../approvals/service.js';
import type { PolicyDryRun } from './dry-run.js';
import { policyRef, type Reader } from './reader.js';
import { validatePolicyDocument, type PoliciesService } from './service.js';

const publishPayload = z.object({
  policyType: z.string(),
  version: z.number().int().positive(),
  republish: z.boolean().default(false),
  segment: segmentSchema.nullable().default(null),
  changeId: z.string().nullable().default(null),
});
const promotePayload = z.object({ policyType: z.string(), version: z.number().int().positive() });

type Window = { from: string; to: string };

export interface Submission {
  type: string;
  document: unknown;
  reason: string;
  change: ChangeDetails;
  dryRun?: Window | undefined;
  canary?: Segment | undefined;
}

export class PolicyChanges {
  constructor(
    private readonly store: Store,
    private readonly policies: PoliciesService,
    private readonly approvals: ApprovalsService,
    private readonly dryRuns: PolicyDryRun,
    private readonly auditLog: AuditLog,
  ) {}

  private async tierOf(db: Reader, type: string) {
    const cc = await this.policies.require(db, 'policies.changeControl');
    return { ...classify(cc.document, type), policy: { type: cc.type, version: cc.version, ref: cc.ref } };
  }

  /** The chain of the type's tier, as an approval requirement. */
  private async chainFor(db: Reader, type: string): Promise<Requirement> {
    const t = await this.tierOf(db, type);
    return { tier: `tier ${t.tier}`, roles: [...new Set(t.chain.flatMap((s) => s.roles))], count: t.chain.length, chain: t.chain, expiresInHours: t.rules.expiresInHours, policy: t.policy };
  }

  /** Refuses a release during the tier's blackout hours, naming when they end. */
  private async inWindow(m: Mutation, type: string, version: number): Promise<void> {
    const t = await this.tierOf(m.trx, type);
    const b = blackoutAt(t.rules.blackouts, m.now);
    if (b) throw new DomainError('OUTSIDE_RELEASE_WINDOW', `${versionName(type, version)} is a tier-${t.tier} change and may not go live during ${b.why}; approve it after ${b.endsAt.slice(11, 16)} UTC.`, { opensAt: b.endsAt });
  }

  registerKinds(kinds: ApprovalKinds): void {
    kinds.register({
      kind: 'policies.publish',
      payload: publishPayload,
      legalEntity: () => null,
      excludedApprovers: () => [],
      requirement: (p, trx) => this.chainFor(trx, p.policyType),
      ready: (m, p) => this.inWindow(m, p.policyType, p.version),
      summary: (p) => `${p.segment ? 'Canary of' : p.republish ? 'Republish' : 'Publish'} ${versionName(p.policyType, p.version)}${p.segment ? ` for ${describeSegment(p.segment)}` : ''}`,
      execute: async (m, p, request) => {
        const type = this.policies.assertType(p.policyType);
        await this.requireVersion(m, type, p.version);
        if (p.segment) {
          const active = await this.policies.require(m.trx, type);
          if (active.version === p.version) throw new DomainError('INVALID_TRANSITION', `${versionName(type, p.version)} is already in force for everyone; a canary of it would change nothing.`);
        }
        await this.activate(m, type, p.version, request, p.segment);
      },
    });
    kinds.register({
      kind: 'policies.promote',
      payload: promotePayload,
      legalEntity: () => null,
      excludedApprovers: () => [],
      requirement: async (p, trx) => {
        const cc = await this.policies.require(trx, 'policies.changeControl');
        return { tier: 'promotion', roles: cc.document.promotion.roles, count: 1, chain: null, expiresInHours: 72, policy: { type: cc.type, version: cc.version, ref: cc.ref } };
      },
      ready: async (m, p) => {
        const canary = await this.policies.canary(m.trx, this.policies.assertType(p.policyType));
        if (canary?.version !== p.version) throw new DomainError('INVALID_TRANSITION', `${versionName(p.policyType, p.version)} is not running as a canary${canary ? ` (${versionName(p.policyType, canary.version)} is)` : ''}; only a running canary is promoted.`);
        await this.inWindow(m, p.policyType, p.version);
      },
      summary: (p) => `Promote the canary ${versionName(p.policyType, p.version)} to everyone`,
      execute: async (m, p, request) => {
        await this.activate(m, this.policies.assertType(p.policyType), p.version, request, null);
      },
    });
  }

  private async requireVersion(m: Mutation, type: PolicyType, version: number): Promise<void> {
    const exists = await m.trx.selectFrom('policy_versions').select('version').where('type', '=', type).where('version', '=', version).executeTakeFirst();
    if (!exists) throw new DomainError('NOT_FOUND', `${type} version ${version} does not exist.`);
  }

  /** Puts a version in force for everyone (ending any canary) or for a segment; tier 2 and 3 first snapshot every policy in force. */
  async activate(m: Mutation, type: PolicyType, version: number, request: { id: string; approvers: string[]; reason: string; policyRef: string }, segment: Segment | null): Promise<void> {
    const tier = await this.tierOf(m.trx, type);
    const snapshot = tier.tier >= 2 ? await this.snapshot(m, request.id) : null;
    const before = await this.policies.active(m.trx, type);
    const canary = await this.policies.canary(m.trx, type);
    await m.trx
      .insertInto('policy_activations')
      .values({ type, version, activated_at: m.now, approval_id: request.id, activated_by: request.approvers.join(','), segment_json: segment ? JSON.stringify(segment) : null })
      .execute();
    m.audit({
      action: segment ? 'policy.canaryStarted' : 'policy.activated',
      targetType: 'policy',
      targetId: type,
      before: { version: before?.version ?? null, ...(canary ? { canary: { version: canary.version, segment: canary.segment } } : {}) },
      after: { version, name: versionName(type, version), ...(segment ? { segment } : {}), ...(snapshot ? { snapshot } : {}) },
      reason: request.reason,
      approvers: request.approvers,
      caseRef: request.id,
      policyRef: policyRef(type, version),
    });
    m.changed('policy_activations', type, null, 'insert');
  }

  /** Every policy in force (and running canary), signed with the server's audit key, kept before a release. */
  private async snapshot(m: Mutation, approvalId: string): Promise<{ id: number; contentHash: string }> {
    const policies = [];
    for (const type of Object.keys(POLICY_TYPES) as PolicyType[]) {
      const a = await this.policies.active(m.trx, type);
      const canary = await this.policies.canary(m.trx, type);
      const row = a ? await m.trx.selectFrom('policy_versions').select('document_hash').where('type', '=', type).where('version', '=', a.version).executeTakeFirstOrThrow() : null;
      policies.push({ type, version: a?.version ?? null, name: a ? versionName(type, a.version) : null, documentHash: row?.document_hash ?? null, document: a?.document ?? null, canary: canary ? { version: canary.version, segment: canary.segment } : null });
    }
    const body = { format: 'fxbo.policy-snapshot/1', takenAt: m.now, beforeApproval: approvalId, policies };
    const { signature, keyId } = this.auditLog.signBytes(Buffer.from(canonicalJson(body), 'utf8'));
    const content = `${JSON.stringify({ ...body, keyId, signature }, null, 2)}\n`;
    const contentHash = createHash('sha256').update(content).digest('hex');
    const row = await m.trx.insertInto('policy_release_snapshots').values({ approval_id: approvalId, taken_at: m.now, content, content_hash: contentHash }).returning('id').executeTakeFirstOrThrow();
    return { id: Number(row.id), contentHash };
  }

  /** The shortest dry-run window a change of the type must cover, ending now: for the CLI and the seed, where nobody picks one. */
  async minimumWindow(type: string): Promise<{ from: string; to: string }> {
    const tier = await this.tierOf(this.store.kysely, this.policies.assertType(type));
    const to = this.store.now();
    return { from: new Date(Date.parse(to) - Math.max(1, tier.rules.dryRunDays) * 86_400_000).toISOString(), to };
  }

  /** A new version with its change request, and the approval that releases it (to a canary segment when one is named). */
  async submit(actor: Actor, input: Submission) {
    const type = this.policies.assertType(input.type);
    const document = validatePolicyDocument(type, input.document);
    if (type === 'approvals.tiers') this.checkConditions(document as ApprovalTiersPolicy);
    const tier = await this.tierOf(this.store.kysely, type);
    const dryRun = await this.requiredDryRun(type, tier.tier, tier.rules.dryRunDays, document, input.dryRun);
    if (input.canary) await this.assertCanary(type, input.canary);
    return this.store.mutate(actor, async (m) => {
      const version = await this.policies.createVersion(m, type, document, input.reason);
      return this.open(m, { type, version, action: input.canary ? 'canary' : 'publish', tier: tier.tier, purpose: input.change.purpose, details: input.change, segment: input.canary ?? null, dryRun, reason: input.reason, kind: 'policies.publish', payload: { policyType: type, version, republish: false, segment: input.canary ?? null } });
    });
  }

  /** Approval-tier conditions read only `payload`, and only fields its kind's requests have. */
  private checkConditions(document: ApprovalTiersPolicy): void {
    const known = new Set(this.approvals.kinds.names());
    for (const [kind, entry] of Object.entries(document.kinds)) {
      if (!known.has(kind)) continue;
      const schema = this.approvals.kinds.get(kind).payload;
      const shape = schema instanceof z.ZodObject ? Object.keys(schema.shape) : null;
      for (const [i, tier] of entry.tiers.entries()) {
        if (!tier.when) continue;
        const refs = celReferences(tier.when);
        const path = `kinds.${kind}.tiers.${i}.when`;
        const other = refs.variables.filter((v) => v !== 'payload');
        if (other.length) throw new DomainError('POLICY_INVALID', `The approvals.tiers policy is invalid at ${path}: it refers to ${other.join(', ')}; a condition reads only payload (the request).`);
        const unknown = shape ? refs.payloadFields.filter((f) => !shape.includes(f)) : [];
        if (unknown.length) throw new DomainError('POLICY_INVALID', `The approvals.tiers policy is invalid at ${path}: it refers to payload.${unknown[0]}, which requests of ${kind} do not have (they have ${shape!.join(', ')}).`);
      }
    }
  }

  private async requiredDryRun(type: PolicyType, tier: number, days: number, document: unknown, window: Window | undefined) {
    if (days === 0) return window ? this.dryRuns.forSubmission(type, document, window) : null;
    if (!window) throw new DomainError('VALIDATION_FAILED', `dryRun: a tier-${tier} change of ${type} is submitted with a dry run over at least ${days} days of history; give its window (from, to).`, { field: 'dryRun' });
    const span = Date.parse(window.to) - Date.parse(window.from);
    if (!(span >= days * 86_400_000 - 60_000)) throw new DomainError('VALIDATION_FAILED', `dryRun: a tier-${tier} change needs a dry run over at least ${days} days; ${window.from} to ${window.to} is ${Math.max(0, Math.floor(span / 86_400_000))}.`, { field: 'dryRun' });
    if (Date.parse(window.to) > Date.parse(this.store.now()) + 60_000) throw new DomainError('VALIDATION_FAILED', `dryRun: the window ends in the future (${window.to}); a dry run replays history.`, { field: 'dryRun' });
    return this.dryRuns.forSubmission(type, document, window);
  }

  /** A canary is of a type read per subject, and its segment names somebody: an entity, country or share with at least one client. */
  async assertCanary(type: PolicyType, segment: Segment): Promise<void> {
    if (!CANARY_TYPES.includes(type)) throw new DomainError('VALIDATION_FAILED', `canary: ${type} is read once for everyone (${CANARY_REFUSED[type] ?? 'nothing decides per client with it'}), so a canary of it would change nothing; canaries run for ${CANARY_TYPES.join(', ')}. Publish it to everyone instead.`, { field: 'segment' });
    let q = this.store.kysely.selectFrom('clients').select('id');
    if (segment.legalEntity !== undefined) q = q.where('legal_entity', '=', segment.legalEntity);
    if (segment.country !== undefined) q = q.where('country', '=', segment.country);
    const hit = await q.limit(1).executeTakeFirst();
    if (!hit) throw new DomainError('VALIDATION_FAILED', `segment: ${describeSegment(segment)} matches no client; a canary there would test nothing.`, { field: 'segment' });
  }

  async open(
    m: Mutation,
    c: { type: PolicyType; version: number; action: string; tier: number; purpose: string; details: unknown; segment: Segment | null; dryRun: unknown; reason: string; kind: string; payload: Record<string, unknown> },
  ) {
    const changeId = await nextRef(m.trx, 'CHG');
    const { approvalId } = await this.approvals.request(m, { kind: c.kind, payload: { ...c.payload, ...(c.kind === 'policies.publish' ? { changeId } : {}) }, reason: c.reason });
    await m.trx
      .insertInto('policy_changes')
      .values({ id: changeId, type: c.type, version: c.version, action: c.action, approval_id: approvalId, tier: c.tier, purpose: c.purpose, details_json: JSON.stringify(c.details), segment_json: c.segment ? JSON.stringify(c.segment) : null, dry_run_json: c.dryRun ? JSON.stringify(c.dryRun) : null, created_by: m.actor.id, created_at: m.now })
      .execute();
    m.audit({ action: 'policy.changeRequested', targetType: 'policy', targetId: c.type, after: { changeId, action: c.action, version: c.version, name: versionName(c.type, c.version), tier: c.tier, approvalId, ...(c.segment ? { segment: c.segment } : {}), dryRun: c.dryRun ?? null }, reason: c.reason, caseRef: changeId, policyRef: policyRef(c.type, c.version) });
    m.changed('policy_changes', changeId, null, 'insert');
    return { type: c.type, version: c.version, name: versionName(c.type, c.version), changeId, approvalId, tier: c.tier };
  }

  /** An existing version to a segment (`policies.canary`), through the chain of its tier. */
  async canary(auth: AuthContext, input: { type: string; version: number; segment: Segment; reason: string }) {
    const type = this.policies.assertType(input.type);
    await this.assertCanary(type, input.segment);
    return this.store.mutate(auth.actor, async (m) => {
      await this.requireVersion(m, type, input.version);
      const active = await this.policies.require(m.trx, type);
      if (active.version === input.version) throw new DomainError('INVALID_TRANSITION', `${versionName(type, input.version)} is already in force for everyone.`);
      const tier = await this.tierOf(m.trx, type);
      return this.open(m, { type, version: input.version, action: 'canary', tier: tier.tier, purpose: input.reason, details: { reason: input.reason }, segment: input.segment, dryRun: null, reason: input.reason, kind: 'policies.publish', payload: { policyType: type, version: input.version, republish: true, segment: input.segment } });
    });
  }

  /** The running canary to everyone: one approved action. */
  async promote(auth: AuthContext, input: { type: string; version: number; reason: string }) {
    const type = this.policies.assertType(input.type);
    return this.store.mutate(auth.actor, async (m) => {
      const canary = await this.policies.canary(m.trx, type);
      if (canary?.version !== input.version) throw new DomainError('INVALID_TRANSITION', `${versionName(type, input.version)} is not running as a canary${canary ? `; ${versionName(type, canary.version)} is` : ''}.`);
      const tier = await this.tierOf(m.trx, type);
      return this.open(m, { type, version: input.version, action: 'promote', tier: tier.tier, purpose: input.reason, details: { reason: input.reason, canary: canary.segment }, segment: null, dryRun: null, reason: input.reason, kind: 'policies.promote', payload: { policyType: type, version: input.version } });
    });
  }

  /** An earlier version republished through the full chain of its tier (not fast-tracked: see rollback). */
  async republish(auth: AuthContext, input: { type: string; version: number; reason: string }) {
    const type = this.policies.assertType(input.type);
    return this.store.mutate(auth.actor, async (m) => {
      await this.requireVersion(m, type, input.version);
      const current = await this.policies.require(m.trx, type);
      if (current.version === input.version) throw new DomainError('INVALID_TRANSITION', `${type} version ${input.version} is already active.`);
      const tier = await this.tierOf(m.trx, type);
      return this.open(m, { type, version: input.version, action: 'publish', tier: tier.tier, purpose: input.reason, details: { reason: input.reason }, segment: null, dryRun: null, reason: input.reason, kind: 'policies.publish', payload: { policyType: type, version: input.version, republish: true, segment: null } });
    });
  }
}
