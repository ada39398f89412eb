import { z } from 'zod';
import { POLICY_TYPES } from '../../../shared/policies/types.js';
import { router, staffProcedure } from '../../trpc.js';
import { empty, isoTime, reason } from '../../validation.js';

const policyType = z.string().min(1).max(64);

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
    .input(z.object({ type: policyType, version: z.number().int().positive().optional() }))
    .query(({ ctx, input }) => ctx.services.policies.get(input.type, input.version)),
  propose: staffProcedure
    .input(z.object({ type: policyType, document: z.unknown(), reason }))
    .mutation(({ ctx, input }) => ctx.services.policies.propose(ctx.auth.actor, input)),
  // A version as a signed file for another server, and such a file proposed here (transfer.ts).
  exportVersion: staffProcedure
    .input(z.object({ type: policyType, version: z.number().int().positive() }).strict())
    .mutation(({ ctx, input }) => ctx.services.policyTransfer.export(ctx.auth.actor, input)),
  importVersion: staffProcedure
    .input(z.object({ content: z.string().min(2).max(1_000_000), reason }).strict())
    .mutation(({ ctx, input }) => ctx.services.policyTransfer.import(ctx.auth.actor, input)),
  diff: staffProcedure
    .input(z.object({ type: policyType, version: z.number().int().positive().optional(), document: z.unknown().optional() }).strict())
    .query(({ ctx, input }) => ctx.services.policies.diff(input)),
  // What a draft would have decided over a window of history (dry-run.ts); read-only.
  dryRun: staffProcedure
    .input(z.object({ type: policyType, document: z.unknown(), from: isoTime.optional(), to: isoTime.optional() }).strict())
    .query(({ ctx, input }) => ctx.services.policyDryRun.run(ctx.auth, input)),
  republish: staffProcedure
    .input(z.object({ type: policyType, version: z.number().int().positive(), reason }))
    .mutation(({ ctx, input }) => ctx.services.policies.republish(ctx.auth.actor, input)),
});
