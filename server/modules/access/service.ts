// Staff access: sign-in with password and TOTP, sessions, users, role grants per legal entity
// (through maker-checker), MFA and password resets, and the access review. Every sign-in, sign-out,
// failure, lockout and reset is audited with IP and user agent.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { isRole, ROLES, type Role } from '../../../shared/access/permissions.js';
import { DomainError } from '../../../shared/errors.js';
import { anonymousActor, SYSTEM_ACTOR, type Actor } from '../../core/actor.js';
import { buildAuthContext, profileOf, type AuthContext, type Grant, type RequestInfo } from '../../core/auth.js';
import type { Mutation, Store } from '../../core/store.js';
import type { Config } from '../../config.js';
import { nextRef } from '../../db/counters.js';
import type { SessionRow, UserRow } from '../../db/schema.js';
import type { SecretBox } from '../../security/secretbox.js';
import type { ApprovalKinds, ApprovedRequest } from '../approvals/registry.js';
import type { ApprovalsService } from '../approvals/service.js';
import { assertPasswordStrength, burnPasswordCheck, hashPassword, verifyPassword } from './passwords.js';
import { checkTotp, newTotpSecret, totpUri } from './totp.js';
import { DenialAggregator, LoginThrottle } from './throttle.js';
import { entitiesOfUser, grantsInForce } from './grants.js';

/** Why a session ended, for the audit (`why`), the person (`message`) and the desktop host (`cause`). */
export interface SessionEnd {
  cause: 'unknown' | 'revoked' | 'lifetime' | 'idle' | 'disabled';
  why: string;
  message: string;
}

export interface LoginResult {
  token: string;
  expiresAt: string;
  user: ReturnType<typeof profileOf>;
}

export const USERNAME = z.string().regex(/^[a-z][a-z0-9._-]{2,31}$/, 'lower-case letters, digits, dot, dash or underscore; 3 to 32 characters, starting with a letter');

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const ENROLMENT_TTL_MS = 10 * 60_000;
const TOUCH_EVERY_MS = 10_000;

const rolePayload = z.object({ userId: z.string(), role: z.enum(ROLES), legalEntity: z.string() });
const grantPayload = rolePayload.extend({ endsAt: z.string().nullable().default(null), coverFor: z.string().nullable().default(null) });
const userPayload = z.object({ userId: z.string() });
const statusPayload = z.object({ userId: z.string(), status: z.enum(['active', 'disabled']) });
const sessionPayload = z.object({ userId: z.string(), sessionId: z.string() });

/** What an administrator acts with: who they are and the entities their permission covers. */
export interface AdminScope {
  actor: Actor;
  /** Legal entities in which the caller holds the permission the procedure needs. */
  scope: string[];
}

const noRevocation = { revoked_at: null, revoke_requested_by: null, revoke_approved_by: null, revoke_approval_id: null, revoke_reason: null, lapsed_at: null } as const;

/** A grant made as cover, or any grant with an end date, lasts at most this long. */
const MAX_TEMPORARY_GRANT_MS = 366 * 24 * 3_600_000;

export class AccessService {
  readonly #throttle: LoginThrottle;
  readonly #denials: DenialAggregator;

  constructor(
    private readonly store: Store,
    private readonly config: Config,
    private readonly secrets: SecretBox,
    private readonly approvals: ApprovalsService,
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
    const expired = user !== undefined && user.password_expires_at !== null && user.password_expires_at <= this.store.now();
    if (!user || !passwordOk || user.status !== 'active' || expired) {
      this.#throttle.fail(address, usernameKey, now);
      const why = !user ? 'unknown username' : !passwordOk ? 'wrong password' : user.status !== 'active' ? 'account disabled' : 'temporary password expired';
      await this.deny(req, user ? user.id : `username:${usernameKey}`, why);
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
    const rows = await grantsInForce(this.db, this.store.now()).select(['role', 'legal_entity']).where('user_id', '=', userId).execute();
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

  /** Ends one of the caller's own sessions (another person's goes through requestSessionRevoke). */
  async revokeOwnSession(actor: Actor, sessionId: string): Promise<void> {
    await this.store.mutate(actor, async (m) => {
      const s = await m.trx.selectFrom('sessions').select(['id', 'user_id', 'revoked_at']).where('id', '=', sessionId).where('user_id', '=', actor.id).executeTakeFirst();
      if (!s) throw new DomainError('NOT_FOUND', `Session ${sessionId} does not exist.`);
      if (s.revoked_at) throw new DomainError('INVALID_TRANSITION', 'This session has already ended.');
      await this.endSessions(m, actor.id, 'revoked by its owner', sessionId);
      m.audit({ action: 'auth.session.revoked', targetType: 'session', targetId: sessionId, reason: 'revoked by its owner', after: { userId: s.user_id } });
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
      await m.trx.updateTable('users').set({ password_hash: hash, must_change_password: 0, password_expires_at: null }).where('id', '=', user.id).execute();
      // Other sessions end: whoever knew the old password is signed out.
      await m.trx
        .updateTable('sessions')
        .set({ revoked_at: m.now, revoked_by: user.id, revoke_reason: 'password changed' })
        .where('user_id', '=', user.id)
        .where('id', '!=', auth.sessionId)
        .where('revoked_at', 'is', null)
        .execute();
      m.audit({ action: 'auth.password.changed', targetType: 'user', targetId: user.id, after: { replacedTemporary: user.password_expires_at !== null } });
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

  private async assertUser(m: Mutation, userId: string) {
    const user = await m.trx.selectFrom('users').select(['id', 'username', 'status']).where('id', '=', userId).executeTakeFirst();
    if (!user) throw new DomainError('NOT_FOUND', `User ${userId} does not exist.`);
    return user;
  }

  /**
   * An administrator scoped to some legal entities acts only on users whose grants in force all lie
   * within them: an EU administrator cannot disable, reset or sign out someone who also works for
   * the UK entity. A user without grants is anyone's to act on.
   */
  private async assertCovers(m: Mutation, admin: AdminScope, userId: string, username: string): Promise<void> {
    const outside = (await entitiesOfUser(m.trx, userId, m.now)).filter((e) => !admin.scope.includes(e));
    if (outside.length > 0) {
      throw new DomainError(
        'OUT_OF_ENTITY_SCOPE',
        `${username} holds roles in ${outside.join(', ')}, outside the entities you administer (${admin.scope.join(', ') || 'none'}): an administrator of every entity they work in must ask.`,
      );
    }
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

  private async pendingFor(m: Mutation, kind: string, payload: object): Promise<string | undefined> {
    const rows = await m.trx.selectFrom('approval_requests').select(['id', 'payload_json']).where('kind', '=', kind).where('status', '=', 'pending').execute();
    const want = JSON.stringify(payload);
    return rows.find((r) => r.payload_json === want)?.id;
  }

  /** Opens a request unless an identical one is pending. */
  private async requestOnce(m: Mutation, kind: string, payload: object, reason: string, what: string) {
    const pending = await this.pendingFor(m, kind, payload);
    if (pending) throw new DomainError('ALREADY_EXISTS', `Request ${pending} for this ${what} is already pending.`);
    return this.approvals.request(m, { kind, payload, reason });
  }

  async requestGrant(
    actor: Actor,
    input: { userId: string; role: Role; legalEntity: string; reason: string; endsAt?: string | undefined; coverFor?: string | undefined },
  ) {
    if (input.userId === actor.id) throw new DomainError('SELF_GRANT', 'Nobody can grant a role to themselves.');
    return this.store.mutate(actor, async (m) => {
      const user = await this.assertUser(m, input.userId);
      if (user.status !== 'active') throw new DomainError('INVALID_TRANSITION', `User ${user.username} is disabled.`);
      await this.assertEntity(m, input.legalEntity);
      if (input.coverFor !== undefined) {
        if (input.endsAt === undefined) throw new DomainError('VALIDATION_FAILED', 'endsAt: a grant made as cover must carry an end date, so that it lapses when the cover does.');
        if (input.coverFor === input.userId) throw new DomainError('VALIDATION_FAILED', 'coverFor: a user cannot cover for themselves.');
        await this.assertUser(m, input.coverFor);
      }
      if (input.endsAt !== undefined) {
        if (input.endsAt <= m.now) throw new DomainError('VALIDATION_FAILED', `endsAt: ${input.endsAt} has already passed.`);
        if (Date.parse(input.endsAt) - Date.parse(m.now) > MAX_TEMPORARY_GRANT_MS) throw new DomainError('VALIDATION_FAILED', 'endsAt: a temporary grant lasts at most 366 days; grant it without an end date if it is permanent.');
      }
      const held = await this.activeGrant(m, input);
      if (held) throw new DomainError('ALREADY_EXISTS', `${user.username} already holds ${input.role} in ${input.legalEntity}.`);
      const payload = { userId: input.userId, role: input.role, legalEntity: input.legalEntity, endsAt: input.endsAt ?? null, coverFor: input.coverFor ?? null };
      return this.requestOnce(m, 'access.grantRole', payload, input.reason, 'grant');
    });
  }

  async requestRevoke(actor: Actor, input: { userId: string; role: Role; legalEntity: string; reason: string }) {
    return this.store.mutate(actor, async (m) => {
      const user = await this.assertUser(m, input.userId);
      const held = await this.activeGrant(m, input);
      if (!held) throw new DomainError('NOT_FOUND', `${user.username} does not hold ${input.role} in ${input.legalEntity}.`);
      return this.requestOnce(m, 'access.revokeRole', { userId: input.userId, role: input.role, legalEntity: input.legalEntity }, input.reason, 'revocation');
    });
  }

  async requestReset(admin: AdminScope, kind: 'access.resetMfa' | 'access.resetPassword', input: { userId: string; reason: string }) {
    if (input.userId === admin.actor.id) throw new DomainError('SELF_GRANT', 'Ask another administrator to reset your own credentials.');
    return this.store.mutate(admin.actor, async (m) => {
      const user = await this.assertUser(m, input.userId);
      await this.assertCovers(m, admin, user.id, user.username);
      return this.requestOnce(m, kind, { userId: input.userId }, input.reason, 'reset');
    });
  }

  async requestStatus(admin: AdminScope, input: { userId: string; status: 'active' | 'disabled'; reason: string }) {
    if (input.userId === admin.actor.id) throw new DomainError('SELF_GRANT', 'You cannot change the status of your own account.');
    return this.store.mutate(admin.actor, async (m) => {
      const user = await this.assertUser(m, input.userId);
      await this.assertCovers(m, admin, user.id, user.username);
      if (user.status === input.status) throw new DomainError('INVALID_TRANSITION', `User ${user.username} is already ${input.status}.`);
      return this.requestOnce(m, 'access.setUserStatus', { userId: input.userId, status: input.status }, input.reason, 'status change');
    });
  }

  /** Ends another person's session: through maker-checker, like every other action on someone's access. */
  async requestSessionRevoke(admin: AdminScope, input: { sessionId: string; reason: string }) {
    return this.store.mutate(admin.actor, async (m) => {
      const s = await m.trx.selectFrom('sessions as s').innerJoin('users as u', 'u.id', 's.user_id').select(['s.id', 's.user_id', 's.revoked_at', 'u.username']).where('s.id', '=', input.sessionId).executeTakeFirst();
      if (!s) throw new DomainError('NOT_FOUND', `Session ${input.sessionId} does not exist.`);
      if (s.user_id === admin.actor.id) throw new DomainError('SELF_GRANT', 'End your own sessions with auth.revokeSession.');
      if (s.revoked_at) throw new DomainError('INVALID_TRANSITION', 'This session has already ended.');
      await this.assertCovers(m, admin, s.user_id, s.username);
      return this.requestOnce(m, 'access.revokeSession', { userId: s.user_id, sessionId: s.id }, input.reason, 'session');
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
      const { userId } = userPayload.parse(JSON.parse(request.payload_json));
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
    const due = await this.db.selectFrom('role_grants').select('id').where('revoked_at', 'is', null).where('ends_at', '<=', now).limit(1).executeTakeFirst();
    if (!due) return 0;
    return this.store.mutate(SYSTEM_ACTOR, (m) => this.lapseDue(m));
  }

  private async usernameOf(trx: Mutation['trx'], userId: string): Promise<string> {
    const row = await trx.selectFrom('users').select('username').where('id', '=', userId).executeTakeFirst();
    return row ? `${row.username} (${userId})` : userId;
  }

  /** Approvers of a request about a user must, like its maker, administer every entity the user works in. */
  private userEntities(userId: string, trx: Mutation['trx']): Promise<string[]> {
    return entitiesOfUser(trx, userId, this.store.now());
  }

  private async endSessions(m: Mutation, userId: string, why: string, only?: string): Promise<number> {
    let q = m.trx.updateTable('sessions').set({ revoked_at: m.now, revoked_by: m.actor.id, revoke_reason: why }).where('user_id', '=', userId).where('revoked_at', 'is', null);
    if (only) q = q.where('id', '=', only);
    return Number((await q.executeTakeFirst()).numUpdatedRows);
  }

  registerKinds(kinds: ApprovalKinds): void {
    const decided = (request: ApprovedRequest) => ({ reason: request.reason, approvers: request.approvers, caseRef: request.id, policyRef: request.policyRef });
    kinds.register({
      kind: 'access.grantRole',
      payload: grantPayload,
      legalEntity: (p) => p.legalEntity,
      excludedApprovers: (p) => [p.userId],
      summary: async (p, trx) =>
        `Grant ${p.role} in ${p.legalEntity} to ${await this.usernameOf(trx, p.userId)}${p.endsAt ? ` until ${p.endsAt}` : ''}${p.coverFor ? `, covering for ${await this.usernameOf(trx, p.coverFor)}` : ''}`,
      execute: async (m, p, request) => {
        const user = await this.assertUser(m, p.userId);
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
    });
    kinds.register({
      kind: 'access.revokeRole',
      payload: rolePayload,
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
        m.audit({ action: 'access.role.revoked', targetType: 'user', targetId: p.userId, legalEntity: p.legalEntity, before: { grantId: grant.id, role: p.role }, after: null, ...decided(request) });
        m.changed('role_grants', grant.id, p.legalEntity, 'update');
      },
    });
    kinds.register({
      kind: 'access.setUserStatus',
      payload: statusPayload,
      legalEntity: () => null,
      scopeEntities: (p, trx) => this.userEntities(p.userId, trx),
      excludedApprovers: (p) => [p.userId],
      summary: async (p, trx) => `${p.status === 'disabled' ? 'Disable' : 'Re-enable'} ${await this.usernameOf(trx, p.userId)}`,
      execute: async (m, p, request) => {
        const user = await m.trx.selectFrom('users').select(['id', 'status']).where('id', '=', p.userId).executeTakeFirst();
        if (!user) throw new DomainError('NOT_FOUND', `User ${p.userId} does not exist.`);
        if (user.status === p.status) throw new DomainError('INVALID_TRANSITION', `User ${p.userId} is already ${p.status}.`);
        await m.trx.updateTable('users').set({ status: p.status }).where('id', '=', p.userId).execute();
        const ended = p.status === 'disabled' ? await this.endSessions(m, p.userId, 'user disabled') : 0;
        m.audit({ action: 'access.user.status', targetType: 'user', targetId: p.userId, before: { status: user.status }, after: { status: p.status, sessionsEnded: ended }, ...decided(request) });
        m.changed('users', p.userId, null, 'update');
      },
    });
    kinds.register({
      kind: 'access.revokeSession',
      payload: sessionPayload,
      legalEntity: () => null,
      scopeEntities: (p, trx) => this.userEntities(p.userId, trx),
      excludedApprovers: (p) => [p.userId],
      summary: async (p, trx) => `End a session of ${await this.usernameOf(trx, p.userId)}`,
      execute: async (m, p, request) => {
        const ended = await this.endSessions(m, p.userId, request.reason, p.sessionId);
        if (ended === 0) throw new DomainError('INVALID_TRANSITION', `Session ${p.sessionId} had already ended.`);
        m.audit({ action: 'auth.session.revoked', targetType: 'session', targetId: p.sessionId, after: { userId: p.userId }, ...decided(request) });
      },
    });
    kinds.register({
      kind: 'access.resetMfa',
      payload: userPayload,
      legalEntity: () => null,
      scopeEntities: (p, trx) => this.userEntities(p.userId, trx),
      excludedApprovers: (p) => [p.userId],
      summary: async (p, trx) => `Reset the authenticator of ${await this.usernameOf(trx, p.userId)}`,
      execute: async (m, p, request) => {
        await this.assertUser(m, p.userId);
        await m.trx.updateTable('users').set({ totp_secret_enc: null, totp_enrolled_at: null, last_totp_step: null }).where('id', '=', p.userId).execute();
        await this.endSessions(m, p.userId, 'MFA reset');
        m.audit({ action: 'auth.mfa.reset', targetType: 'user', targetId: p.userId, ...decided(request) });
        m.changed('users', p.userId, null, 'update');
      },
    });
    kinds.register({
      kind: 'access.resetPassword',
      payload: userPayload,
      legalEntity: () => null,
      scopeEntities: (p, trx) => this.userEntities(p.userId, trx),
      excludedApprovers: (p) => [p.userId],
      summary: async (p, trx) => `Reset the password of ${await this.usernameOf(trx, p.userId)}`,
      execute: async (m, p, request) => {
        await this.assertUser(m, p.userId);
        // The old password stops working now; the maker collects the temporary one (collectTemporaryPassword).
        const unusable = await hashPassword(randomBytes(32).toString('base64url'));
        await m.trx
          .updateTable('users')
          .set({ password_hash: unusable, must_change_password: 1, failed_attempts: 0, locked_until: null, password_expires_at: null, password_handover_approval: request.id })
          .where('id', '=', p.userId)
          .execute();
        await this.endSessions(m, p.userId, 'password reset');
        m.audit({ action: 'auth.password.reset', targetType: 'user', targetId: p.userId, after: { collectedBy: request.makerId }, ...decided(request) });
        m.changed('users', p.userId, null, 'update');
      },
    });
  }

  // ---- review -------------------------------------------------------------------------------

  /**
   * Who held which role in which entity during [from, to], who asked, who approved and why; grants
   * that lapsed at their end date in the period, and grants in force that end within
   * `endingWithinDays` (14 by default) of now.
   */
  async review(scope: string[], range: { from?: string | undefined; to?: string | undefined; endingWithinDays?: number | undefined }) {
    const now = this.store.now();
    const to = range.to ?? now;
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
      if (r.cover_for) ids.add(r.cover_for);
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
      endsAt: r.ends_at,
      coverFor: who(r.cover_for),
      lapsedAt: r.lapsed_at,
      revokedAt: r.revoked_at,
      revoke: r.revoked_at && !r.lapsed_at
        ? { requestedBy: who(r.revoke_requested_by), approvedBy: (JSON.parse(r.revoke_approved_by ?? '[]') as string[]).map(who), approvalId: r.revoke_approval_id, reason: r.revoke_reason }
        : null,
    }));
    const events = holdings
      .flatMap((h) => [
        ...(h.grantedAt >= from && h.grantedAt <= to ? [{ at: h.grantedAt, type: 'grant' as const, user: h.user, role: h.role, legalEntity: h.legalEntity, ...h.grant }] : []),
        ...(h.revokedAt && h.revoke && h.revokedAt >= from && h.revokedAt <= to ? [{ at: h.revokedAt, type: 'revoke' as const, user: h.user, role: h.role, legalEntity: h.legalEntity, ...h.revoke }] : []),
        ...(h.lapsedAt && h.revokedAt && h.revokedAt >= from && h.revokedAt <= to
          ? [{ at: h.revokedAt, type: 'lapse' as const, user: h.user, role: h.role, legalEntity: h.legalEntity, requestedBy: null, approvedBy: [], approvalId: null, reason: 'lapsed at its end date' }]
          : []),
      ])
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    const horizon = new Date(Date.parse(now) + (range.endingWithinDays ?? 14) * 86_400_000).toISOString();
    const endingSoon = holdings.filter((h) => h.revokedAt === null && h.endsAt !== null && h.endsAt > now && h.endsAt <= horizon).sort((a, b) => (a.endsAt! < b.endsAt! ? -1 : 1));
    const lapsed = holdings.filter((h) => h.lapsedAt !== null && h.revokedAt! >= from && h.revokedAt! <= to);
    return { from: range.from ?? null, to, holdings, events, endingSoon, lapsed };
  }
}
