// The withdrawal approval queue (finance, and compliance for its tiers): amount, client, risk,
// checks failed, tier, approvals given and needed, SLA; the pane holds the checklist and actions.

import { QueueView, type QueueColumn } from '../shared/QueueView.js';
import { FlagCell } from '../shared/Flags.js';
import { labelCase, labelOf } from '../../../shared/labels.js';
import { WITHDRAWAL_STATUS_LABELS } from '../../../shared/payments/withdrawals.js';
import { WITHDRAWAL_TABS } from './tabs.js';
import { WithdrawalPane } from './WithdrawalPane.js';
import { clientEvidence } from '../shared/evidence-column.js';

const COLUMNS: QueueColumn<'withdrawals'>[] = [
  { field: 'ref', header: 'Withdrawal', width: 130, pinned: true, exact: true },
  { field: 'status', header: 'Status', width: 150, format: (v) => labelOf(WITHDRAWAL_STATUS_LABELS, String(v ?? '')), choices: WITHDRAWAL_STATUS_LABELS },
  { field: 'amount', header: 'Amount', width: 120, format: (v) => (typeof v === 'number' ? v.toLocaleString('en', { maximumFractionDigits: 3 }) : '') },
  { field: 'currency', header: 'Currency', width: 100, choices: 'cached' },
  { field: 'flags', header: 'Client flags', width: 200, cell: (v) => <FlagCell value={v} /> },
  { field: 'clientId', header: 'Client', width: 120, exact: true },
  { field: 'clientName', header: 'Client name', width: 180, pii: true },
  { field: 'riskLevel', header: 'Risk', width: 90, format: (v) => labelCase(String(v ?? '')) },
  { field: 'checksFailed', header: 'Checks failed', width: 220, format: (v) => labelCase(String(v ?? '')) },
  { field: 'tier', header: 'Tier', width: 140, choices: 'cached' },
  { field: 'approvals', header: 'Approvals', width: 100 },
  { field: 'paymentFlags', header: 'Payment flags', width: 220, format: (v) => labelCase(String(v ?? '')) },
  { field: 'slaDueAt', header: 'SLA due (UTC)', width: 170 },
  { field: 'legalEntity', header: 'Entity', width: 100, choices: 'entities' },
  { field: 'provider', header: 'Provider', width: 110, choices: 'cached' },
  { field: 'createdAt', header: 'Requested (UTC)', width: 170 },
];

export function WithdrawalsView({ offline }: { offline: boolean }) {
  return <QueueView view="withdrawals" evidence={clientEvidence} title="Withdrawals" columns={COLUMNS} tabs={WITHDRAWAL_TABS} paneClass="wide" defaultSort={[{ colId: 'createdAt', sort: 'desc' }]} detail={(row) => <WithdrawalPane row={row} offline={offline} />} />;
}
