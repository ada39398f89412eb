import { z } from 'zod';
import { kycApproveInput, kycAssignInput, kycCaseRef, kycCompleteEddInput, kycDocumentInput, kycEscalateInput, kycOverrideInput, kycQueueInput, kycRejectInput, kycRequestDocumentsInput } from '../../../shared/kyc/schemas.js';
import { router, staffProcedure } from '../../trpc.js';
import { empty } from '../../validation.js';

const caseInput = z.object({ caseRef: kycCaseRef }).strict();

export const kycRouter = router({
  queue: staffProcedure.input(kycQueueInput).query(({ ctx, input }) => ctx.services.kyc.reads.queue(ctx.auth, input)),
  get: staffProcedure.input(caseInput).query(({ ctx, input }) => ctx.services.kyc.reads.get(ctx.auth, input.caseRef)),
  document: staffProcedure.input(kycDocumentInput).query(({ ctx, input }) => ctx.services.kyc.reads.document(ctx.auth, input.documentId)),
  metrics: staffProcedure.input(empty).query(({ ctx }) => ctx.services.kyc.sweeps.metrics(ctx.auth)),
  assign: staffProcedure.input(kycAssignInput).mutation(({ ctx, input }) => ctx.services.kyc.workflow.assign(ctx.auth, input.caseRef, input.userId)),
  requestDocuments: staffProcedure.input(kycRequestDocumentsInput).mutation(({ ctx, input }) => ctx.services.kyc.workflow.requestDocuments(ctx.auth, input)),
  escalate: staffProcedure.input(kycEscalateInput).mutation(({ ctx, input }) => ctx.services.kyc.workflow.escalate(ctx.auth, input)),
  completeEddItem: staffProcedure.input(kycCompleteEddInput).mutation(({ ctx, input }) => ctx.services.kyc.edd.completeEddItem(ctx.auth, input)),
  retryVerification: staffProcedure.input(caseInput).mutation(({ ctx, input }) => ctx.services.kyc.verification.retryVerification(ctx.auth, input.caseRef)),
  approve: staffProcedure.input(kycApproveInput).mutation(({ ctx, input }) => ctx.services.kyc.workflow.approve(ctx.auth, input)),
  reject: staffProcedure.input(kycRejectInput).mutation(({ ctx, input }) => ctx.services.kyc.workflow.reject(ctx.auth, input)),
  override: staffProcedure.input(kycOverrideInput).mutation(({ ctx, input }) => ctx.services.kyc.overrides.override(ctx.auth, input)),
});
