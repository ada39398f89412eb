// Payment rules as versioned data (policy types `payments.deposits` and, with withdrawals,
// `payments.withdrawalTiers`): what the deposit flow waits for, when a person must look, and when a
// client's repeated failures stop blind retries.

import { z } from 'zod';

const hours = z.number().int().min(1).max(24 * 90);
const minutes = z.number().int().min(1).max(60 * 24 * 30);

export const depositsPolicySchema = z
  .object({
    /** Legal entities whose clients may deposit while their KYC is pending review. */
    depositWhilePendingReview: z.array(z.string().min(1)).max(50),
    /** A provider event that could not be applied for this long becomes an exception for a person. */
    parkedEventMaxAgeMinutes: minutes,
    /** A deposit without any provider event for this long is asked of the provider. */
    overdueAfterMinutes: minutes,
    /** Failed payments by one client with one method within the window, after which new ones go to review. */
    failuresBeforeReview: z.number().int().min(1).max(20),
    failureWindowHours: hours,
    /** Hours a person has to resolve a payment exception. */
    exceptionSlaHours: hours,
  })
  .strict();

export type DepositsPolicy = z.infer<typeof depositsPolicySchema>;

export const DEFAULT_DEPOSITS_POLICY: DepositsPolicy = {
  depositWhilePendingReview: ['global'],
  parkedEventMaxAgeMinutes: 60,
  overdueAfterMinutes: 30,
  failuresBeforeReview: 2,
  failureWindowHours: 24,
  exceptionSlaHours: 24,
};
