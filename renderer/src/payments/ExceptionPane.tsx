// One payment exception: what was found and its evidence (the details the finder recorded, in
// words), who owns it and the SLA, and the two steps open while it is open: take it (t) and resolve
// it with a code and a note (s). The record comes from the cache; the feed brings every change.

import { useEffect, useRef, useState } from 'react';
import type { CacheRow } from '../../../shared/desktop/views.js';
import { labelOf } from '../../../shared/labels.js';
import { EXCEPTION_RESOLUTION_LABELS, EXCEPTION_STATUS_LABELS } from '../../../shared/payments/exceptions.js';
import type { EXCEPTION_RESOLUTIONS } from '../../../shared/payments/schemas.js';
import { RecordDetail } from '../shared/Fields.js';
import { PaneStatus, useHostAction } from '../shared/host.js';
import { TimelineToggle } from '../shared/ClientTimeline.js';
import { notify } from '../shared/notices.js';
import { recordOf } from '../shared/records.js';
import { useShortcuts } from '../shared/shortcuts.js';
import { ActionForm } from '../shared/ActionForm.js';
import { useAppDispatch, useAppSelector } from '../store.js';

type ResolutionCode = (typeof EXCEPTION_RESOLUTIONS)[number];
const time = (iso: string | null) => (iso ? `${iso.replace('T', ' ').slice(0, 19)} UTC` : null);

function ResolveForm({ exceptionRef, offline, onDone, onCancel }: { exceptionRef: string; offline: boolean; onDone: () => void; onCancel: () => void }) {
  const resolve = useHostAction('reconciliation.resolveException');
  const [code, setCode] = useState<ResolutionCode>('corrected_in_ledger');
  const [note, setNote] = useState('');
  const first = useRef<HTMLSelectElement>(null);
  useEffect(() => first.current?.focus(), []);
  const submit = async () => {
    if (await resolve.run({ ref: exceptionRef, resolutionCode: code, note })) onDone();
  };
  return (
    <ActionForm label="Resolve the exception" onSubmit={() => void submit()}>
      <label>
        Resolution
        <select ref={first} value={code} onChange={(e) => setCode(e.target.value as ResolutionCode)}>
          {(Object.keys(EXCEPTION_RESOLUTION_LABELS) as ResolutionCode[]).map((c) => (
            <option key={c} value={c}>
              {EXCEPTION_RESOLUTION_LABELS[c]}
            </option>
          ))}
        </select>
      </label>
      <label>
        What was done (recorded with the resolution)
        <textarea rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      <div className="buttons">
        <button type="submit" disabled={offline || resolve.busy} title="Ctrl+Enter">
          Confirm resolution
        </button>
        <button type="button" className="link" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <PaneStatus loading={false} error={resolve.error} what={exceptionRef} />
    </ActionForm>
  );
}

export function ExceptionPane({ row, offline }: { row: CacheRow; offline: boolean }) {
  const dispatch = useAppDispatch();
  const user = useAppSelector((s) => s.session.user);
  const x = recordOf('exceptions', row);
  const take = useHostAction('reconciliation.takeException');
  const [resolving, setResolving] = useState(false);
  const paneRef = useRef<HTMLDivElement>(null);
  useEffect(() => setResolving(false), [x.ref]);

  const open = x.status === 'open';
  const mine = x.owner === user?.username;
  const done = (text: string) => {
    dispatch(notify(`${x.ref}: ${text}`));
    setResolving(false);
    paneRef.current?.focus();
  };
  const runTake = async () => (await take.run({ ref: x.ref })) && done('taken by you');
  const closed = open ? (offline ? 'offline' : null) : 'the exception is resolved';
  useShortcuts([
    { key: 't', label: 'Take the exception', run: () => void runTake(), unavailable: closed ?? (mine ? 'it is yours already' : null) },
    { key: 's', label: 'Resolve with a code and a note', run: () => setResolving(true), unavailable: closed },
  ]);

  return (
    <div ref={paneRef} tabIndex={-1} className="exception-pane">
      <RecordDetail
        title={`${x.ref} · ${x.kindLabel} · ${labelOf(EXCEPTION_STATUS_LABELS, x.status)}`}
        lead={x.summary}
        fields={{
          About: x.subjectRef,
          Client: x.clientId ? `${x.clientId}${x.clientName ? ` · ${x.clientName}` : ''}` : null,
          Entity: x.legalEntity ?? 'none yet (the provider event named nothing we know)',
          Provider: x.provider,
          Owner: x.owner ?? 'nobody yet',
          'SLA due': time(x.slaDueAt),
          Opened: time(x.createdAt),
          // The finder's evidence; its keys read as words (RecordDetail labels camelCase keys).
          ...x.details,
        }}
      />
      {x.status === 'resolved' && (
        <p className="hint">
          Resolved by {x.resolvedBy} at {time(x.resolvedAt)}: {x.resolutionCode ? labelOf(EXCEPTION_RESOLUTION_LABELS, x.resolutionCode) : ''}. {x.resolutionNote}
        </p>
      )}
      {open && !resolving && (
        <div className="buttons" role="group" aria-label="Actions">
          {!mine && (
            <button disabled={offline || take.busy} onClick={() => void runTake()}>
              Take it
            </button>
          )}
          <button disabled={offline} onClick={() => setResolving(true)}>
            Resolve…
          </button>
        </div>
      )}
      {resolving && <ResolveForm exceptionRef={x.ref} offline={offline} onDone={() => done('resolved')} onCancel={() => setResolving(false)} />}
      <PaneStatus loading={false} error={take.error} what={x.ref} />
      {x.clientId && <TimelineToggle clientId={x.clientId} />}
    </div>
  );
}
