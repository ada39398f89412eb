import { describe, expect, it } from 'vitest';
import { landingView } from './landing.js';

describe('where a user lands', () => {
  const all = ['kyc', 'screening', 'alerts', 'audit', 'access'] as const;

  it('on their own work by role', () => {
    expect(landingView(['compliance_officer'], all, null)).toBe('kyc');
    expect(landingView(['mlro'], all, null)).toBe('alerts');
    expect(landingView(['administrator'], ['audit', 'access'], null)).toBe('access');
    expect(landingView(['auditor'], ['kyc', 'audit'], null)).toBe('audit');
    expect(landingView(['finance_officer'], ['withdrawals', 'audit', 'lookup'], null)).toBe('withdrawals');
    expect(landingView(['finance_manager'], ['withdrawals', 'lookup'], null)).toBe('withdrawals');
  });

  it('on the view they had open last, while they may still see it', () => {
    expect(landingView(['compliance_officer'], all, 'screening')).toBe('screening');
    expect(landingView(['compliance_officer'], ['kyc'], 'access')).toBe('kyc');
  });

  it('on the first view they may see when no role says, and nowhere without views', () => {
    expect(landingView(['risk_officer'], ['alerts', 'audit'], null)).toBe('alerts');
    expect(landingView(['dealer'], [], null)).toBeNull();
    expect(landingView(['dealer'], ['lookup', 'interventions', 'unlinked'], null)).toBe('interventions');
    expect(landingView(['dealing_manager'], ['interventions', 'unlinked', 'lookup'], null)).toBe('interventions');
  });
});
