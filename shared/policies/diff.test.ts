import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WITHDRAWAL_TIERS } from './payments.js';
import { diffPolicies, versionName } from './diff.js';

describe('named versions and structured diffs of rules', () => {
  it('names a version by its type in capitals and its number', () => {
    expect(versionName('payments.withdrawalTiers', 12)).toBe('PAYMENTS_WITHDRAWAL_TIERS_v12');
    expect(versionName('kyc.risk', 3)).toBe('KYC_RISK_v3');
  });

  it('says which band, which role and which setting changed, from what to what', () => {
    const draft = structuredClone(DEFAULT_WITHDRAWAL_TIERS);
    draft.tiers[1]!.upToBase = 600_000;
    draft.tiers[3]!.slots[1]!.roles = ['compliance_officer', 'mlro'];
    draft.firstWithdrawalApprovers = 1;
    expect(diffPolicies(DEFAULT_WITHDRAWAL_TIERS, draft)).toEqual([
      { path: 'firstWithdrawalApprovers', kind: 'changed', from: 2, to: 1 },
      { path: 'tiers["up to 1,000"].upToBase', kind: 'changed', from: 100_000, to: 600_000 },
      { path: 'tiers["above 10,000"].slots[1].roles', kind: 'removed', from: ['senior_compliance_officer'] },
    ]);
  });

  it('reads a tier inserted, removed or moved by its name, not as every later tier changing', () => {
    const draft = structuredClone(DEFAULT_WITHDRAWAL_TIERS);
    const [highRisk, ...rest] = draft.tiers;
    draft.tiers = [...rest.slice(0, 2), { name: 'up to 50,000', upToBase: 5_000_000, slots: [{ roles: ['finance_manager'] }], slaHours: 36 }, highRisk!, ...rest.slice(2)];
    const changes = diffPolicies(DEFAULT_WITHDRAWAL_TIERS, draft);
    expect(changes.filter((c) => c.kind === 'added').map((c) => c.path)).toEqual(['tiers["up to 50,000"]']);
    expect(changes.find((c) => c.path === 'tiers["high-risk client"]')).toEqual({ path: 'tiers["high-risk client"]', kind: 'changed', from: 'position 1', to: 'position 4' });
    expect(changes.some((c) => c.path.includes('upToBase'))).toBe(false);
  });

  it('finds no change between equal documents, and some between any two that differ', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(diffPolicies(a, structuredClone(a))).toEqual([]);
        if (JSON.stringify(a) !== JSON.stringify(b)) expect(diffPolicies(a, b).length).toBeGreaterThan(0);
      }),
    );
  });
});
