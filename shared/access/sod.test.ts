import { describe, expect, it } from 'vitest';
import { sodWarnings } from './sod.js';

describe('segregation of duties', () => {
  it('warns when a person would both decide KYC and approve payments, in any entity', () => {
    expect(sodWarnings([{ role: 'compliance_officer', legalEntity: 'eu' }], { role: 'finance_officer' })).toEqual([
      'Segregation of duties: Finance officer approves payments, and this person already holds Compliance officer in eu, which decides KYC cases.',
    ]);
    expect(sodWarnings([{ role: 'finance_manager', legalEntity: 'global' }], { role: 'dealer' })).toHaveLength(1);
  });

  it('says nothing for roles of one duty, or roles outside the conflicting duties', () => {
    expect(sodWarnings([{ role: 'compliance_officer', legalEntity: 'eu' }], { role: 'mlro' })).toEqual([]);
    expect(sodWarnings([{ role: 'auditor', legalEntity: 'eu' }], { role: 'finance_officer' })).toEqual([]);
    expect(sodWarnings([{ role: 'dealer', legalEntity: 'eu' }], { role: 'compliance_officer' })).toEqual([]);
  });
});
