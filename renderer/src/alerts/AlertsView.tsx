// Compliance and risk alerts for the roles they are raised for (a confirmed sanctions match raises
// one for the MLRO): the queue, and the alert pane where it is taken, acknowledged and closed.

import { QueueView, type QueueColumn } from '../shared/QueueView.js';
import { ALERT_TABS } from './tabs.js';
import { FlagCell } from '../shared/Flags.js';
import { AlertPane } from './AlertPane.js';
import { alertKindLabel, labelCase, labelOf, SEVERITY_LABELS } from '../../../shared/labels.js';
import { ALERT_STATUS_LABELS } from '../../../shared/alerts/workflow.js';
import { roleLabel } from '../../../shared/access/permissions.js';
import { clientEvidence } from '../shared/evidence-column.js';

const COLUMNS: QueueColumn<'alerts'>[] = [
  { field: 'id', header: 'Alert', width: 120, pinned: true, exact: true },
  { field: 'status', header: 'Status', width: 130, format: (v) => labelOf(ALERT_STATUS_LABELS, String(v ?? '')), choices: ALERT_STATUS_LABELS },
  { field: 'severity', header: 'Severity', width: 110, format: (v) => labelCase(String(v ?? '')), choices: SEVERITY_LABELS },
  { field: 'kind', header: 'Kind', width: 160, format: (v) => alertKindLabel(String(v ?? '')) },
  { field: 'flags', header: 'Client flags', width: 230, cell: (v) => <FlagCell value={v} /> },
  { field: 'summary', header: 'Summary', width: 420 },
  { field: 'clientId', header: 'Client', width: 120, exact: true },
  { field: 'clientName', header: 'Client name', width: 180, pii: true },
  { field: 'assignee', header: 'Taken by', width: 140, choices: 'cached' },
  { field: 'legalEntity', header: 'Entity', width: 100, choices: 'entities' },
  { field: 'forRole', header: 'Raised for', width: 130, format: (v) => roleLabel(String(v ?? '')) },
  { field: 'sourceRef', header: 'Source case', width: 130 },
  { field: 'createdAt', header: 'Raised (UTC)', width: 170 },
];

export function AlertsView({ offline }: { offline: boolean }) {
  return <QueueView view="alerts" evidence={clientEvidence} title="Alerts" columns={COLUMNS} tabs={ALERT_TABS} paneClass="wide" defaultSort={[{ colId: 'createdAt', sort: 'desc' }]} detail={(row) => <AlertPane row={row} offline={offline} />} />;
}
