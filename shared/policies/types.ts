// The registry of policy types: a zod schema per type. Later issues add their own types here.

import type { z } from 'zod';
import { approvalTiersSchema, DEFAULT_APPROVAL_TIERS } from './approval-tiers.js';
import { DEFAULT_KYC_REVIEW, DEFAULT_KYC_RISK, kycReviewSchema, kycRiskSchema } from './kyc.js';
import { DEFAULT_SCREENING_THRESHOLDS, screeningThresholdsSchema } from './screening.js';
import { DEFAULT_INTERVENTION_TIERS, DEFAULT_PLATFORM_ACCOUNTS, interventionTiersSchema, platformAccountsSchema } from './platform.js';
import { changeControlSchema, DEFAULT_CHANGE_CONTROL } from './change-control.js';
import { DEFAULT_MONITORS, monitorsSchema } from './monitors.js';
import { DEFAULT_DEPOSITS_POLICY, DEFAULT_WITHDRAWAL_TIERS, depositsPolicySchema, withdrawalTiersSchema } from './payments.js';

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
  'kyc.risk': {
    description: 'Client risk scoring: factor weights, the FATF lists by effective date, thresholds to low, medium and high, and the enhanced-due-diligence checklist for high risk.',
    schema: kycRiskSchema,
    initial: DEFAULT_KYC_RISK,
  },
  'kyc.review': {
    description: 'How KYC cases are run: auto-verification of clean low-risk cases per legal entity, SLA hours per status, when a case is stuck, document expiry reminders and what an expired document restricts.',
    schema: kycReviewSchema,
    initial: DEFAULT_KYC_REVIEW,
  },
  'payments.deposits': {
    description: 'Deposits: who may deposit while KYC is pending, how long a provider event may wait before a person looks, when an overdue deposit is asked of the provider, and after how many failures a client\u2019s payments go to review.',
    schema: depositsPolicySchema,
    initial: DEFAULT_DEPOSITS_POLICY,
  },
  'payments.withdrawalTiers': {
    description: 'Withdrawals: the base currency of each legal entity, tiers by amount and client risk with the roles that approve, first-withdrawal and override approvers, SLA hours, and the velocity and deposit-then-withdraw checks.',
    schema: withdrawalTiersSchema,
    initial: DEFAULT_WITHDRAWAL_TIERS,
  },
  'platform.interventionTiers': {
    description: 'MT5 interventions: tiers by type and amount (in each legal entity\u2019s base currency) with the roles that approve and SLA hours, and the reason codes a request may give for each type.',
    schema: interventionTiersSchema,
    initial: DEFAULT_INTERVENTION_TIERS,
  },
  'platform.accounts': {
    description: 'MT5 accounts: per legal entity, the account types a client may choose, each with its MT5 group, leverage and currency, and the default type.',
    schema: platformAccountsSchema,
    initial: DEFAULT_PLATFORM_ACCOUNTS,
  },
  'policies.changeControl': {
    description: 'Change control of the rules themselves: each policy type\u2019s risk tier and owners, each tier\u2019s approval chain, dry-run window and release blackouts, and who fast-tracks a rollback or promotes a canary.',
    schema: changeControlSchema,
    initial: DEFAULT_CHANGE_CONTROL,
  },
  'policies.monitors': {
    description: 'What the back office watches in itself: time in KYC states, stuck withdrawals, rejection and exception levels, payout totals; who is alerted, and which rule changes a breach may propose to roll back.',
    schema: monitorsSchema,
    initial: DEFAULT_MONITORS,
  },
} as const satisfies Record<string, { description: string; schema: z.ZodType; initial: unknown }>;

export type PolicyType = keyof typeof POLICY_TYPES;

export function isPolicyType(value: string): value is PolicyType {
  return Object.hasOwn(POLICY_TYPES, value);
}
