import { z } from 'zod';
import { ROLES } from '../../../shared/access/permissions.js';
import { publicProcedure, requireEntity, router, staffProcedure } from '../../trpc.js';
import { empty, isoTime, reason } from '../../validation.js';
import { profileOf, USERNAME } from './service.js';

const credentials = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});
const totp = z.string().regex(/^\d{6}$/, 'six digits');
const grantInput = z.object({ userId: z.string().min(1).max(32), role: z.enum(ROLES), legalEntity: z.string().min(1).max(32), reason });

export const authRouter = router({
  login: publicProcedure
    .input(credentials.extend({ totp: totp.optional() }))
    .mutation(({ ctx, input }) => ctx.services.access.login(input, ctx.req)),
  enrolMfa: publicProcedure.input(credentials).mutation(({ ctx, input }) => ctx.services.access.enrolMfa(input, ctx.req)),
  confirmMfa: publicProcedure
    .input(z.object({ enrolmentId: z.uuid(), totp }))
    .mutation(({ ctx, input }) => ctx.services.access.confirmMfa(input, ctx.req)),
  logout: staffProcedure.input(empty).mutation(async ({ ctx }) => {
    await ctx.services.access.logout(ctx.auth);
    return { ok: true as const };
  }),
  me: staffProcedure.input(empty).query(({ ctx }) => ({ ...profileOf(ctx.auth), sessionId: ctx.auth.sessionId })),
  sessions: staffProcedure.input(empty).query(async ({ ctx }) => ({
    items: await ctx.services.access.sessionsOf(ctx.auth.user.id, ctx.auth.sessionId),
    nextCursor: null,
  })),
  revokeSession: staffProcedure.input(z.object({ sessionId: z.uuid() })).mutation(async ({ ctx, input }) => {
    await ctx.services.access.revokeSession(ctx.auth.actor, input.sessionId, { ownerId: ctx.auth.user.id, reason: 'revoked by its owner' });
    return { ok: true as const };
  }),
  changePassword: staffProcedure
    .input(z.object({ currentPassword: z.string().min(1).max(256), newPassword: z.string().min(1).max(256) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.services.access.changePassword(ctx.auth, input);
      return { ok: true as const };
    }),
});

export const accessRouter = router({
  entities: staffProcedure.input(empty).query(async ({ ctx }) => ({
    items: await ctx.services.access.entities(ctx.auth.scope('entities.read')),
    nextCursor: null,
  })),
  users: staffProcedure.input(empty).query(async ({ ctx }) => ({
    items: await ctx.services.access.users(ctx.auth.scope('access.read')),
    nextCursor: null,
  })),
  createUser: staffProcedure
    .input(z.object({ username: USERNAME, displayName: z.string().trim().min(1).max(100), password: z.string().min(1).max(256) }))
    .mutation(({ ctx, input }) => ctx.services.access.createUser(ctx.auth.actor, input)),
  grantRole: staffProcedure.input(grantInput).mutation(({ ctx, input }) => {
    requireEntity(ctx.auth, 'access.manage', input.legalEntity);
    return ctx.services.access.requestGrant(ctx.auth.actor, input);
  }),
  revokeRole: staffProcedure.input(grantInput).mutation(({ ctx, input }) => {
    requireEntity(ctx.auth, 'access.manage', input.legalEntity);
    return ctx.services.access.requestRevoke(ctx.auth.actor, input);
  }),
  resetMfa: staffProcedure
    .input(z.object({ userId: z.string().min(1).max(32), reason }))
    .mutation(({ ctx, input }) => ctx.services.access.requestReset(ctx.auth.actor, 'access.resetMfa', input)),
  resetPassword: staffProcedure
    .input(z.object({ userId: z.string().min(1).max(32), reason }))
    .mutation(({ ctx, input }) => ctx.services.access.requestReset(ctx.auth.actor, 'access.resetPassword', input)),
  setUserStatus: staffProcedure
    .input(z.object({ userId: z.string().min(1).max(32), status: z.enum(['active', 'disabled']), reason }))
    .mutation(async ({ ctx, input }) => {
      await ctx.services.access.setUserStatus(ctx.auth.actor, input);
      return { ok: true as const };
    }),
  userSessions: staffProcedure.input(z.object({ userId: z.string().min(1).max(32) })).query(async ({ ctx, input }) => ({
    items: await ctx.services.access.sessionsOf(input.userId, null),
    nextCursor: null,
  })),
  revokeUserSession: staffProcedure.input(z.object({ sessionId: z.uuid(), reason })).mutation(async ({ ctx, input }) => {
    await ctx.services.access.revokeSession(ctx.auth.actor, input.sessionId, { reason: input.reason });
    return { ok: true as const };
  }),
  review: staffProcedure
    .input(z.object({ from: isoTime.optional(), to: isoTime.optional() }).optional())
    .query(({ ctx, input }) => ctx.services.access.review(ctx.auth.scope('access.read'), input ?? {})),
});
