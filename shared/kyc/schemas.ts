// KYC procedures and the portal's document upload: the shapes, validated by zod on the server.

import { z } from 'zod';
import { clientId, isoDate } from '../clients/schemas.js';
import { DOCUMENT_TYPE_NAMES, KYC_STATUSES, REJECTION_REASON_NAMES } from './machine.js';

export const kycCaseRef = z.string().regex(/^KYC-\d{6,}$/, 'must be a KYC case reference like KYC-000123');
const note = z.string().trim().min(3, 'write a note (at least 3 characters)').max(4000);

export const uploadDocumentInput = z
  .object({
    clientId,
    documentType: z.enum(DOCUMENT_TYPE_NAMES),
    fileName: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .refine((n) => !/[/\\]/.test(n) && !n.includes(String.fromCharCode(0)), 'must be a file name, not a path'),
    // 15 MB of bytes is at most 20 MB of base64; the exact limit is checked on the decoded bytes.
    contentBase64: z.string().min(1).max(21_000_000),
    issuedAt: isoDate.optional(),
    expiresAt: isoDate.optional(),
  })
  .strict();

export type UploadDocumentInput = z.infer<typeof uploadDocumentInput>;

export const kycQueueInput = z
  .object({
    status: z.enum(KYC_STATUSES).optional(),
    legalEntity: z.string().min(1).max(32).optional(),
    riskLevel: z.enum(['low', 'medium', 'high']).optional(),
    assignee: z.string().min(1).max(64).optional(),
    /** the manual queue: cases whose provider check is not usable (`manual`) or needs a look (`attention`) */
    verification: z.enum(['not_started', 'pending', 'verified', 'attention', 'manual']).optional(),
    cursor: kycCaseRef.optional(),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .strict();

export const kycAssignInput = z.object({ caseRef: kycCaseRef, userId: z.string().min(1).max(64) }).strict();
export const kycApproveInput = z.object({ caseRef: kycCaseRef, note, policyBasis: z.string().trim().min(3, 'name the policy or rule the approval rests on').max(500) }).strict();
export const kycRejectInput = z.object({ caseRef: kycCaseRef, reason: z.enum(REJECTION_REASON_NAMES), note }).strict();
export const kycRequestDocumentsInput = z.object({ caseRef: kycCaseRef, documentTypes: z.array(z.enum(DOCUMENT_TYPE_NAMES)).min(1).max(7), note }).strict();
export const kycEscalateInput = z.object({ caseRef: kycCaseRef, note }).strict();

/** An override of a KYC outcome: a decision against the normal path, executed only once a second person approves it. */
export const kycOverrideInput = z
  .object({
    caseRef: kycCaseRef,
    decision: z.enum(['approve', 'reject']),
    reason: z.string().trim().min(10, 'explain the override (at least 10 characters)').max(4000),
    rejectionReason: z.enum(REJECTION_REASON_NAMES).optional(),
  })
  .strict()
  .refine((o) => o.decision === 'approve' || o.rejectionReason !== undefined, { message: 'a rejection names its reason from the catalog', path: ['rejectionReason'] });

export type KycOverrideInput = z.infer<typeof kycOverrideInput>;

/** What the approval request carries: the override and the case's state when it was asked for. */
export const kycOverridePayload = z.object({
  caseRef: kycCaseRef,
  clientId: z.string(),
  legalEntity: z.string(),
  decision: z.enum(['approve', 'reject']),
  rejectionReason: z.enum(REJECTION_REASON_NAMES).nullable(),
  riskLevel: z.string().nullable(),
  statusAtRequest: z.enum(KYC_STATUSES),
  blockers: z.array(z.string()),
});

export const kycCompleteEddInput = z.object({ caseRef: kycCaseRef, item: z.string().regex(/^[a-z][a-z0-9_]*$/).max(64), note }).strict();
export const kycDocumentInput = z.object({ documentId: z.string().regex(/^DOC-\d{6,}$/, 'must be a document reference like DOC-000123') }).strict();
export const kycSweepInput = z.object({}).strict().optional();
