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
});
