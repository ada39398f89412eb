import { z } from 'zod';
import { clientId } from '../../../shared/clients/schemas.js';
import { router, staffProcedure } from '../../trpc.js';

export const alertsRouter = router({
  list: staffProcedure
    .input(z.object({ status: z.enum(['open', 'closed']).optional(), clientId: clientId.optional(), limit: z.number().int().min(1).max(500).default(100) }).strict())
    .query(async ({ ctx, input }) => ({ items: await ctx.services.alerts.list(ctx.auth, input), nextCursor: null })),
});
