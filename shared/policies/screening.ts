// Screening thresholds as policy data (`screening.thresholds`): where a name
// score becomes a hit, how secondary evidence moves it, and how far a list
// may shrink in one update before the import is refused as suspect.

import { z } from 'zod';

const share = z.number().min(0).max(1);

export const screeningThresholdsSchema = z
  .object({
    /** a score at or above this opens a review case */
    match: share,
    /** a hit at or above this is shown as strong in the queue */
    strong: share,
    /** evidence weights: added to (or taken from) the name score */
    evidence: z.object({
      birthDateExact: z.number().min(0).max(0.3),
      birthYear: z.number().min(0).max(0.3),
      birthDateConflict: z.number().min(0).max(0.5),
      nationalityMatch: z.number().min(0).max(0.3),
      nationalityConflict: z.number().min(0).max(0.5),
      identifierMatch: z.number().min(0).max(0.5),
    }),
    /**
     * a company or organisation hit whose name rests only on a short token, an acronym or generic
     * words ("XY Holding", "AB Consult") scores at most this, unless the country or an identifier
     * supports it; absent in versions written before it existed, where 0.6 applies
     */
    weakOrganisationNameCap: share.optional(),
    /** an approximate or range date of birth on the list counts within this many years */
    birthYearTolerance: z.number().int().min(0).max(10),
    /** a list update that removes more than this share of the previous version's entries is refused */
    maxRemovedShare: share,
  })
  .strict()
  .refine((p) => p.strong >= p.match, { message: 'strong must be at least match', path: ['strong'] });

export type ScreeningThresholds = z.infer<typeof screeningThresholdsSchema>;

export const DEFAULT_SCREENING_THRESHOLDS: ScreeningThresholds = {
  match: 0.72,
  strong: 0.9,
  evidence: {
    birthDateExact: 0.1,
    birthYear: 0.05,
    birthDateConflict: 0.25,
    nationalityMatch: 0.03,
    nationalityConflict: 0.1,
    identifierMatch: 0.3,
  },
  weakOrganisationNameCap: 0.6,
  birthYearTolerance: 2,
  maxRemovedShare: 0.1,
};

/** The cap for a weakly founded organisation hit, also for policy versions older than the field. */
export function weakOrganisationNameCap(policy: ScreeningThresholds): number {
  return policy.weakOrganisationNameCap ?? 0.6;
}
