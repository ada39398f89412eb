// Every kind of queued job and the payload it carries, checked where a job is enqueued (the type)
// and where it runs (the schema): a job whose stored payload no longer fits fails with the reason
// instead of running on a guess.

import { z } from 'zod';

export const JOB_KINDS = {
  /** The KYC provider's check of an identity document (kyc/verification.ts). */
  'kyc.verifyDocument': z.object({ checkId: z.string().min(1) }),
} as const;

export type JobKind = keyof typeof JOB_KINDS;
export type JobPayload<K extends JobKind> = z.infer<(typeof JOB_KINDS)[K]>;

export function isJobKind(value: string): value is JobKind {
  return Object.hasOwn(JOB_KINDS, value);
}
