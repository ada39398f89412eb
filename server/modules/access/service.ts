// Staff access: sign-in with password and TOTP, sessions, users, role grants per legal entity
// (through maker-checker), MFA and password resets, and the access review. Every sign-in, sign-out,
// failure, lockout and reset is audited with IP and user agent.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { isRole, permissionsOf, ROLES, type Permission, type Role } from '../../../shared/access/permissions.js';
import { DomainError } from '../../../shared/errors.js';
import { anonymousActor, type Actor } from '../../core/actor.js';
import type { Mutation, Store } from '../../core/store.js';
import type { Config } from '../../config.js';
import { nextRef } from '../../db/counters.js';
import type { SessionRow, UserRow } from '../../db/schema.js';
import type { SecretBox } from '../../security/secretbox.js';
import type { ApprovalKinds } from '../approvals/registry.js';
import type { ApprovalsService } from '../approvals/service.js';
import { assertPasswordStrength, burnPasswordCheck, hashPassword, verifyPassword } from './passwords.js';
import { checkTotp, newTotpSecret, totpUri } from './totp.js';
import { DenialAggregator, LoginThrottle } from './throttle.js';

/** Why a session ended, for the audit (`why`), the person (`message`) and the desktop host (`cause`). */
export interface SessionEnd {
  cause: 'unknown' | 'revoked' | 'lifetime' | 'idle' | 'disabled';
  why: string;
  message: string;
}

export interface RequestInfo {
  ip: string | null;
  userAgent: string | null;
}

export interface Grant {
  role: Role;
  legalEntity: string;
}

/** The signed-in staff member as every procedure sees them. */
export interface AuthContext {
  user: { id: string; username: string; displayName: string; mustChangePassword: boolean };
  sessionId: string;
  grants: Grant[];
  roles: Role[];
  legalEntities: string[];
  permissions: Set<Permission>;
  /** Legal entities in which the user holds a role carrying the permission. */
  scope(permission: Permission): string[];
  rolesByEntity: Map<string, Role[]>;
  actor: Actor;
}

export interface LoginResult {
  token: string;
  expiresAt: string;
  user: ReturnType<typeof profileOf>;
}

export function profileOf(auth: Pick<AuthContext, 'user' | 'grants' | 'roles' | 'legalEntities' | 'permissions'>) {
  return {
    id: auth.user.id,
    username: auth.user.username,
    displayName: auth.user.displayName,
    mustChangePassword: auth.user.mustChangePassword,
    roles: auth.roles,
    legalEntities: auth.legalEntities,
    grants: auth.grants,
    permissions: [...auth.permissions].sort(),
  };
}

export function buildAuthContext(user: UserRow, sessionId: string, grants: Grant[], req: RequestInfo): AuthContext {
  const rolesByEntity = new Map<string, Role[]>();
  for (const g of grants) rolesByEntity.set(g.legalEntity, [...(rolesByEntity.get(g.legalEntity) ?? []), g.role]);
  const roles = [...new Set(grants.map((g) => g.role))].sort();
  return {
    user: { id: user.id, username: user.username, displayName: user.display_name, mustChangePassword: user.must_change_password === 1 },
    sessionId,
    grants,
    roles,
    legalEntities: [...rolesByEntity.keys()].sort(),
    permissions: permissionsOf(roles),
    scope: (permission) => [...rolesByEntity.entries()].filter(([, rs]) => permissionsOf(rs).has(permission)).map(([e]) => e).sort(),
    rolesByEntity,
    actor: { id: user.id, name: user.username, ip: req.ip, userAgent: req.userAgent, sessionId },
  };
}

export const USERNAME = z.string().regex(/^[a-z][a-z0-9._-]{2,31}$/, 'lower-case letters, digits, dot, dash or underscore; 3 to 32 characters, starting with a letter');

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const ENROLMENT_TTL_MS = 10 * 60_000;
const TOUCH_EVERY_MS = 10_000;

const grantPayload = z.object({ userId: z.string(), role: z.enum(ROLES), legalEntity: z.string() });
const userPayload = z.object({ userId: z.string() });

export class AccessService {
  approvals!: ApprovalsService;

  readonly #throttle: LoginThrottle;
  readonly #denials: DenialAggregator;

  constructor(
    private readonly store: Store,
    private readonly config: Config,
    private readonly secrets: SecretBox,
  ) {
    this.#throttle = new LoginThrottle(config.loginLimits);
    this.#denials = new DenialAggregator(config.loginLimits.windowMs);
  }

  private get db() {
    return this.store.kysely;
  }

  private async record(actor: Actor, event: Parameters<Mutation['audit']>[0]): Promise<void> {
    await this.store.mutate(actor, async (m) => m.audit(event));
  }

  // ---- sign-in ------------------------------------------------------------------------------

  private async findUser(username: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('username', '=', username.trim().toLowerCase()).executeTakeFirst();
  }

  /**
   * Password, status and demo checks shared by login and MFA enrolment. Every refusal before the
   * password is known to be right answers alike (unknown user, wrong password, disabled account):
   * INVALID_CREDENTIALS, after checking the password against the real hash or a dummy one, so
   * neither the answer nor its timing says which. Wrong passwords are throttled per address and
   * username, and never lock the account: only someone who knows the password can do that (by
   * failing the code), so nobody outside can keep a user locked out.
   */
  private async checkPassword(username: string, password: string, req: RequestInfo): Promise<UserRow> {
    const typed = username.trim().toLowerCase();
    const address = req.ip ?? 'unknown';
    const usernameKey = this.secrets.tag('username', typed);
    const now = this.store.clock.now().getTime();
    const wait = this.#throttle.check(address, usernameKey, now);
    if (wait !== null) {
      await this.deny(req, usernameKey, 'throttled');
      throw new DomainError('TOO_MANY_REQUESTS', `Too many failed sign-ins: wait ${wait} s and try again.`, { retryAfterSeconds: wait });
    }
    const user = await this.findUser(typed);
    const passwordOk = user ? await verifyPassword(user.password_hash, password) : (await burnPasswordCheck(password), false);
    if (!user || !passwordOk || user.status !== 'active') {
      this.#throttle.fail(address, usernameKey, now);
      await this.deny(req, user ? user.id : `username:${usernameKey}`, !user ? 'unknown username' : !passwordOk ? 'wrong password' : 'account disabled');
      throw new DomainError('INVALID_CREDENTIALS', 'The username or password is wrong.');
    }
    if (user.is_demo === 1 && !this.config.demo) {
      await this.record(anonymousActor(req.ip, req.userAgent), { action: 'auth.login.failed', targetType: 'user', targetId: user.id, reason: 'demo account while DEMO is off' });
      throw new DomainError('DEMO_DISABLED', 'Demo accounts can sign in only when the server runs with DEMO=1.');
    }
    this.#throttle.succeed(address, usernameKey);
    return user;
  }

  /** A refused sign-in, audited without the typed username; repeats within a window are recorded once, later. */
  private async deny(req: RequestInfo, target: string, reason: string): Promise<void> {
    const at = this.store.now();
    if (!this.#denials.note({ address: req.ip, userAgent: req.userAgent, target, reason }, at)) return;
    await this.record(anonymousActor(req.ip, req.userAgent), { action: 'auth.login.failed', targetType: 'user', targetId: target, reason });
  }

  /** Records the repeats of refused sign-ins whose window has ended (a background job; `all` at stop). */
  async flushDenials(all = false): Promise<number> {
    const due = this.#denials.due(this.store.now(), all);
    for (const d of due) {
      await this.record(anonymousActor(d.address, d.userAgent), { action: 'auth.login.failed.repeated', targetType: 'user', targetId: d.target, reason: d.reason, after: { count: d.count, from: d.from, to: d.to } });
    }
    return due.length;
  }

  /** Counts a failure; the threshold-th one locks the account. Always throws. */
  private async fail(user: UserRow, actor: Actor, reason: 'INVALID_CREDENTIALS' | 'MFA_INVALID', action: string, detail: string, message: string): Promise<never> {
    const locked = await this.store.mutate(actor, async (m) => {
      const row = await m.trx.selectFrom('users').select(['failed_attempts']).where('id', '=', user.id).executeTakeFirstOrThrow();
      const attempts = row.failed_attempts + 1;
      m.audit({ action, targetType: 'user', targetId: user.id, reason: detail, after: { failedAttempts: attempts } });
      if (attempts >= this.config.lockoutThreshold) {
        const until = new Date(Date.parse(m.now) + this.config.lockoutMs).toISOString();
        await m.trx.updateTable('users').set({ failed_attempts: 0, locked_until: until }).where('id', '=', user.id).execute();
        m.audit({ action: 'auth.lockout', targetType: 'user', targetId: user.id, reason: `${attempts} failed attempts`, after: { lockedUntil: until } });
        m.changed('users', user.id, null, 'update');
        return until;
      }
      await m.trx.updateTable('users').set({ failed_attempts: attempts }).where('id', '=', user.id).execute();
      return null;
    });
    if (locked) {
      throw new DomainError('ACCOUNT_LOCKED', `Too many failed attempts: this account is locked until ${locked}.`, { lockedUntil: locked });
    }
    throw new DomainError(reason, message);
  }

  async login(input: { username: string; password: string; totp?: string | undefined }, req: RequestInfo): Promise<LoginResult> {
    const user = await this.checkPassword(input.username, input.password, req);
    if (!user.totp_enrolled_at || !user.totp_secret_enc) {
      throw new DomainError('MFA_ENROLMENT_REQUIRED', 'Set up your authenticator app first: this account has no second factor yet.');
    }
    if (!input.totp) throw new DomainError('MFA_REQUIRED', 'Enter the 6-digit code from your authenticator app.');
    const actor = anonymousActor(req.ip, req.userAgent, user.username);
    const check = checkTotp(this.secrets.open(user.totp_secret_enc), input.totp, this.store.clock.now(), user.last_totp_step);
    if (!check.ok) {
      await this.fail(
        user,
        actor,
        'MFA_INVALID',
        check.replayed ? 'auth.mfa.replayed' : 'auth.mfa.failed',
        check.replayed ? 'code already used' : 'wrong code',
        check.replayed ? 'This code has already been used. Wait for the next code from your authenticator app.' : 'The authentication code is wrong or has expired.',
      );
    }
    const step = (check as { ok: true; step: number }).step;
    // A locked account learns it is locked only now, with the right password and code.
    if (user.locked_until && user.locked_until > this.store.now()) {
      await this.record(actor, { action: 'auth.login.locked', targetType: 'user', targetId: user.id, reason: `account locked until ${user.locked_until}` });
      throw new DomainError('ACCOUNT_LOCKED', `This account is locked after repeated wrong codes until ${user.locked_until}.`, { lockedUntil: user.locked_until });
    }
    return this.openSession(user, step, req, 'auth.login');
  }

  private async openSession(user: UserRow, step: number, req: RequestInfo, action: string, extra?: (m: Mutation) => Promise<void>): Promise<LoginResult> {
    const token = randomBytes(32).toString('base64url');
    const sessionId = randomUUID();
    const result = await this.store.mutate({ id: user.id, name: user.username, ip: req.ip, userAgent: req.userAgent, sessionId }, async (m) => {
      // The step guard makes two concurrent sign-ins with one code impossible: one of them updates nothing.
      const updated = await m.trx
        .updateTable('users')
        .set({ failed_attempts: 0, locked_until: null, last_totp_step: step, last_login_at: m.now })
        .where('id', '=', user.id)
        .where((eb) => eb.or([eb('last_totp_step', 'is', null), eb('last_totp_step', '<', step)]))
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return null;
      if (extra) await extra(m);
      const expiresAt = new Date(Date.parse(m.now) + this.config.sessionMaxMs).toISOString();
      await m.trx
        .insertInto('sessions')
        .values({
          id: sessionId,
          user_id: user.id,
          token_hash: sha256(token),
          created_at: m.now,
          last_seen_at: m.now,
          expires_at: expiresAt,
          revoked_at: null,
          revoked_by: null,
          revoke_reason: null,
          ip: req.ip,
          user_agent: req.userAgent?.slice(0, 512) ?? null,
        })
        .execute();
      m.audit({ action, targetType: 'session', targetId: sessionId, after: { userId: user.id, expiresAt } });
      return expiresAt;
    });
    if (result === null) {
      await this.record(anonymousActor(req.ip, req.userAgent, user.username), { action: 'auth.mfa.replayed', targetType: 'user', targetId: user.id, reason: 'code used concurrently' });
      throw new DomainError('MFA_INVALID', 'This code has already been used. Wait for the next code from your authenticator app.');
    }
    const fresh = await this.db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
    const auth = buildAuthContext(fresh, sessionId, await this.grantsOf(user.id), req);
    return { token, expiresAt: result, user: profileOf(auth) };
  }

  /** First sign-in: after the password, a new TOTP secret is shown once and must be confirmed with a code. */
  async enrolMfa(input: { username: string; password: string }, req: RequestInfo) {
    const user = await this.checkPassword(input.username, input.password, req);
    if (user.totp_enrolled_at) {
      throw new DomainError('INVALID_TRANSITION', 'This account already has an authenticator. An administrator can reset it.');
    }
    const secret = newTotpSecret();
    const id = randomUUID();
    const expiresAt = await this.store.mutate(anonymousActor(req.ip, req.userAgent, user.username), async (m) => {
      const expiresAt = new Date(Date.parse(m.now) + ENROLMENT_TTL_MS).toISOString();
      await m.trx.insertInto('mfa_enrolments').values({ id, user_id: user.id, secret_enc: this.secrets.seal(secret), created_at: m.now, expires_at: expiresAt, consumed_at: null }).execute();
      m.audit({ action: 'auth.mfa.enrolmentStarted', targetType: 'user', targetId: user.id, after: { enrolmentId: id, expiresAt } });
      return expiresAt;
    });
    return { enrolmentId: id, secret, otpauthUri: totpUri(secret, user.username), expiresAt };
  }

  async confirmMfa(input: { enrolmentId: string; totp: string }, req: RequestInfo): Promise<LoginResult> {
    const enrolment = await this.db.selectFrom('mfa_enrolments').selectAll().where('id', '=', input.enrolmentId).executeTakeFirst();
    const now = this.store.now();
    if (!enrolment || enrolment.consumed_at || enrolment.expires_at <= now) {
      throw new DomainError('MFA_INVALID', 'This authenticator set-up has expired or was already used. Start again.');
    }
    const user = await this.db.selectFrom('users').selectAll().where('id', '=', enrolment.user_id).executeTakeFirstOrThrow();
    if (user.totp_enrolled_at) throw new DomainError('INVALID_TRANSITION', 'This account already has an authenticator.');
    const actor = anonymousActor(req.ip, req.userAgent, user.username);
    const check = checkTotp(this.secrets.open(enrolment.secret_enc), input.totp, this.store.clock.now(), null);
    if (!check.ok) await this.fail(user, actor, 'MFA_INVALID', 'auth.mfa.failed', 'wrong code during enrolment', 'The code does not match the new authenticator. Check the device clock and try again.');
    const step = (check as { ok: true; step: number }).step;
    return this.openSession(user, step, req, 'auth.login', async (m) => {
      await m.trx.updateTable('users').set({ totp_secret_enc: enrolment.secret_enc, totp_enrolled_at: m.now }).where('id', '=', user.id).execute();
      await m.trx.updateTable('mfa_enrolments').set({ consumed_at: m.now }).where('id', '=', enrolment.id).execute();
      m.audit({ action: 'auth.mfa.enrolled', targetType: 'user', targetId: user.id });
      m.changed('users', user.id, null, 'update');
    });
  }

  // ---- sessions -----------------------------------------------------------------------------

  async grantsOf(userId: string): Promise<Grant[]> {
    const rows = await this.db.selectFrom('role_grants').select(['role', 'legal_entity']).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
    return rows.filter((r) => isRole(r.role)).map((r) => ({ role: r.role as Role, legalEntity: r.legal_entity }));
  }

  /** Resolves a bearer token to the staff member, or refuses it (audited) with SESSION_EXPIRED. */
  /**
   * Why a session no longer holds, or null while it does: the rule authenticate() and the change
   * stream share. `cause` tells the desktop host whether to wipe its cache (revoked, disabled) or
   * only lock it.
   */
  private sessionEnd(session: Pick<SessionRow, 'revoked_at' | 'expires_at' | 'last_seen_at'>, user: Pick<UserRow, 'status' | 'is_demo'>, now: string): SessionEnd | null {
    if (session.revoked_at) return { cause: 'revoked', why: 'revoked', message: 'Your session was ended. Sign in again.' };
    if (session.expires_at <= now) return { cause: 'lifetime', why: 'absolute lifetime reached', message: 'Your session reached its maximum length. Sign in again.' };
    if (Date.parse(session.last_seen_at) + this.config.sessionIdleMs <= Date.parse(now)) return { cause: 'idle', why: 'idle timeout', message: 'Your session ended after a period without activity. Sign in again.' };
    if (user.status !== 'active') return { cause: 'disabled', why: 'user disabled', message: 'Your account is disabled.' };
    if (user.is_demo === 1 && !this.config.demo) return { cause: 'disabled', why: 'demo account while DEMO is off', message: 'Demo accounts are disabled.' };
    return null;
  }

  /**
   * Whether a session still holds, without counting the question as activity: for long-lived
   * streams, which must end when the session does and must not keep an idle session alive.
   */
  async sessionEndedFor(sessionId: string): Promise<SessionEnd | null> {
    const row = await this.db.selectFrom('sessions as s').innerJoin('users as u', 'u.id', 's.user_id').select(['s.revoked_at', 's.expires_at', 's.last_seen_at', 'u.status', 'u.is_demo']).where('s.id', '=', sessionId).executeTakeFirst();
    if (!row) return { cause: 'unknown', why: 'unknown session', message: 'Your session is not valid. Sign in again.' };
    return this.sessionEnd(row, row, this.store.now());
  }

  async authenticate(token: string, req: RequestInfo): Promise<AuthContext> {
    const session = await this.db.selectFrom('sessions').selectAll().where('token_hash', '=', sha256(token)).executeTakeFirst();
    const now = this.store.now();
    const refuse = async (s: SessionRow | undefined, end: SessionEnd): Promise<never> => {
      await this.record(
        s ? { id: s.user_id, name: s.user_id, ip: req.ip, userAgent: req.userAgent, sessionId: s.id } : anonymousActor(req.ip, req.userAgent),
        { action: 'auth.session.rejected', targetType: 'session', targetId: s?.id, reason: end.why },
      );
      throw new DomainError('SESSION_EXPIRED', end.message, { cause: end.cause });
    };
    if (!session) return refuse(undefined, { cause: 'unknown', why: 'unknown token', message: 'Your session is not valid. Sign in again.' });
    const user = await this.db.selectFrom('users').selectAll().where('id', '=', session.user_id).executeTakeFirstOrThrow();
    const end = this.sessionEnd(session, user, now);
    if (end) return refuse(session, end);
    if (Date.parse(now) - Date.parse(session.last_seen_at) >= TOUCH_EVERY_MS) {
      await this.db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', session.id).where('revoked_at', 'is', null).execute();
    }
    return buildAuthContext(user, session.id, await this.grantsOf(user.id), req);
  }

  async logout(auth: AuthContext): Promise<void> {
    await this.store.mutate(auth.actor, async (m) => {
      await m.trx.updateTable('sessions').set({ revoked_at: m.now, revoked_by: auth.user.id, revoke_reason: 'sign-out' }).where('id', '=', auth.sessionId).execute();
      m.audit({ action: 'auth.logout', targetType: 'session', targetId: auth.sessionId });
    });
  }

  async sessionsOf(userId: string, currentSessionId: string | null) {
    const now = this.store.now();
    const rows = await this.db
      .selectFrom('sessions')
      .select(['id', 'created_at', 'last_seen_at', 'expires_at', 'ip', 'user_agent'])
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .execute();
    return rows
      .filter((s) => Date.parse(s.last_seen_at) + this.config.sessionIdleMs > Date.parse(now))
      .map((s) => ({
        id: s.id,
        createdAt: s.created_at,
        lastSeenAt: s.last_seen_at,
        expiresAt: s.expires_at,
        idleExpiresAt: new Date(Date.parse(s.last_seen_at) + this.config.sessionIdleMs).toISOString(),
        ip: s.ip,
        userAgent: s.user_agent,
        current: s.id === currentSessionId,
      }));
  }

  async revokeSession(actor: Actor, sessionId: string, opts: { ownerId?: string; reason: string }): Promise<void> {
    await this.store.mutate(actor, async (m) => {
      let q = m.trx.selectFrom('sessions').select(['id', 'user_id', 'revoked_at']).where('id', '=', sessionId);
      if (opts.ownerId) q = q.where('user_id', '=', opts.ownerId);
      const s = await q.executeTakeFirst();
      if (!s) throw new DomainError('NOT_FOUND', `Session ${sessionId} does not exist.`);
      if (s.revoked_at) throw new DomainError('INVALID_TRANSITION', 'This session has already ended.');
      await m.trx.updateTable('sessions').set({ revoked_at: m.now, revoked_by: actor.id, revoke_reason: opts.reason }).where('id', '=', sessionId).execute();
      m.audit({ action: 'auth.session.revoked', targetType: 'session', targetId: sessionId, reason: opts.reason, after: { userId: s.user_id } });
    });
  }

  async changePassword(auth: AuthContext, input: { currentPassword: string; newPassword: string }): Promise<void> {
    const user = await this.db.selectFrom('users').selectAll().where('id', '=', auth.user.id).executeTakeFirstOrThrow();
    if (!(await verifyPassword(user.password_hash, input.currentPassword))) {
      await this.fail(user, auth.actor, 'INVALID_CREDENTIALS', 'auth.password.changeFailed', 'wrong current password', 'The current password is wrong.');
    }
    assertPasswordStrength(input.newPassword, user.username);
    if (await verifyPassword(user.password_hash, input.newPassword)) {
      throw new DomainError('PASSWORD_TOO_WEAK', 'The new password must differ from the current one.');
    }
    const hash = await hashPassword(input.newPassword);
    await this.store.mutate(auth.actor, async (m) => {
      await m.trx.updateTable('users').set({ password_hash: hash, must_change_password: 0 }).where('id', '=', user.id).execute();
      // Other sessions end: whoever knew the old password is signed out.
      await m.trx
        .updateTable('sessions')
        .set({ revoked_at: m.now, revoked_by: user.id, revoke_reason: 'password changed' })
        .where('user_id', '=', user.id)
        .where('id', '!=', auth.sessionId)
        .where('revoked_at', 'is', null)
        .execute();
      m.audit({ action: 'auth.password.changed', targetType: 'user', targetId: user.id });
      m.changed('users', user.id, null, 'update');
    });
  }

  // ---- users and grants ---------------------------------------------------------------------

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

  async setUserStatus(actor: Actor, input: { userId: string; status: 'active' | 'disabled'; reason: string }): Promise<void> {
    if (input.userId === actor.id) throw new DomainError('SELF_GRANT', 'You cannot change the status of your own account.');
    await this.store.mutate(actor, async (m) => {
      const user = await m.trx.selectFrom('users').select(['id', 'status']).where('id', '=', input.userId).executeTakeFirst();
      if (!user) throw new DomainError('NOT_FOUND', `User ${input.userId} does not exist.`);
      if (user.status === input.status) throw new DomainError('INVALID_TRANSITION', `User ${input.userId} is already ${input.status}.`);
      await m.trx.updateTable('users').set({ status: input.status }).where('id', '=', input.userId).execute();
      if (input.status === 'disabled') {
        await m.trx.updateTable('sessions').set({ revoked_at: m.now, revoked_by: actor.id, revoke_reason: 'user disabled' }).where('user_id', '=', input.userId).where('revoked_at', 'is', null).execute();
      }
      m.audit({ action: 'access.user.status', targetType: 'user', targetId: input.userId, before: { status: user.status }, after: { status: input.status }, reason: input.reason });
      m.changed('users', input.userId, null, 'update');
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
    const grants = await this.db
      .selectFrom('role_grants')
      .select(['user_id', 'role', 'legal_entity', 'granted_at', 'approval_id'])
      .where('revoked_at', 'is', null)
      .where('legal_entity', 'in', scope.length ? scope : ['\u0000'])
      .execute();
    const now = this.store.now();
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
      grants: grants.filter((g) => g.user_id === u.id).map((g) => ({ role: g.role, legalEntity: g.legal_entity, grantedAt: g.granted_at, approvalId: g.approval_id })),
    }));
  }

  private async assertUser(m: Mutation, userId: string) {
    const user = await m.trx.selectFrom('users').select(['id', 'username', 'status']).where('id', '=', userId).executeTakeFirst();
    if (!user) throw new DomainError('NOT_FOUND', `User ${userId} does not exist.`);
    return user;
  }

  private async assertEntity(m: Mutation, legalEntity: string) {
    const e = await m.trx.selectFrom('legal_entities').select('id').where('id', '=', legalEntity).executeTakeFirst();
    if (!e) throw new DomainError('NOT_FOUND', `Legal entity ${legalEntity} does not exist.`);
  }

  private activeGrant(m: Mutation, g: { userId: string; role: string; legalEntity: string }) {
    return m.trx
      .selectFrom('role_grants')
      .select(['id', 'granted_at'])
      .where('user_id', '=', g.userId)
      .where('role', '=', g.role)
      .where('legal_entity', '=', g.legalEntity)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
  }

  private async pendingFor(m: Mutation, kind: string, payload: object): Promise<string | undefined> {
    const rows = await m.trx.selectFrom('approval_requests').select(['id', 'payload_json']).where('kind', '=', kind).where('status', '=', 'pending').execute();
    const want = JSON.stringify(payload);
    return rows.find((r) => r.payload_json === want)?.id;
  }

  async requestGrant(actor: Actor, input: { userId: string; role: Role; legalEntity: string; reason: string }) {
    if (input.userId === actor.id) throw new DomainError('SELF_GRANT', 'Nobody can grant a role to themselves.');
    return this.store.mutate(actor, async (m) => {
      const user = await this.assertUser(m, input.userId);
      if (user.status !== 'active') throw new DomainError('INVALID_TRANSITION', `User ${user.username} is disabled.`);
      await this.assertEntity(m, input.legalEntity);
      const held = await this.activeGrant(m, input);
      if (held) throw new DomainError('ALREADY_EXISTS', `${user.username} already holds ${input.role} in ${input.legalEntity}.`);
      const payload = { userId: input.userId, role: input.role, legalEntity: input.legalEntity };
      const pending = await this.pendingFor(m, 'access.grantRole', payload);
      if (pending) throw new DomainError('ALREADY_EXISTS', `Request ${pending} for this grant is already pending.`);
      return this.approvals.request(m, { kind: 'access.grantRole', payload, reason: input.reason });
    });
  }

  async requestRevoke(actor: Actor, input: { userId: string; role: Role; legalEntity: string; reason: string }) {
    return this.store.mutate(actor, async (m) => {
      const user = await this.assertUser(m, input.userId);
      const held = await this.activeGrant(m, input);
      if (!held) throw new DomainError('NOT_FOUND', `${user.username} does not hold ${input.role} in ${input.legalEntity}.`);
      const payload = { userId: input.userId, role: input.role, legalEntity: input.legalEntity };
      const pending = await this.pendingFor(m, 'access.revokeRole', payload);
      if (pending) throw new DomainError('ALREADY_EXISTS', `Request ${pending} for this revocation is already pending.`);
      return this.approvals.request(m, { kind: 'access.revokeRole', payload, reason: input.reason });
    });
  }

  async requestReset(actor: Actor, kind: 'access.resetMfa' | 'access.resetPassword', input: { userId: string; reason: string }) {
    if (input.userId === actor.id) throw new DomainError('SELF_GRANT', 'Ask another administrator to reset your own credentials.');
    return this.store.mutate(actor, async (m) => {
      await this.assertUser(m, input.userId);
      const payload = { userId: input.userId };
      const pending = await this.pendingFor(m, kind, payload);
      if (pending) throw new DomainError('ALREADY_EXISTS', `Request ${pending} for this reset is already pending.`);
      return this.approvals.request(m, { kind, payload, reason: input.reason });
    });
  }

  /** Grants made directly, outside maker-checker: only the seed of an empty system uses this. */
  async bootstrapGrant(m: Mutation, input: { userId: string; role: Role; legalEntity: string; reason: string }): Promise<void> {
    const id = await nextRef(m.trx, 'GRT');
    await m.trx
      .insertInto('role_grants')
      .values({ id, user_id: input.userId, role: input.role, legal_entity: input.legalEntity, granted_at: m.now, requested_by: m.actor.id, approved_by: '[]', approval_id: null, reason: input.reason, revoked_at: null, revoke_requested_by: null, revoke_approved_by: null, revoke_approval_id: null, revoke_reason: null })
      .execute();
    m.audit({ action: 'access.role.granted', targetType: 'user', targetId: input.userId, legalEntity: input.legalEntity, after: { grantId: id, role: input.role }, reason: input.reason });
    m.changed('role_grants', id, input.legalEntity, 'insert');
  }

  private async usernameOf(trx: Mutation['trx'], userId: string): Promise<string> {
    const row = await trx.selectFrom('users').select('username').where('id', '=', userId).executeTakeFirst();
    return row ? `${row.username} (${userId})` : userId;
  }

  registerKinds(kinds: ApprovalKinds): void {
    kinds.register({
      kind: 'access.grantRole',
      payload: grantPayload,
      legalEntity: (p) => p.legalEntity,
      excludedApprovers: (p) => [p.userId],
      summary: async (p, trx) => `Grant ${p.role} in ${p.legalEntity} to ${await this.usernameOf(trx, p.userId)}`,
      execute: async (m, p, request) => {
        const user = await this.assertUser(m, p.userId);
        if (user.status !== 'active') throw new DomainError('INVALID_TRANSITION', `User ${user.username} is disabled.`);
        const held = await this.activeGrant(m, p);
        if (held) throw new DomainError('ALREADY_EXISTS', `${user.username} already holds ${p.role} in ${p.legalEntity}.`);
        const id = await nextRef(m.trx, 'GRT');
        await m.trx
          .insertInto('role_grants')
          .values({ id, user_id: p.userId, role: p.role, legal_entity: p.legalEntity, granted_at: m.now, requested_by: request.makerId, approved_by: JSON.stringify(request.approvers), approval_id: request.id, reason: request.reason, revoked_at: null, revoke_requested_by: null, revoke_approved_by: null, revoke_approval_id: null, revoke_reason: null })
          .execute();
        m.audit({ action: 'access.role.granted', targetType: 'user', targetId: p.userId, legalEntity: p.legalEntity, before: null, after: { grantId: id, role: p.role, requestedBy: request.makerId }, reason: request.reason, approvers: request.approvers, caseRef: request.id, policyRef: request.policyRef });
        m.changed('role_grants', id, p.legalEntity, 'insert');
      },
    });
    kinds.register({
      kind: 'access.revokeRole',
      payload: grantPayload,
      legalEntity: (p) => p.legalEntity,
      excludedApprovers: (p) => [p.userId],
      summary: async (p, trx) => `Revoke ${p.role} in ${p.legalEntity} from ${await this.usernameOf(trx, p.userId)}`,
      execute: async (m, p, request) => {
        const grant = await this.activeGrant(m, p);
        if (!grant) throw new DomainError('NOT_FOUND', `${p.userId} no longer holds ${p.role} in ${p.legalEntity}.`);
        await m.trx
          .updateTable('role_grants')
          .set({ revoked_at: m.now, revoke_requested_by: request.makerId, revoke_approved_by: JSON.stringify(request.approvers), revoke_approval_id: request.id, revoke_reason: request.reason })
          .where('id', '=', grant.id)
          .execute();
        m.audit({ action: 'access.role.revoked', targetType: 'user', targetId: p.userId, legalEntity: p.legalEntity, before: { grantId: grant.id, role: p.role }, after: null, reason: request.reason, approvers: request.approvers, caseRef: request.id, policyRef: request.policyRef });
        m.changed('role_grants', grant.id, p.legalEntity, 'update');
      },
    });
    kinds.register({
      kind: 'access.resetMfa',
      payload: userPayload,
      legalEntity: () => null,
      excludedApprovers: (p) => [p.userId],
      summary: async (p, trx) => `Reset the authenticator of ${await this.usernameOf(trx, p.userId)}`,
      execute: async (m, p, request) => {
        await this.assertUser(m, p.userId);
        await m.trx.updateTable('users').set({ totp_secret_enc: null, totp_enrolled_at: null, last_totp_step: null }).where('id', '=', p.userId).execute();
        await m.trx.updateTable('sessions').set({ revoked_at: m.now, revoked_by: m.actor.id, revoke_reason: 'MFA reset' }).where('user_id', '=', p.userId).where('revoked_at', 'is', null).execute();
        m.audit({ action: 'auth.mfa.reset', targetType: 'user', targetId: p.userId, reason: request.reason, approvers: request.approvers, caseRef: request.id, policyRef: request.policyRef });
        m.changed('users', p.userId, null, 'update');
      },
    });
    kinds.register({
      kind: 'access.resetPassword',
      payload: userPayload,
      legalEntity: () => null,
      excludedApprovers: (p) => [p.userId],
      summary: async (p, trx) => `Reset the password of ${await this.usernameOf(trx, p.userId)}`,
      execute: async (m, p, request) => {
        await this.assertUser(m, p.userId);
        // Handed over once by the approver; the user must replace it at next sign-in.
        const temporaryPassword = `${randomBytes(12).toString('base64url')}-Aa1`;
        await m.trx.updateTable('users').set({ password_hash: await hashPassword(temporaryPassword), must_change_password: 1, failed_attempts: 0, locked_until: null }).where('id', '=', p.userId).execute();
        await m.trx.updateTable('sessions').set({ revoked_at: m.now, revoked_by: m.actor.id, revoke_reason: 'password reset' }).where('user_id', '=', p.userId).where('revoked_at', 'is', null).execute();
        m.audit({ action: 'auth.password.reset', targetType: 'user', targetId: p.userId, reason: request.reason, approvers: request.approvers, caseRef: request.id, policyRef: request.policyRef });
        m.changed('users', p.userId, null, 'update');
        return { temporaryPassword };
      },
    });
  }

  // ---- review -------------------------------------------------------------------------------

  /** Who held which role in which entity during [from, to], who asked, who approved and why. */
  async review(scope: string[], range: { from?: string | undefined; to?: string | undefined }) {
    const to = range.to ?? this.store.now();
    const from = range.from ?? '0000-01-01T00:00:00.000Z';
    if (from > to) throw new DomainError('VALIDATION_FAILED', '`from` must not be after `to`.');
    const rows = await this.db
      .selectFrom('role_grants as g')
      .innerJoin('users as u', 'u.id', 'g.user_id')
      .selectAll('g')
      .select(['u.username', 'u.display_name'])
      .where('g.legal_entity', 'in', scope.length ? scope : ['\u0000'])
      .where('g.granted_at', '<=', to)
      .where((eb) => eb.or([eb('g.revoked_at', 'is', null), eb('g.revoked_at', '>=', from)]))
      .orderBy('g.legal_entity')
      .orderBy('u.username')
      .orderBy('g.role')
      .execute();
    const ids = new Set<string>();
    for (const r of rows) {
      ids.add(r.requested_by);
      for (const a of JSON.parse(r.approved_by) as string[]) ids.add(a);
      if (r.revoke_requested_by) ids.add(r.revoke_requested_by);
      for (const a of JSON.parse(r.revoke_approved_by ?? '[]') as string[]) ids.add(a);
    }
    const names = new Map(
      (ids.size ? await this.db.selectFrom('users').select(['id', 'username']).where('id', 'in', [...ids]).execute() : []).map((u) => [u.id, u.username]),
    );
    const who = (id: string | null) => (id ? { id, username: names.get(id) ?? id } : null);
    const holdings = rows.map((r) => ({
      grantId: r.id,
      user: { id: r.user_id, username: r.username, displayName: r.display_name },
      role: r.role,
      legalEntity: r.legal_entity,
      grantedAt: r.granted_at,
      grant: { requestedBy: who(r.requested_by), approvedBy: (JSON.parse(r.approved_by) as string[]).map(who), approvalId: r.approval_id, reason: r.reason },
      revokedAt: r.revoked_at,
      revoke: r.revoked_at
        ? { requestedBy: who(r.revoke_requested_by), approvedBy: (JSON.parse(r.revoke_approved_by ?? '[]') as string[]).map(who), approvalId: r.revoke_approval_id, reason: r.revoke_reason }
        : null,
    }));
    const events = holdings
      .flatMap((h) => [
        ...(h.grantedAt >= from && h.grantedAt <= to ? [{ at: h.grantedAt, type: 'grant' as const, user: h.user, role: h.role, legalEntity: h.legalEntity, ...h.grant }] : []),
        ...(h.revokedAt && h.revoke && h.revokedAt >= from && h.revokedAt <= to ? [{ at: h.revokedAt, type: 'revoke' as const, user: h.user, role: h.role, legalEntity: h.legalEntity, ...h.revoke }] : []),
      ])
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    return { from: range.from ?? null, to, holdings, events };
  }
}
