// Role grants per legal entity, through maker-checker: grants (permanent, or temporary with an end
// date and the person covered for), revocations, the lapse of temporary grants at their end date,
// and the grants of an empty system's first seed.

import { z } from 'zod';
import { ROLES, type Role } from '../../../shared/access/permissions.js';
import { DomainError } from '../../../shared/errors.js';
import { SYSTEM_ACTOR, type Actor } from '../../core/actor.js';
import type { Grant } from '../../core/auth.js';
import type { Mutation, Store } from '../../core/store.js';
import { nextRef } from '../../db/counters.js';
import type { ApprovalKind, ApprovalKinds } from '../approvals/registry.js';
import type { ApprovalsService } from '../approvals/service.js';
import { grantsInForce, grantsOf } from './grants.js';
import { assertUser, decided, usernameOf } from './people.js';
import { sodWarnings } from '../../../shared/access/sod.js';

const rolePayload = z.object({ userId: z.string(), role: z.enum(ROLES), legalEntity: z.string() });
const grantPayload = rolePayload.extend({ endsAt: z.string().nullable().default(null), coverFor: z.string().nullable().default(null) });

const noRevocation = { revoked_at: null, revoke_requested_by: null, revoke_approved_by: null, revoke_approval_id: null, revoke_reason: null, lapsed_at: null } as const;

/** A grant made as cover, or any grant with an end date, lasts at most this long. */
const MAX_TEMPORARY_GRANT_MS = 366 * 24 * 3_600_000;

/**
 * A request about one person's role in one entity: decided in that entity, at most one pending per
 * person, role and entity, and never decided by the person.
 */
function aboutRole<P extends { userId: string; role: string; legalEntity: string }>(kind: Omit<ApprovalKind<P>, 'pendingKey' | 'legalEntity' | 'excludedApprovers'>): ApprovalKind<P> {
  return {
    pendingKey: (p) => `${p.userId}|${p.role}|${p.legalEntity}`,
    legalEntity: (p) => p.legalEntity,
    excludedApprovers: (p) => [p.userId],
    ...kind,
  };
}

export class RoleGrantsService {
  constructor(
    private readonly store: Store,
    private readonly approvals: ApprovalsService,
  ) {}

  /** The grants in force of a user (sessions read them on every call). */
  grantsOf(userId: string): Promise<Grant[]> {
    return grantsOf(this.store.kysely, userId, this.store.now());
  }

  private async assertEntity(m: Mutation, legalEntity: string) {
    const e = await m.trx.selectFrom('legal_entities').select('id').where('id', '=', legalEntity).executeTakeFirst();
    if (!e) throw new DomainError('NOT_FOUND', `Legal entity ${legalEntity} does not exist.`);
  }

  private activeGrant(m: Mutation, g: { userId: string; role: string; legalEntity: string }) {
    return grantsInForce(m.trx, m.now)
      .select(['id', 'granted_at'])
      .where('user_id', '=', g.userId)
      .where('role', '=', g.role)
      .where('legal_entity', '=', g.legalEntity)
      .executeTakeFirst();
  }

  async requestGrant(
    actor: Actor,
    input: { userId: string; role: Role; legalEntity: string; reason: string; endsAt?: string | undefined; coverFor?: string | undefined },
  ) {
    if (input.userId === actor.id) throw new DomainError('SELF_GRANT', 'Nobody can grant a role to themselves.');
    return this.store.mutate(actor, async (m) => {
      const user = await assertUser(m, input.userId);
      if (user.status !== 'active') throw new DomainError('INVALID_TRANSITION', `User ${user.username} is disabled.`);
      await this.assertEntity(m, input.legalEntity);
      if (input.coverFor !== undefined) {
        if (input.endsAt === undefined) throw new DomainError('VALIDATION_FAILED', 'End date: a grant made as cover must carry one, so that it lapses when the cover does.');
        if (input.coverFor === input.userId) throw new DomainError('VALIDATION_FAILED', 'Covering for: a user cannot cover for themselves.');
        await assertUser(m, input.coverFor);
      }
      if (input.endsAt !== undefined) {
        if (input.endsAt <= m.now) throw new DomainError('VALIDATION_FAILED', `End date: ${input.endsAt} has already passed.`);
        if (Date.parse(input.endsAt) - Date.parse(m.now) > MAX_TEMPORARY_GRANT_MS) throw new DomainError('VALIDATION_FAILED', 'End date: a temporary grant lasts at most 366 days; grant it without an end date if it is permanent.');
      }
      const held = await this.activeGrant(m, input);
      if (held) throw new DomainError('ALREADY_EXISTS', `${user.username} already holds ${input.role} in ${input.legalEntity}.`);
      const payload = { userId: input.userId, role: input.role, legalEntity: input.legalEntity, endsAt: input.endsAt ?? null, coverFor: input.coverFor ?? null };
      return this.approvals.request(m, { kind: 'access.grantRole', payload, reason: input.reason });
    });
  }

  async requestRevoke(actor: Actor, input: { userId: string; role: Role; legalEntity: string; reason: string }) {
    return this.store.mutate(actor, async (m) => {
      const user = await assertUser(m, input.userId);
      const held = await this.activeGrant(m, input);
      if (!held) throw new DomainError('NOT_FOUND', `${user.username} does not hold ${input.role} in ${input.legalEntity}.`);
      return this.approvals.request(m, { kind: 'access.revokeRole', payload: { userId: input.userId, role: input.role, legalEntity: input.legalEntity }, reason: input.reason });
    });
  }

  /** Grants made directly, outside maker-checker: only the seed of an empty system uses this. */
  async bootstrapGrant(m: Mutation, input: { userId: string; role: Role; legalEntity: string; reason: string }): Promise<void> {
    const id = await nextRef(m.trx, 'GRT');
    await m.trx
      .insertInto('role_grants')
      .values({ ...noRevocation, id, user_id: input.userId, role: input.role, legal_entity: input.legalEntity, granted_at: m.now, requested_by: m.actor.id, approved_by: '[]', approval_id: null, reason: input.reason, ends_at: null, cover_for: null })
      .execute();
    m.audit({ action: 'access.role.granted', targetType: 'user', targetId: input.userId, legalEntity: input.legalEntity, after: { grantId: id, role: input.role }, reason: input.reason });
    m.changed('role_grants', id, input.legalEntity, 'insert');
  }

  /**
   * Grants past their end date are recorded as lapsed: revoked at the end date, by the system,
   * audited per grant. Rights ended at that instant already (grantsInForce); this makes the record
   * and the desktop caches follow. `userId` limits the sweep to one person (before a new grant).
   */
  async lapseDue(m: Mutation, userId?: string): Promise<number> {
    let q = m.trx.selectFrom('role_grants').select(['id', 'user_id', 'role', 'legal_entity', 'ends_at', 'cover_for', 'approval_id']).where('revoked_at', 'is', null).where('ends_at', '<=', m.now);
    if (userId) q = q.where('user_id', '=', userId);
    const due = await q.limit(500).execute();
    for (const g of due) {
      await m.trx.updateTable('role_grants').set({ revoked_at: g.ends_at, lapsed_at: m.now, revoke_reason: 'lapsed at its end date' }).where('id', '=', g.id).execute();
      m.audit({
        action: 'access.role.lapsed',
        targetType: 'user',
        targetId: g.user_id,
        legalEntity: g.legal_entity,
        before: { grantId: g.id, role: g.role, endsAt: g.ends_at, coverFor: g.cover_for },
        after: null,
        reason: `${g.role} in ${g.legal_entity} ended at ${g.ends_at}`,
        caseRef: g.approval_id ?? undefined,
      });
      m.changed('role_grants', g.id, g.legal_entity, 'update');
    }
    return due.length;
  }

  /** The background job: records every grant that has reached its end date. */
  async lapseGrants(): Promise<number> {
    const now = this.store.now();
    const due = await this.store.kysely.selectFrom('role_grants').select('id').where('revoked_at', 'is', null).where('ends_at', '<=', now).limit(1).executeTakeFirst();
    if (!due) return 0;
    return this.store.mutate(SYSTEM_ACTOR, (m) => this.lapseDue(m));
  }

  registerKinds(kinds: ApprovalKinds): void {
    kinds.register(aboutRole({
      kind: 'access.grantRole',
      payload: grantPayload,
      // The summary is what the approvers read in their queue: it carries any segregation-of-duties warning.
      summary: async (p, trx) => {
        const held = await grantsInForce(trx, this.store.now()).select(['role', 'legal_entity']).where('user_id', '=', p.userId).execute();
        const warnings = sodWarnings(held.map((h) => ({ role: h.role, legalEntity: h.legal_entity })), p);
        return `Grant ${p.role} in ${p.legalEntity} to ${await usernameOf(trx, p.userId)}${p.endsAt ? ` until ${p.endsAt}` : ''}${p.coverFor ? `, covering for ${await usernameOf(trx, p.coverFor)}` : ''}${warnings.length ? `. ${warnings.join(' ')}` : ''}`;
      },
      execute: async (m, p, request) => {
        const user = await assertUser(m, p.userId);
        if (user.status !== 'active') throw new DomainError('INVALID_TRANSITION', `User ${user.username} is disabled.`);
        if (p.endsAt !== null && p.endsAt <= m.now) throw new DomainError('INVALID_TRANSITION', `The grant was to end at ${p.endsAt}, which has passed.`);
        await this.lapseDue(m, p.userId);
        const held = await this.activeGrant(m, p);
        if (held) throw new DomainError('ALREADY_EXISTS', `${user.username} already holds ${p.role} in ${p.legalEntity}.`);
        const id = await nextRef(m.trx, 'GRT');
        await m.trx
          .insertInto('role_grants')
          .values({ ...noRevocation, id, user_id: p.userId, role: p.role, legal_entity: p.legalEntity, granted_at: m.now, requested_by: request.makerId, approved_by: JSON.stringify(request.approvers), approval_id: request.id, reason: request.reason, ends_at: p.endsAt, cover_for: p.coverFor })
          .execute();
        m.audit({ action: 'access.role.granted', targetType: 'user', targetId: p.userId, legalEntity: p.legalEntity, before: null, after: { grantId: id, role: p.role, requestedBy: request.makerId, endsAt: p.endsAt, coverFor: p.coverFor }, ...decided(request) });
        m.changed('role_grants', id, p.legalEntity, 'insert');
      },
    }));
    kinds.register(aboutRole({
      kind: 'access.revokeRole',
      payload: rolePayload,
      summary: async (p, trx) => `Revoke ${p.role} in ${p.legalEntity} from ${await usernameOf(trx, p.userId)}`,
      execute: async (m, p, request) => {
        const grant = await this.activeGrant(m, p);
        if (!grant) throw new DomainError('NOT_FOUND', `${p.userId} no longer holds ${p.role} in ${p.legalEntity}.`);
        await m.trx
          .updateTable('role_grants')
          .set({ revoked_at: m.now, revoke_requested_by: request.makerId, revoke_approved_by: JSON.stringify(request.approvers), revoke_approval_id: request.id, revoke_reason: request.reason })
          .where('id', '=', grant.id)
          .execute();
        m.audit({ action: 'access.role.revoked', targetType: 'user', targetId: p.userId, legalEntity: p.legalEntity, before: { grantId: grant.id, role: p.role }, after: null, ...decided(request) });
        m.changed('role_grants', grant.id, p.legalEntity, 'update');
      },
    }));
  }
}
