import { describe, expect, it } from 'vitest';
import { chooseWithdrawalTier, DEFAULT_WITHDRAWAL_TIERS as policy, openSlots } from '../policies/payments.js';
import { canWithdrawal, withdrawalActions } from './withdrawals.js';

describe('withdrawal tiers (the demo policy)', () => {
  const tier = (baseMinor: bigint, riskLevel: string | null = 'low', first = false, override = false) => chooseWithdrawalTier(policy, { baseMinor, riskLevel, first, override });

  it('chooses by amount in the base currency and by client risk', () => {
    expect(tier(100_000n)).toMatchObject({ tier: 'up to 1,000', slots: [{ roles: ['finance_officer', 'finance_manager'] }] });
    expect(tier(100_001n)).toMatchObject({ tier: 'up to 10,000', slots: [{ roles: ['finance_officer', 'finance_manager'] }, { roles: ['finance_manager'] }] });
    expect(tier(1_500_000n)).toMatchObject({ tier: 'above 10,000', slots: [{ roles: ['finance_manager'] }, { roles: ['compliance_officer', 'senior_compliance_officer', 'mlro'] }] });
    expect(tier(5_000n, 'high')).toMatchObject({ tier: 'high-risk client', slots: [{ roles: ['finance_manager'] }, { roles: ['mlro'] }] });
  });

  it('needs two people for a first withdrawal and one more for an override', () => {
    expect(tier(5_000n, 'low', true).slots).toHaveLength(2);
    expect(tier(500_000n, 'low', true).slots).toHaveLength(2);
    expect(tier(5_000n, 'low', false, true).slots).toEqual([{ roles: ['finance_officer', 'finance_manager'] }, { roles: ['finance_manager', 'senior_compliance_officer', 'mlro'] }]);
  });

  it('fills slots so that a manager never blocks an officer', () => {
    const slots = [{ roles: ['finance_officer', 'finance_manager'] }, { roles: ['finance_manager'] }];
    expect(openSlots(slots, [{ roles: ['finance_manager'] }])).toHaveLength(1);
    expect(openSlots(slots, [{ roles: ['finance_manager'] }, { roles: ['finance_officer'] }])).toEqual([]);
    expect(openSlots(slots, [{ roles: ['finance_officer'] }, { roles: ['finance_officer'] }])).toEqual([{ roles: ['finance_manager'] }]);
    expect(openSlots(slots, [{ roles: ['dealer'] }])).toEqual(slots);
  });
});

describe('withdrawal state machine', () => {
  it('offers each status only its actions', () => {
    expect(withdrawalActions('pending_approval')).toEqual(['approve', 'reject', 'hold']);
    expect(withdrawalActions('on_hold')).toEqual(['release', 'reject']);
    expect(canWithdrawal('needs_assistance', 'resolve')).toBe(true);
    for (const done of ['paid', 'rejected', 'failed', 'submitted', 'approved'] as const) expect(withdrawalActions(done)).toEqual([]);
    expect(canWithdrawal('paid', 'reject')).toBe(false);
  });
});
