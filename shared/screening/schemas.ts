// Screening review: the shapes of its procedures, validated by zod on the server and reused by the
// desktop host for its channels.

import { z } from 'zod';

export const SCREENING_DECISIONS = ['true_match', 'false_positive'] as const;
export const SCREENING_CASE_STATUSES = ['open', ...SCREENING_DECISIONS] as const;

export const screeningCaseId = z.string().regex(/^SCR-\d{6,}$/, 'must be a screening case reference like SCR-000123');

export const screeningCaseDecision = z
  .object({
    caseId: screeningCaseId,
    decision: z.enum(SCREENING_DECISIONS),
    /** why the hit is, or is not, the client: what was compared and what settled it */
    reason: z.string().trim().min(10, 'say what settled it (at least 10 characters)').max(2000),
  })
  .strict();

export type ScreeningCaseDecision = z.infer<typeof screeningCaseDecision>;

export const DECISION_LABELS: Record<(typeof SCREENING_DECISIONS)[number], string> = {
  true_match: 'True match',
  false_positive: 'False positive',
};
