// evidence.client, evidence.staff, evidence.operation: the mock audit's three questions (views.ts).

import { z } from 'zod';
import { clientId } from '../../../shared/clients/schemas.js';
import { isoTime } from '../../validation.js';
import { router, staffProcedure } from '../../trpc.js';

export const evidenceRouter = router({
  client: staffProcedure.input(z.object({ clientId }).strict()).query(({ ctx, input }) => ctx.services.evidence.client(ctx.auth, input)),
  staff: staffProcedure
    .input(z.object({ userId: z.string().trim().min(1, 'name the staff member by id or username').max(64), from: isoTime.optional(), to: isoTime.optional() }).strict())
    .query(({ ctx, input }) => ctx.services.evidence.staff(ctx.auth, input)),
  operation: staffProcedure
    .input(z.object({ caseRef: z.string().trim().min(5, 'an intervention (INT-…) or an MT5 manager operation (MOP-…)').max(31) }).strict())
    .query(({ ctx, input }) => ctx.services.evidence.operation(ctx.auth, input)),
  // The pack is built as the exporter may see it (pack.ts): its answer is not masked again.
  export: staffProcedure
    .input(z.object({ subject: z.union([z.object({ clientId }).strict(), z.object({ userId: z.string().trim().min(1, 'name the staff member by id or username').max(64) }).strict(), z.object({ caseRef: z.string().trim().min(5, 'an intervention (INT-…) or an MT5 manager operation (MOP-…)').max(31) }).strict()]) }).strict())
    .mutation(async ({ ctx, input }) => {
      const pack = await ctx.services.evidencePacks.export(ctx.auth, input.subject);
      return { fileName: pack.fileName, sha256: pack.sha256, manifestSha256: pack.manifestSha256, contentBase64: pack.content.toString('base64') };
    }),
});
