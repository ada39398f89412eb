// evidence.client, evidence.staff, evidence.operation: the mock audit's three questions (views.ts);
// evidence.export: the signed pack of one of them (pack.ts).

import { evidenceClientInput, evidenceExportInput, evidenceOperationInput, evidenceStaffInput } from '../../../shared/evidence/schemas.js';
import { router, staffProcedure } from '../../trpc.js';

export const evidenceRouter = router({
  client: staffProcedure.input(evidenceClientInput).query(({ ctx, input }) => ctx.services.evidence.client(ctx.auth, input)),
  staff: staffProcedure.input(evidenceStaffInput).query(({ ctx, input }) => ctx.services.evidence.staff(ctx.auth, input)),
  operation: staffProcedure.input(evidenceOperationInput).query(({ ctx, input }) => ctx.services.evidence.operation(ctx.auth, input)),
  // The pack is built as the exporter may see it (pack.ts): its answer is not masked again.
  export: staffProcedure.input(evidenceExportInput).mutation(async ({ ctx, input }) => {
    const pack = await ctx.services.evidencePacks.export(ctx.auth, input.subject);
    return { fileName: pack.fileName, sha256: pack.sha256, manifestSha256: pack.manifestSha256, contentBase64: pack.content.toString('base64') };
  }),
});
