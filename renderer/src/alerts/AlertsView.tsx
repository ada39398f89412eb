// Compliance and risk alerts for the roles they are raised for (a confirmed sanctions match raises
// one for the MLRO): the queue, and the alert with its source case and details.

import type { CacheRow } from '../../../shared/desktop/views.js';
import { QueueView, type QueueColumn } from '../shared/QueueView.js';
import { ALERT_TABS } from './tabs.js';
import { humanize } from '../../../shared/labels.js';
import { recordOf } from '../shared/records.js';
import { RecordDetail } from '../shared/Fields.js';

const COLUMNS: QueueColumn<'alerts'>[] = [
  { field: 'id', header: 'Alert', width: 120 },
  { field: 'status', header: 'Status', width: 100 },
  { field: 'severity', header: 'Severity', width: 110 },
  { field: 'kind', header: 'Kind', width: 150, format: (v) => humanize(String(v ?? '')) },
  { field: 'summary', header: 'Summary', width: 420 },
  { field: 'clientId', header: 'Client', width: 110 },
  { field: 'clientName', header: 'Client name', width: 180 },
  { field: 'legalEntity', header: 'Entity', width: 90 },
  { field: 'forRole', header: 'For', width: 90 },
  { field: 'sourceRef', header: 'Source', width: 120 },
  { field: 'createdAt', header: 'Raised (UTC)', width: 170 },
];

function AlertDetail({ row }: { row: CacheRow }) {
  const a = recordOf('alerts', row);
  const fields = {
    Client: a.clientId ? `${a.clientId}${a.clientName ? ` · ${a.clientName}` : ''}` : null,
    Entity: a.legalEntity,
    For: a.forRole.toUpperCase(),
    Source: a.sourceRef,
    Raised: `${a.createdAt.replace('T', ' ').slice(0, 19)} UTC`,
    ...a.details,
  };
  return <RecordDetail title={`${a.id} · ${a.severity} · ${a.status}`} lead={a.summary} fields={fields} />;
}

export function AlertsView() {
  return <QueueView view="alerts" title="Alerts" columns={COLUMNS} tabs={ALERT_TABS} defaultSort={[{ colId: 'createdAt', sort: 'desc' }]} detail={(row) => <AlertDetail row={row} />} />;
}
