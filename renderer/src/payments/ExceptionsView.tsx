// The payment exceptions queue (finance): what reconciliation and the provider events found that a
// person must look at — kind, client, the deposit or withdrawal it is about, owner and SLA — with a
// pane to take one and resolve it with a code and a note.

import { QueueView, type QueueColumn } from '../shared/QueueView.js';
import { labelOf } from '../../../shared/labels.js';
import { EXCEPTION_KINDS, EXCEPTION_RESOLUTION_LABELS, EXCEPTION_STATUS_LABELS } from '../../../shared/payments/exceptions.js';
import { EXCEPTION_TABS } from './tabs.js';
import { ExceptionPane } from './ExceptionPane.js';
import { clientEvidence } from '../shared/evidence-column.js';

const COLUMNS: QueueColumn<'exceptions'>[] = [
  { field: 'ref', header: 'Exception', width: 130, pinned: true, exact: true },
  { field: 'status', header: 'Status', width: 110, format: (v) => labelOf(EXCEPTION_STATUS_LABELS, String(v ?? '')), choices: EXCEPTION_STATUS_LABELS },
  { field: 'kind', header: 'Kind', width: 260, format: (v) => labelOf(EXCEPTION_KINDS, String(v ?? '')), choices: EXCEPTION_KINDS },
  { field: 'subjectRef', header: 'About', width: 130, exact: true },
  { field: 'clientId', header: 'Client', width: 120, exact: true },
  { field: 'clientName', header: 'Client name', width: 180, pii: true },
  { field: 'summary', header: 'Summary', width: 360, pii: true },
  { field: 'owner', header: 'Owner', width: 130, choices: 'cached' },
  { field: 'slaDueAt', header: 'SLA due (UTC)', width: 170 },
  { field: 'provider', header: 'Provider', width: 110, choices: 'cached' },
  { field: 'legalEntity', header: 'Entity', width: 100, choices: 'entities' },
  { field: 'resolutionCode', header: 'Resolution', width: 200, format: (v) => (v ? labelOf(EXCEPTION_RESOLUTION_LABELS, String(v)) : '') },
  { field: 'createdAt', header: 'Opened (UTC)', width: 170 },
];

export function ExceptionsView({ offline }: { offline: boolean }) {
  return <QueueView view="exceptions" evidence={clientEvidence} title="Payment exceptions" columns={COLUMNS} tabs={EXCEPTION_TABS} paneClass="wide" defaultSort={[{ colId: 'slaDueAt', sort: 'asc' }]} detail={(row) => <ExceptionPane row={row} offline={offline} />} />;
}
