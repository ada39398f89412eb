// One operation found on MT5 with no case: what was done on which login, by which MT5 manager login,
// when and with what comment; and the two ways it leaves the queue: linked to an intervention case
// on the same login with a reason (l), or escalated to compliance as an incident (e).

import { useEffect, useRef, useState } from 'react';
import type { CacheRow } from '../../../shared/desktop/views.js';
import { RecordDetail } from '../shared/Fields.js';
import { PaneStatus, useHostAction } from '../shared/host.js';
import { TimelineToggle } from '../shared/ClientTimeline.js';
import { notify } from '../shared/notices.js';
import { recordOf } from '../shared/records.js';
import { useShortcuts } from '../shared/shortcuts.js';
import { ActionForm } from '../shared/ActionForm.js';
import { useAppDispatch, useAppSelector } from '../store.js';

const time = (iso: string | null) => (iso ? `${iso.replace('T', ' ').slice(0, 19)} UTC` : null);

export function ManagerOpPane({ row, offline }: { row: CacheRow; offline: boolean }) {
  const dispatch = useAppDispatch();
  const user = useAppSelector((s) => s.session.user);
  const op = recordOf('managerOps', row);
  const link = useHostAction('interventions.link');
  const escalate = useHostAction('interventions.escalate');
  const [form, setForm] = useState<'link' | 'escalate' | null>(null);
  const [caseRef, setCaseRef] = useState('');
  const [reason, setReason] = useState('');
  const first = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const paneRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    setForm(null);
    setCaseRef('');
    setReason('');
  }, [op.dealId]);
  useEffect(() => {
    if (form) first.current?.focus();
  }, [form]);
  const open = op.status === 'unlinked';
  const unavailable = !open ? `it is ${op.status} already` : offline ? 'offline' : !user?.permissions.includes('interventions.link') ? 'your roles do not link MT5 operations' : null;
  useShortcuts([
    { key: 'l', label: 'Link to a case', run: () => setForm('link'), unavailable },
    { key: 'e', label: 'Escalate to compliance', run: () => setForm('escalate'), unavailable: unavailable ?? (op.legalEntity ? null : 'the login belongs to no legal entity') },
  ]);
  const done = (text: string) => {
    dispatch(notify(`${op.dealId}: ${text}`));
    setForm(null);
    paneRef.current?.focus();
  };
  const submit = async () => {
    if (form === 'link') {
      if (await link.run({ dealId: op.dealId, caseRef: caseRef.trim().toUpperCase(), reason: reason.trim() })) done(`linked to ${caseRef.trim().toUpperCase()}`);
    } else if (form === 'escalate') {
      const r = await escalate.run({ dealId: op.dealId, reason: reason.trim() });
      if (r) done(`escalated: alert ${r.alertId} raised for compliance`);
    }
  };
  const what = op.dealTicket ? `${op.kindLabel} ${op.amount ?? ''} ${op.currency ?? ''}` : `${op.kindLabel}: ${op.valueBefore ?? '?'} \u2192 ${op.valueAfter ?? '?'}`;
  return (
    <div ref={paneRef} tabIndex={-1} className="manager-op-pane">
      <RecordDetail
        title={`${op.dealId} · ${what} · login ${op.login}`}
        lead={open ? `Made on MT5 with no case ${op.ageHours} h ago: link it to the case that explains it, or escalate it.` : null}
        fields={{
          'MT5 login': String(op.login),
          Client: op.clientId ? `${op.clientId}${op.clientName ? ` · ${op.clientName}` : ''}` : 'no client of the back office',
          Entity: op.legalEntity ?? 'none mapped',
          'Deal ticket': op.dealTicket,
          'MT5 manager': op.dealer ?? 'not recorded by MT5 (an account change)',
          'Comment on MT5': op.comment || null,
          'On MT5 at': time(op.at),
          'Found at': time(op.foundAt),
          Case: op.caseRef,
          Alert: op.alertId,
          Decided: op.decidedBy ? `${op.decidedBy} at ${time(op.decidedAt)}` : null,
          Reason: op.reason,
        }}
      />
      {form === null && open && (
        <div className="buttons" role="group" aria-label="Actions">
          <button disabled={unavailable !== null} title={unavailable ?? 'l'} onClick={() => setForm('link')}>
            Link to a case…
          </button>
          <button disabled={unavailable !== null || !op.legalEntity} title={unavailable ?? 'e'} onClick={() => setForm('escalate')}>
            Escalate…
          </button>
        </div>
      )}
      {form && (
        <ActionForm label={form === 'link' ? 'Link to a case' : 'Escalate to compliance'} onSubmit={() => void submit()}>
          {form === 'link' && (
            <label>
              Intervention case on login {op.login}
              <input ref={first} value={caseRef} placeholder="INT-000123" onChange={(e) => setCaseRef(e.target.value)} />
            </label>
          )}
          <label>
            {form === 'link' ? 'How the case explains it' : 'Why nobody can explain it'} (at least 10 characters)
            <textarea ref={form === 'escalate' ? first : undefined} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          <div className="buttons">
            <button type="submit" disabled={offline || link.busy || escalate.busy || reason.trim().length < 10 || (form === 'link' && !/^INT-\d{6,}$/i.test(caseRef.trim()))} title="Ctrl+Enter">
              {form === 'link' ? 'Link' : 'Escalate'}
            </button>
            <button type="button" className="link" onClick={() => setForm(null)}>
              Cancel
            </button>
          </div>
        </ActionForm>
      )}
      <PaneStatus loading={false} error={link.error ?? escalate.error} what={op.dealId} />
      {op.clientId && <TimelineToggle clientId={op.clientId} />}
    </div>
  );
}
