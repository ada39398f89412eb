// The first policy type: for each approval kind, ordered tiers (a CEL condition over the request
// -> the roles that may approve and how many distinct approvers are needed). The first tier whose
// condition holds applies; the last tier of a kind has no condition and catches the rest.

import { z } from 'zod';
import { ROLES } from '../access/permissions.js';
import { DomainError } from '../errors.js';
import { celReferences, evaluateCondition } from './cel.js';
import type { ConditionTrace } from './explain.js';

export const approvalTierSchema = z.object({
  name: z.string().min(1).max(60),
  when: z.string().min(1).max(2000).optional(),
  roles: z.array(z.enum(ROLES)).min(1),
  count: z.number().int().min(1).max(5),
  expiresInHours: z.number().int().min(1).max(24 * 30),
});

export const approvalTiersSchema = z.object({
  kinds: z.record(
    z.string().regex(/^[a-z]+\.[A-Za-z]+$/, 'an approval kind such as "access.grantRole"'),
    z.object({ tiers: z.array(approvalTierSchema).min(1) }).refine(
      (k) => k.tiers.at(-1)?.when === undefined,
      { message: 'the last tier must have no condition, so that every request finds a tier', path: ['tiers'] },
    ),
  ),
});

export type ApprovalTier = z.infer<typeof approvalTierSchema>;
export type ApprovalTiersPolicy = z.infer<typeof approvalTiersSchema>;

export const DEFAULT_APPROVAL_TIERS: ApprovalTiersPolicy = {
  kinds: {
    'access.grantRole': {
      tiers: [
        {
          name: 'privileged role',
          when: 'payload.role in ["administrator", "mlro", "auditor"]',
          roles: ['administrator'],
          count: 2,
          expiresInHours: 72,
        },
        { name: 'standard role', roles: ['administrator'], count: 1, expiresInHours: 72 },
      ],
    },
    'access.revokeRole': {
      tiers: [{ name: 'standard', roles: ['administrator'], count: 1, expiresInHours: 72 }],
    },
    'access.setUserStatus': {
      tiers: [{ name: 'standard', roles: ['administrator'], count: 1, expiresInHours: 24 }],
    },
    'access.revokeSession': {
      tiers: [{ name: 'standard', roles: ['administrator'], count: 1, expiresInHours: 4 }],
    },
    'audit.rotateSigningKey': {
      tiers: [{ name: 'key ceremony', roles: ['administrator', 'mlro'], count: 2, expiresInHours: 72 }],
    },
    'access.resetMfa': {
      tiers: [{ name: 'standard', roles: ['administrator'], count: 1, expiresInHours: 24 }],
    },
    'access.resetPassword': {
      tiers: [{ name: 'standard', roles: ['administrator'], count: 1, expiresInHours: 24 }],
    },
    'kyc.override': {
      tiers: [
        {
          name: 'high risk or overriding blockers',
          when: 'payload.riskLevel == "high" || size(payload.blockers) > 0',
          roles: ['mlro'],
          count: 1,
          expiresInHours: 72,
        },
        { name: 'standard', roles: ['senior_compliance_officer', 'mlro'], count: 1, expiresInHours: 72 },
      ],
    },
    'policies.publish': {
      tiers: [
        {
          name: 'approval rules',
          when: 'payload.policyType == "approvals.tiers"',
          roles: ['administrator', 'mlro'],
          count: 2,
          expiresInHours: 168,
        },
        { name: 'standard', roles: ['mlro', 'senior_compliance_officer', 'finance_manager'], count: 1, expiresInHours: 168 },
      ],
    },
  },
};

/** The first tier of the kind whose condition holds for the payload. */
export function selectTier(policy: ApprovalTiersPolicy, kind: string, payload: unknown): ApprovalTier {
  const tiers = policy.kinds[kind]?.tiers;
  if (!tiers) throw new DomainError('POLICY_INVALID', `The active approval tiers policy has no tiers for "${kind}".`);
  for (const tier of tiers) {
    if (tier.when === undefined || evaluateCondition(tier.when, { payload })) return tier;
  }
  throw new DomainError('POLICY_INVALID', `No tier of "${kind}" applies and the last tier has a condition.`);
}

/** The tiers tried for a request up to the one that applied, each with the payload fields its condition read (for the execution log). */
export function approvalTierTrace(policy: ApprovalTiersPolicy, kind: string, payload: unknown): ConditionTrace[] {
  const out: ConditionTrace[] = [];
  const fields = (payload ?? {}) as Record<string, unknown>;
  for (const tier of policy.kinds[kind]?.tiers ?? []) {
    if (tier.when === undefined) {
      out.push({ name: `tier "${tier.name}": no condition`, values: {}, result: true });
      break;
    }
    const result = evaluateCondition(tier.when, { payload });
    out.push({ name: `tier "${tier.name}": ${tier.when}`, values: Object.fromEntries(celReferences(tier.when).payloadFields.map((f) => [f, fields[f] ?? null])), result });
    if (result) break;
  }
  return out;
}
