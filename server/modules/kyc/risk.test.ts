import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedDataPresent, SHARED_DATA_MISSING, dataFile } from '../../testing/shared-data.js';
import { DEFAULT_KYC_RISK, kycRiskSchema } from '../../../shared/policies/kyc.js';
import { assessRisk, countriesChangedBetween, countryListOn, countryListsFromFatf, type RiskInputs } from '../../../shared/kyc/risk.js';

const individual: RiskInputs = { type: 'individual', country: 'CY', nationality: 'CY', pep: false, screeningStatus: 'clear', paymentMethod: 'bank_transfer', sourceOfFunds: 'employment', parties: [] };

describe('risk scoring', () => {
  it('a clean individual paying by bank transfer from salary is low risk, with nothing in the breakdown', () => {
    const r = assessRisk(DEFAULT_KYC_RISK, 'kyc.risk@1', individual, '2026-03-02');
    expect(r).toMatchObject({ score: 0, level: 'low', factors: [], countryListDate: null });
  });

  it('adds each factor with its points and reason, and levels by the thresholds', () => {
    const r = assessRisk(DEFAULT_KYC_RISK, 'kyc.risk@1', { ...individual, pep: true, paymentMethod: 'crypto' }, '2026-03-02');
    expect(r.factors.map((f) => [f.factor, f.points])).toEqual([
      ['pep', 50],
      ['payment_method', 30],
    ]);
    expect(r).toMatchObject({ score: 80, level: 'high' });
    expect(assessRisk(DEFAULT_KYC_RISK, 'x', { ...individual, sourceOfFunds: 'gift', paymentMethod: 'card' }, '2026-03-02')).toMatchObject({ score: 25, level: 'medium' });
  });

  it('scores a corporate client on its parties: listed countries, no beneficial owner, complexity', () => {
    const policy = { ...DEFAULT_KYC_RISK, countryLists: [{ effectiveDate: '2026-01-01', source: 't', callForAction: ['IR'], increasedMonitoring: ['LB'] }] };
    const parties = [
      { name: 'A B', roles: ['director'], country: 'LB', nationality: 'LB', ownershipPercent: null },
      ...['C', 'D', 'E', 'F'].map((n) => ({ name: n, roles: ['shareholder'], country: 'CY', nationality: 'CY', ownershipPercent: 10 })),
    ];
    const r = assessRisk(policy, 'p', { ...individual, type: 'corporate', nationality: null, parties }, '2026-03-02');
    expect(r.factors.map((f) => f.factor)).toEqual(['client_type', 'corporate_party_country', 'corporate_no_ubo', 'corporate_complexity']);
    expect(r.score).toBe(10 + 20 + 25 + 5);
  });

  it('names the countries whose listing changes between two lists, moves between black and grey included', () => {
    const a = { effectiveDate: '2026-01-01', source: 'a', callForAction: ['IR', 'KP'], increasedMonitoring: ['LB', 'ZA'] };
    const b = { effectiveDate: '2026-06-01', source: 'b', callForAction: ['IR', 'KP', 'LB'], increasedMonitoring: ['NG'] };
    expect(countriesChangedBetween(a, b)).toEqual(['LB', 'NG', 'ZA']);
    expect(countriesChangedBetween(a, { ...a, effectiveDate: '2026-06-01' })).toEqual([]);
    expect(countriesChangedBetween(null, a)).toEqual(['IR', 'KP', 'LB', 'ZA']);
  });

  it('refuses a policy whose thresholds are upside down or whose checklist repeats a key', () => {
    expect(kycRiskSchema.safeParse({ ...DEFAULT_KYC_RISK, thresholds: { medium: 60, high: 50 } }).success).toBe(false);
    expect(kycRiskSchema.safeParse({ ...DEFAULT_KYC_RISK, edd: [DEFAULT_KYC_RISK.edd[1], DEFAULT_KYC_RISK.edd[1]] }).success).toBe(false);
  });
});

describe.skipIf(!sharedDataPresent)('FATF lists by effective date (../shared/data/country/fatf_lists.json)', () => {
  if (!sharedDataPresent) it.skip(SHARED_DATA_MISSING, () => undefined);
  const lists = () => countryListsFromFatf(JSON.parse(fs.readFileSync(dataFile('country', 'fatf_lists.json'), 'utf8')) as unknown);

  it('reads every plenary, keeping Namibia as NA', () => {
    const l = lists();
    expect(l.map((x) => x.effectiveDate)).toEqual(['2025-06-13', '2025-10-24', '2026-02-13', '2026-06-19']);
    expect(l[0]!.increasedMonitoring).toContain('NA');
    expect(kycRiskSchema.safeParse({ ...DEFAULT_KYC_RISK, countryLists: l }).success).toBe(true);
  });

  it('applies the list in force on the date: South Africa was grey in June 2025 and not after October 2025', () => {
    const policy = { ...DEFAULT_KYC_RISK, countryLists: lists() };
    expect(countryListOn(policy.countryLists, '2025-01-01')).toBeNull();
    const before = assessRisk(policy, 'p', { ...individual, country: 'ZA', nationality: 'ZA' }, '2025-07-01');
    expect(before.factors.map((f) => f.factor)).toEqual(['country_of_residence', 'nationality']);
    expect(before).toMatchObject({ score: 45, level: 'medium', countryListDate: '2025-06-13' });
    expect(assessRisk(policy, 'p', { ...individual, country: 'ZA', nationality: 'ZA' }, '2025-11-01')).toMatchObject({ score: 0, level: 'low', countryListDate: '2025-10-24' });
    expect(assessRisk(policy, 'p', { ...individual, country: 'IR' }, '2026-03-02')).toMatchObject({ level: 'high' });
    expect(countriesChangedBetween(countryListOn(policy.countryLists, '2025-07-01'), countryListOn(policy.countryLists, '2025-11-01'))).toContain('ZA');
  });
});
