// The client portal's intake (CONTRACT §Client portal intake): authenticated by the portal's
// service key in X-Portal-Key, never by a staff session. Every call acts as "client portal".

import { z } from 'zod';
import { clientId, registerClientInput, updateClientInput } from '../../../shared/clients/schemas.js';
import { uploadDocumentInput } from '../../../shared/kyc/schemas.js';
import { initiateDepositInput, requestWithdrawalInput } from '../../../shared/payments/schemas.js';
import { portalProcedure, router } from '../../trpc.js';

export const portalRouter = router({
  registerClient: portalProcedure.input(registerClientInput).mutation(async ({ ctx, input }) => {
    const { clientId } = await ctx.services.clients.register(ctx.actor, input);
    return { clientId };
  }),
  uploadDocument: portalProcedure.input(uploadDocumentInput).mutation(({ ctx, input }) => ctx.services.kyc.intake.uploadDocument(ctx.actor, input)),
  initiateDeposit: portalProcedure.input(initiateDepositInput).mutation(({ ctx, input }) => ctx.services.deposits.initiate(ctx.actor, input)),
  requestWithdrawal: portalProcedure.input(requestWithdrawalInput).mutation(({ ctx, input }) => ctx.services.withdrawals.request(ctx.actor, input)),
  mt5Credentials: portalProcedure.input(z.object({ clientId }).strict()).mutation(({ ctx, input }) => ctx.services.mt5Accounts.collectCredentials(ctx.actor, input.clientId)),
  updateClient: portalProcedure.input(updateClientInput).mutation(({ ctx, input }) => ctx.services.clients.update(ctx.actor, input)),
});
