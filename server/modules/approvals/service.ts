// Maker-checker. A request picks its tier from the active approval-tiers policy and records that
// policy's version; decisions go through the pure state machine in shared/; the final approval
// executes the action in the same transaction, or the request records `failed` with the reason.

import type { Role } from '../../../shared/access/permissions.js';
import { isRole } from '../../../shared/access/permissions.js';
import { transition, type ApprovalState, type ApprovalStatus, availableActions } from '../../../shared/approvals/machine.js';
import { DomainError } from '../../../shared/errors.js';
import { SYSTEM_ACTOR, type Actor } from '../../core/actor.js';
import type { Mutation, Store } from '../../core/store.js';
import type { ApprovalRequestRow } from '../../db/schema.js';
import { nextRef } from '../../db/counters.js';
import type { PolicyReader } from '../policies/reader.js';
import type { ApprovalKinds } from './registry.js';
import { requirementOf } from './requirement.js';
import { openSlots } from '../../../shared/approvals/slots.js';
import { grantsInForce } from '../access/grants.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';

export interface ApprovalView {
  id: string;
  kind: string;
  summary: string;
  payload: unknown;
  maker: { id: string; username: string };
  legalEntity: string | null;
  tier: string;
  requiredRoles: Role[];
  requiredCount: number;
  approvals: Array<{ userId: string; username: string; role: string | null; at: string; reason: string | null }>;
  rejection: { userId: string; username: string; at: string; reason: string | null; answer: 'rejected' | 'needs changes' } | null;
  /** a rule change's approval chain: each slot and whether an approval fills it */
  chain: Array<{ name: string; roles: Role[]; filled: boolean }> | null;
  status: ApprovalStatus;
  reason: string;
  policy: { type: string; version: number };
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
  executedAt: string | null;
  failureReason: string | null;
  availableActions: Array<'approve' | 'reject' | 'cancel'>;
}

class ExecutionFailed extends Error {
  constructor(override readonly cause: DomainError) {
    super(cause.message);
  }
}

export class ApprovalsService {
  constructor(
    private readonly store: Store,
    readonly kinds: ApprovalKinds,
    private readonly policies: PolicyReader,
  ) {}

  /** Opens a request inside the caller's mutation (the maker's action and its request commit together). */
  async request(m: Mutation, input: { kind: string; payload: unknown; reason: string }): Promise<{ approvalId: string }> {
    const kind = this.kinds.get(input.kind);
    const payload = kind.payload.parse(input.payload);
    const dedupeKey = kind.pendingKey ? kind.pendingKey(payload) : null;
    const clientId = kind.clientId ? kind.clientId(payload) : null;
    if (dedupeKey !== null) {
      const pending = await m.trx.selectFrom('approval_requests').select(['id', 'summary']).where('kind', '=', input.kind).where('dedupe_key', '=', dedupeKey).where('status', '=', 'pending').executeTakeFirst();
      if (pending) throw new DomainError('ALREADY_EXISTS', `${pending.id} already asks for this (${pending.summary}); decide or cancel it first.`);
    }
    const id = await nextRef(m.trx, 'APR');
    const legalEntity = kind.legalEntity(payload);
    const tier = await requirementOf(m, this.policies, kind, input.kind, payload, { id, legalEntity, clientId });
    const policy = tier.policy;
    const expiresAt = new Date(Date.parse(m.now) + tier.expiresInHours * 3_600_000).toISOString();
    await m.trx
      .insertInto('approval_requests')
      .values({
        id,
        kind: input.kind,
        payload_json: JSON.stringify(payload),
        summary: await kind.summary(payload, m.trx),
        maker_id: m.actor.id,
        legal_entity: legalEntity,
        tier_name: tier.name,
        required_roles_json: JSON.stringify(tier.roles),
        required_count: tier.count,
        excluded_json: JSON.stringify(kind.excludedApprovers(payload)),
        policy_type: policy.type,
        policy_version: policy.version,
        status: 'pending',
        reason: input.reason,
        created_at: m.now,
        expires_at: expiresAt,
        decided_at: null,
        executed_at: null,
        failure_reason: null,
        dedupe_key: dedupeKey,
        client_id: clientId,
        chain_json: tier.chain ? JSON.stringify(tier.chain) : null,
      })
      .execute();
    m.audit({
      action: 'approval.requested',
      targetType: 'approval',
      targetId: id,
      legalEntity,
      clientId: clientId ?? undefined,
      after: { kind: input.kind, payload, tier: tier.name, requiredRoles: tier.roles, requiredCount: tier.count, ...(tier.chain ? { chain: tier.chain } : {}), expiresAt },
      reason: input.reason,
      caseRef: id,
      policyRef: policy.ref,
    });
    m.changed('approval_requests', id, legalEntity, 'insert');
    return { approvalId: id };
  }

  private async load(m: Mutation, id: string) {
    let q = m.trx.selectFrom('approval_requests').selectAll().where('id', '=', id);
    if (this.store.db.engine === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', `Approval request ${id} does not exist.`);
    const votes = await m.trx.selectFrom('approval_votes').selectAll().where('approval_id', '=', id).orderBy('ordinal').execute();
    return { row, votes };
  }

  private stateOf(row: ApprovalRequestRow, votes: Array<{ user_id: string; decision: string; role: string | null }>): ApprovalState {
    return {
      status: row.status,
      makerId: row.maker_id,
      excludedApprovers: readJson(JSON_COLUMNS.userIds, row.excluded_json, `approval_requests.excluded_json of ${row.id}`),
      requiredRoles: readJson(JSON_COLUMNS.roles, row.required_roles_json, `approval_requests.required_roles_json of ${row.id}`),
      requiredCount: row.required_count,
      approvals: votes.filter((v) => v.decision === 'approve').map((v) => ({ userId: v.user_id, role: v.role as Role })),
      expiresAt: row.expires_at,
      chain: row.chain_json === null ? null : readJson(JSON_COLUMNS.chain, row.chain_json, `approval_requests.chain_json of ${row.id}`),
    };
  }

  /** Roles the user holds in the request's legal entity (any entity for entity-less requests). */
  private async rolesIn(m: Mutation, userId: string, legalEntity: string | null): Promise<Role[]> {
    let q = grantsInForce(m.trx, m.now).select('role').where('user_id', '=', userId);
    if (legalEntity !== null) q = q.where('legal_entity', '=', legalEntity);
    return (await q.execute()).map((r) => r.role).filter(isRole);
  }

  /** Roles the user holds in every one of the entities (the roles that count for a request spanning them). */
  private async rolesInAll(m: Mutation, userId: string, entities: string[]): Promise<Role[]> {
    let common: Role[] | null = null;
    for (const e of entities) {
      const held: Role[] = await this.rolesIn(m, userId, e);
      common = common === null ? held : common.filter((r) => held.includes(r));
    }
    return common ?? [];
  }

  async approve(actor: Actor, id: string, reason?: string): Promise<{ status: ApprovalStatus; result?: Record<string, unknown> }> {
    await this.expireLapsed();
    try {
      return await this.store.mutate(actor, (m) => this.decide(m, id, 'approve', reason ?? null, null));
    } catch (error) {
      if (!(error instanceof ExecutionFailed)) throw error;
      // Nothing of the action was kept; record the approval and the failure in a new transaction.
      return this.store.mutate(actor, (m) => this.decide(m, id, 'approve', reason ?? null, error.cause));
    }
  }

  async reject(actor: Actor, id: string, reason: string): Promise<{ status: ApprovalStatus }> {
    await this.expireLapsed();
    return this.store.mutate(actor, (m) => this.decide(m, id, 'reject', reason, null));
  }

  /** A reviewer sends the request back to its maker: it closes as rejected, the answer recorded as "needs changes". */
  async needsChanges(actor: Actor, id: string, reason: string): Promise<{ status: ApprovalStatus }> {
    await this.expireLapsed();
    return this.store.mutate(actor, (m) => this.decide(m, id, 'needsChanges', reason, null));
  }

  async cancel(actor: Actor, id: string, reason: string): Promise<{ status: ApprovalStatus }> {
    return this.store.mutate(actor, async (m) => {
      const { row, votes } = await this.load(m, id);
      const t = transition(this.stateOf(row, votes), { type: 'cancel', by: actor.id, at: m.now });
      if (!t.ok) throw new DomainError(t.reason, t.message);
      await m.trx.updateTable('approval_requests').set({ status: 'cancelled', decided_at: m.now }).where('id', '=', id).execute();
      m.audit({ action: 'approval.cancelled', targetType: 'approval', targetId: id, legalEntity: row.legal_entity, clientId: row.client_id ?? undefined, before: { status: row.status }, after: { status: 'cancelled' }, reason, caseRef: id });
      m.changed('approval_requests', id, row.legal_entity, 'update');
      return { status: 'cancelled' as const };
    });
  }

  private async decide(
    m: Mutation,
    id: string,
    decision: 'approve' | 'reject' | 'needsChanges',
    reason: string | null,
    knownFailure: DomainError | null,
  ): Promise<{ status: ApprovalStatus; result?: Record<string, unknown> }> {
    const { row, votes } = await this.load(m, id);
    const state = this.stateOf(row, votes);
    const kind = this.kinds.get(row.kind);
    // Parsed only when a decision needs it (entity coverage, execution), and then once.
    let parsed: { value: unknown } | null = null;
    const payload = (): unknown => (parsed ??= { value: readJson(kind.payload, row.payload_json, `approval_requests.payload_json of ${row.id}`) }).value;
    const spanned = kind.scopeEntities ? await kind.scopeEntities(payload(), m.trx) : [];
    const rolesHeld = spanned.length > 0 ? await this.rolesInAll(m, m.actor.id, spanned) : await this.rolesIn(m, m.actor.id, row.legal_entity);
    const t = transition(state, { type: decision, by: m.actor.id, rolesHeld, at: m.now });
    if (!t.ok) throw new DomainError(t.reason, t.message);
    if (t.execute && kind.ready && !knownFailure) await kind.ready(m, payload());
    const role = decision === 'approve' ? (t.state.approvals.at(-1)?.role ?? null) : (state.requiredRoles.find((r) => rolesHeld.includes(r)) ?? null);
    const stored = decision === 'needsChanges' ? 'needs_changes' : decision;
    await m.trx.insertInto('approval_votes').values({ approval_id: id, user_id: m.actor.id, ordinal: votes.length + 1, decision: stored, role, reason, at: m.now }).execute();
    const policyRef = `${row.policy_type}@${row.policy_version}`;
    m.audit({
      action: decision === 'approve' ? 'approval.approved' : decision === 'reject' ? 'approval.rejected' : 'approval.needsChanges',
      targetType: 'approval',
      targetId: id,
      legalEntity: row.legal_entity,
      clientId: row.client_id ?? undefined,
      before: { status: row.status, approvals: state.approvals.length },
      after: { status: t.state.status, approvals: t.state.approvals.length, role },
      reason: reason ?? undefined,
      caseRef: id,
      policyRef,
    });
    m.changed('approval_requests', id, row.legal_entity, 'update');

    let status: ApprovalStatus = t.state.status;
    let result: Record<string, unknown> | undefined;
    if (t.execute) {
      const approvers = t.state.approvals.map((a) => a.userId);
      const failure = knownFailure;
      if (!failure) {
        try {
          result = (await kind.execute(m, payload(), { id, makerId: row.maker_id, approvers, reason: row.reason, policyRef })) ?? undefined;
        } catch (error) {
          if (error instanceof DomainError) throw new ExecutionFailed(error);
          throw error;
        }
      }
      status = failure ? 'failed' : 'executed';
      await m.trx
        .updateTable('approval_requests')
        .set({ status, decided_at: m.now, executed_at: failure ? null : m.now, failure_reason: failure ? `${failure.reason}: ${failure.message}` : null })
        .where('id', '=', id)
        .execute();
      m.audit({
        action: failure ? 'approval.failed' : 'approval.executed',
        targetType: 'approval',
        targetId: id,
        legalEntity: row.legal_entity,
        clientId: row.client_id ?? undefined,
        after: failure ? { status, failure: failure.message, failureReason: failure.reason } : { status },
        approvers,
        caseRef: id,
        policyRef,
      });
    } else {
      await m.trx
        .updateTable('approval_requests')
        .set({ status, decided_at: status === 'pending' ? null : m.now })
        .where('id', '=', id)
        .execute();
    }
    return result ? { status, result } : { status };
  }

  /** Pending requests past their expiry lapse, by the system, each with an audit event. */
  async expireLapsed(): Promise<number> {
    const now = this.store.now();
    const lapsed = await this.store.kysely
      .selectFrom('approval_requests')
      .select(['id', 'legal_entity', 'client_id'])
      .where('status', '=', 'pending')
      .where('expires_at', '<=', now)
      .limit(500)
      .execute();
    if (lapsed.length === 0) return 0;
    return this.store.mutate(SYSTEM_ACTOR, async (m) => {
      let n = 0;
      for (const r of lapsed) {
        const res = await m.trx
          .updateTable('approval_requests')
          .set({ status: 'expired', decided_at: m.now })
          .where('id', '=', r.id)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) === 0) continue;
        n += 1;
        m.audit({ action: 'approval.expired', targetType: 'approval', targetId: r.id, legalEntity: r.legal_entity, clientId: r.client_id ?? undefined, before: { status: 'pending' }, after: { status: 'expired' }, caseRef: r.id });
        m.changed('approval_requests', r.id, r.legal_entity, 'update');
      }
      if (n === 0) m.audit({ action: 'approval.expirySweep', after: { expired: 0 } });
      return n;
    });
  }

  async list(
    viewer: { id: string; scope: string[]; rolesByEntity: Map<string, Role[]> },
    filter: { status?: ApprovalStatus | undefined; kind?: string | undefined; cursor?: string | undefined; limit: number },
  ): Promise<{ items: ApprovalView[]; nextCursor: string | null }> {
    await this.expireLapsed();
    let q = this.store.kysely
      .selectFrom('approval_requests')
      .selectAll()
      .where((eb) => eb.or([eb('legal_entity', 'is', null), ...(viewer.scope.length ? [eb('legal_entity', 'in', viewer.scope)] : [])]));
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    if (filter.cursor) q = q.where('id', '<', filter.cursor);
    const rows = await q.orderBy('id', 'desc').limit(filter.limit + 1).execute();
    const page = rows.slice(0, filter.limit);
    const items = await this.views(page, viewer);
    return { items, nextCursor: rows.length > filter.limit ? page.at(-1)!.id : null };
  }

  async get(viewer: { id: string; scope: string[]; rolesByEntity: Map<string, Role[]> }, id: string): Promise<ApprovalView> {
    await this.expireLapsed();
    const row = await this.store.kysely.selectFrom('approval_requests').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', `Approval request ${id} does not exist.`);
    if (row.legal_entity !== null && !viewer.scope.includes(row.legal_entity)) {
      throw new DomainError('OUT_OF_ENTITY_SCOPE', `Approval request ${id} belongs to legal entity ${row.legal_entity}, outside your scope.`);
    }
    return (await this.views([row], viewer))[0]!;
  }

  /** The given requests as `viewer` sees them; no scope filter (the caller filters). */
  async byIds(viewer: { id: string; rolesByEntity: Map<string, Role[]> }, ids: string[]): Promise<ApprovalView[]> {
    if (ids.length === 0) return [];
    const rows = await this.store.kysely.selectFrom('approval_requests').selectAll().where('id', 'in', ids).execute();
    return this.views(rows, viewer);
  }

  private async views(rows: ApprovalRequestRow[], viewer: { id: string; rolesByEntity: Map<string, Role[]> }): Promise<ApprovalView[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const votes = await this.store.kysely
      .selectFrom('approval_votes as v')
      .innerJoin('users as u', 'u.id', 'v.user_id')
      .select(['v.approval_id', 'v.user_id', 'u.username', 'v.decision', 'v.role', 'v.reason', 'v.at'])
      .where('v.approval_id', 'in', ids)
      .orderBy('v.approval_id')
      .orderBy('v.ordinal')
      .execute();
    const makers = await this.store.kysely
      .selectFrom('users')
      .select(['id', 'username'])
      .where('id', 'in', [...new Set(rows.map((r) => r.maker_id))])
      .execute();
    const makerName = new Map(makers.map((u) => [u.id, u.username]));
    const now = this.store.now();
    return rows.map((row) => {
      const mine = votes.filter((v) => v.approval_id === row.id);
      const state = this.stateOf(row, mine);
      const held =
        row.legal_entity === null ? [...new Set([...viewer.rolesByEntity.values()].flat())] : (viewer.rolesByEntity.get(row.legal_entity) ?? []);
      const rejection = mine.find((v) => v.decision === 'reject' || v.decision === 'needs_changes');
      const given = state.approvals.map((a) => ({ roles: [a.role] }));
      const open = state.chain ? openSlots(state.chain, given) : [];
      return {
        id: row.id,
        kind: row.kind,
        summary: row.summary,
        payload: readJson(JSON_COLUMNS.json, row.payload_json, `approval_requests.payload_json of ${row.id}`),
        maker: { id: row.maker_id, username: makerName.get(row.maker_id) ?? row.maker_id },
        legalEntity: row.legal_entity,
        tier: row.tier_name,
        requiredRoles: state.requiredRoles as Role[],
        requiredCount: row.required_count,
        approvals: mine.filter((v) => v.decision === 'approve').map((v) => ({ userId: v.user_id, username: v.username, role: v.role, at: v.at, reason: v.reason })),
        rejection: rejection ? { userId: rejection.user_id, username: rejection.username, at: rejection.at, reason: rejection.reason, answer: rejection.decision === 'needs_changes' ? ('needs changes' as const) : ('rejected' as const) } : null,
        chain: state.chain ? state.chain.map((slot) => ({ name: slot.name, roles: [...slot.roles], filled: !open.includes(slot) })) : null,
        status: row.status,
        reason: row.reason,
        policy: { type: row.policy_type, version: row.policy_version },
        createdAt: row.created_at,
        expiresAt: row.expires_at,
        decidedAt: row.decided_at,
        executedAt: row.executed_at,
        failureReason: row.failure_reason,
        availableActions: availableActions(state, viewer.id, held, now),
      };
    });
  }
}
