import { z } from 'zod';
import { clientId } from '../../../shared/clients/schemas.js';
import { router, staffProcedure } from '../../trpc.js';
import { balanceOf } from './balances.js';
import { DEPOSIT_STATUSES } from './deposits.js';

const depositRef = z.string().regex(/^DEP-\d{6,}$/, 'must be a deposit reference like DEP-000123');
const cursorLimit = { cursor: z.string().max(40).optional(), limit: z.number().int().min(1).max(500).default(100) };

export const ledgerRouter = router({
  balance: staffProcedure.input(z.object({ clientId }).strict()).query(({ ctx, input }) => balanceOf(ctx.services.store.kysely, ctx.auth, input.clientId)),
});

export const depositsRouter = router({
  list: staffProcedure
    .input(z.object({ status: z.enum(DEPOSIT_STATUSES).optional(), clientId: clientId.optional(), legalEntity: z.string().min(1).max(40).optional(), ...cursorLimit }).strict())
    .query(({ ctx, input }) => ctx.services.deposits.list(ctx.auth, input)),
  get: staffProcedure.input(z.object({ ref: depositRef }).strict()).query(({ ctx, input }) => ctx.services.deposits.get(ctx.auth, input.ref)),
});
