// `policies.changeControl` (issue 19): how each rule type is changed, by its blast radius. Every
// policy type has a risk tier and owning roles; each tier has an approval chain (named slots, each
// filled by a different person holding one of the slot's roles), whether a dry run must come with a
// submission and over how many days of history, and the hours in which a release may not go live.
// The tier of each type is itself in this document, which is a tier-3 type: changing who may change
// what needs the whole chain.

import { z } from 'zod';
import { ROLES, type Role } from '../access/permissions.js';

const role = z.enum(ROLES);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a UTC time as HH:MM');

export const chainSlotSchema = z.object({ name: z.string().min(1).max(40), roles: z.array(role).min(1) }).strict();

/** A span of UTC hours on some weekdays (0 Sunday … 6 Saturday) in which no release goes live. */
export const blackoutSchema = z
  .object({ days: z.array(z.number().int().min(0).max(6)).min(1), from: hhmm, to: hhmm, why: z.string().min(3).max(200) })
  .strict()
  .refine((b) => b.from < b.to, { message: 'from must be before to (a span within one UTC day)', path: ['to'] });

export const changeTierSchema = z
  .object({
    /** Slots after the type's owner; the owner slot always comes first. */
    chain: z.array(chainSlotSchema).max(6),
    /** A submission carries a dry run over at least this many days (0: none needed). */
    dryRunDays: z.number().int().min(0).max(366),
    blackouts: z.array(blackoutSchema).max(14),
    expiresInHours: z.number().int().min(1).max(24 * 30),
  })
  .strict();

export const changeControlSchema = z
  .object({
    types: z.record(z.string().regex(/^[a-z]+\.[A-Za-z]+$/), z.object({ tier: z.union([z.literal(1), z.literal(2), z.literal(3)]), owner: z.array(role).min(1) }).strict()),
    tiers: z.object({ '1': changeTierSchema, '2': changeTierSchema, '3': changeTierSchema }).strict(),
    /** A rollback republishes an earlier version at once: one person of these roles, no release window. */
    rollback: z
      .object({
        roles: z.array(role).min(1),
        expiresInHours: z.number().int().min(1).max(72),
        /** minutes from the request to the rollback in force; a request still pending after them is escalated (absent in versions before it: 15) */
        targetMinutes: z.number().int().min(1).max(240).optional(),
      })
      .strict(),
    /** Promoting a canary to everyone: one person of these roles (the tier's blackouts apply). */
    promotion: z.object({ roles: z.array(role).min(1) }).strict(),
  })
  .strict();

export type ChangeControlPolicy = z.infer<typeof changeControlSchema>;
export type ChainSlot = z.infer<typeof chainSlotSchema>;
export type ChangeTier = 1 | 2 | 3;

const MAINTAINER: ChainSlot = { name: 'maintainer', roles: ['administrator'] };
const COMPLIANCE: ChainSlot = { name: 'compliance', roles: ['compliance_officer', 'senior_compliance_officer', 'mlro'] };
const FINANCE_OR_RISK: ChainSlot = { name: 'finance or risk', roles: ['finance_manager', 'risk_officer'] };
const PEAK_PAYMENTS = { days: [1, 2, 3, 4, 5], from: '07:00', to: '19:00', why: 'peak payment hours (weekdays 07:00 to 19:00 UTC)' };

export const DEFAULT_CHANGE_CONTROL: ChangeControlPolicy = {
  types: {
    'approvals.tiers': { tier: 3, owner: ['administrator', 'mlro'] },
    'screening.thresholds': { tier: 2, owner: ['mlro'] },
    'kyc.risk': { tier: 2, owner: ['mlro'] },
    'kyc.review': { tier: 2, owner: ['mlro', 'senior_compliance_officer'] },
    'payments.deposits': { tier: 3, owner: ['finance_manager'] },
    'payments.withdrawalTiers': { tier: 3, owner: ['finance_manager'] },
    'platform.interventionTiers': { tier: 3, owner: ['dealing_manager', 'finance_manager'] },
    'platform.accounts': { tier: 3, owner: ['dealing_manager'] },
    'policies.changeControl': { tier: 3, owner: ['mlro'] },
    'policies.monitors': { tier: 2, owner: ['mlro', 'finance_manager'] },
  },
  tiers: {
    '1': { chain: [MAINTAINER], dryRunDays: 0, blackouts: [], expiresInHours: 168 },
    '2': { chain: [MAINTAINER, COMPLIANCE], dryRunDays: 7, blackouts: [], expiresInHours: 168 },
    '3': { chain: [MAINTAINER, COMPLIANCE, FINANCE_OR_RISK], dryRunDays: 30, blackouts: [PEAK_PAYMENTS], expiresInHours: 168 },
  },
  rollback: { roles: ['mlro', 'senior_compliance_officer', 'finance_manager', 'risk_officer', 'administrator'], expiresInHours: 4, targetMinutes: 15 },
  promotion: { roles: ['finance_manager', 'mlro', 'senior_compliance_officer', 'dealing_manager', 'administrator'] },
};

/** How soon a requested rollback should be in force. */
export function rollbackTargetMinutes(policy: ChangeControlPolicy): number {
  return policy.rollback.targetMinutes ?? 15;
}

/** A type with no entry (one added by a later release) is treated as tier 3 owned by the MLRO until classified. */
export function classify(policy: ChangeControlPolicy, type: string): { tier: ChangeTier; owner: Role[]; rules: z.infer<typeof changeTierSchema>; chain: ChainSlot[] } {
  const entry = policy.types[type] ?? { tier: 3 as const, owner: ['mlro' as const] };
  const rules = policy.tiers[String(entry.tier) as '1' | '2' | '3'];
  return { tier: entry.tier, owner: entry.owner, rules, chain: [{ name: 'owner', roles: entry.owner }, ...rules.chain] };
}

/** The blackout `at` falls in, if any, with the time it ends. */
export function blackoutAt(blackouts: z.infer<typeof blackoutSchema>[], at: string): { why: string; endsAt: string } | null {
  const d = new Date(at);
  const hm = at.slice(11, 16);
  for (const b of blackouts) {
    if (b.days.includes(d.getUTCDay()) && hm >= b.from && hm < b.to) return { why: b.why, endsAt: `${at.slice(0, 10)}T${b.to}:00.000Z` };
  }
  return null;
}

/**
 * The rule types read per subject: a canary of one decides for the withdrawals, interventions,
 * client risk scores and approval requests in its segment. The others are read once for everyone,
 * so a canary of them is refused (CANARY_REFUSED says why, per type).
 */
export const CANARY_TYPES: readonly string[] = ['payments.withdrawalTiers', 'platform.interventionTiers', 'kyc.risk', 'approvals.tiers'];

export const CANARY_REFUSED: Readonly<Record<string, string>> = {
  'kyc.review': 'its SLA hours, sweeps and reminders run over the whole queue at once',
  'screening.thresholds': 'a list import screens every client against one version',
  'payments.deposits': 'provider events are matched and aged before their client is known',
  'platform.accounts': 'account types are offered per legal entity, not per client',
  'policies.changeControl': 'it governs the changes themselves',
  'policies.monitors': 'monitors measure whole legal entities',
};
