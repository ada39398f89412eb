import { describe, expect, it } from 'vitest';
import { CorruptRowError, JSON_COLUMNS, readJson } from './json.js';

describe('JSON columns', () => {
  it('reads a value that fits its column', () => {
    expect(readJson(JSON_COLUMNS.documentTypes, '["passport","proof_of_address"]', 'kyc_cases.requested_json of KYC-000001')).toEqual(['passport', 'proof_of_address']);
    expect(readJson(JSON_COLUMNS.statusSeconds, '{"open":12.5}', 'x')).toEqual({ open: 12.5 });
  });

  it('names the column and what is wrong when a row does not fit', () => {
    expect(() => readJson(JSON_COLUMNS.documentTypes, '["passport","selfie"]', 'kyc_cases.requested_json of KYC-000001')).toThrow(CorruptRowError);
    expect(() => readJson(JSON_COLUMNS.documentTypes, '["passport","selfie"]', 'kyc_cases.requested_json of KYC-000001')).toThrow(/kyc_cases.requested_json of KYC-000001 does not hold what it should: 1: /);
    expect(() => readJson(JSON_COLUMNS.userIds, 'not json', 'role_grants.approved_by of GRT-000001')).toThrow('role_grants.approved_by of GRT-000001 does not hold JSON.');
  });

  it('reads a withdrawal\'s tier and checks, and refuses a tier that lost its slots', () => {
    const tier = { tier: 'up to 1,000', slots: [{ roles: ['finance_officer'] }], slaHours: 24, override: false };
    expect(readJson(JSON_COLUMNS.withdrawalTier, JSON.stringify(tier), 'w')).toEqual(tier);
    expect(() => readJson(JSON_COLUMNS.withdrawalTier, JSON.stringify({ ...tier, slots: undefined }), 'withdrawals.tier_json of WD-000001')).toThrow(/withdrawals.tier_json of WD-000001 does not hold what it should: slots: /);
    const check = { code: 'sanctions', label: 'Sanctions', outcome: 'passed', blocking: true, detail: 'no open hit', data: { hits: 0 } };
    expect(readJson(JSON_COLUMNS.withdrawalChecks, JSON.stringify([check]), 'w')).toEqual([check]);
    expect(() => readJson(JSON_COLUMNS.withdrawalChecks, JSON.stringify([{ ...check, outcome: 'maybe' }]), 'withdrawals.checks_json of WD-000001')).toThrow(/0\.outcome: /);
  });
});
