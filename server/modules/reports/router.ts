// reports.get: one of the five reports over a period, from daily snapshots (service.ts).

import { reportInput } from '../../../shared/reports/schemas.js';
import { router, staffProcedure } from '../../trpc.js';

export const reportsRouter = router({
  get: staffProcedure.input(reportInput).query(({ ctx, input }) => ctx.services.reports.report(ctx.auth, input)),
});
