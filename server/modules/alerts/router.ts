import { z } from 'zod';
import { clientId } from '../../../shared/clients/schemas.js';
import { ALERT_STATUSES, alertAcknowledgeInput, alertCloseInput, alertRefInput } from '../../../shared/alerts/workflow.js';
import { router, staffProcedure } from '../../trpc.js';

export const alertsRouter = router({
  list: staffProcedure
    .input(z.object({ status: z.enum(ALERT_STATUSES).optional(), clientId: clientId.optional(), limit: z.number().int().min(1).max(500).default(100) }).strict())
    .query(async ({ ctx, input }) => ({ items: await ctx.services.alerts.list(ctx.auth, input), nextCursor: null })),
  get: staffProcedure.input(alertRefInput).query(({ ctx, input }) => ctx.services.alerts.get(ctx.auth, input.id)),
  assignToMe: staffProcedure.input(alertRefInput).mutation(({ ctx, input }) => ctx.services.alerts.assignToMe(ctx.auth, input.id)),
  acknowledge: staffProcedure.input(alertAcknowledgeInput).mutation(({ ctx, input }) => ctx.services.alerts.acknowledge(ctx.auth, input)),
  close: staffProcedure.input(alertCloseInput).mutation(({ ctx, input }) => ctx.services.alerts.close(ctx.auth, input)),
});
