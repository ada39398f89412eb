// The deposits list (finance, compliance): every deposit with its client and flags, the amount, the
// provider and method, where it stands, and the MT5 credit step; the pane shows the deposit with
// every provider event received for it.

import { QueueView, type QueueColumn } from '../shared/QueueView.js';
import { FlagCell } from '../shared/Flags.js';
import { labelCase, labelOf } from '../../../shared/labels.js';
import { DEPOSIT_STATUS_LABELS, PLATFORM_STEP_LABELS } from '../../../shared/payments/exceptions.js';
import { DEPOSIT_TABS } from './tabs.js';
import { DepositPane } from './DepositPane.js';
import { clientEvidence } from '../shared/evidence-column.js';

const amount = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en', { maximumFractionDigits: 3 }) : '');

const COLUMNS: QueueColumn<'deposits'>[] = [
  { field: 'ref', header: 'Deposit', width: 130, pinned: true, exact: true },
  { field: 'status', header: 'Status', width: 130, format: (v) => labelOf(DEPOSIT_STATUS_LABELS, String(v ?? '')), choices: DEPOSIT_STATUS_LABELS },
  { field: 'amount', header: 'Amount', width: 120, format: amount },
  { field: 'currency', header: 'Currency', width: 100, choices: 'cached' },
  { field: 'flags', header: 'Client flags', width: 200, cell: (v) => <FlagCell value={v} /> },
  { field: 'clientId', header: 'Client', width: 120, exact: true },
  { field: 'clientName', header: 'Client name', width: 180, pii: true },
  { field: 'provider', header: 'Provider', width: 110, choices: 'cached' },
  { field: 'method', header: 'Method', width: 130, format: (v) => labelCase(String(v ?? '')), choices: 'cached' },
  { field: 'paymentFlags', header: 'Payment flags', width: 200, format: (v) => labelCase(String(v ?? '')) },
  { field: 'failureCode', header: 'Failure', width: 150 },
  { field: 'platformStep', header: 'MT5 credit', width: 200, format: (v) => (v ? labelOf(PLATFORM_STEP_LABELS, String(v)) : '') },
  { field: 'providerTxId', header: 'Provider transaction', width: 180 },
  { field: 'legalEntity', header: 'Entity', width: 100, choices: 'entities' },
  { field: 'createdAt', header: 'Initiated (UTC)', width: 170 },
  { field: 'creditedAt', header: 'Credited (UTC)', width: 170 },
];

export function DepositsView({ offline }: { offline: boolean }) {
  return <QueueView view="deposits" evidence={clientEvidence} title="Deposits" columns={COLUMNS} tabs={DEPOSIT_TABS} paneClass="wide" defaultSort={[{ colId: 'createdAt', sort: 'desc' }]} detail={(row) => <DepositPane row={row} offline={offline} />} />;
}
