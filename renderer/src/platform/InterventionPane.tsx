// One intervention case: what was asked on which MT5 login and why, the tier with the approvals given
// and still needed, who executes it, and the evidence of execution: MT5's state before and after
// side by side, the deal with the case reference in its comment, MT5's answer when it refused. The
// actions the state machine and the rules allow this user: approve (a), reject (r), execute (x);
// the others are shown disabled with the reason.

import { useEffect, useRef, useState } from 'react';
import type { CacheRow } from '../../../shared/desktop/views.js';
import { labelOf } from '../../../shared/labels.js';
import { INTERVENTION_STATUS_LABELS, type AccountState, type InterventionAction } from '../../../shared/platform/interventions.js';
import { roleLabel } from '../../../shared/access/permissions.js';
import { RecordDetail } from '../shared/Fields.js';
import { PaneStatus, useHostAction, useHostQuery } from '../shared/host.js';
import { TimelineToggle } from '../shared/ClientTimeline.js';
import { notify } from '../shared/notices.js';
import { useShortcuts } from '../shared/shortcuts.js';
import { ActionForm } from '../shared/ActionForm.js';
import { FlagCell } from '../shared/Flags.js';
import { recordOf } from '../shared/records.js';
import { useAppDispatch, useAppSelector } from '../store.js';

/** A policy version in words: `platform.interventionTiers@3` is version 3 of the intervention tiers. */
export function policyWords(ref: string): string {
  const m = /^[a-z]+\.([A-Za-z]+)@(\d+)$/.exec(ref);
  return m ? `version ${m[2]} of the ${m[1]!.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} policy` : ref;
}

const time = (iso: string | null | undefined) => (iso ? `${iso.replace('T', ' ').slice(0, 19)} UTC` : null);

/** Rights as words: the bits a dealer looks at. */
function rightsText(rights: number): string {
  const parts = [rights & 0x1 ? 'account enabled' : 'account DISABLED', rights & 0x4 ? 'trading DISABLED' : 'trading enabled'];
  return `${parts.join(', ')} (0x${rights.toString(16)})`;
}

function StateTable({ before, after }: { before: AccountState | null; after: AccountState | null }) {
  if (!before && !after) return null;
  const rows: Array<[string, (s: AccountState) => string]> = [
    ['Group', (s) => s.group],
    ['Leverage', (s) => `1:${s.leverage}`],
    ['Rights', (s) => rightsText(s.rights)],
    ['Balance', (s) => s.balance],
    ['Credit', (s) => s.credit],
  ];
  return (
    <table className="state-table" aria-label="MT5 state before and after">
      <thead>
        <tr>
          <th scope="col">On MT5</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([label, read]) => {
          const b = before ? read(before) : 'not read';
          const a = after ? read(after) : 'not read yet';
          return (
            <tr key={label} className={before && after && b !== a ? 'changed' : undefined}>
              <th scope="row">{label}</th>
              <td>{b}</td>
              <td>
                {a}
                {before && after && b !== a ? ' (changed)' : ''}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

type Form = 'approve' | 'reject' | 'execute' | null;

export function InterventionPane({ row, offline }: { row: CacheRow; offline: boolean }) {
  const dispatch = useAppDispatch();
  const caseRef = String(row.caseRef);
  const cached = recordOf('interventions', row);
  const version = useAppSelector((s) => s.ui.versions.interventions ?? 0);
  const user = useAppSelector((s) => s.session.user);
  const query = useHostQuery('interventions.get', { caseRef }, [caseRef]);
  const approve = useHostAction('interventions.approve');
  const reject = useHostAction('interventions.reject');
  const execute = useHostAction('interventions.execute');
  const [form, setForm] = useState<Form>(null);
  const [reason, setReason] = useState('');
  const paneRef = useRef<HTMLDivElement>(null);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    setForm(null);
    setReason('');
  }, [caseRef]);
  useEffect(() => {
    if (version > 0) void query.reload();
  }, [version]);
  useEffect(() => {
    if (form) reasonRef.current?.focus();
  }, [form]);

  const c = query.data;
  const may = (p: string) => user?.permissions.includes(p as never) ?? false;
  const can = (x: InterventionAction) => (c?.availableActions as readonly string[] | undefined)?.includes(x) ?? false;
  const approvedByMe = c?.approvals.some((a) => a.userId === user?.id) ?? false;
  const why = (x: InterventionAction): string | null => {
    if (!c) return 'loading';
    if (x === 'approve' && c.status === 'approved') return 'approved already: it waits for an operator';
    if (!can(x)) return `not possible: the case is ${labelOf(INTERVENTION_STATUS_LABELS, c.status).toLowerCase()}`;
    if (offline) return 'offline';
    if (x === 'execute') {
      if (!may('interventions.execute')) return 'your roles do not execute interventions';
      if (approvedByMe) return 'you approved it: another person executes it';
      return null;
    }
    if (!may('interventions.decide')) return 'your roles do not decide interventions';
    if (c.requestedBy === user?.id) return 'you requested it: another person decides';
    if (x === 'approve' && approvedByMe) return 'you have approved it already';
    return null;
  };
  const done = async (text: string) => {
    dispatch(notify(`${caseRef}: ${text}`));
    setForm(null);
    setReason('');
    await query.reload();
    paneRef.current?.focus();
  };
  useShortcuts([
    { key: 'a', label: 'Approve', run: () => setForm('approve'), unavailable: why('approve') },
    { key: 'r', label: 'Reject with a reason', run: () => setForm('reject'), unavailable: why('reject') },
    { key: 'x', label: 'Execute on MT5', run: () => setForm('execute'), unavailable: why('execute') },
  ]);

  if (!c) return <PaneStatus loading error={query.error} what={caseRef} />;
  const submit = async () => {
    if (form === 'approve') {
      const r = await approve.run({ caseRef, ...(reason.trim() ? { reason: reason.trim() } : {}) });
      if (r) await done(r.status === 'approved' ? 'approved: it waits for an operator to execute it' : `approval recorded; ${r.approvalsNeeded} more needed`);
    } else if (form === 'reject') {
      if (await reject.run({ caseRef, reason: reason.trim() })) await done('rejected');
    } else if (form === 'execute') {
      const r = await execute.run({ caseRef });
      if (r) await done(r.status === 'executed' ? `executed on MT5${r.dealTicket ? `, deal ${r.dealTicket}` : ''}` : r.status === 'failed' ? `MT5 refused it: ${r.message ?? r.retcode}` : 'sent; MT5 has not confirmed yet, the connector settles it');
    }
  };
  const busy = approve.busy || reject.busy || execute.busy;
  const error = approve.error ?? reject.error ?? execute.error;
  const what = c.amount !== null ? `${c.amount} ${c.currency}` : c.value !== null ? (c.type === 'change_leverage' ? `to 1:${c.value}` : `to ${c.value}`) : null;
  return (
    <div ref={paneRef} tabIndex={-1} className="intervention-pane">
      <RecordDetail
        title={`${c.caseRef} · ${c.typeLabel}${what ? ` ${what}` : ''} · ${c.statusLabel}`}
        lead={c.connectorNote}
        fields={{
          'MT5 login': String(c.login),
          Client: `${c.clientId}${c.clientName ? ` · ${c.clientName}` : ''}`,
          Entity: c.legalEntity,
          'In base currency': c.baseAmount ? `${c.baseAmount} ${c.baseCurrency}` : null,
          Reason: `${c.reasonLabel} (${c.reasonCode})`,
          Note: c.note,
          Tier: `${c.tier} (${policyWords(c.policyRef)})`,
          'Requested by': `${c.requestedByName ?? c.requestedBy} at ${time(c.createdAt)}`,
          Operator: c.operatorName,
          'Rejected by': c.rejectedBy ? `${c.rejectedBy}${c.rejectionReason ? `: ${c.rejectionReason}` : ''}` : null,
          'SLA due': c.slaMinutesLeft !== null ? `${time(c.slaDueAt)} (${c.slaMinutesLeft < 0 ? `${-c.slaMinutesLeft} min overdue` : `${c.slaMinutesLeft} min left`})` : null,
          'Deal ticket': c.dealTicket,
          'Executed at': time(c.executedAt),
          'MT5 answer': c.retcode !== null && c.retcode !== 0 ? (c.mt5Message ?? String(c.retcode)) : null,
        }}
      />
      {cached.clientFlags && (
        <p className={/Restricted|Sanctions/.test(cached.clientFlags) ? 'flag-banner serious' : 'flag-banner'} role="note" aria-label="Client flags">
          <FlagCell value={cached.clientFlags} />
        </p>
      )}
      <h4>
        Approvals: {c.approvalsGiven} of {c.approvalsNeeded}
      </h4>
      <ul aria-label="Approvals">
        {c.approvals.map((a) => (
          <li key={a.userId}>
            {a.by} ({a.roles.map(roleLabel).join(', ')}) at {time(a.at)}
            {a.reason ? `: ${a.reason}` : ''}
          </li>
        ))}
        {c.stillNeeded.map((roles, i) => (
          <li key={`open-${i}`} className="hint">
            Still needed: {roles.map(roleLabel).join(' or ')}
          </li>
        ))}
      </ul>
      {(c.before || c.after) && <h4>MT5 state</h4>}
      <StateTable before={c.before} after={c.after} />
      {c.deal && (
        <p aria-label="Deal">
          Deal {c.deal.ticket}: {c.deal.amount} {c.currency ?? ''}, comment “{c.deal.comment}”, by manager {c.deal.dealer}.
        </p>
      )}
      {form === null && (c.availableActions as readonly string[]).length > 0 && (
        <div className="buttons" role="group" aria-label="Actions">
          {can('approve') && (
            <button disabled={why('approve') !== null} title={why('approve') ?? 'a'} onClick={() => setForm('approve')}>
              Approve…
            </button>
          )}
          {can('execute') && (
            <button disabled={why('execute') !== null} title={why('execute') ?? 'x'} onClick={() => setForm('execute')}>
              Execute on MT5…
            </button>
          )}
          {can('reject') && (
            <button disabled={why('reject') !== null} title={why('reject') ?? 'r'} onClick={() => setForm('reject')}>
              Reject…
            </button>
          )}
        </div>
      )}
      {form && (
        <ActionForm label={form === 'approve' ? 'Approve' : form === 'reject' ? 'Reject' : 'Execute on MT5'} onSubmit={() => void submit()}>
          {form === 'execute' ? (
            <p>
              Sends {c.typeLabel.toLowerCase()}
              {what ? ` ${what}` : ''} to MT5 login {c.login} with “{c.caseRef}” as the deal comment, and reads the account back.
            </p>
          ) : (
            <label>
              {form === 'reject' ? 'Reason (recorded with the decision)' : 'Note (optional, recorded with the approval)'}
              <textarea ref={reasonRef} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
            </label>
          )}
          <div className="buttons">
            <button type="submit" autoFocus={form === 'execute'} disabled={offline || busy || (form === 'reject' && reason.trim().length < 3)} title="Ctrl+Enter">
              {form === 'approve' ? 'Approve' : form === 'reject' ? 'Reject' : 'Execute'}
            </button>
            <button type="button" className="link" onClick={() => setForm(null)}>
              Cancel
            </button>
          </div>
        </ActionForm>
      )}
      <PaneStatus loading={false} error={error} what={caseRef} />
      <TimelineToggle clientId={c.clientId} />
    </div>
  );
}
