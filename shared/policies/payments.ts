// Payment rules as versioned data (policy types `payments.deposits` and, with withdrawals,
// `payments.withdrawalTiers`): what the deposit flow waits for, when a person must look, and when a
// client's repeated failures stop blind retries.

import { z } from 'zod';
import { ROLES } from '../access/permissions.js';

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

/**
 * `payments.withdrawalTiers`: who approves a withdrawal. Amounts are compared in the legal entity's
 * base currency (converted at the recorded FX rate); the first tier whose band and risk match
 * applies. Each tier lists approval slots: one approver per slot, each from the slot's roles, and
 * never one person twice. A first withdrawal needs at least `firstWithdrawalApprovers` people, and
 * approving despite a failed check adds `overrideSlot`.
 */
const slot = z.object({ roles: z.array(z.enum(ROLES)).min(1) }).strict();

export const withdrawalTierSchema = z
  .object({
    name: z.string().min(1).max(60),
    /** Upper bound of the band, in minor units of the base currency, inclusive; none: no bound. */
    upToBase: z.number().int().positive().optional(),
    /** Applies only to clients of these risk levels; none: any. */
    riskLevels: z.array(z.enum(['low', 'medium', 'high'])).min(1).optional(),
    slots: z.array(slot).min(1).max(5),
    slaHours: hours,
  })
  .strict();

export const withdrawalTiersSchema = z
  .object({
    baseCurrency: z.record(z.string().min(1), z.string().regex(/^[A-Z]{3}$/)),
    tiers: z.array(withdrawalTierSchema).min(1).refine((t) => t.at(-1)?.upToBase === undefined && t.at(-1)?.riskLevels === undefined, { message: 'the last tier must have no band and no risk condition, so that every withdrawal finds a tier' }),
    firstWithdrawalApprovers: z.number().int().min(1).max(5),
    /** The slot a first withdrawal adds when its tier has fewer. */
    extraSlot: slot,
    /** The slot added when someone approves despite a failed check. */
    overrideSlot: slot,
    checks: z
      .object({
        /** Withdrawals one client may request in 24 hours, and their total in the base currency (minor units). */
        maxPerDay: z.number().int().min(1).max(100),
        maxBasePerDay: z.number().int().positive(),
        /** A withdrawal within this many hours of deposits that cover most of it is flagged (deposit, then withdraw without trading). */
        depositThenWithdrawHours: hours,
        /** Percentage of the withdrawal the recent deposits must cover to be flagged. */
        depositThenWithdrawShare: z.number().int().min(1).max(100),
      })
      .strict(),
  })
  .strict();

export type WithdrawalTiersPolicy = z.infer<typeof withdrawalTiersSchema>;
export type WithdrawalTier = z.infer<typeof withdrawalTierSchema>;

const FINANCE = ['finance_officer', 'finance_manager'] as const;

export const DEFAULT_WITHDRAWAL_TIERS: WithdrawalTiersPolicy = {
  baseCurrency: { eu: 'EUR', global: 'USD' },
  tiers: [
    { name: 'high-risk client', riskLevels: ['high'], slots: [{ roles: ['finance_manager'] }, { roles: ['mlro'] }], slaHours: 48 },
    { name: 'up to 1,000', upToBase: 100_000, slots: [{ roles: [...FINANCE] }], slaHours: 24 },
    { name: 'up to 10,000', upToBase: 1_000_000, slots: [{ roles: [...FINANCE] }, { roles: ['finance_manager'] }], slaHours: 24 },
    { name: 'above 10,000', slots: [{ roles: ['finance_manager'] }, { roles: ['compliance_officer', 'senior_compliance_officer', 'mlro'] }], slaHours: 48 },
  ],
  firstWithdrawalApprovers: 2,
  extraSlot: { roles: [...FINANCE] },
  overrideSlot: { roles: ['finance_manager', 'senior_compliance_officer', 'mlro'] },
  checks: { maxPerDay: 5, maxBasePerDay: 5_000_000, depositThenWithdrawHours: 72, depositThenWithdrawShare: 80 },
};

export interface TierChoice {
  tier: string;
  slots: Array<{ roles: string[] }>;
  slaHours: number;
}

/** The tier a withdrawal falls in, with its slots after the first-withdrawal and override rules. */
export function chooseWithdrawalTier(policy: WithdrawalTiersPolicy, w: { baseMinor: bigint; riskLevel: string | null; first: boolean; override: boolean }): TierChoice {
  const tier = policy.tiers.find((t) => (t.upToBase === undefined || w.baseMinor <= BigInt(t.upToBase)) && (t.riskLevels === undefined || (w.riskLevel !== null && (t.riskLevels as string[]).includes(w.riskLevel))))!;
  const slots = tier.slots.map((s) => ({ roles: [...s.roles] as string[] }));
  while (w.first && slots.length < policy.firstWithdrawalApprovers) slots.push({ roles: [...policy.extraSlot.roles] });
  if (w.override) slots.push({ roles: [...policy.overrideSlot.roles] });
  return { tier: tier.name, slots, slaHours: tier.slaHours };
}

export { openSlots } from '../approvals/slots.js';
