// Where a user lands: the view they had open last, if they may still see it; otherwise their own
// work by role (compliance on KYC, the MLRO on alerts, finance on withdrawals, dealers on MT5
// interventions, administrators on
// access, auditors on the audit log), otherwise the first view they may see.

import type { Role } from '../../../shared/access/permissions.js';
import type { ViewId } from './ui.js';

const BY_ROLE: Array<[Role, ViewId]> = [
  ['mlro', 'alerts'],
  ['finance_manager', 'withdrawals'],
  ['finance_officer', 'withdrawals'],
  ['dealing_manager', 'interventions'],
  ['dealer', 'interventions'],
  ['senior_compliance_officer', 'kyc'],
  ['compliance_officer', 'kyc'],
  ['administrator', 'access'],
  ['auditor', 'audit'],
  ['support', 'lookup'],
];

export function landingView(roles: readonly string[], allowed: readonly ViewId[], last: string | null): ViewId | null {
  if (last && (allowed as readonly string[]).includes(last)) return last as ViewId;
  for (const [role, view] of BY_ROLE) if (roles.includes(role) && allowed.includes(view)) return view;
  return allowed[0] ?? null;
}
