// Sessions: a bearer token resolved to the staff member on every call (their rights re-read each
// time), the rules for when a session ends (revoked, lifetime, idle, account disabled), sign-out,
// and a person's list of their own sessions.

import { createHash } from 'node:crypto';
import { DomainError } from '../../../shared/errors.js';
import { anonymousActor, type Actor } from '../../core/actor.js';
import { buildAuthContext, type AuthContext, type RequestInfo } from '../../core/auth.js';
import type { Store } from '../../core/store.js';
import type { Config } from '../../config.js';
import type { SessionRow, UserRow } from '../../db/schema.js';
import { grantsOf } from './grants.js';
import { endSessions, recordEvent } from './people.js';

/** Why a session ended, for the audit (`why`), the person (`message`) and the desktop host (`cause`). */
export interface SessionEnd {
  cause: 'unknown' | 'revoked' | 'lifetime' | 'idle' | 'disabled';
  why: string;
  message: string;
}

/** Sessions are stored by the hash of their token, never the token. */
export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

const TOUCH_EVERY_MS = 10_000;

export class SessionsService {
  constructor(
    private readonly store: Store,
    private readonly config: Config,
  ) {}

  private get db() {
    return this.store.kysely;
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
    const session = await this.db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash(token)).executeTakeFirst();
    const now = this.store.now();
    const refuse = async (s: SessionRow | undefined, end: SessionEnd): Promise<never> => {
      await recordEvent(this.store, 
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
    return buildAuthContext(user, session.id, await grantsOf(this.db, user.id, this.store.now()), req);
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
      await endSessions(m, actor.id, 'revoked by its owner', sessionId);
      m.audit({ action: 'auth.session.revoked', targetType: 'session', targetId: sessionId, reason: 'revoked by its owner', after: { userId: s.user_id } });
    });
  }
}
