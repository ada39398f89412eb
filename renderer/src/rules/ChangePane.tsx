// One change request: what it is for and how it was tested, the dry run the server ran on
// submission, the diff against the version in force, the approval chain slot by slot with each
// answer (person and time), and the reviewer's answer: approve, reject or needs changes. A released
// canary can be promoted from here (one approved action).

import { useState } from 'react';
import { roleLabel, type Role } from '../../../shared/access/permissions.js';
import { ActionForm } from '../shared/ActionForm.js';
import { PaneStatus, useHostAction, useHostQuery } from '../shared/host.js';
import { notify } from '../shared/notices.js';
import { useAppDispatch } from '../store.js';
import { STATUS_WORDS, time } from './words.js';
import { DiffTable, DryRunSummary } from './Parts.js';
import { describeSegment, type Segment } from '../../../shared/policies/segment.js';

const DETAIL_LABELS: Array<[string, string]> = [
  ['purpose', 'Purpose'],
  ['segments', 'Affected segments'],
  ['edgeCases', 'Edge cases'],
  ['testPlan', 'Test plan'],
  ['rollbackPlan', 'Rollback plan'],
  ['reason', 'Reason'],
];

/** How long a rollback took from request to force, or has waited, against the 15-minute target (policies.changeControl). */
function RollbackTiming({ createdAt, executedAt, status }: { createdAt: string; executedAt: string | null; status: string }) {
  const cc = useHostQuery('policies.get', { type: 'policies.changeControl' }, ['policies.changeControl']);
  const target = (cc.data?.document as { rollback?: { targetMinutes?: number } } | undefined)?.rollback?.targetMinutes ?? 15;
  const minutes = (end: string) => Math.round((Date.parse(end) - Date.parse(createdAt)) / 60_000);
  if (executedAt) {
    const took = minutes(executedAt);
    return <p className={took <= target ? 'hint' : 'error'}>In force {took} minute{took === 1 ? '' : 's'} after it was requested (target {target}).</p>;
  }
  if (status !== 'pending') return null;
  return (
    <p className="hint">
      Requested {time(createdAt)}: it should be in force within {target} minutes; past that, the rollback roles are alerted.
    </p>
  );
}

export function ChangePane({ id, onChanged, onClose }: { id: string; onChanged: () => void; onClose: () => void }) {
  const dispatch = useAppDispatch();
  const change = useHostQuery('policies.change', { id }, [id]);
  const review = useHostAction('policies.review');
  const promote = useHostAction('policies.promote');
  const [reason, setReason] = useState('');
  const c = change.data;
  const answer = async (a: 'approve' | 'reject' | 'needsChanges') => {
    const done = await review.run({ id, answer: a, reason: reason.trim() });
    if (!done) return;
    dispatch(notify(`${id}: ${a === 'approve' ? 'approval given' : a === 'reject' ? 'rejected' : 'sent back for changes'} (${STATUS_WORDS[done.status] ?? done.status})`));
    setReason('');
    await change.reload();
    onChanged();
  };
  const dryRun = c?.dryRun as null | { available?: false; why?: string; from: string; to: string; evaluated: number; changed: number; bySegment: Array<{ legalEntity: string; evaluated: number; changed: number }> };
  return (
    <aside className="pane rules-change" aria-label={`Change ${id}`}>
      <header className="pane-head">
        <h3>
          {id} <span className="mono">{c?.name}</span>
        </h3>
        <button type="button" onClick={onClose} aria-label="Close the change">
          Close
        </button>
      </header>
      <PaneStatus error={change.error} loading={!c} what="the change" />
      {c && (
        <>
          <p>
            <span className={`status status-${c.status}`}>{STATUS_WORDS[c.status] ?? c.status}</span> · tier {c.tier} · {c.action}
            {c.segment ? ` for ${describeSegment(c.segment as Segment)}` : ''} · requested by {c.createdBy.username}, {time(c.createdAt)}
          </p>
          <dl className="facts">
            {DETAIL_LABELS.filter(([k]) => (c.details as Record<string, unknown>)[k] !== undefined).map(([k, label]) => (
              <div key={k}>
                <dt>{label}</dt>
                <dd>{String((c.details as Record<string, unknown>)[k])}</dd>
              </div>
            ))}
          </dl>
          <h4>Dry run submitted with it</h4>
          {dryRun === null ? <p className="hint">None: this action does not need one.</p> : dryRun.available === false ? <p className="hint">{dryRun.why}</p> : <DryRunSummary run={dryRun} />}
          <h4>
            Against <span className="mono">{c.against.name}</span> (in force)
          </h4>
          <DiffTable changes={c.changes} />
          <h4>Approval {c.approval.id}</h4>
          {c.action === 'rollback' && <RollbackTiming createdAt={c.approval.createdAt} executedAt={c.approval.executedAt} status={c.status} />}
          {c.approval.chain ? (
            <ol className="chain" aria-label="Approval chain">
              {c.approval.chain.map((slot) => (
                <li key={slot.name} className={slot.filled ? 'filled' : 'open'}>
                  <b>{slot.name}</b> ({slot.roles.map(roleLabel).join(' or ')}): {slot.filled ? 'given' : 'waiting'}
                </li>
              ))}
            </ol>
          ) : (
            <p>
              {c.approval.tier}: {c.approval.approvals.length} of {c.approval.requiredCount} from {c.approval.requiredRoles.map(roleLabel).join(' or ')}
            </p>
          )}
          <ul className="answers" aria-label="Answers">
            {c.approval.approvals.map((a) => (
              <li key={a.userId}>
                Approved by {a.username}{a.role ? ` (${roleLabel(a.role as Role)})` : ''}, {time(a.at)}
                {a.reason ? `: ${a.reason}` : ''}
              </li>
            ))}
            {c.approval.rejection && (
              <li>
                {c.approval.rejection.answer === 'needs changes' ? 'Needs changes' : 'Rejected'}: {c.approval.rejection.username}, {time(c.approval.rejection.at)}: {c.approval.rejection.reason}
              </li>
            )}
          </ul>
          {c.approval.availableActions.includes('approve') && (
            <ActionForm label="Answer the change" onSubmit={() => void answer('approve')}>
              <label>
                Reason
                <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} placeholder="What you checked: the diff, the dry run, the plans" />
              </label>
              <div className="buttons">
                <button type="submit" disabled={review.busy || reason.trim().length < 3}>
                  Approve
                </button>
                <button type="button" disabled={review.busy || reason.trim().length < 3} onClick={() => void answer('needsChanges')}>
                  Needs changes
                </button>
                <button type="button" className="danger" disabled={review.busy || reason.trim().length < 3} onClick={() => void answer('reject')}>
                  Reject
                </button>
              </div>
              {review.error && <p className="error" role="alert">{review.error}</p>}
            </ActionForm>
          )}
          {c.action === 'canary' && c.status === 'executed' && (
            <ActionForm
              label="Promote the canary"
              onSubmit={async () => {
                const r = await promote.run({ type: c.type, version: c.version, reason: reason.trim() });
                if (r) {
                  dispatch(notify(`Promotion of ${c.name} requested: ${r.approvalId} (${r.changeId})`));
                  onChanged();
                }
              }}
            >
              <label>
                Reason for promotion
                <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} placeholder="What the canary showed" />
              </label>
              <button type="submit" disabled={promote.busy || reason.trim().length < 3}>
                Promote to everyone
              </button>
              {promote.error && <p className="error" role="alert">{promote.error}</p>}
            </ActionForm>
          )}
        </>
      )}
    </aside>
  );
}
