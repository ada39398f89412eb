// The registry of policy types: a zod schema per type. Later issues add their own types here.

import type { z } from 'zod';
import { approvalTiersSchema, DEFAULT_APPROVAL_TIERS } from './approval-tiers.js';
import { DEFAULT_SCREENING_THRESHOLDS, screeningThresholdsSchema } from './screening.js';

export const POLICY_TYPES = {
  'approvals.tiers': {
    description: 'Approval tiers of each approval kind: conditions, approver roles and counts, expiry.',
    schema: approvalTiersSchema,
    initial: DEFAULT_APPROVAL_TIERS,
  },
  'screening.thresholds': {
    description: 'Sanctions and PEP screening: the hit threshold, evidence weights, and the largest share of a list an update may remove.',
    schema: screeningThresholdsSchema,
    initial: DEFAULT_SCREENING_THRESHOLDS,
  },
} as const satisfies Record<string, { description: string; schema: z.ZodType; initial: unknown }>;

export type PolicyType = keyof typeof POLICY_TYPES;

export function isPolicyType(value: string): value is PolicyType {
  return Object.hasOwn(POLICY_TYPES, value);
}
