// One alert: what it is about (client, source case, details in words), who has it, and the steps
// open to this user now: take it, acknowledge it, close it with a reason code, a note and the
// suspicious-activity report decision. The server's rule (shared/alerts/workflow.ts) decides what
// is offered; the keys are a (take), w (acknowledge: working on it) and c (close).

import { useEffect, useRef, useState } from 'react';
import type { CacheRow } from '../../../shared/desktop/views.js';
import { ALERT_CLOSE_REASONS, ALERT_STATUS_LABELS, SAR_DECISIONS, type AlertCloseReason, type SarDecision } from '../../../shared/alerts/workflow.js';
import { roleLabel } from '../../../shared/access/permissions.js';
import { alertKindLabel, labelCase, labelOf } from '../../../shared/labels.js';
import { Field, RecordDetail } from '../shared/Fields.js';
import { PaneStatus, useHostAction, useHostQuery } from '../shared/host.js';
import { TimelineToggle } from '../shared/ClientTimeline.js';
import { notify } from '../shared/notices.js';
import { useShortcuts } from '../shared/shortcuts.js';
import { FlagCell } from '../shared/Flags.js';
import { ActionForm } from '../shared/ActionForm.js';
import { useAppDispatch, useAppSelector } from '../store.js';


interface Proposal {
  type: string;
  toVersion: number;
  name: string;
  reason: string;
}
const isProposal = (v: unknown): v is Proposal => typeof v === 'object' && v !== null && typeof (v as Proposal).type === 'string' && typeof (v as Proposal).toVersion === 'number';

const isOverdueRollback = (d: Record<string, unknown>): d is { approvalId: string; minutes: number; targetMinutes: number } => typeof d.approvalId === 'string' && typeof d.targetMinutes === 'number';

/** A rollback waiting past its target: approved from here by one person of the rollback roles (not the one who asked). */
function OverdueRollback({ details, offline }: { details: { approvalId: string; minutes: number; targetMinutes: number }; offline: boolean }) {
  const dispatch = useAppDispatch();
  const approve = useHostAction('approvals.approve');
  const [done, setDone] = useState<string | null>(null);
  return (
    <div className="flag-banner serious" role="note" aria-label="Overdue rollback">
      <p>
        Rollback <b className="mono">{details.approvalId}</b> has waited {details.minutes} minutes for its one approval (target {details.targetMinutes}).
      </p>
      {done ? (
        <p className="hint">Approved: {done}.</p>
      ) : (
        <button
          disabled={offline || approve.busy}
          onClick={async () => {
            const r = await approve.run({ id: details.approvalId, reason: 'Rollback approved from its overdue alert' });
            if (r) {
              setDone(r.status);
              dispatch(notify(`${details.approvalId}: ${r.status}`));
            }
          }}
        >
          Approve the rollback now
        </button>
      )}
      {approve.error && (
        <p className="error" role="alert">
          {approve.error}
        </p>
      )}
    </div>
  );
}

/** A monitor's proposal to roll a recent rule change back: asked for in one action (fast-tracked; another person approves). */
function ProposedRollback({ proposal, offline }: { proposal: Proposal; offline: boolean }) {
  const dispatch = useAppDispatch();
  const rollback = useHostAction('policies.rollback');
  const [asked, setAsked] = useState<string | null>(null);
  return (
    <div className="flag-banner" role="note" aria-label="Proposed rollback">
      <p>
        Proposed: roll the rule back to <b className="mono">{proposal.name}</b>. {proposal.reason}.
      </p>
      {asked ? (
        <p className="hint">Rollback requested: {asked}, waiting for one approval.</p>
      ) : (
        <button
          disabled={offline || rollback.busy}
          onClick={async () => {
            const r = await rollback.run({ type: proposal.type, toVersion: proposal.toVersion, reason: proposal.reason });
            if (r) {
              setAsked(r.approvalId);
              dispatch(notify(`Rollback to ${r.name} requested: ${r.approvalId}, fast-tracked`));
            }
          }}
        >
          Request this rollback
        </button>
      )}
      {rollback.error && (
        <p className="error" role="alert">
          {rollback.error}
        </p>
      )}
    </div>
  );
}

function CloseForm({ id, onDone, onCancel, offline }: { id: string; onDone: () => void; onCancel: () => void; offline: boolean }) {
  const close = useHostAction('alerts.close');
  const [reasonCode, setReasonCode] = useState<AlertCloseReason>('action_taken');
  const [note, setNote] = useState('');
  const [decision, setDecision] = useState<SarDecision>('not_filed');
  const [sarReason, setSarReason] = useState('');
  const [reference, setReference] = useState('');
  const first = useRef<HTMLSelectElement>(null);
  useEffect(() => first.current?.focus(), []);
  const submit = async () => {
    const done = await close.run({ id, reasonCode, note, sar: { decision, reason: sarReason, ...(reference.trim() ? { reference: reference.trim() } : {}) } });
    if (done) onDone();
  };
  return (
    <ActionForm label="Close the alert" onSubmit={() => void submit()}>
      <label>
        Why it is closed
        <select ref={first} value={reasonCode} onChange={(e) => setReasonCode(e.target.value as AlertCloseReason)}>
          {(Object.keys(ALERT_CLOSE_REASONS) as AlertCloseReason[]).map((r) => (
            <option key={r} value={r}>
              {ALERT_CLOSE_REASONS[r]}
            </option>
          ))}
        </select>
      </label>
      <label>
        What was done (recorded with the closure)
        <textarea rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      <fieldset>
        <legend>Suspicious-activity report</legend>
        {(Object.keys(SAR_DECISIONS) as SarDecision[]).map((d) => (
          <label key={d} className="check">
            <input type="radio" name={`sar-${id}`} checked={decision === d} onChange={() => setDecision(d)} /> {SAR_DECISIONS[d]}
          </label>
        ))}
        <label>
          Reason for the decision
          <textarea rows={2} value={sarReason} onChange={(e) => setSarReason(e.target.value)} />
        </label>
        {decision === 'filed' && (
          <label>
            Report reference
            <input value={reference} onChange={(e) => setReference(e.target.value)} />
          </label>
        )}
      </fieldset>
      <div className="buttons">
        <button type="submit" disabled={offline || close.busy} title="Ctrl+Enter">
          Confirm close
        </button>
        <button type="button" className="link" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <PaneStatus loading={false} error={close.error} what={id} />
    </ActionForm>
  );
}

export function AlertPane({ row, offline }: { row: CacheRow; offline: boolean }) {
  const dispatch = useAppDispatch();
  const id = String(row.id);
  const version = useAppSelector((s) => s.ui.versions.alerts ?? 0);
  const alert = useHostQuery('alerts.get', { id }, [id]);
  const take = useHostAction('alerts.assignToMe');
  const acknowledge = useHostAction('alerts.acknowledge');
  const [closing, setClosing] = useState(false);
  const paneRef = useRef<HTMLDivElement>(null);
  useEffect(() => setClosing(false), [id]);
  useEffect(() => {
    if (version > 0) void alert.reload();
  }, [version]);

  const a = alert.data;
  const can = (x: 'assign' | 'acknowledge' | 'close') => a?.availableActions.includes(x) ?? false;
  const why = (x: 'assign' | 'acknowledge' | 'close') =>
    can(x) ? (offline ? 'offline' : null) : a?.status === 'closed' ? 'the alert is closed' : x === 'close' ? `only the ${roleLabel(a?.forRole ?? '')} closes it` : x === 'assign' ? 'it is yours already' : 'acknowledged already';
  const done = async (text: string) => {
    dispatch(notify(`${id}: ${text}`));
    setClosing(false);
    await alert.reload();
    paneRef.current?.focus();
  };
  const runTake = async () => (await take.run({ id })) && (await done('taken by you'));
  const runAcknowledge = async () => (await acknowledge.run({ id })) && (await done('acknowledged'));
  useShortcuts([
    { key: 'a', label: 'Take the alert', run: () => void runTake(), unavailable: why('assign') },
    { key: 'w', label: 'Acknowledge (working on it)', run: () => void runAcknowledge(), unavailable: why('acknowledge') },
    { key: 'c', label: 'Close with a reason', run: () => setClosing(true), unavailable: why('close') },
  ]);

  if (!a) return <PaneStatus loading error={alert.error} what={id} />;
  return (
    <div ref={paneRef} tabIndex={-1} className="alert-pane">
      <RecordDetail
        title={`${a.id} · ${labelCase(a.severity)} · ${labelOf(ALERT_STATUS_LABELS, a.status)}`}
        lead={a.summary}
        fields={{
          Kind: alertKindLabel(a.kind),
          Client: a.clientId ? `${a.clientId}${a.clientName ? ` · ${a.clientName}` : ''}` : null,
          'Source case': a.sourceRef,
          Entity: a.legalEntity,
          'Raised for': roleLabel(a.forRole),
          Raised: `${a.createdAt.replace('T', ' ').slice(0, 19)} UTC`,
          'Taken by': a.assignee,
          // The details' keys read as words (RecordDetail labels camelCase keys); a monitor's change and proposal below.
          ...Object.fromEntries(Object.entries(a.details).filter(([k]) => k !== 'recentChange' && k !== 'proposedRollback')),
        }}
      />
      {a.flags && (
        <p className={/Restricted|Sanctions/.test(a.flags) ? 'flag-banner serious' : 'flag-banner'} role="note" aria-label="Client flags">
          <FlagCell value={a.flags} />
          {/Restricted/.test(a.flags) ? ' The client is restricted: what they may do is limited until the restriction is resolved.' : ''}
        </p>
      )}
      {!a.closed && isProposal(a.details.proposedRollback) && <ProposedRollback proposal={a.details.proposedRollback} offline={offline} />}
      {!a.closed && a.kind === 'policy.rollbackOverdue' && isOverdueRollback(a.details) && <OverdueRollback details={a.details} offline={offline} />}
      {a.acknowledged && <p className="hint">Acknowledged by {a.acknowledged.by} at {a.acknowledged.at.replace('T', ' ').slice(0, 19)} UTC.</p>}
      {a.closed && (
        <dl>
          <Field label="Closed" value={`${a.closed.at.replace('T', ' ').slice(0, 19)} UTC by ${a.closed.by}`} />
          <Field label="Why" value={a.closed.reason} />
          <Field label="What was done" value={a.closed.note} />
          <Field label="Report" value={a.closed.sar ? `${a.closed.sar.label}${a.closed.sar.reference ? ` (${a.closed.sar.reference})` : ''}: ${a.closed.sar.reason}` : 'Not in question: closed by the action that resolved it'} />
        </dl>
      )}
      {!a.closed && (
        <div className="buttons" role="group" aria-label="Actions">
          {can('assign') && (
            <button disabled={offline || take.busy} onClick={() => void runTake()}>
              Take it
            </button>
          )}
          {can('acknowledge') && (
            <button disabled={offline || acknowledge.busy} onClick={() => void runAcknowledge()}>
              Acknowledge
            </button>
          )}
          {can('close') && !closing && <button onClick={() => setClosing(true)}>Close…</button>}
        </div>
      )}
      {!a.closed && !can('close') && <p className="hint">Closed by the {roleLabel(a.forRole)}, who it was raised for.</p>}
      {closing && <CloseForm id={id} offline={offline} onDone={() => void done('closed')} onCancel={() => setClosing(false)} />}
      <PaneStatus loading={false} error={take.error ?? acknowledge.error} what={id} />
      {a.clientId && <TimelineToggle clientId={a.clientId} />}
    </div>
  );
}
