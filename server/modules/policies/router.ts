import { z } from 'zod';
import { changeDetailsSchema } from '../../../shared/policies/change-request.js';
import { segmentSchema } from '../../../shared/policies/segment.js';
import { POLICY_TYPES } from '../../../shared/policies/types.js';
import { router, staffProcedure } from '../../trpc.js';
import { empty, isoTime, reason } from '../../validation.js';

const policyType = z.string().min(1).max(64);
const version = z.number().int().positive();
const changeId = z.string().regex(/^CHG-\d{6,}$/, 'a change reference like CHG-000123');
const approvalId = z.string().regex(/^APR-\d{6,}$/, 'an approval reference like APR-000123');
const window = z.object({ from: isoTime, to: isoTime }).strict();
const limit = z.number().int().min(1).max(1000).default(200);

export const policiesRouter = router({
  types: staffProcedure.input(empty).query(() => ({
    items: Object.entries(POLICY_TYPES).map(([type, t]) => ({ type, description: t.description, schema: z.toJSONSchema(t.schema) })),
    nextCursor: null,
  })),
  list: staffProcedure.input(z.object({ type: policyType.optional() }).optional()).query(async ({ ctx, input }) => ({
    items: await ctx.services.policies.list(input?.type),
    nextCursor: null,
  })),
  get: staffProcedure
    .input(z.object({ type: policyType, version: version.optional() }))
    .query(({ ctx, input }) => ctx.services.policies.get(input.type, input.version)),
  // A new version with its change request (changes.ts): purpose, segments, edge cases, plans; the
  // dry run its tier asks for, run by the server over the window given; optionally as a canary.
  propose: staffProcedure
    .input(z.object({ type: policyType, document: z.unknown(), reason, change: changeDetailsSchema, dryRun: window.optional(), canary: segmentSchema.optional() }).strict())
    .mutation(({ ctx, input }) => ctx.services.policyChanges.submit(ctx.auth.actor, input)),
  // A version as a signed file for another server, and such a file proposed here (transfer.ts).
  exportVersion: staffProcedure
    .input(z.object({ type: policyType, version }).strict())
    .mutation(({ ctx, input }) => ctx.services.policyTransfer.export(ctx.auth.actor, input)),
  importVersion: staffProcedure
    .input(z.object({ content: z.string().min(2).max(1_000_000), reason, change: changeDetailsSchema, dryRun: window.optional() }).strict())
    .mutation(({ ctx, input }) => ctx.services.policyTransfer.import(ctx.auth, input)),
  diff: staffProcedure
    .input(z.object({ type: policyType, version: version.optional(), document: z.unknown().optional() }).strict())
    .query(({ ctx, input }) => ctx.services.policies.diff(input)),
  // What a draft would have decided over a window of history (dry-run.ts); read-only.
  dryRun: staffProcedure
    .input(z.object({ type: policyType, document: z.unknown(), from: isoTime.optional(), to: isoTime.optional() }).strict())
    .query(({ ctx, input }) => ctx.services.policyDryRun.run(ctx.auth, input)),
  republish: staffProcedure
    .input(z.object({ type: policyType, version, reason }))
    .mutation(({ ctx, input }) => ctx.services.policyChanges.republish(ctx.auth, input)),
  canary: staffProcedure
    .input(z.object({ type: policyType, version, segment: segmentSchema, reason: reason.optional() }).strict())
    .mutation(({ ctx, input }) => ctx.services.policyChanges.canary(ctx.auth, { ...input, reason: input.reason ?? `Canary of ${input.type} version ${input.version}` })),
  promote: staffProcedure
    .input(z.object({ type: policyType, version, reason }).strict())
    .mutation(({ ctx, input }) => ctx.services.policyChanges.promote(ctx.auth, input)),
  rollback: staffProcedure
    .input(z.object({ type: policyType, toVersion: z.union([version, z.string().min(3).max(80)]), reason }).strict())
    .mutation(({ ctx, input }) => ctx.services.policyRollbacks.request(ctx.auth, input)),
  changes: staffProcedure
    .input(z.object({ type: policyType.optional(), cursor: changeId.optional(), limit }).strict().optional())
    .query(({ ctx, input }) => ctx.services.policyChangeReads.list(ctx.auth, input ?? { limit: 200 })),
  change: staffProcedure.input(z.object({ id: changeId }).strict()).query(({ ctx, input }) => ctx.services.policyChangeReads.get(ctx.auth, input.id)),
  // A reviewer's answer on a change request: approve, reject or needs changes (closing it for a revised version).
  review: staffProcedure
    .input(z.object({ id: changeId, answer: z.enum(['approve', 'reject', 'needsChanges']), reason }).strict())
    .mutation(async ({ ctx, input }) => {
      const id = await ctx.services.policyChangeReads.approvalOf(input.id);
      const a = ctx.services.approvals;
      return input.answer === 'approve' ? a.approve(ctx.auth.actor, id, input.reason) : input.answer === 'reject' ? a.reject(ctx.auth.actor, id, input.reason) : a.needsChanges(ctx.auth.actor, id, input.reason);
    }),
  executions: staffProcedure
    .input(
      z
        .object({ type: policyType.optional(), version: version.optional(), subjectId: z.string().min(1).max(64).optional(), clientId: z.string().min(1).max(64).optional(), from: isoTime.optional(), to: isoTime.optional(), cursor: z.number().int().positive().optional(), limit })
        .strict()
        .optional(),
    )
    .query(({ ctx, input }) => ctx.services.policyExecutions.search(ctx.auth, input ?? { limit: 200 })),
  canaryReport: staffProcedure.input(z.object({ type: policyType }).strict()).query(({ ctx, input }) => ctx.services.policyExecutions.canaryReport(ctx.auth, input)),
  remediations: staffProcedure
    .input(z.object({ type: policyType.optional(), status: z.enum(['open', 'closed']).optional(), rollbackId: approvalId.optional(), cursor: z.string().max(20).optional(), limit }).strict().optional())
    .query(({ ctx, input }) => ctx.services.policyRollbacks.list(ctx.auth, input ?? { limit: 200 })),
  closeRemediation: staffProcedure
    .input(z.object({ id: z.string().regex(/^REM-\d{6,}$/, 'a remediation reference like REM-000123'), reason }).strict())
    .mutation(({ ctx, input }) => ctx.services.policyRollbacks.close(ctx.auth, input)),
  snapshots: staffProcedure.input(empty).query(({ ctx }) => ctx.services.policyChangeReads.snapshots()),
  snapshot: staffProcedure.input(z.object({ id: z.number().int().positive() }).strict()).query(({ ctx, input }) => ctx.services.policyChangeReads.snapshot(input.id)),
});
