import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, describeEachEngine, expectReason, startTestServer, type TestServer } from '../../testing/harness.js';
import { totpCode } from './totp.js';

describeEachEngine('staff sign-in', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine);
  });
  afterAll(() => t?.close());

  const lastAudit = async (action: string) =>
    t.server.services.store.kysely.selectFrom('audit_events').selectAll().where('action', '=', action).orderBy('seq', 'desc').limit(1).executeTakeFirst();

  it('signs in with password and TOTP and reports roles, entities and permissions', async () => {
    const { client } = await t.login('compliance.eu');
    const me = await client.auth.me.query();
    expect(me).toMatchObject({ username: 'compliance.eu', roles: ['compliance_officer'], legalEntities: ['eu'] });
    expect(me.permissions).toContain('kyc.decide');
    expect(me.permissions).not.toContain('access.manage');
    const event = await lastAudit('auth.login');
    expect(event).toMatchObject({ actor_name: 'compliance.eu', user_agent: 'fxbo-integration-test' });
    expect(event?.ip).toMatch(/127\.0\.0\.1/);
  });

  it('asks for the TOTP code when it is missing, without counting a failure', async () => {
    const c = t.credentials.get('risk')!;
    await expectReason(t.anonymous.auth.login.mutate({ username: 'risk', password: c.password }), 'MFA_REQUIRED');
    const row = await t.server.services.store.kysely.selectFrom('users').select('failed_attempts').where('username', '=', 'risk').executeTakeFirstOrThrow();
    expect(row.failed_attempts).toBe(0);
  });

  it('refuses a wrong password and audits it with IP and user agent', async () => {
    const err = await expectReason(t.anonymous.auth.login.mutate({ username: 'dealer', password: 'Not-the-password-1', totp: t.code('dealer') }), 'INVALID_CREDENTIALS');
    expect(err.message).toBe('The username or password is wrong.');
    const event = await lastAudit('auth.login.failed');
    expect(event).toMatchObject({ target_id: await t.userId('dealer'), reason: 'wrong password', user_agent: 'fxbo-integration-test' });
    expect(event?.ip).toBeTruthy();
  });

  it('answers an unknown user, a wrong password and a disabled or locked account alike, and keeps no typed username', async () => {
    t.clock.advance(61_000);
    const db = t.server.services.store.kysely;
    const answers: string[] = [];
    const probe = async (username: string, password: string, totp?: string) => {
      const err = await expectReason(t.anonymous.auth.login.mutate({ username, password, ...(totp ? { totp } : {}) }), 'INVALID_CREDENTIALS');
      answers.push(err.message);
    };
    await probe('no.such.person', 'Whatever-123-abc');
    await probe('dealer', 'Not-the-password-2');
    // Disabled: even the right password gets the same answer.
    await db.updateTable('users').set({ status: 'disabled' }).where('username', '=', 'ibmanager').execute();
    await probe('ibmanager', t.credentials.get('ibmanager')!.password, t.code('ibmanager'));
    await db.updateTable('users').set({ status: 'active' }).where('username', '=', 'ibmanager').execute();
    // Locked, with a wrong password: nothing says it is locked.
    await db.updateTable('users').set({ locked_until: new Date(t.clock.now().getTime() + 600_000).toISOString() }).where('username', '=', 'risk').execute();
    await probe('risk', 'Not-the-password-3');
    await db.updateTable('users').set({ locked_until: null }).where('username', '=', 'risk').execute();
    expect(new Set(answers)).toEqual(new Set(['The username or password is wrong.']));
    // The unknown username is recorded as a keyed hash, never as typed.
    const events = await db.selectFrom('audit_events').selectAll().where('action', 'like', 'auth.login.failed%').execute();
    expect(JSON.stringify(events)).not.toContain('no.such.person');
    expect(events.find((e) => e.reason === 'unknown username')).toMatchObject({ target_id: expect.stringMatching(/^username:[0-9a-f]{24}$/), actor_name: 'anonymous' });
  });

  it('refuses a wrong TOTP code and a replayed one, auditing both', async () => {
    const c = t.credentials.get('finance')!;
    const good = t.code('finance');
    const wrong = good === '000000' ? '111111' : '000000';
    await expectReason(t.anonymous.auth.login.mutate({ username: 'finance', password: c.password, totp: wrong }), 'MFA_INVALID');
    expect(await lastAudit('auth.mfa.failed')).toMatchObject({ target_id: await t.userId('finance') });
    await t.anonymous.auth.login.mutate({ username: 'finance', password: c.password, totp: good });
    const replay = await expectReason(t.anonymous.auth.login.mutate({ username: 'finance', password: c.password, totp: good }), 'MFA_INVALID');
    expect(replay.message).toMatch(/already been used/);
    expect(await lastAudit('auth.mfa.replayed')).toMatchObject({ target_id: await t.userId('finance') });
  });

  it('locks the account after 5 wrong codes (the password was right), says so only to the right password and code, then lets the user in', async () => {
    t.clock.advance(61_000);
    const c = t.credentials.get('ibmanager')!;
    const wrongCode = () => (t.code('ibmanager') === '000000' ? '111111' : '000000');
    for (let i = 0; i < 4; i++) {
      await expectReason(t.anonymous.auth.login.mutate({ username: 'ibmanager', password: c.password, totp: wrongCode() }), 'MFA_INVALID');
    }
    await expectReason(t.anonymous.auth.login.mutate({ username: 'ibmanager', password: c.password, totp: wrongCode() }), 'ACCOUNT_LOCKED');
    expect(await lastAudit('auth.lockout')).toMatchObject({ target_id: await t.userId('ibmanager') });
    // A wrong password on a locked account answers as any wrong password does.
    await expectReason(t.anonymous.auth.login.mutate({ username: 'ibmanager', password: 'Wrong-password-9' }), 'INVALID_CREDENTIALS');
    // The right password and code learn it is locked.
    t.clock.advance(30_000);
    await expectReason(t.anonymous.auth.login.mutate({ username: 'ibmanager', password: c.password, totp: t.code('ibmanager') }), 'ACCOUNT_LOCKED');
    t.clock.advance(14 * 60_000);
    await expectReason(t.anonymous.auth.login.mutate({ username: 'ibmanager', password: c.password, totp: t.code('ibmanager') }), 'ACCOUNT_LOCKED');
    t.clock.advance(61_000);
    const { client } = await t.login('ibmanager');
    expect((await client.auth.me.query()).username).toBe('ibmanager');
  });

  it('throttles guessing from one address, never locks the account from outside, and records repeats once', async () => {
    t.clock.advance(61_000);
    const db = t.server.services.store.kysely;
    const before = Number((await db.selectFrom('audit_events').select(db.fn.max('seq').as('s')).executeTakeFirstOrThrow()).s);
    // Ten wrong passwords for the MLRO from one address: refused as wrong, the eleventh throttled with Retry-After.
    for (let i = 0; i < 10; i++) await expectReason(t.anonymous.auth.login.mutate({ username: 'mlro', password: `Guess-number-${i}-x` }), 'INVALID_CREDENTIALS');
    const res = await fetch(`${t.url}/trpc/auth.login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'mlro', password: 'Guess-number-10-x' }) });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await res.json()) as { error: { data: { reason: string } } }).error.data.reason).toBe('TOO_MANY_REQUESTS');
    // The account is not locked: the MLRO, from this same address once the minute has passed, signs in.
    expect((await db.selectFrom('users').select(['locked_until', 'failed_attempts']).where('username', '=', 'mlro').executeTakeFirstOrThrow())).toEqual({ locked_until: null, failed_attempts: 0 });
    t.clock.advance(61_000);
    const { client } = await t.login('mlro');
    expect((await client.auth.me.query()).username).toBe('mlro');
    // One event for the first wrong password and one for the first throttled try; the other nine
    // wrong passwords become one event with their count.
    const failed = await db.selectFrom('audit_events').select(['target_id', 'reason']).where('action', '=', 'auth.login.failed').where('seq', '>', before).orderBy('seq').execute();
    expect(failed.map((f) => f.reason)).toEqual(['wrong password', 'throttled']);
    await t.server.services.signIn.flushDenials();
    const repeated = await db.selectFrom('audit_events').selectAll().where('action', '=', 'auth.login.failed.repeated').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(repeated).toMatchObject({ target_id: await t.userId('mlro'), reason: 'wrong password' });
    expect(JSON.parse(repeated.after_json!)).toMatchObject({ count: 9 });
  });

  it('ends a session after 15 idle minutes, and keeps a busy one alive', async () => {
    const { client } = await t.login('support');
    t.clock.advance(14 * 60_000);
    await client.auth.me.query();
    t.clock.advance(14 * 60_000);
    await client.auth.me.query();
    t.clock.advance(15 * 60_000 + 1000);
    const err = await expectReason(client.auth.me.query(), 'SESSION_EXPIRED');
    expect(err.message).toMatch(/without activity/);
    expect(await lastAudit('auth.session.rejected')).toMatchObject({ reason: 'idle timeout' });
  });

  it('ends every session at its 12-hour absolute lifetime however busy', async () => {
    const { client } = await t.login('auditor');
    for (let i = 0; i < 12 * 6; i++) {
      t.clock.advance(10 * 60_000);
      if (i < 71) await client.auth.me.query();
    }
    t.clock.advance(1000);
    const err = await expectReason(client.auth.me.query(), 'SESSION_EXPIRED');
    expect(err.message).toMatch(/maximum length/);
  });

  it('lists own live sessions, revokes one, and signs out', async () => {
    const a = await t.login('senior');
    const b = await t.login('senior');
    const { items } = await a.client.auth.sessions.query();
    expect(items.length).toBeGreaterThanOrEqual(2);
    const other = items.find((s) => !s.current)!;
    await a.client.auth.revokeSession.mutate({ sessionId: other.id });
    await expectReason(b.client.auth.me.query(), 'SESSION_EXPIRED');
    await a.client.auth.logout.mutate({});
    await expectReason(a.client.auth.me.query(), 'SESSION_EXPIRED');
    expect(await lastAudit('auth.logout')).toMatchObject({ actor_name: 'senior' });
  });

  it('never stores the token itself', async () => {
    const { token } = await t.login('mlro');
    const rows = await t.server.services.store.kysely.selectFrom('sessions').select('token_hash').execute();
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
  });

  it('refuses calls without a session, and a malformed token', async () => {
    await expectReason(t.anonymous.auth.me.query(), 'SESSION_EXPIRED');
    await expectReason(clientFor(t.url, 'x'.repeat(43)).auth.me.query(), 'SESSION_EXPIRED');
  });

  describe('a new user', () => {
    it('is created by an administrator, enrols TOTP on first sign-in, and must change the password', async () => {
      const admin = await t.login('admin');
      const { userId } = await admin.client.access.createUser.mutate({ username: 'nina.new', displayName: 'Nina New', password: 'Initial-Passw0rd!' });
      expect(userId).toMatch(/^USR-\d{6}$/);
      await expectReason(t.anonymous.auth.login.mutate({ username: 'nina.new', password: 'Initial-Passw0rd!' }), 'MFA_ENROLMENT_REQUIRED');
      const enrolment = await t.anonymous.auth.enrolMfa.mutate({ username: 'nina.new', password: 'Initial-Passw0rd!' });
      expect(enrolment.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
      await expectReason(t.anonymous.auth.confirmMfa.mutate({ enrolmentId: enrolment.enrolmentId, totp: '000000' === totpCode(enrolment.secret, t.clock.now()) ? '111111' : '000000' }), 'MFA_INVALID');
      const session = await t.anonymous.auth.confirmMfa.mutate({ enrolmentId: enrolment.enrolmentId, totp: totpCode(enrolment.secret, t.clock.now()) });
      expect(session.user.mustChangePassword).toBe(true);
      const nina = clientFor(t.url, session.token);
      // The secret is stored encrypted, never as given.
      const row = await t.server.services.store.kysely.selectFrom('users').select('totp_secret_enc').where('id', '=', userId).executeTakeFirstOrThrow();
      expect(row.totp_secret_enc).not.toContain(enrolment.secret);
      await expectReason(nina.auth.changePassword.mutate({ currentPassword: 'Initial-Passw0rd!', newPassword: 'short' }), 'PASSWORD_TOO_WEAK');
      await nina.auth.changePassword.mutate({ currentPassword: 'Initial-Passw0rd!', newPassword: 'A-much-better-passphrase-9' });
      expect((await nina.auth.me.query()).mustChangePassword).toBe(false);
      // A second enrolment is refused: resetting an authenticator needs maker-checker.
      await expectReason(t.anonymous.auth.enrolMfa.mutate({ username: 'nina.new', password: 'A-much-better-passphrase-9' }), 'INVALID_TRANSITION');
    });
  });
});

describe('demo accounts outside demo mode', () => {
  it('are refused when DEMO is not 1', async () => {
    const t = await startTestServer('sqlite', { env: { DEMO: '0' } });
    try {
      const c = t.credentials.get('admin')!;
      await expectReason(t.anonymous.auth.login.mutate({ username: 'admin', password: c.password, totp: t.code('admin') }), 'DEMO_DISABLED');
    } finally {
      await t.close();
    }
  });
});
