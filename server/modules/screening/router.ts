import { z } from 'zod';
import { clientId } from '../../../shared/clients/schemas.js';
import { SCREENING_CASE_STATUSES, screeningCaseDecision, screeningCaseId } from '../../../shared/screening/schemas.js';
import { router, staffProcedure } from '../../trpc.js';

export const screeningRouter = router({
  cases: staffProcedure
    .input(
      z
        .object({
          status: z.enum(SCREENING_CASE_STATUSES).optional(),
          clientId: clientId.optional(),
          legalEntity: z.string().min(1).max(32).optional(),
          cursor: screeningCaseId.optional(),
          limit: z.number().int().min(1).max(500).default(100),
        })
        .strict(),
    )
    .query(({ ctx, input }) => ctx.services.screening.list(ctx.auth, input)),
  get: staffProcedure.input(z.object({ caseId: screeningCaseId }).strict()).query(({ ctx, input }) => ctx.services.screening.get(ctx.auth, input.caseId)),
  decide: staffProcedure.input(screeningCaseDecision).mutation(({ ctx, input }) => ctx.services.screening.decide(ctx.auth, input)),
  listVersions: staffProcedure
    .input(z.object({ source: z.string().min(1).max(64).optional() }).strict())
    .query(async ({ ctx, input }) => ({ items: await ctx.services.lists.versions(input.source), nextCursor: null })),
  listDiff: staffProcedure
    .input(z.object({ versionId: z.string().regex(/^LST-\d{6,}$/, 'must be a list version like LST-000002'), op: z.enum(['added', 'removed', 'changed']).optional() }).strict())
    .query(async ({ ctx, input }) => ({ items: await ctx.services.lists.diff(input.versionId, input.op), nextCursor: null })),
});
