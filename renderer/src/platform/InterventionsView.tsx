// The dealing desk's intervention queue: type, login, client, amount or value, reason, requester,
// approvals, status and age, over the MT5 connector's state; a new request from the toolbar (n);
// the pane holds the case with MT5's state before and after and the deal.

import { useState } from 'react';
import { QueueView, type QueueColumn } from '../shared/QueueView.js';
import { FlagCell } from '../shared/Flags.js';
import { labelOf } from '../../../shared/labels.js';
import { INTERVENTION_STATUS_LABELS, INTERVENTION_TYPE_LABELS } from '../../../shared/platform/interventions.js';
import { notify } from '../shared/notices.js';
import { useAppDispatch, useAppSelector } from '../store.js';
import { useShortcuts } from '../shared/shortcuts.js';
import { INTERVENTION_TABS } from './tabs.js';
import { InterventionPane } from './InterventionPane.js';
import { Mt5Status } from './Mt5Status.js';
import { RequestForm } from './RequestForm.js';
import { operationEvidence } from '../shared/evidence-column.js';

/** How long ago, in the largest whole unit. */
function age(iso: string): string {
  const minutes = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 60_000));
  return minutes < 60 ? `${minutes} min` : minutes < 48 * 60 ? `${Math.floor(minutes / 60)} h` : `${Math.floor(minutes / 1440)} d`;
}

const COLUMNS: QueueColumn<'interventions'>[] = [
  { field: 'caseRef', header: 'Case', width: 120, pinned: true, exact: true },
  { field: 'status', header: 'Status', width: 160, format: (v) => labelOf(INTERVENTION_STATUS_LABELS, String(v ?? '')), choices: INTERVENTION_STATUS_LABELS },
  { field: 'type', header: 'Type', width: 170, format: (v) => labelOf(INTERVENTION_TYPE_LABELS, String(v ?? '')), choices: INTERVENTION_TYPE_LABELS },
  { field: 'login', header: 'MT5 login', width: 110 },
  { field: 'amount', header: 'Amount', width: 110, format: (v) => (typeof v === 'number' ? v.toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 3 }) : '') },
  { field: 'currency', header: 'Currency', width: 95, choices: 'cached' },
  { field: 'value', header: 'New value', width: 170 },
  { field: 'flags', header: 'Client flags', width: 190, cell: (v) => <FlagCell value={v} /> },
  { field: 'clientId', header: 'Client', width: 115, exact: true },
  { field: 'clientName', header: 'Client name', width: 170, pii: true },
  { field: 'reasonLabel', header: 'Reason', width: 240, choices: 'cached' },
  { field: 'requestedBy', header: 'Requested by', width: 130, choices: 'cached' },
  { field: 'approvals', header: 'Approvals', width: 100 },
  { field: 'operator', header: 'Operator', width: 120, choices: 'cached' },
  { field: 'dealTicket', header: 'Deal', width: 110, exact: true },
  { field: 'legalEntity', header: 'Entity', width: 90, choices: 'entities' },
  { field: 'createdAt', header: 'Requested (UTC), age', width: 210, format: (v) => (typeof v === 'string' ? `${v.replace('T', ' ').slice(0, 16)} · ${age(v)}` : '') },
  { field: 'slaDueAt', header: 'SLA due (UTC)', width: 170 },
];

/** The toolbar's button, and n from the queue (listed in the ? overlay with the pane's keys). */
function NewRequest({ offline, onOpen }: { offline: boolean; onOpen: () => void }) {
  const user = useAppSelector((s) => s.session.user);
  const may = user?.permissions.includes('interventions.request') ?? false;
  useShortcuts([{ key: 'n', label: 'New intervention request', run: onOpen, unavailable: !may ? 'your roles do not request interventions' : offline ? 'offline' : null }]);
  if (!may) return null;
  return (
    <button disabled={offline} onClick={onOpen} title="n">
      New request…
    </button>
  );
}

/** Each case's evidence: requester, approvers, operator, deal, MT5 before and after. */
const INTERVENTION_EVIDENCE = operationEvidence('caseRef');

export function InterventionsView({ offline }: { offline: boolean }) {
  const dispatch = useAppDispatch();
  const [requesting, setRequesting] = useState(false);
  return (
    <div className="view-with-form">
      <QueueView
        view="interventions"
        evidence={INTERVENTION_EVIDENCE}
        title="MT5 interventions"
        columns={COLUMNS}
        tabs={INTERVENTION_TABS}
        paneClass="wide"
        defaultSort={[{ colId: 'createdAt', sort: 'desc' }]}
        actions={<NewRequest offline={offline} onOpen={() => setRequesting(true)} />}
        banner={
          <>
            <Mt5Status />
            {requesting && (
              <RequestForm
                offline={offline}
                onCancel={() => setRequesting(false)}
                onDone={(caseRef) => {
                  setRequesting(false);
                  dispatch(notify(`${caseRef}: requested; it waits for approval`));
                }}
              />
            )}
          </>
        }
        detail={(row) => <InterventionPane row={row} offline={offline} />}
      />
    </div>
  );
}
