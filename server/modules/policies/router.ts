import { z } from 'zod';
import * as I from '../../../shared/policies/inputs.js';
import { POLICY_TYPES } from '../../../shared/policies/types.js';
import { router, staffProcedure } from '../../trpc.js';
import { empty, reason } from '../../validation.js';

export const policiesRouter = router({
  types: staffProcedure.input(empty).query(() => ({
    items: Object.entries(POLICY_TYPES).map(([type, t]) => ({ type, description: t.description, schema: z.toJSONSchema(t.schema) })),
    nextCursor: null,
  })),
  list: staffProcedure.input(z.object({ type: I.policyType.optional() }).optional()).query(async ({ ctx, input }) => ({
    items: await ctx.services.policies.list(input?.type),
    nextCursor: null,
  })),
  get: staffProcedure.input(I.policyGetInput).query(({ ctx, input }) => ctx.services.policies.get(input.type, input.version)),
  // A new version with its change request (changes.ts): purpose, segments, edge cases, plans; the
  // dry run its tier asks for, run by the server over the window given; optionally as a canary.
  propose: staffProcedure.input(I.proposeInput).mutation(({ ctx, input }) => ctx.services.policyChanges.submit(ctx.auth.actor, input)),
  // A version as a signed file for another server, and such a file proposed here (transfer.ts).
  exportVersion: staffProcedure
    .input(I.exportVersionInput)
    .mutation(({ ctx, input }) => ctx.services.policyTransfer.export(ctx.auth.actor, input)),
  importVersion: staffProcedure
    .input(I.importVersionInput)
    .mutation(({ ctx, input }) => ctx.services.policyTransfer.import(ctx.auth, input)),
  diff: staffProcedure.input(I.diffInput).query(({ ctx, input }) => ctx.services.policies.diff(input)),
  // What a draft would have decided over a window of history (dry-run.ts); read-only.
  dryRun: staffProcedure.input(I.dryRunInput).query(({ ctx, input }) => ctx.services.policyDryRun.run(ctx.auth, input)),
  republish: staffProcedure
    .input(z.object({ type: I.policyType, version: I.policyVersion, reason }))
    .mutation(({ ctx, input }) => ctx.services.policyChanges.republish(ctx.auth, input)),
  canary: staffProcedure
    .input(I.canaryInput)
    .mutation(({ ctx, input }) => ctx.services.policyChanges.canary(ctx.auth, { ...input, reason: input.reason ?? `Canary of ${input.type} version ${input.version}` })),
  promote: staffProcedure.input(I.promoteInput).mutation(({ ctx, input }) => ctx.services.policyChanges.promote(ctx.auth, input)),
  rollback: staffProcedure.input(I.rollbackInput).mutation(({ ctx, input }) => ctx.services.policyRollbacks.request(ctx.auth.actor, input)),
  changes: staffProcedure.input(I.changesInput.optional()).query(({ ctx, input }) => ctx.services.policyChangeReads.list(ctx.auth, input ?? { limit: 200 })),
  change: staffProcedure.input(I.changeInput).query(({ ctx, input }) => ctx.services.policyChangeReads.get(ctx.auth, input.id)),
  // A reviewer's answer on a change request: approve, reject or needs changes (closing it for a revised version).
  review: staffProcedure.input(I.reviewInput).mutation(async ({ ctx, input }) => {
    const id = await ctx.services.policyChangeReads.approvalOf(input.id);
    const a = ctx.services.approvals;
    return input.answer === 'approve' ? a.approve(ctx.auth.actor, id, input.reason) : input.answer === 'reject' ? a.reject(ctx.auth.actor, id, input.reason) : a.needsChanges(ctx.auth.actor, id, input.reason);
  }),
  executions: staffProcedure.input(I.executionsInput.optional()).query(({ ctx, input }) => ctx.services.policyExecutions.search(ctx.auth, input ?? { limit: 200 })),
  canaryReport: staffProcedure.input(I.canaryReportInput).query(({ ctx, input }) => ctx.services.policyExecutions.canaryReport(ctx.auth, input)),
  remediations: staffProcedure.input(I.remediationsInput.optional()).query(({ ctx, input }) => ctx.services.policyRollbacks.list(ctx.auth, input ?? { limit: 200 })),
  closeRemediation: staffProcedure.input(I.closeRemediationInput).mutation(({ ctx, input }) => ctx.services.policyRollbacks.close(ctx.auth, input)),
  snapshots: staffProcedure.input(empty).query(({ ctx }) => ctx.services.policyChangeReads.snapshots()),
  snapshot: staffProcedure.input(I.snapshotInput).query(({ ctx, input }) => ctx.services.policyChangeReads.snapshot(input.id)),
});
