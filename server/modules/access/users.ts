// Staff users: creating them, the list administrators see, and the actions on a person that go
// through maker-checker (disable or re-enable, MFA and password resets, ending someone's session),
// each bound to the entities the administrator covers; the temporary password of a reset goes to
// its maker once.

import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DomainError } from '../../../shared/errors.js';
import type { Actor } from '../../core/actor.js';
import type { Store } from '../../core/store.js';
import type { Config } from '../../config.js';
import { nextRef } from '../../db/counters.js';
import type { SecretBox } from '../../security/secretbox.js';
import type { ApprovalKind, ApprovalKinds } from '../approvals/registry.js';
import type { ApprovalsService } from '../approvals/service.js';
import { entitiesOfUser, grantsInForce } from './grants.js';
import { assertPasswordStrength, hashPassword } from './passwords.js';
import { assertCovers, assertUser, decided, endSessions, usernameOf, type AdminScope } from './people.js';
import { readJson } from '../../db/json.js';

export { USERNAME } from '../../../shared/access/schemas.js';

const userPayload = z.object({ userId: z.string() });
const statusPayload = z.object({ userId: z.string(), status: z.enum(['active', 'disabled']) });
const sessionPayload = z.object({ userId: z.string(), sessionId: z.string() });

export class UsersService {
  constructor(
    private readonly store: Store,
    private readonly config: Config,
    private readonly secrets: SecretBox,
    private readonly approvals: ApprovalsService,
  ) {}

  private get db() {
    return this.store.kysely;
  }

  async createUser(actor: Actor, input: { username: string; displayName: string; password: string }, opts: { isDemo?: boolean; mustChangePassword?: boolean } = {}) {
    const username = input.username.toLowerCase();
    assertPasswordStrength(input.password, username);
    const passwordHash = await hashPassword(input.password);
    return this.store.mutate(actor, async (m) => {
      const exists = await m.trx.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
      if (exists) throw new DomainError('ALREADY_EXISTS', `A user named "${username}" already exists.`);
      const id = await nextRef(m.trx, 'USR');
      await m.trx
        .insertInto('users')
        .values({
          id,
          username,
          display_name: input.displayName,
          password_hash: passwordHash,
          totp_secret_enc: null,
          totp_enrolled_at: null,
          last_totp_step: null,
          failed_attempts: 0,
          locked_until: null,
          status: 'active',
          must_change_password: (opts.mustChangePassword ?? true) ? 1 : 0,
          is_demo: opts.isDemo ? 1 : 0,
          created_at: m.now,
          created_by: actor.id,
          last_login_at: null,
          password_expires_at: null,
          password_handover_approval: null,
        })
        .execute();
      m.audit({ action: 'access.user.created', targetType: 'user', targetId: id, after: { username, displayName: input.displayName } });
      m.changed('users', id, null, 'insert');
      return { userId: id };
    });
  }

  /** Seeding and tests: a TOTP secret set directly (the demo credentials file carries it). */
  async setTotpSecret(actor: Actor, userId: string, secret: string): Promise<void> {
    await this.store.mutate(actor, async (m) => {
      await m.trx.updateTable('users').set({ totp_secret_enc: this.secrets.seal(secret), totp_enrolled_at: m.now, last_totp_step: null }).where('id', '=', userId).execute();
      m.audit({ action: 'auth.mfa.enrolled', targetType: 'user', targetId: userId, reason: 'provisioned' });
    });
  }

  async entities(scope: string[]) {
    if (scope.length === 0) return [];
    const rows = await this.db.selectFrom('legal_entities').select(['id', 'name', 'regulator', 'jurisdiction']).where('id', 'in', scope).orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, regulator: r.regulator, jurisdiction: r.jurisdiction }));
  }

  async users(scope: string[]) {
    const users = await this.db
      .selectFrom('users')
      .select(['id', 'username', 'display_name', 'status', 'totp_enrolled_at', 'locked_until', 'last_login_at', 'created_at', 'must_change_password'])
      .orderBy('username')
      .execute();
    const now = this.store.now();
    const grants = await grantsInForce(this.db, now)
      .select(['user_id', 'role', 'legal_entity', 'granted_at', 'approval_id', 'ends_at', 'cover_for'])
      .where('legal_entity', 'in', scope.length ? scope : ['\u0000'])
      .execute();
    return users.map((u) => ({
      id: u.id,
      username: u.username,
      displayName: u.display_name,
      status: u.status,
      mfaEnrolled: u.totp_enrolled_at !== null,
      locked: u.locked_until !== null && u.locked_until > now,
      lockedUntil: u.locked_until && u.locked_until > now ? u.locked_until : null,
      mustChangePassword: u.must_change_password === 1,
      lastLoginAt: u.last_login_at,
      createdAt: u.created_at,
      grants: grants
        .filter((g) => g.user_id === u.id)
        .map((g) => ({ role: g.role, legalEntity: g.legal_entity, grantedAt: g.granted_at, approvalId: g.approval_id, endsAt: g.ends_at, coverFor: g.cover_for })),
    }));
  }

  async requestReset(admin: AdminScope, kind: 'access.resetMfa' | 'access.resetPassword', input: { userId: string; reason: string }) {
    if (input.userId === admin.actor.id) throw new DomainError('SELF_GRANT', 'Ask another administrator to reset your own credentials.');
    return this.store.mutate(admin.actor, async (m) => {
      const user = await assertUser(m, input.userId);
      await assertCovers(m, admin, user.id, user.username);
      return this.approvals.request(m, { kind, payload: { userId: input.userId }, reason: input.reason });
    });
  }

  async requestStatus(admin: AdminScope, input: { userId: string; status: 'active' | 'disabled'; reason: string }) {
    if (input.userId === admin.actor.id) throw new DomainError('SELF_GRANT', 'You cannot change the status of your own account.');
    return this.store.mutate(admin.actor, async (m) => {
      const user = await assertUser(m, input.userId);
      await assertCovers(m, admin, user.id, user.username);
      if (user.status === input.status) throw new DomainError('INVALID_TRANSITION', `User ${user.username} is already ${input.status}.`);
      return this.approvals.request(m, { kind: 'access.setUserStatus', payload: { userId: input.userId, status: input.status }, reason: input.reason });
    });
  }

  /** Ends another person's session: through maker-checker, like every other action on someone's access. */
  async requestSessionRevoke(admin: AdminScope, input: { sessionId: string; reason: string }) {
    return this.store.mutate(admin.actor, async (m) => {
      const s = await m.trx.selectFrom('sessions as s').innerJoin('users as u', 'u.id', 's.user_id').select(['s.id', 's.user_id', 's.revoked_at', 'u.username']).where('s.id', '=', input.sessionId).executeTakeFirst();
      if (!s) throw new DomainError('NOT_FOUND', `Session ${input.sessionId} does not exist.`);
      if (s.user_id === admin.actor.id) throw new DomainError('SELF_GRANT', 'End your own sessions with auth.revokeSession.');
      if (s.revoked_at) throw new DomainError('INVALID_TRANSITION', 'This session has already ended.');
      await assertCovers(m, admin, s.user_id, s.username);
      return this.approvals.request(m, { kind: 'access.revokeSession', payload: { userId: s.user_id, sessionId: s.id }, reason: input.reason });
    });
  }

  /**
   * The maker of an executed password reset collects the temporary password, once, to hand it to
   * its owner in person or by a channel the owner controls; the approver never sees it. It works
   * only for the forced change and only until it expires. Both the collection and the change are audited.
   */
  async collectTemporaryPassword(actor: Actor, approvalId: string) {
    const temporaryPassword = `${randomBytes(12).toString('base64url')}-Aa1`;
    const hash = await hashPassword(temporaryPassword);
    return this.store.mutate(actor, async (m) => {
      const request = await m.trx.selectFrom('approval_requests').select(['id', 'kind', 'maker_id', 'status', 'payload_json']).where('id', '=', approvalId).executeTakeFirst();
      if (!request || request.kind !== 'access.resetPassword') throw new DomainError('NOT_FOUND', `${approvalId} is not a password reset.`);
      if (request.maker_id !== actor.id) throw new DomainError('FORBIDDEN_PERMISSION', `Only the administrator who asked for ${approvalId} collects its temporary password.`);
      if (request.status !== 'executed') throw new DomainError('INVALID_TRANSITION', `${approvalId} is ${request.status}: a temporary password exists only once the reset is approved.`);
      const { userId } = readJson(userPayload, request.payload_json, `approval_requests.payload_json of ${request.id}`);
      const user = await m.trx.selectFrom('users').select(['id', 'username', 'password_handover_approval']).where('id', '=', userId).executeTakeFirstOrThrow();
      if (user.password_handover_approval !== approvalId) {
        throw new DomainError('INVALID_TRANSITION', `The temporary password of ${approvalId} was already collected, or a later reset replaced it.`);
      }
      const expiresAt = new Date(Date.parse(m.now) + this.config.temporaryPasswordMs).toISOString();
      await m.trx
        .updateTable('users')
        .set({ password_hash: hash, must_change_password: 1, password_expires_at: expiresAt, password_handover_approval: null })
        .where('id', '=', userId)
        .execute();
      m.audit({ action: 'auth.password.handedOver', targetType: 'user', targetId: userId, after: { expiresAt }, caseRef: approvalId });
      m.changed('users', userId, null, 'update');
      return { userId, username: user.username, temporaryPassword, expiresAt };
    });
  }

  /**
   * A request about one staff member: it has no entity of its own, its deciders must cover every
   * entity where the person holds a grant, and the person never decides it.
   */
  private aboutUser<P extends { userId: string }>(kind: Omit<ApprovalKind<P>, 'legalEntity' | 'scopeEntities' | 'excludedApprovers'>): ApprovalKind<P> {
    return {
      legalEntity: () => null,
      scopeEntities: (p, trx) => entitiesOfUser(trx, p.userId, this.store.now()),
      excludedApprovers: (p) => [p.userId],
      ...kind,
    };
  }

  registerKinds(kinds: ApprovalKinds): void {
    kinds.register(this.aboutUser({
      kind: 'access.setUserStatus',
      payload: statusPayload,
      pendingKey: (p) => p.userId,
      summary: async (p, trx) => `${p.status === 'disabled' ? 'Disable' : 'Re-enable'} ${await usernameOf(trx, p.userId)}`,
      execute: async (m, p, request) => {
        const user = await m.trx.selectFrom('users').select(['id', 'status']).where('id', '=', p.userId).executeTakeFirst();
        if (!user) throw new DomainError('NOT_FOUND', `User ${p.userId} does not exist.`);
        if (user.status === p.status) throw new DomainError('INVALID_TRANSITION', `User ${p.userId} is already ${p.status}.`);
        await m.trx.updateTable('users').set({ status: p.status }).where('id', '=', p.userId).execute();
        const ended = p.status === 'disabled' ? await endSessions(m, p.userId, 'user disabled') : 0;
        m.audit({ action: 'access.user.status', targetType: 'user', targetId: p.userId, before: { status: user.status }, after: { status: p.status, sessionsEnded: ended }, ...decided(request) });
        m.changed('users', p.userId, null, 'update');
      },
    }));
    kinds.register(this.aboutUser({
      kind: 'access.revokeSession',
      payload: sessionPayload,
      pendingKey: (p) => p.sessionId,
      summary: async (p, trx) => `End a session of ${await usernameOf(trx, p.userId)}`,
      execute: async (m, p, request) => {
        const ended = await endSessions(m, p.userId, request.reason, p.sessionId);
        if (ended === 0) throw new DomainError('INVALID_TRANSITION', `Session ${p.sessionId} had already ended.`);
        m.audit({ action: 'auth.session.revoked', targetType: 'session', targetId: p.sessionId, after: { userId: p.userId }, ...decided(request) });
      },
    }));
    kinds.register(this.aboutUser({
      kind: 'access.resetMfa',
      payload: userPayload,
      pendingKey: (p) => p.userId,
      summary: async (p, trx) => `Reset the authenticator of ${await usernameOf(trx, p.userId)}`,
      execute: async (m, p, request) => {
        await assertUser(m, p.userId);
        await m.trx.updateTable('users').set({ totp_secret_enc: null, totp_enrolled_at: null, last_totp_step: null }).where('id', '=', p.userId).execute();
        await endSessions(m, p.userId, 'MFA reset');
        m.audit({ action: 'auth.mfa.reset', targetType: 'user', targetId: p.userId, ...decided(request) });
        m.changed('users', p.userId, null, 'update');
      },
    }));
    kinds.register(this.aboutUser({
      kind: 'access.resetPassword',
      payload: userPayload,
      pendingKey: (p) => p.userId,
      summary: async (p, trx) => `Reset the password of ${await usernameOf(trx, p.userId)}`,
      execute: async (m, p, request) => {
        await assertUser(m, p.userId);
        // The old password stops working now; the maker collects the temporary one (collectTemporaryPassword).
        const unusable = await hashPassword(randomBytes(32).toString('base64url'));
        await m.trx
          .updateTable('users')
          .set({ password_hash: unusable, must_change_password: 1, failed_attempts: 0, locked_until: null, password_expires_at: null, password_handover_approval: request.id })
          .where('id', '=', p.userId)
          .execute();
        await endSessions(m, p.userId, 'password reset');
        m.audit({ action: 'auth.password.reset', targetType: 'user', targetId: p.userId, after: { collectedBy: request.makerId }, ...decided(request) });
        m.changed('users', p.userId, null, 'update');
      },
    }));
  }
}
