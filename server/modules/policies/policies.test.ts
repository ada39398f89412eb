import { describe, expect, it } from 'vitest';
import { DEFAULT_APPROVAL_TIERS, selectTier } from '../../../shared/policies/approval-tiers.js';
import { DomainError } from '../../../shared/errors.js';
import { validatePolicyDocument } from './service.js';

describe('approval tiers policy', () => {
  it('accepts the shipped default', () => {
    expect(validatePolicyDocument('approvals.tiers', DEFAULT_APPROVAL_TIERS)).toEqual(DEFAULT_APPROVAL_TIERS);
  });

  it('selects the first tier whose CEL condition holds', () => {
    expect(selectTier(DEFAULT_APPROVAL_TIERS, 'access.grantRole', { role: 'mlro' }).name).toBe('privileged role');
    expect(selectTier(DEFAULT_APPROVAL_TIERS, 'access.grantRole', { role: 'dealer' }).name).toBe('standard role');
  });

  it('compares whole numbers in conditions as integers', () => {
    const policy = { kinds: { 'payments.withdrawal': { tiers: [
      { name: 'large', when: 'payload.amountMinor >= 1000000', roles: ['finance_manager' as const], count: 2, expiresInHours: 24 },
      { name: 'small', roles: ['finance_officer' as const], count: 1, expiresInHours: 24 },
    ] } } };
    expect(selectTier(policy, 'payments.withdrawal', { amountMinor: 2_500_000 }).name).toBe('large');
    expect(selectTier(policy, 'payments.withdrawal', { amountMinor: 999_999 }).name).toBe('small');
  });

  it('refuses a kind whose last tier has a condition, naming where', () => {
    const bad = { kinds: { 'access.grantRole': { tiers: [{ name: 'only', when: 'true', roles: ['administrator'], count: 1, expiresInHours: 1 }] } } };
    expect(() => validatePolicyDocument('approvals.tiers', bad)).toThrow(/kinds\.access\.grantRole\.tiers: the last tier must have no condition/);
  });

  it('refuses a condition that does not parse, and an unknown role', () => {
    const badCel = structuredClone(DEFAULT_APPROVAL_TIERS);
    badCel.kinds['access.grantRole']!.tiers[0]!.when = 'payload.role ==';
    expect(() => validatePolicyDocument('approvals.tiers', badCel)).toThrow(DomainError);
    const badRole = { kinds: { 'access.grantRole': { tiers: [{ name: 'x', roles: ['wizard'], count: 1, expiresInHours: 1 }] } } };
    expect(() => validatePolicyDocument('approvals.tiers', badRole)).toThrow(/tiers\.0\.roles\.0/);
  });
});
