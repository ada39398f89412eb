import { z } from 'zod';
import { APPROVAL_STATUSES } from '../../../shared/approvals/machine.js';
import { router, staffProcedure } from '../../trpc.js';
import { reason } from '../../validation.js';
import { type AuthContext } from '../../core/auth.js';

const approvalId = z.string().regex(/^APR-\d{6,}$/, 'an approval reference like APR-000123');

const viewer = (auth: AuthContext) => ({ id: auth.user.id, scope: auth.scope('approvals.read'), rolesByEntity: auth.rolesByEntity });

export const approvalsRouter = router({
  list: staffProcedure
    .input(
      z
        .object({
          status: z.enum(APPROVAL_STATUSES).optional(),
          kind: z.string().max(64).optional(),
          cursor: approvalId.optional(),
          limit: z.number().int().min(1).max(500).default(100),
        })
        .optional(),
    )
    .query(({ ctx, input }) => ctx.services.approvals.list(viewer(ctx.auth), input ?? { limit: 100 })),
  get: staffProcedure.input(z.object({ id: approvalId })).query(({ ctx, input }) => ctx.services.approvals.get(viewer(ctx.auth), input.id)),
  approve: staffProcedure
    .input(z.object({ id: approvalId, reason: reason.optional() }))
    .mutation(async ({ ctx, input }) => {
      await ctx.services.approvals.get(viewer(ctx.auth), input.id);
      return ctx.services.approvals.approve(ctx.auth.actor, input.id, input.reason);
    }),
  reject: staffProcedure.input(z.object({ id: approvalId, reason })).mutation(async ({ ctx, input }) => {
    await ctx.services.approvals.get(viewer(ctx.auth), input.id);
    return ctx.services.approvals.reject(ctx.auth.actor, input.id, input.reason);
  }),
  // Only the maker may withdraw their own request (the state machine checks it), so any staff member may ask.
  cancel: staffProcedure.input(z.object({ id: approvalId, reason })).mutation(({ ctx, input }) => ctx.services.approvals.cancel(ctx.auth.actor, input.id, input.reason)),
});
