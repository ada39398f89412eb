import { z } from 'zod';
import { clientId } from '../../../shared/clients/schemas.js';
import { router, staffProcedure } from '../../trpc.js';
import { balanceOf } from './balances.js';

export const ledgerRouter = router({
  balance: staffProcedure.input(z.object({ clientId }).strict()).query(({ ctx, input }) => balanceOf(ctx.services.store.kysely, ctx.auth, input.clientId)),
});
