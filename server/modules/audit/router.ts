import { z } from 'zod';
import { router, staffProcedure } from '../../trpc.js';
import { isoTime, reason } from '../../validation.js';
import { exportRecordInput } from '../../../shared/desktop/exports.js';

export const auditRouter = router({
  search: staffProcedure
    .input(
      z.object({
        actor: z.string().max(64).optional(),
        clientId: z.string().max(64).optional(),
        legalEntity: z.string().max(32).optional(),
        action: z.string().max(100).optional(),
        targetType: z.string().max(64).optional(),
        targetId: z.string().max(128).optional(),
        caseRef: z.string().max(31).optional(),
        from: isoTime.optional(),
        to: isoTime.optional(),
        cursor: z.string().max(20).optional(),
        limit: z.number().int().min(1).max(500).default(100),
      }),
    )
    .query(({ ctx, input }) => ctx.services.audit.search(ctx.auth.scope('audit.read'), input)),

  signingKey: staffProcedure.input(z.object({}).optional()).query(({ ctx }) => ctx.services.auditKeys.describe()),

  rotateSigningKey: staffProcedure
    .input(z.object({ reason, publicKey: z.string().min(1).max(2000).optional() }))
    .mutation(({ ctx, input }) => ctx.services.auditKeys.requestRotation(ctx.auth.actor, input)),

  /** A grid export the desktop is about to hand over, recorded before it does (shared/desktop/exports.ts). */
  recordExport: staffProcedure.input(exportRecordInput).mutation(({ ctx, input }) => ctx.services.exports.record(ctx.auth, input)),

  verify: staffProcedure.input(z.object({}).optional()).query(async ({ ctx }) => {
    const r = await ctx.services.audit.verify();
    return { ok: r.ok, checked: r.checked, headSeq: r.headSeq, checkpoints: r.checkpoints, firstBrokenSeq: r.firstBrokenSeq ?? null, problem: r.problem ?? null };
  }),
});
