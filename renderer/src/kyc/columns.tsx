// The KYC queue's columns: what the grid shows of each case, with times as hours and days.

import { KYC_STATUS_LABELS, labelOf, RISK_LABELS, VERIFICATION_LABELS } from '../../../shared/labels.js';
import type { QueueColumn } from '../shared/QueueView.js';
import { FlagCell } from '../shared/Flags.js';
import { hoursText } from '../../../shared/time.js';

const HOUR = 3_600_000;

function hoursFromNow(iso: unknown): string {
  if (typeof iso !== 'string' || !iso) return '';
  const h = (Date.parse(iso) - Date.now()) / HOUR;
  return h < 0 ? `overdue ${hoursText(h)}` : hoursText(h);
}

function age(iso: unknown): string {
  if (typeof iso !== 'string' || !iso) return '';
  const h = (Date.now() - Date.parse(iso)) / HOUR;
  return h >= 48 ? `${Math.floor(h / 24)} d` : `${Math.floor(h)} h`;
}

export const KYC_COLUMNS: QueueColumn<'kyc'>[] = [
  { field: 'caseRef', header: 'Case', width: 120, pinned: true, exact: true },
  { field: 'status', header: 'Status', width: 150, format: (v) => labelOf(KYC_STATUS_LABELS, String(v ?? '')), choices: KYC_STATUS_LABELS },
  { field: 'flags', header: 'Flags', width: 250, cell: (v) => <FlagCell value={v} /> },
  { field: 'riskLevel', header: 'Risk', width: 90, format: (v) => labelOf(RISK_LABELS, String(v ?? '')) || '—', choices: RISK_LABELS },
  { field: 'riskScore', header: 'Score', width: 95 },
  { field: 'clientName', header: 'Client', width: 190, pii: true },
  { field: 'country', header: 'Country', width: 110 },
  { field: 'legalEntity', header: 'Entity', width: 100, choices: 'entities' },
  { field: 'createdAt', header: 'Age', width: 90, format: age },
  { field: 'slaDueAt', header: 'SLA left', width: 115, format: hoursFromNow },
  { field: 'verification', header: 'Provider check', width: 160, format: (v) => labelOf(VERIFICATION_LABELS, String(v ?? '')), choices: VERIFICATION_LABELS },
  { field: 'assignee', header: 'Assignee', width: 140, choices: 'cached' },
  { field: 'clientId', header: 'Client ref', width: 130, exact: true },
];
