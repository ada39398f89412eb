// Operations made directly on MT5 with no case, as the scan found them: deals (balance, credit,
// charge, correction, bonus) with their manager login and comment, and changes of group, leverage
// and rights. Each is linked to a case or escalated; the count and the oldest's age are on the tab.

import { QueueView, type QueueColumn } from '../shared/QueueView.js';
import { labelOf } from '../../../shared/labels.js';
import { UNLINKED_KIND_LABELS } from '../../../shared/platform/interventions.js';
import { MANAGER_OP_TABS } from './tabs.js';
import { ManagerOpPane } from './ManagerOpPane.js';
import { Mt5Status } from './Mt5Status.js';
import { operationEvidence } from '../shared/evidence-column.js';

const STATUS = { unlinked: 'No case yet', linked: 'Linked to a case', escalated: 'Escalated' } as const;

const COLUMNS: QueueColumn<'managerOps'>[] = [
  { field: 'dealId', header: 'Operation', width: 125, pinned: true, exact: true },
  { field: 'status', header: 'Status', width: 140, format: (v) => labelOf(STATUS, String(v ?? '')), choices: STATUS },
  { field: 'kind', header: 'What', width: 150, format: (v) => labelOf(UNLINKED_KIND_LABELS, String(v ?? '')), choices: UNLINKED_KIND_LABELS },
  { field: 'login', header: 'MT5 login', width: 110 },
  { field: 'amount', header: 'Amount', width: 110, format: (v) => (typeof v === 'number' ? v.toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 3 }) : '') },
  { field: 'currency', header: 'Currency', width: 95, choices: 'cached' },
  { field: 'change', header: 'Change', width: 170 },
  { field: 'dealer', header: 'MT5 manager', width: 120, choices: 'cached' },
  { field: 'comment', header: 'Comment on MT5', width: 170 },
  { field: 'dealTicket', header: 'Deal', width: 110, exact: true },
  { field: 'clientId', header: 'Client', width: 115, exact: true },
  { field: 'clientName', header: 'Client name', width: 170, pii: true },
  { field: 'caseRef', header: 'Case', width: 115, exact: true },
  { field: 'legalEntity', header: 'Entity', width: 90, choices: 'entities' },
  { field: 'at', header: 'On MT5 at (UTC)', width: 170 },
];

/** Each operation's evidence: what MT5 recorded and how it was explained. */
const MANAGER_OP_EVIDENCE = operationEvidence('dealId');

export function ManagerOpsView({ offline }: { offline: boolean }) {
  return <QueueView view="managerOps" evidence={MANAGER_OP_EVIDENCE} title="MT5 operations with no case" columns={COLUMNS} tabs={MANAGER_OP_TABS} paneClass="wide" defaultSort={[{ colId: 'at', sort: 'asc' }]} banner={<Mt5Status />} detail={(row) => <ManagerOpPane row={row} offline={offline} />} />;
}
