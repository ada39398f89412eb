// tRPC is created once, here. Every procedure is built from `procedure`, whose guard looks the
// procedure's path up in the permission catalog (shared/access/permissions.ts): a procedure that is
// not in the catalog cannot be called at all. Errors leave with a `data.reason` from the closed set.

import { createHash, timingSafeEqual } from 'node:crypto';
import { initTRPC, TRPCError } from '@trpc/server';
import { PERMISSIONS, PROCEDURES, type ProcedureGuard } from '../shared/access/permissions.js';
import { DomainError, REASONS, type Reason } from '../shared/errors.js';
import { portalActor } from './core/actor.js';
import { disclose, disclosureFor } from './core/disclosure.js';
import type { Services } from './services.js';
import { type AuthContext, type RequestInfo } from './core/auth.js';
import { issuesText, type IssueLike } from '../shared/issues.js';

export interface Context {
  services: Services;
  req: RequestInfo;
  authorization: string | null;
  /** The client portal's service key (header X-Portal-Key), for portal procedures. */
  portalKey: string | null;
  /** Filled by the guard, so that the error path can audit a denial with the caller's identity. */
  state: { auth: AuthContext | null };
}

export interface ErrorData {
  code: string;
  httpStatus: number;
  path?: string | undefined;
  reason?: Reason | undefined;
  issues?: Array<{ path: string; message: string }> | undefined;
  details?: Record<string, unknown> | undefined;
}

function issuePath(path: ReadonlyArray<PropertyKey | { key: PropertyKey }> | undefined): string {
  return (path ?? []).map((p) => String(typeof p === 'object' && p !== null && 'key' in p ? p.key : p)).join('.');
}

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause as unknown;
    let reason: Reason | undefined;
    let message = error.message;
    let issues: ErrorData['issues'];
    let details: ErrorData['details'];
    if (cause instanceof DomainError) {
      reason = cause.reason;
      details = cause.details;
      if (Array.isArray(details?.issues)) issues = details.issues as ErrorData['issues'];
    } else if ((error.code === 'BAD_REQUEST' || error.code === 'PARSE_ERROR') && cause && typeof cause === 'object' && 'issues' in cause) {
      reason = 'VALIDATION_FAILED';
      const raw = cause.issues as Array<IssueLike & { path?: IssueLike['path'] }>;
      issues = raw.map((i) => ({ path: issuePath(i.path), message: i.message }));
      // People read the sentence; programs read `issues`, with each field's path.
      message = issuesText(raw.map((i) => ({ ...i, path: i.path ?? [] })));
    } else if (error.code === 'BAD_REQUEST' || error.code === 'PARSE_ERROR') {
      reason = 'VALIDATION_FAILED';
    } else if (error.code === 'NOT_FOUND') {
      reason = 'NOT_FOUND';
    } else if (error.code === 'INTERNAL_SERVER_ERROR') {
      reason = 'INTERNAL';
      message = 'Something went wrong on the server; the error was logged. Try again, and report it if it persists.';
    }
    const data: ErrorData = { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path, reason, issues, details };
    return { code: shape.code, message, data };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

export function toTRPCError(error: DomainError): TRPCError {
  return new TRPCError({ code: REASONS[error.reason], message: error.message, cause: error });
}

// Denials worth a line in the audit log: someone tried something they may not do.
const AUDITED_DENIALS = new Set<Reason>(['FORBIDDEN_PERMISSION', 'OUT_OF_ENTITY_SCOPE', 'SAME_PERSON_APPROVAL', 'SELF_GRANT', 'DUPLICATE_APPROVER']);

const domainErrors = t.middleware(async ({ ctx, path, next }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (!(cause instanceof DomainError)) return result;
  const auth = ctx.state.auth;
  if (auth && AUDITED_DENIALS.has(cause.reason)) {
    await ctx.services.store.mutate(auth.actor, async (m) =>
      m.audit({ action: 'access.denied', targetType: 'procedure', targetId: path, reason: `${cause.reason}: ${cause.message}` }),
    );
  }
  throw toTRPCError(cause);
});

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Portal procedures need the portal's service key; with none configured they refuse every call. A wrong key is audited. */
async function checkPortalKey(ctx: Context, path: string): Promise<void> {
  const expected = ctx.services.config.portalApiKey;
  if (!expected) throw new DomainError('PORTAL_KEY_INVALID', 'The client portal intake is switched off: the server has no PORTAL_API_KEY.');
  if (ctx.portalKey !== null && timingSafeEqual(digest(ctx.portalKey), digest(expected))) return;
  await ctx.services.store.mutate(portalActor(ctx.req.ip, ctx.req.userAgent), async (m) =>
    m.audit({ action: 'portal.denied', targetType: 'procedure', targetId: path, reason: ctx.portalKey === null ? 'no X-Portal-Key header' : 'wrong X-Portal-Key' }),
  );
  throw new DomainError('PORTAL_KEY_INVALID', ctx.portalKey === null ? 'Send the portal service key in the X-Portal-Key header.' : 'The X-Portal-Key header does not hold the portal service key.');
}

function bearer(header: string | null): string | null {
  const m = header ? /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(header) : null;
  return m?.[1] ?? null;
}

const PASSWORD_CHANGE_ONLY = new Set(['auth.changePassword', 'auth.logout', 'auth.me']);

const guard = t.middleware(async ({ ctx, path, next }) => {
  const rule = (PROCEDURES as Record<string, ProcedureGuard | undefined>)[path];
  if (!rule) {
    throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: `procedure ${path} is missing from the permission catalog` });
  }
  if (rule === 'public') return next({ ctx: { ...ctx, auth: null as AuthContext | null } });
  if (rule === 'portal') {
    await checkPortalKey(ctx, path);
    return next({ ctx: { ...ctx, auth: null as AuthContext | null } });
  }
  const token = bearer(ctx.authorization);
  if (!token) throw new DomainError('SESSION_EXPIRED', 'Sign in first: this needs a staff session (Authorization: Bearer <token>).');
  const auth = await ctx.services.sessions.authenticate(token, ctx.req);
  ctx.state.auth = auth;
  // A password set by an administrator (a temporary one after a reset) is good for one thing: replacing it.
  if (auth.user.mustChangePassword && !PASSWORD_CHANGE_ONLY.has(path)) {
    throw new DomainError('FORBIDDEN_PERMISSION', 'Change your password first (auth.changePassword): it was set by an administrator.');
  }
  if (rule !== 'authenticated' && !auth.permissions.has(rule)) {
    throw new DomainError('FORBIDDEN_PERMISSION', `None of your roles (${auth.roles.join(', ') || 'none'}) has the permission "${rule}": ${PERMISSIONS[rule]}.`);
  }
  return next({ ctx: { ...ctx, auth: auth as AuthContext | null } });
});

export const publicProcedure = t.procedure.use(domainErrors).use(guard);

/** Client portal intake: authenticated by the portal's service key, acting as the portal. */
export const portalProcedure = t.procedure
  .use(domainErrors)
  .use(guard)
  .use(({ ctx, next }) => next({ ctx: { ...ctx, actor: portalActor(ctx.req.ip, ctx.req.userAgent) } }));

/**
 * Procedures whose answers are about staff and configuration, never clients; the reports, which are
 * counts by day, account type, country, provider and staff member, never a client; and the evidence
 * pack, which is built as its exporter may see it (modules/evidence/pack.ts): not masked here.
 */
const STAFF_AND_SETTINGS = /^(auth|access|policies)\.|^audit\.(verify|signingKey|rotateSigningKey)$|^evidence\.export$|^reports\.get$/;

/**
 * Client data leaves only as the reader may see it (server/core/disclosure.ts): every answer of
 * every staff procedure, the change feed's documents included, for readers without `clients.pii`.
 */
const disclosed = t.middleware(async ({ ctx, path, next }) => {
  const result = await next();
  const auth = ctx.state.auth;
  if (!result.ok || !auth || STAFF_AND_SETTINGS.test(path)) return result;
  const d = disclosureFor(auth);
  const data: unknown = result.data;
  if (d.everywhere || data === null || typeof data !== 'object' || Symbol.asyncIterator in data) return result;
  return { ...result, data: disclose(data, d) };
});

export const staffProcedure = t.procedure
  .use(domainErrors)
  .use(guard)
  .use(disclosed)
  .use(({ ctx, next }) => {
    if (!ctx.auth) throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'staff procedure without a session' });
    return next({ ctx: { ...ctx, auth: ctx.auth } });
  });
