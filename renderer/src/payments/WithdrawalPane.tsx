// One withdrawal: the amount and where it goes, the checks as a checklist with their evidence
// (passed, failed, not checked: in words, never colour alone), the tier with the approvals given and
// still needed, the provider's events, and the actions the state machine allows this user: approve
// (a), reject (r), hold (h), release (l), resolve a payout whose outcome is unknown (s).

import { versionName } from '../../../shared/policies/diff.js';
import { useEffect, useRef, useState } from 'react';
import type { CacheRow } from '../../../shared/desktop/views.js';
import { labelCase, labelOf } from '../../../shared/labels.js';
import { WITHDRAWAL_STATUS_LABELS, type Resolution, type WithdrawalAction } from '../../../shared/payments/withdrawals.js';
import { roleLabel } from '../../../shared/access/permissions.js';
import { RecordDetail } from '../shared/Fields.js';
import { PaneStatus, useHostAction, useHostQuery } from '../shared/host.js';
import { TimelineToggle } from '../shared/ClientTimeline.js';
import { notify } from '../shared/notices.js';
import { useShortcuts } from '../shared/shortcuts.js';
import { ActionForm } from '../shared/ActionForm.js';
import { FlagCell } from '../shared/Flags.js';
import { useAppDispatch, useAppSelector } from '../store.js';

const OUTCOME = { passed: 'Passed', failed: 'Failed', not_available: 'Not checked' } as const;
const RESOLUTION_LABELS: Record<Resolution, string> = {
  ask_provider: 'Ask the provider what became of the payout (by its idempotency key)',
  paid: 'Record it as paid (the provider confirmed it another way)',
  failed: 'Record it as failed: the funds go back to the client',
};

type Form = { action: 'approve' | 'reject' | 'hold' | 'release' } | { action: 'resolve' } | null;

function ReasonForm({ label, needed, onSubmit, onCancel, busy, offline, resolution }: { label: string; needed: boolean; onSubmit: (reason: string, resolution: Resolution) => void; onCancel: () => void; busy: boolean; offline: boolean; resolution?: boolean }) {
  const [reason, setReason] = useState('');
  const [choice, setChoice] = useState<Resolution>('ask_provider');
  const first = useRef<HTMLTextAreaElement & HTMLSelectElement>(null);
  useEffect(() => first.current?.focus(), []);
  return (
    <ActionForm label={label} onSubmit={() => onSubmit(reason.trim(), choice)}>
      {resolution && (
        <label>
          What to do
          <select ref={first} value={choice} onChange={(e) => setChoice(e.target.value as Resolution)}>
            {(Object.keys(RESOLUTION_LABELS) as Resolution[]).map((r) => (
              <option key={r} value={r}>
                {RESOLUTION_LABELS[r]}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        {needed ? 'Reason (recorded with the decision)' : 'Note (optional, recorded with the decision)'}
        <textarea ref={resolution ? undefined : first} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      <div className="buttons">
        <button type="submit" disabled={offline || busy || (needed && reason.length < 3)} title="Ctrl+Enter">
          {label}
        </button>
        <button type="button" className="link" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </ActionForm>
  );
}


const ruleName = (ref: string) => {
  const at = ref.lastIndexOf('@');
  return at > 0 ? versionName(ref.slice(0, at), Number(ref.slice(at + 1))) : ref;
};
export function WithdrawalPane({ row, offline }: { row: CacheRow; offline: boolean }) {
  const dispatch = useAppDispatch();
  const ref = String(row.ref);
  const version = useAppSelector((s) => s.ui.versions.withdrawals ?? 0);
  const user = useAppSelector((s) => s.session.user);
  const query = useHostQuery('withdrawals.get', { ref }, [ref]);
  const approve = useHostAction('withdrawals.approve');
  const reject = useHostAction('withdrawals.reject');
  const hold = useHostAction('withdrawals.hold');
  const release = useHostAction('withdrawals.release');
  const resolve = useHostAction('withdrawals.resolve');
  const [form, setForm] = useState<Form>(null);
  const paneRef = useRef<HTMLDivElement>(null);
  useEffect(() => setForm(null), [ref]);
  useEffect(() => {
    if (version > 0) void query.reload();
  }, [version]);

  const w = query.data;
  const mine = w?.approvals.some((a) => a.by === user?.username) ?? false;
  const maker = w !== null && w.requestedBy === user?.id;
  const blocking = w?.checks.filter((c) => c.outcome === 'failed' && c.blocking) ?? [];
  const can = (x: WithdrawalAction) => (w?.availableActions as readonly string[] | undefined)?.includes(x) ?? false;
  const why = (x: WithdrawalAction): string | null => {
    if (!can(x)) return `not possible while ${labelOf(WITHDRAWAL_STATUS_LABELS, w?.status ?? '').toLowerCase()}`;
    if (offline) return 'offline';
    if (x === 'approve' && maker) return 'you requested it: another person approves';
    if (x === 'approve' && mine) return 'you have approved it already';
    if (x === 'approve' && blocking.length > 0) return `blocked: ${blocking.map((c) => c.label.toLowerCase()).join(', ')}`;
    return null;
  };
  const failedReview = w?.checks.some((c) => c.outcome === 'failed' && !c.blocking) ?? false;
  const done = async (text: string) => {
    dispatch(notify(`${ref}: ${text}`));
    setForm(null);
    await query.reload();
    paneRef.current?.focus();
  };
  useShortcuts([
    { key: 'a', label: 'Approve', run: () => setForm({ action: 'approve' }), unavailable: why('approve') },
    { key: 'r', label: 'Reject with a reason', run: () => setForm({ action: 'reject' }), unavailable: why('reject') },
    { key: 'h', label: 'Put on hold', run: () => setForm({ action: 'hold' }), unavailable: why('hold') },
    { key: 'l', label: 'Release from hold', run: () => setForm({ action: 'release' }), unavailable: why('release') },
    { key: 's', label: 'Resolve the payout’s outcome', run: () => setForm({ action: 'resolve' }), unavailable: why('resolve') },
  ]);

  if (!w) return <PaneStatus loading error={query.error} what={ref} />;
  const submit = async (reason: string, resolution: Resolution) => {
    if (!form) return;
    const a = form.action;
    const ok =
      a === 'approve'
        ? await approve.run({ ref, ...(reason ? { reason } : {}) })
        : a === 'reject'
          ? await reject.run({ ref, reason })
          : a === 'hold'
            ? await hold.run({ ref, reason })
            : a === 'release'
              ? await release.run({ ref, reason })
              : await resolve.run({ ref, resolution, reason });
    if (ok) await done(a === 'approve' ? 'approval recorded' : a === 'reject' ? 'rejected, funds returned' : a === 'hold' ? 'on hold' : a === 'release' ? 'back to approval' : 'resolution recorded');
  };
  const busy = approve.busy || reject.busy || hold.busy || release.busy || resolve.busy;
  const error = approve.error ?? reject.error ?? hold.error ?? release.error ?? resolve.error;
  const record = w;
  return (
    <div ref={paneRef} tabIndex={-1} className="withdrawal-pane">
      <RecordDetail
        title={`${w.ref} · ${w.amount} ${w.currency} · ${labelOf(WITHDRAWAL_STATUS_LABELS, w.status)}`}
        lead={w.statusReason}
        fields={{
          Client: `${w.clientId}${record.clientName ? ` · ${record.clientName}` : ''}`,
          Entity: w.legalEntity,
          Risk: w.riskLevel ? labelCase(w.riskLevel) : null,
          'In base currency': w.baseAmount ? `${w.baseAmount} ${w.baseCurrency}` : `no ${w.currency}/${w.baseCurrency} rate recorded: the top tier applies`,
          Destination: `${w.destination.accountHolder} · ${w.destination.account}`,
          Provider: `${w.provider} (${labelCase(w.method)})`,
          Tier: `${w.tier}${w.override ? ' + override approver' : ''}`,
          // The rule version that chose the tier (a canary's where the client was in its segment): the execution log holds its conditions.
          'Decided by': ruleName(w.policyRef),
          'SLA due': `${w.slaDueAt.replace('T', ' ').slice(0, 16)} UTC${w.slaMinutesLeft !== null ? ` (${w.slaMinutesLeft < 0 ? `${-w.slaMinutesLeft} min overdue` : `${w.slaMinutesLeft} min left`})` : ''}`,
          'Payout key': w.idempotencyKey,
          'Provider transaction': w.providerTxId,
          'Failure code': w.failureCode,
        }}
      />
      {record.clientFlags && (
        <p className={/Restricted|Sanctions/.test(record.clientFlags) ? 'flag-banner serious' : 'flag-banner'} role="note" aria-label="Client flags">
          <FlagCell value={record.clientFlags} />
        </p>
      )}
      {w.flags.length > 0 && <p className="hint">Flags: {w.flags.map((f) => labelCase(f)).join(', ')}.</p>}
      <h4>Checks</h4>
      <ul className="checklist" aria-label="Checks">
        {w.checks.map((c) => (
          <li key={c.code} className={`check-${c.outcome}`}>
            <strong>{OUTCOME[c.outcome]}</strong>
            {c.outcome === 'failed' && c.blocking ? ' (blocks approval)' : ''}: {c.label}. <span className="hint">{c.detail}</span>
          </li>
        ))}
      </ul>
      <h4>
        Approvals: {w.approvalsGiven} of {w.approvalsNeeded}
      </h4>
      <ul aria-label="Approvals">
        {w.approvals.map((a) => (
          <li key={a.userId}>
            {a.by} ({a.roles.map(roleLabel).join(', ')}) at {a.at.replace('T', ' ').slice(0, 19)} UTC{a.despiteFailedChecks ? ', past failed checks' : ''}
            {a.reason ? `: ${a.reason}` : ''}
          </li>
        ))}
        {w.stillNeeded.map((roles, i) => (
          <li key={`open-${i}`} className="hint">
            Still needed: {roles.map(roleLabel).join(' or ')}
          </li>
        ))}
      </ul>
      {w.events.length > 0 && (
        <>
          <h4>Provider events</h4>
          <ul aria-label="Provider events">
            {w.events.map((e) => (
              <li key={`${e.provider}:${e.eventId}`}>
                {e.receivedAt.replace('T', ' ').slice(0, 19)} UTC · {e.kind} · {labelCase(e.status)}
                {e.reason ? `: ${e.reason}` : ''}
              </li>
            ))}
          </ul>
        </>
      )}
      {form === null && (w.availableActions as readonly string[]).length > 0 && (
        <div className="buttons" role="group" aria-label="Actions">
          {can('approve') && (
            <button disabled={why('approve') !== null} title={why('approve') ?? undefined} onClick={() => setForm({ action: 'approve' })}>
              Approve…
            </button>
          )}
          {can('hold') && <button disabled={offline} onClick={() => setForm({ action: 'hold' })}>Hold…</button>}
          {can('release') && <button disabled={offline} onClick={() => setForm({ action: 'release' })}>Release…</button>}
          {can('reject') && <button disabled={offline} onClick={() => setForm({ action: 'reject' })}>Reject…</button>}
          {can('resolve') && <button disabled={offline} onClick={() => setForm({ action: 'resolve' })}>Resolve…</button>}
        </div>
      )}
      {form && (
        <ReasonForm
          label={form.action === 'approve' ? 'Approve' : form.action === 'reject' ? 'Reject' : form.action === 'hold' ? 'Put on hold' : form.action === 'release' ? 'Release' : 'Resolve'}
          needed={form.action !== 'approve' || failedReview}
          resolution={form.action === 'resolve'}
          busy={busy}
          offline={offline}
          onSubmit={(reason, resolution) => void submit(reason, resolution)}
          onCancel={() => setForm(null)}
        />
      )}
      {form?.action === 'approve' && failedReview && <p className="hint">Some checks failed: approving past them needs a reason, and one more person approves after you.</p>}
      <PaneStatus loading={false} error={error} what={ref} />
      <TimelineToggle clientId={w.clientId} />
    </div>
  );
}
