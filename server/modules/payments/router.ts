import { z } from 'zod';
import { clientId } from '../../../shared/clients/schemas.js';
import { router, staffProcedure } from '../../trpc.js';
import { balanceOf } from './balances.js';
import { DEPOSIT_STATUSES } from './deposits.js';
import { WITHDRAWAL_STATUSES } from '../../../shared/payments/withdrawals.js';
import { depositRef, exceptionRefInput, exceptionsInput, reconciliationRunInput, resolveExceptionInput, settlementImportInput, fxRateInput, requestWithdrawalInput, withdrawalApproveInput, withdrawalReasonInput, withdrawalRef, withdrawalResolveInput } from '../../../shared/payments/schemas.js';

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

export const withdrawalsRouter = router({
  queue: staffProcedure
    .input(z.object({ status: z.enum(WITHDRAWAL_STATUSES).optional(), legalEntity: z.string().min(1).max(40).optional(), clientId: clientId.optional(), ...cursorLimit }).strict())
    .query(({ ctx, input }) => ctx.services.withdrawalReads.queue(ctx.auth, input)),
  get: staffProcedure.input(z.object({ ref: withdrawalRef }).strict()).query(({ ctx, input }) => ctx.services.withdrawalReads.get(ctx.auth, input.ref)),
  request: staffProcedure.input(requestWithdrawalInput).mutation(({ ctx, input }) => ctx.services.withdrawals.request(ctx.auth.actor, input, ctx.auth)),
  approve: staffProcedure.input(withdrawalApproveInput).mutation(({ ctx, input }) => ctx.services.withdrawals.approve(ctx.auth, input)),
  reject: staffProcedure.input(withdrawalReasonInput).mutation(async ({ ctx, input }) => {
    await ctx.services.withdrawals.reject(ctx.auth, input);
    return { status: 'rejected' };
  }),
  hold: staffProcedure.input(withdrawalReasonInput).mutation(async ({ ctx, input }) => {
    await ctx.services.withdrawals.hold(ctx.auth, input);
    return { status: 'on_hold' };
  }),
  release: staffProcedure.input(withdrawalReasonInput).mutation(async ({ ctx, input }) => {
    await ctx.services.withdrawals.release(ctx.auth, input);
    return { status: 'pending_approval' };
  }),
  resolve: staffProcedure.input(withdrawalResolveInput).mutation(({ ctx, input }) => ctx.services.withdrawals.resolve(ctx.auth, input)),
});

export const fxRouter = router({
  rates: staffProcedure.input(z.object({}).strict()).query(({ ctx }) => ctx.services.fx.list()),
  record: staffProcedure.input(fxRateInput).mutation(({ ctx, input }) => ctx.services.fx.record(ctx.auth.actor, input)),
});

export const reconciliationRouter = router({
  // Ledger against the providers' reports, and (for all providers) the back office's money on MT5 against MT5's deal history.
  run: staffProcedure.input(reconciliationRunInput).mutation(async ({ ctx, input }) => {
    const psp = await ctx.services.reconciliation.run(ctx.auth, input);
    const mt5 = input.provider ? { notCompared: `a run for provider ${input.provider} compares only its report` } : await ctx.services.mt5Reconciliation.run(ctx.auth, input);
    return { ...psp, mt5 };
  }),
  importSettlement: staffProcedure.input(settlementImportInput).mutation(({ ctx, input }) => ctx.services.reconciliation.importSettlement(ctx.auth, input)),
  exceptions: staffProcedure.input(exceptionsInput).query(({ ctx, input }) => ctx.services.paymentExceptions.list(ctx.auth, input)),
  takeException: staffProcedure.input(exceptionRefInput).mutation(({ ctx, input }) => ctx.services.paymentExceptions.take(ctx.auth, input.ref)),
  resolveException: staffProcedure.input(resolveExceptionInput).mutation(({ ctx, input }) => ctx.services.paymentExceptions.resolve(ctx.auth, input)),
});
