// Sign-in: password and TOTP, MFA enrolment, lockout after wrong codes, throttling of wrong
// passwords per address and username, and the password change. Every sign-in, failure, lockout and
// change is audited with IP and user agent; refusals before the password is known to be right all
// answer alike.

import { randomBytes, randomUUID } from 'node:crypto';
import { DomainError } from '../../../shared/errors.js';
import { anonymousActor, type Actor } from '../../core/actor.js';
import { buildAuthContext, profileOf, type AuthContext, type RequestInfo } from '../../core/auth.js';
import type { Mutation, Store } from '../../core/store.js';
import type { Config } from '../../config.js';
import type { UserRow } from '../../db/schema.js';
import type { SecretBox } from '../../security/secretbox.js';
import { grantsOf } from './grants.js';
import { assertPasswordStrength, burnPasswordCheck, hashPassword, verifyPassword } from './passwords.js';
import { recordEvent } from './people.js';
import { tokenHash } from './sessions.js';
import { DenialAggregator, LoginThrottle } from './throttle.js';
import { checkTotp, newTotpSecret, totpUri } from './totp.js';

export interface LoginResult {
  token: string;
  expiresAt: string;
  user: ReturnType<typeof profileOf>;
}

const ENROLMENT_TTL_MS = 10 * 60_000;

export class SignInService {
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
      await recordEvent(this.store, anonymousActor(req.ip, req.userAgent), { action: 'auth.login.failed', targetType: 'user', targetId: user.id, reason: 'demo account while DEMO is off' });
      throw new DomainError('DEMO_DISABLED', 'Demo accounts can sign in only when the server runs with DEMO=1.');
    }
    this.#throttle.succeed(address, usernameKey);
    return user;
  }

  /** A refused sign-in, audited without the typed username; repeats within a window are recorded once, later. */
  private async deny(req: RequestInfo, target: string, reason: string): Promise<void> {
    const at = this.store.now();
    if (!this.#denials.note({ address: req.ip, userAgent: req.userAgent, target, reason }, at)) return;
    await recordEvent(this.store, anonymousActor(req.ip, req.userAgent), { action: 'auth.login.failed', targetType: 'user', targetId: target, reason });
  }

  /** Records the repeats of refused sign-ins whose window has ended (a background job; `all` at stop). */
  async flushDenials(all = false): Promise<number> {
    const due = this.#denials.due(this.store.now(), all);
    for (const d of due) {
      await recordEvent(this.store, anonymousActor(d.address, d.userAgent), { action: 'auth.login.failed.repeated', targetType: 'user', targetId: d.target, reason: d.reason, after: { count: d.count, from: d.from, to: d.to } });
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
      await recordEvent(this.store, actor, { action: 'auth.login.locked', targetType: 'user', targetId: user.id, reason: `account locked until ${user.locked_until}` });
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
          token_hash: tokenHash(token),
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
      await recordEvent(this.store, anonymousActor(req.ip, req.userAgent, user.username), { action: 'auth.mfa.replayed', targetType: 'user', targetId: user.id, reason: 'code used concurrently' });
      throw new DomainError('MFA_INVALID', 'This code has already been used. Wait for the next code from your authenticator app.');
    }
    const fresh = await this.db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
    const auth = buildAuthContext(fresh, sessionId, await grantsOf(this.db, user.id, this.store.now()), req);
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
}
