// How codes read to people: one label map per closed set of codes, used by every view, and one
// fallback for codes without a map (every underscore becomes a space, not only the first).

import { STATUS_LABELS as CLIENT_STATUS_LABELS } from './clients/lifecycle.js';
import type { KycStatus } from './kyc/machine.js';
import { DECISION_LABELS } from './screening/schemas.js';

export const KYC_STATUS_LABELS: Record<KycStatus, string> = {
  open: 'Open',
  pending_documents: 'Pending documents',
  escalated: 'Escalated',
  approved: 'Approved',
  rejected: 'Rejected',
};

export const VERIFICATION_LABELS: Record<'not_started' | 'pending' | 'verified' | 'attention' | 'manual', string> = {
  not_started: 'Not started',
  pending: 'Pending',
  verified: 'Verified',
  attention: 'Needs attention',
  manual: 'Manual review',
};

export const SCREENING_STATUS_LABELS: Record<string, string> = {
  open: 'Open',
  ...DECISION_LABELS,
  not_screened: 'Not screened',
  clear: 'Clear',
  potential_match: 'Potential match',
  confirmed_match: 'Confirmed match',
};

export const RISK_LABELS: Record<'low' | 'medium' | 'high', string> = { low: 'Low', medium: 'Medium', high: 'High' };
export const SEVERITY_LABELS: Record<'low' | 'medium' | 'high' | 'critical', string> = { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' };
/** Alert kinds whose code does not read as words; the others are shown by labelCase. */
export const ALERT_KIND_LABELS: Record<string, string> = { 'policy.monitor': 'Rule monitor breached', 'policy.rollbackOverdue': 'Rule rollback overdue', mt5_unlinked_operation: 'MT5 operation with no case' };
export const APPROVAL_STATUS_LABELS: Record<string, string> = { pending: 'Pending', approved: 'Approved', rejected: 'Rejected', executed: 'Executed', failed: 'Failed', expired: 'Expired', cancelled: 'Cancelled' };

/** A code as words: "pending_documents" -> "pending documents". */
export function humanize(code: string): string {
  return code.replaceAll('_', ' ');
}

/** A code as a label starting with a capital: "critical" -> "Critical", "sanctions_match" -> "Sanctions match". */
export function labelCase(code: string): string {
  const words = humanize(code);
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** An alert's kind as words. */
export function alertKindLabel(kind: string): string {
  return Object.hasOwn(ALERT_KIND_LABELS, kind) ? ALERT_KIND_LABELS[kind]! : labelCase(kind);
}

/** The label of a code from its map, or the code as words where the map has none. */
export function labelOf(map: Readonly<Record<string, string>>, code: string | null | undefined): string {
  if (code === null || code === undefined || code === '') return '';
  return Object.hasOwn(map, code) ? map[code]! : humanize(code);
}

export { CLIENT_STATUS_LABELS };
