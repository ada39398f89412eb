// `policies.rollback` (issue 19): an earlier version republished in one action, fast-tracked (one
// person of the rollback roles, no chain, no release window, a short expiry), and a remediation
// task for every decision the execution log holds under the version it replaces (and a canary it
// ends): re-check the withdrawal, the intervention, the approval; each closed with a reason.

import { sql } from 'kysely';
import { z } from 'zod';
import { DomainError } from '../../../shared/errors.js';
import { NO_REMEDIATION, remediationTask } from '../../../shared/policies/change-request.js';
import { versionName } from '../../../shared/policies/diff.js';
import type { PolicyType } from '../../../shared/policies/types.js';
import { listScope, requireEntity, type AuthContext } from '../../core/auth.js';
import type { Mutation, Store } from '../../core/store.js';
import { SYSTEM_ACTOR, type Actor } from '../../core/actor.js';
import { raiseAlert, resolveAlerts } from '../alerts/service.js';
import { rollbackTargetMinutes } from '../../../shared/policies/change-control.js';
import { roleLabel } from '../../../shared/access/permissions.js';
import { nextValueBy } from '../../db/counters.js';
import type { ApprovalKinds } from '../approvals/registry.js';
import type { PolicyChanges } from './changes.js';
import type { PoliciesService } from './service.js';

const rollbackPayload = z.object({ policyType: z.string(), toVersion: z.number().int().positive() });
const BATCH = 500;

export class PolicyRollbacks {
  constructor(
    private readonly store: Store,
    private readonly policies: PoliciesService,
    private readonly changes: PolicyChanges,
  ) {}

  registerKinds(kinds: ApprovalKinds): void {
    kinds.register({
      kind: 'policies.rollback',
      payload: rollbackPayload,
      legalEntity: () => null,
      excludedApprovers: () => [],
      pendingKey: (p) => p.policyType,
      requirement: async (_p, trx) => {
        const cc = await this.policies.require(trx, 'policies.changeControl');
        return { tier: 'rollback (fast-tracked)', roles: cc.document.rollback.roles, count: 1, chain: null, expiresInHours: cc.document.rollback.expiresInHours, policy: { type: cc.type, version: cc.version, ref: cc.ref } };
      },
      summary: (p) => `Roll ${p.policyType} back to ${versionName(p.policyType, p.toVersion)}`,
      execute: async (m, p, request) => {
        const type = this.policies.assertType(p.policyType);
        const bad = await this.replaced(m, type, p.toVersion);
        await this.changes.activate(m, type, p.toVersion, request, null);
        const tasks = await this.openTasks(m, type, bad, request.id);
        const timing = await this.timing(m, request.id);
        // The escalation is moot once the rollback is in force: its alerts close, naming the approval.
        await resolveAlerts(m, 'policy.rollbackOverdue', `ROLLBACK:${request.id}:`, `${request.id} was approved and ${versionName(type, p.toVersion)} is in force again (${timing.minutesFromRequest} minutes after the request).`);
        m.audit({ action: 'policy.rolledBack', targetType: 'policy', targetId: type, before: { versions: bad }, after: { version: p.toVersion, remediationTasks: tasks, ...timing }, reason: request.reason, approvers: request.approvers, caseRef: request.id, policyRef: `${type}@${p.toVersion}` });
        return { remediationTasks: tasks, ...timing };
      },
    });
  }

  /** Minutes from the request to the rollback in force, against the target (policies.changeControl). */
  private async timing(m: Mutation, approvalId: string): Promise<{ minutesFromRequest: number; targetMinutes: number; withinTarget: boolean }> {
    const requested = await m.trx.selectFrom('approval_requests').select('created_at').where('id', '=', approvalId).executeTakeFirstOrThrow();
    const targetMinutes = rollbackTargetMinutes((await this.policies.require(m.trx, 'policies.changeControl')).document);
    const minutesFromRequest = Math.round((Date.parse(m.now) - Date.parse(requested.created_at)) / 6_000) / 10;
    return { minutesFromRequest, targetMinutes, withinTarget: minutesFromRequest <= targetMinutes };
  }

  /**
   * Rollbacks still waiting for their approver past the target: one high alert per request and
   * legal entity for the first rollback role (a rollback concerns every entity). Run by the
   * `policies.monitors` job.
   */
  async escalateOverdue(): Promise<string[]> {
    const cc = await this.policies.require(this.store.kysely, 'policies.changeControl');
    const target = rollbackTargetMinutes(cc.document);
    const now = this.store.now();
    const before = new Date(Date.parse(now) - target * 60_000).toISOString();
    await this.resolveDecided();
    const pending = await this.store.kysely.selectFrom('approval_requests').select(['id', 'summary', 'created_at']).where('kind', '=', 'policies.rollback').where('status', '=', 'pending').where('created_at', '<=', before).orderBy('id').execute();
    if (pending.length === 0) return [];
    const entities = (await this.store.kysely.selectFrom('legal_entities').select('id').orderBy('id').execute()).map((e) => e.id);
    const raised: string[] = [];
    for (const r of pending) {
      for (const entity of entities) {
        const sourceRef = `ROLLBACK:${r.id}:${entity}`;
        const open = await this.store.kysely.selectFrom('alerts').select('id').where('kind', '=', 'policy.rollbackOverdue').where('source_ref', '=', sourceRef).executeTakeFirst();
        if (open) continue;
        const minutes = Math.floor((Date.parse(now) - Date.parse(r.created_at)) / 60_000);
        raised.push(
          await this.store.mutate(SYSTEM_ACTOR, (m) =>
            raiseAlert(m, { kind: 'policy.rollbackOverdue', legalEntity: entity, clientId: null, severity: 'high', forRole: cc.document.rollback.roles[0]!, summary: `${r.summary}: requested ${minutes} minutes ago and not yet approved (target ${target} minutes); ${r.id} needs one approver: ${cc.document.rollback.roles.map(roleLabel).join(', ')}`, details: { approvalId: r.id, requestedAt: r.created_at, minutes, targetMinutes: target, policyRef: cc.ref }, sourceRef }),
          ),
        );
      }
    }
    return raised;
  }

  /** Overdue-rollback alerts of requests no longer pending (rejected, expired, failed) close, saying what became of the request. */
  private async resolveDecided(): Promise<void> {
    const open = await this.store.kysely
      .selectFrom('alerts as a')
      .innerJoin('approval_requests as r', (j) => j.on(sql`a.source_ref`, '=', sql`'ROLLBACK:' || r.id || ':' || a.legal_entity`))
      .select(['r.id', 'r.status'])
      .where('a.kind', '=', 'policy.rollbackOverdue')
      .where('a.status', '!=', 'closed')
      .where('r.status', '!=', 'pending')
      .distinct()
      .execute();
    for (const r of open) {
      await this.store.mutate(SYSTEM_ACTOR, async (m) => void (await resolveAlerts(m, 'policy.rollbackOverdue', `ROLLBACK:${r.id}:`, `${r.id} is no longer waiting for an approver: it is ${r.status.replaceAll('_', ' ')}.`)));
    }
  }

  /** The versions a rollback to `to` takes out of force: the one in force and a running canary. */
  private async replaced(m: Mutation, type: PolicyType, to: number): Promise<number[]> {
    const active = await this.policies.require(m.trx, type);
    const canary = await this.policies.canary(m.trx, type);
    const bad = [...new Set([active.version, ...(canary ? [canary.version] : [])])].filter((v) => v !== to);
    if (bad.length === 0) throw new DomainError('INVALID_TRANSITION', `${versionName(type, to)} is already in force and no canary is running: there is nothing to roll back.`);
    return bad;
  }

  /** One task per logged decision under the bad versions that no earlier rollback already covers. */
  private async openTasks(m: Mutation, type: PolicyType, bad: number[], approvalId: string): Promise<number> {
    let opened = 0;
    for (let after = 0; ; ) {
      const rows = await m.trx
        .selectFrom('policy_executions as e')
        .select(['e.id', 'e.policy_version', 'e.subject_type', 'e.subject_id', 'e.legal_entity', 'e.at'])
        .where('e.policy_type', '=', type)
        .where('e.policy_version', 'in', bad)
        .where('e.subject_type', 'not in', NO_REMEDIATION)
        .where('e.id', '>', after)
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('policy_remediations as r').select('r.id').whereRef('r.execution_id', '=', 'e.id'))))
        .orderBy('e.id')
        .limit(BATCH)
        .execute();
      if (rows.length === 0) return opened;
      const last = await nextValueBy(m.trx, 'REM', rows.length);
      await m.trx
        .insertInto('policy_remediations')
        .values(
          rows.map((r, i) => ({
            id: `REM-${String(last - rows.length + 1 + i).padStart(6, '0')}`,
            rollback_approval_id: approvalId,
            policy_type: type,
            bad_version: r.policy_version,
            execution_id: Number(r.id),
            subject_type: r.subject_type,
            subject_id: r.subject_id,
            legal_entity: r.legal_entity,
            decided_at: r.at,
            task: remediationTask(r.subject_type),
            status: 'open' as const,
            closed_by: null,
            closed_at: null,
            close_reason: null,
            created_at: m.now,
          })),
        )
        .execute();
      for (const r of rows) m.changed('policy_remediations', r.subject_id, r.legal_entity, 'insert');
      opened += rows.length;
      after = Number(rows.at(-1)!.id);
    }
  }

  /** `policies.rollback`: the version is a number or a name (PAYMENTS_WITHDRAWAL_TIERS_v3), which must be of the type. */
  async request(actor: Actor, input: { type: string; toVersion: number | string; reason: string }) {
    const type = this.policies.assertType(input.type);
    const toVersion = this.versionNumber(type, input.toVersion);
    return this.store.mutate(actor, async (m) => {
      const exists = await m.trx.selectFrom('policy_versions').select('version').where('type', '=', type).where('version', '=', toVersion).executeTakeFirst();
      if (!exists) throw new DomainError('NOT_FOUND', `toVersion: ${type} has no version ${toVersion}.`, { field: 'toVersion' });
      await this.replaced(m, type, toVersion);
      const tier = (await this.policies.require(m.trx, 'policies.changeControl')).document.types[type]?.tier ?? 3;
      return this.changes.open(m, { type, version: toVersion, action: 'rollback', tier, purpose: input.reason, details: { reason: input.reason }, segment: null, dryRun: null, reason: input.reason, kind: 'policies.rollback', payload: { policyType: type, toVersion } });
    });
  }

  private versionNumber(type: PolicyType, v: number | string): number {
    if (typeof v === 'number') return v;
    const m = /^([A-Z0-9_]+)_v(\d+)$/.exec(v.trim());
    if (!m) throw new DomainError('VALIDATION_FAILED', `toVersion: "${v}" is neither a version number nor a version name such as ${versionName(type, 3)}.`, { field: 'toVersion' });
    if (`${m[1]}_v` !== versionName(type, 1).replace(/1$/, '')) throw new DomainError('VALIDATION_FAILED', `toVersion: ${v} is a version of another policy type; a rollback of ${type} goes to a version of ${type} (${versionName(type, 1).replace(/1$/, 'N')}).`, { field: 'toVersion' });
    return Number(m[2]);
  }

  async list(auth: AuthContext, f: { type?: string | undefined; status?: 'open' | 'closed' | undefined; rollbackId?: string | undefined; cursor?: string | undefined; limit: number }) {
    const entities = listScope(auth, 'policies.read');
    let q = this.store.kysely
      .selectFrom('policy_remediations')
      .selectAll()
      .where((eb) => eb.or([eb('legal_entity', 'is', null), eb('legal_entity', 'in', entities.length ? entities : [''])]));
    if (f.type) q = q.where('policy_type', '=', f.type);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.rollbackId) q = q.where('rollback_approval_id', '=', f.rollbackId);
    if (f.cursor) q = q.where('id', '>', f.cursor);
    const rows = await q.orderBy('id').limit(f.limit + 1).execute();
    const page = rows.slice(0, f.limit);
    const closers = [...new Set(page.map((r) => r.closed_by).filter((c): c is string => c !== null))];
    const names = new Map((closers.length ? await this.store.kysely.selectFrom('users').select(['id', 'display_name']).where('id', 'in', closers).execute() : []).map((u) => [u.id, u.display_name]));
    return {
      items: page.map((r) => ({
        id: r.id,
        rollbackApprovalId: r.rollback_approval_id,
        policy: { type: r.policy_type, version: r.bad_version, name: versionName(r.policy_type, r.bad_version) },
        executionId: r.execution_id,
        subject: { type: r.subject_type, id: r.subject_id },
        legalEntity: r.legal_entity,
        decidedAt: r.decided_at,
        task: r.task,
        status: r.status,
        closedBy: r.closed_by,
        closedByName: r.closed_by === null ? null : (names.get(r.closed_by) ?? r.closed_by),
        closedAt: r.closed_at,
        closeReason: r.close_reason,
        createdAt: r.created_at,
      })),
      nextCursor: rows.length > f.limit ? page.at(-1)!.id : null,
    };
  }

  async close(auth: AuthContext, input: { id: string; reason: string }): Promise<{ status: 'closed' }> {
    return this.store.mutate(auth.actor, async (m) => {
      const r = await m.trx.selectFrom('policy_remediations').selectAll().where('id', '=', input.id).executeTakeFirst();
      if (!r) throw new DomainError('NOT_FOUND', `Remediation task ${input.id} does not exist.`);
      if (r.legal_entity !== null) requireEntity(auth, 'policies.remediate', r.legal_entity);
      if (r.status === 'closed') throw new DomainError('ALREADY_DECIDED', `${r.id} was closed at ${r.closed_at}: ${r.close_reason}.`);
      await m.trx.updateTable('policy_remediations').set({ status: 'closed', closed_by: m.actor.id, closed_at: m.now, close_reason: input.reason }).where('id', '=', r.id).where('status', '=', 'open').execute();
      m.audit({ action: 'policy.remediationClosed', targetType: 'remediation', targetId: r.id, legalEntity: r.legal_entity, before: { status: 'open' }, after: { status: 'closed', subject: { type: r.subject_type, id: r.subject_id }, badVersion: versionName(r.policy_type, r.bad_version) }, reason: input.reason, caseRef: r.rollback_approval_id });
      m.changed('policy_remediations', r.id, r.legal_entity, 'update');
      return { status: 'closed' as const };
    });
  }
}
