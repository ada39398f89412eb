import { z } from 'zod';
import { clientId } from '../../../shared/clients/schemas.js';
import { router, staffProcedure } from '../../trpc.js';

export const clientsRouter = router({
  get: staffProcedure.input(z.object({ clientId }).strict()).query(({ ctx, input }) => ctx.services.clients.get(ctx.auth, input.clientId)),
  search: staffProcedure
    .input(z.object({ query: z.string().trim().min(2, 'type at least two characters').max(200), limit: z.number().int().min(1).max(50).default(20) }).strict())
    .query(({ ctx, input }) => ctx.services.clientSearch.search(ctx.auth, input.query, input.limit)),
  overview: staffProcedure.input(z.object({ clientId }).strict()).query(({ ctx, input }) => ctx.services.clientOverview.overview(ctx.auth, input.clientId)),
  timeline: staffProcedure.input(z.object({ clientId }).strict()).query(({ ctx, input }) => ctx.services.clients.timeline(ctx.auth, input.clientId)),
});
