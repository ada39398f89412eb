import { describe, expect, it } from 'vitest';
import { PERMISSIONS, ROLE_LABELS, ROLE_PERMISSIONS, ROLES, roleLabel } from './permissions.js';

const has = (role: keyof typeof ROLE_PERMISSIONS, p: keyof typeof PERMISSIONS) => ROLE_PERMISSIONS[role].includes(p);

describe('least privilege of the broker roles', () => {
  it('names only permissions that exist', () => {
    for (const role of ROLES) for (const p of ROLE_PERMISSIONS[role]) expect(PERMISSIONS).toHaveProperty([p]);
  });

  it('keeps payments roles away from KYC outcomes', () => {
    for (const role of ['finance_officer', 'finance_manager'] as const) {
      for (const p of ['kyc.decide', 'kyc.decideHighRisk', 'kyc.override', 'kyc.review', 'screening.review'] as const) expect(has(role, p), `${role} ${p}`).toBe(false);
    }
  });

  it('keeps dealers away from banking details', () => {
    expect(has('dealer', 'banking.edit')).toBe(false);
    expect(has('dealing_manager', 'banking.edit')).toBe(false);
  });

  it('gives the administrator users and settings but no routine client PII', () => {
    expect(has('administrator', 'access.manage')).toBe(true);
    expect(has('administrator', 'settings.manage')).toBe(true);
    expect(has('administrator', 'clients.pii')).toBe(false);
    expect(has('administrator', 'clients.read')).toBe(false);
  });

  it('lets the auditor read everything, including the audit log, and export no PII', () => {
    expect(has('auditor', 'audit.read')).toBe(true);
    expect(has('auditor', 'clients.exportPii')).toBe(false);
    const writes = Object.keys(PERMISSIONS).filter((p) => !/\.(read|status|pii|verify)$/.test(p));
    expect(ROLE_PERMISSIONS.auditor.filter((p) => writes.includes(p))).toEqual([]);
  });

  it('shows support masked client data and case status only', () => {
    expect([...ROLE_PERMISSIONS.support].sort()).toEqual(['clients.read', 'entities.read', 'kyc.status']);
  });

  it('labels every role in words, and an unknown code without its underscores', () => {
    for (const role of ROLES) expect(roleLabel(role)).toBe(ROLE_LABELS[role]);
    expect(roleLabel('compliance_officer')).toBe('Compliance officer');
    expect(roleLabel('retired_role')).toBe('retired role');
  });
});
