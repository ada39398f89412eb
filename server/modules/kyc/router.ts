import { z } from 'zod';
import { kycApproveInput, kycAssignInput, kycCaseRef, kycEscalateInput, kycQueueInput, kycRejectInput, kycRequestDocumentsInput } from '../../../shared/kyc/schemas.js';
import { router, staffProcedure } from '../../trpc.js';

export const kycRouter = router({
  queue: staffProcedure.input(kycQueueInput).query(({ ctx, input }) => ctx.services.kyc.queue(ctx.auth, input)),
  get: staffProcedure.input(z.object({ caseRef: kycCaseRef }).strict()).query(({ ctx, input }) => ctx.services.kyc.get(ctx.auth, input.caseRef)),
  assign: staffProcedure.input(kycAssignInput).mutation(({ ctx, input }) => ctx.services.kyc.assign(ctx.auth, input.caseRef, input.userId)),
  requestDocuments: staffProcedure.input(kycRequestDocumentsInput).mutation(({ ctx, input }) => ctx.services.kyc.requestDocuments(ctx.auth, input)),
  escalate: staffProcedure.input(kycEscalateInput).mutation(({ ctx, input }) => ctx.services.kyc.escalate(ctx.auth, input)),
  approve: staffProcedure.input(kycApproveInput).mutation(({ ctx, input }) => ctx.services.kyc.approve(ctx.auth, input)),
  reject: staffProcedure.input(kycRejectInput).mutation(({ ctx, input }) => ctx.services.kyc.reject(ctx.auth, input)),
});
