import { z } from 'zod';
import { publicProcedure, router, staffProcedure } from '../../trpc.js';
import { empty, isoTime, reason } from '../../validation.js';
import type { AdminScope } from './people.js';
import { createUserInput, grantInput, resetInput, roleInput, statusInput, userId } from '../../../shared/access/schemas.js';
import type { Permission } from '../../../shared/access/permissions.js';
import { profileOf, requireEntity, type AuthContext } from '../../core/auth.js';

const adminScope = (auth: AuthContext, permission: Permission): AdminScope => ({ actor: auth.actor, scope: auth.scope(permission) });

const credentials = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});
const totp = z.string().regex(/^\d{6}$/, 'six digits');


export const authRouter = router({
  login: publicProcedure
    .input(credentials.extend({ totp: totp.optional() }))
    .mutation(({ ctx, input }) => ctx.services.signIn.login(input, ctx.req)),
  enrolMfa: publicProcedure.input(credentials).mutation(({ ctx, input }) => ctx.services.signIn.enrolMfa(input, ctx.req)),
  confirmMfa: publicProcedure
    .input(z.object({ enrolmentId: z.uuid(), totp }))
    .mutation(({ ctx, input }) => ctx.services.signIn.confirmMfa(input, ctx.req)),
  logout: staffProcedure.input(empty).mutation(async ({ ctx }) => {
    await ctx.services.sessions.logout(ctx.auth);
    return { ok: true as const };
  }),
  me: staffProcedure.input(empty).query(({ ctx }) => ({ ...profileOf(ctx.auth), sessionId: ctx.auth.sessionId })),
  sessions: staffProcedure.input(empty).query(async ({ ctx }) => ({
    items: await ctx.services.sessions.sessionsOf(ctx.auth.user.id, ctx.auth.sessionId),
    nextCursor: null,
  })),
  revokeSession: staffProcedure.input(z.object({ sessionId: z.uuid() })).mutation(async ({ ctx, input }) => {
    await ctx.services.sessions.revokeOwnSession(ctx.auth.actor, input.sessionId);
    return { ok: true as const };
  }),
  changePassword: staffProcedure
    .input(z.object({ currentPassword: z.string().min(1).max(256), newPassword: z.string().min(1).max(256) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.services.signIn.changePassword(ctx.auth, input);
      return { ok: true as const };
    }),
});

export const accessRouter = router({
  entities: staffProcedure.input(empty).query(async ({ ctx }) => ({
    items: await ctx.services.users.entities(ctx.auth.scope('entities.read')),
    nextCursor: null,
  })),
  users: staffProcedure.input(empty).query(async ({ ctx }) => ({
    items: await ctx.services.users.users(ctx.auth.scope('access.read')),
    nextCursor: null,
  })),
  createUser: staffProcedure
    .input(createUserInput)
    .mutation(({ ctx, input }) => ctx.services.users.createUser(ctx.auth.actor, input)),
  grantRole: staffProcedure.input(grantInput).mutation(({ ctx, input }) => {
    requireEntity(ctx.auth, 'access.manage', input.legalEntity);
    return ctx.services.grants.requestGrant(ctx.auth.actor, input);
  }),
  revokeRole: staffProcedure.input(roleInput).mutation(({ ctx, input }) => {
    requireEntity(ctx.auth, 'access.manage', input.legalEntity);
    return ctx.services.grants.requestRevoke(ctx.auth.actor, input);
  }),
  resetMfa: staffProcedure
    .input(resetInput)
    .mutation(({ ctx, input }) => ctx.services.users.requestReset(adminScope(ctx.auth, 'access.manage'), 'access.resetMfa', input)),
  resetPassword: staffProcedure
    .input(resetInput)
    .mutation(({ ctx, input }) => ctx.services.users.requestReset(adminScope(ctx.auth, 'access.manage'), 'access.resetPassword', input)),
  collectTemporaryPassword: staffProcedure
    .input(z.object({ approvalId: z.string().min(1).max(32) }))
    .mutation(({ ctx, input }) => ctx.services.users.collectTemporaryPassword(ctx.auth.actor, input.approvalId)),
  setUserStatus: staffProcedure
    .input(statusInput)
    .mutation(({ ctx, input }) => ctx.services.users.requestStatus(adminScope(ctx.auth, 'access.manage'), input)),
  userSessions: staffProcedure.input(z.object({ userId })).query(async ({ ctx, input }) => ({
    items: await ctx.services.sessions.sessionsOf(input.userId, null),
    nextCursor: null,
  })),
  revokeUserSession: staffProcedure
    .input(z.object({ sessionId: z.uuid(), reason }))
    .mutation(({ ctx, input }) => ctx.services.users.requestSessionRevoke(adminScope(ctx.auth, 'sessions.manage'), input)),
  review: staffProcedure
    .input(z.object({ from: isoTime.optional(), to: isoTime.optional(), endingWithinDays: z.number().int().min(1).max(366).optional() }).optional())
    .query(({ ctx, input }) => ctx.services.accessReview.review(ctx.auth.scope('access.read'), input ?? {})),
});
