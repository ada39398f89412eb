import { z } from 'zod';
import { clientId } from '../../../shared/clients/schemas.js';
import { router, staffProcedure } from '../../trpc.js';

export const clientsRouter = router({
  get: staffProcedure.input(z.object({ clientId }).strict()).query(({ ctx, input }) => ctx.services.clients.get(ctx.auth, input.clientId)),
  timeline: staffProcedure.input(z.object({ clientId }).strict()).query(({ ctx, input }) => ctx.services.clients.timeline(ctx.auth, input.clientId)),
});
