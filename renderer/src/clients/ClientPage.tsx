// The client page: everything about one client in one place, the place an auditor goes. Status,
// flags, restrictions and what the client may do; balances, deposits and withdrawals (for those
// who may see money); the KYC cases, screening cases, alerts, approval requests and documents; and the whole history, every audited event of the client in order, which
// exports to CSV or XLSX like any grid (recorded in the audit log).

import type { Permission } from '../../../shared/access/permissions.js';
import type { ChannelOutput } from '../../../main/host/channels.js';
import { ALERT_STATUS_LABELS } from '../../../shared/alerts/workflow.js';
import { RESTRICTION_KINDS } from '../../../shared/clients/lifecycle.js';
import { alertKindLabel, CLIENT_STATUS_LABELS, KYC_STATUS_LABELS, labelCase, labelOf, SCREENING_STATUS_LABELS } from '../../../shared/labels.js';
import { DEPOSIT_STATUS_LABELS, PLATFORM_STEP_LABELS } from '../../../shared/payments/exceptions.js';
import { WITHDRAWAL_STATUS_LABELS } from '../../../shared/payments/withdrawals.js';
import { exportRows } from '../shared/exporter.js';
import { FlagBanner } from '../shared/Flags.js';
import { Section } from '../shared/Section.js';
import { errorText, PaneStatus, useHostQuery } from '../shared/host.js';
import { notify } from '../shared/notices.js';
import { useAppDispatch, useAppSelector } from '../store.js';
import { openEvidence } from '../app/ui.js';

type Overview = ChannelOutput<'clients.overview'>;
type Event = ChannelOutput<'clients.timeline'>['items'][number];

const time = (iso: string | null | undefined) => (iso ? `${iso.replace('T', ' ').slice(0, 19)}` : '—');

const EVENT_COLUMNS = [
  { field: 'seq', header: 'Seq' },
  { field: 'at', header: 'When (UTC)' },
  { field: 'action', header: 'Action' },
  { field: 'actor', header: 'Actor' },
  { field: 'caseRef', header: 'Case' },
  { field: 'reason', header: 'Reason', pii: true },
  { field: 'hash', header: 'Hash' },
];

export function ClientPage({ clientId, onClose }: { clientId: string; onClose: () => void }) {
  const dispatch = useAppDispatch();
  const user = useAppSelector((s) => s.session.user);
  const overview = useHostQuery('clients.overview', { clientId }, [clientId]);
  // Support sees status and what the client may do, nothing more: the history is for those who review or audit.
  const mayReadHistory = (user?.permissions ?? []).some((p) => p === 'kyc.read' || p === 'audit.read');
  const timeline = useHostQuery('clients.timeline', { clientId }, [clientId, mayReadHistory], { skip: !mayReadHistory });
  const may = (p: Permission) => (user?.permissions ?? []).includes(p);
  // Money moves while the page is open: a deposit credited or a withdrawal decided (the feed says so) reads the balances again.
  const moved = useAppSelector((s) => (s.ui.versions.deposits ?? 0) + (s.ui.versions.withdrawals ?? 0));
  const balances = useHostQuery('ledger.balance', { clientId }, [clientId, moved], { skip: !may('ledger.read') });
  const deposits = useHostQuery('deposits.ofClient', { clientId }, [clientId, moved], { skip: !may('deposits.read') });
  const withdrawals = useHostQuery('withdrawals.ofClient', { clientId }, [clientId, moved], { skip: !may('withdrawals.read') });
  const platformMoved = useAppSelector((s) => (s.ui.versions.interventions ?? 0) + (s.ui.versions.managerOps ?? 0));
  const accounts = useHostQuery('platform.accounts', { clientId }, [clientId, platformMoved], { skip: !may('platform.read') });
  const interventions = useHostQuery('interventions.ofClient', { clientId }, [clientId, platformMoved], { skip: !may('platform.read') });
  const o: Overview | null = overview.data;
  const events: Event[] = timeline.data?.items ?? [];

  const exportHistory = async (format: 'csv' | 'xlsx') => {
    const rows = events.map((e) => ({ seq: e.seq, at: time(e.at), action: e.action, actor: e.actor, caseRef: e.caseRef ?? null, reason: e.reason ?? null, hash: e.hash, _json: '' }));
    try {
      const done = await exportRows({ view: 'audit', title: `${clientId} history`, columns: EVENT_COLUMNS, filters: `client ${clientId}`, mayExportPii: user?.permissions.includes('clients.exportPii') ?? false }, rows, format);
      dispatch(notify(`Exported ${done.rows} events of ${clientId} to ${done.fileName} (recorded in the audit log)`));
    } catch (e) {
      dispatch(notify(errorText(e)));
    }
  };

  if (!o) return <PaneStatus loading error={overview.error} what={clientId} />;
  const c = o.client;
  return (
    <article className="client-page" aria-label={`Client ${clientId}`}>
      <header className="client-head">
        <button className="link" onClick={onClose}>
          ← Back (Esc)
        </button>
        <h2>
          {c.id} · {c.name} · {labelOf(CLIENT_STATUS_LABELS, c.status)}
        </h2>
        {may('evidence.read') && (
          <span className="toolbar-end">
            <button onClick={() => dispatch(openEvidence({ clientId }))}>Evidence and pack</button>
          </span>
        )}
      </header>
      <FlagBanner flags={o.flags} />
      <dl className="client-facts">
        <dt>Type</dt>
        <dd>{labelCase(c.type)}</dd>
        <dt>Entity</dt>
        <dd>{c.legalEntity}</dd>
        <dt>Country</dt>
        <dd>{c.country}</dd>
        <dt>E-mail</dt>
        <dd>{c.email ?? '—'}</dd>
        <dt>Risk</dt>
        <dd>{c.riskLevel ? labelCase(c.riskLevel) : 'not scored'}</dd>
        <dt>Screening</dt>
        <dd>{labelOf(SCREENING_STATUS_LABELS, c.screeningStatus)}</dd>
        {o.kycStatus && (
          <>
            <dt>KYC</dt>
            <dd>
              {labelOf(KYC_STATUS_LABELS, o.kycStatus.status)} ({o.kycStatus.caseRef}){o.kycStatus.waitingFor.length ? ` · waiting for ${o.kycStatus.waitingFor.join(', ')}` : ''}
            </dd>
          </>
        )}
        <dt>Restrictions</dt>
        <dd>{c.restrictions.length ? c.restrictions.map((r) => RESTRICTION_KINDS[r].label).join('; ') : 'none'}</dd>
        <dt>May</dt>
        <dd>
          {Object.entries(c.capabilities)
            .filter(([, ok]) => ok)
            .map(([k]) => labelCase(k.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()))
            .join(', ') || 'nothing yet'}
        </dd>
      </dl>
      <div className="client-sections">
        <Section title="Balances" rows={balances.data?.items ?? null} empty="No money held for this client." columns={[['Currency', (b) => b.currency], ['Available', (b) => b.available], ['Pending', (b) => b.pending], ['Held for withdrawals', (b) => b.held]]} />
        <Section title="Deposits" rows={deposits.data?.items ?? null} empty="No deposit." columns={[['Deposit', (d) => d.ref], ['Amount', (d) => `${d.amount} ${d.currency}`], ['Status', (d) => labelOf(DEPOSIT_STATUS_LABELS, d.status)], ['Provider', (d) => `${d.provider} · ${labelCase(d.method)}`], ['MT5 credit', (d) => (d.platformStep ? labelOf(PLATFORM_STEP_LABELS, d.platformStep) : '—')], ['Initiated', (d) => time(d.createdAt)]]} />
        <Section title="Withdrawals" rows={withdrawals.data?.items ?? null} empty="No withdrawal." columns={[['Withdrawal', (w) => w.ref], ['Amount', (w) => `${w.amount} ${w.currency}`], ['Status', (w) => labelOf(WITHDRAWAL_STATUS_LABELS, w.status)], ['Approvals', (w) => `${w.approvalsGiven} of ${w.approvalsNeeded}`], ['Checks failed', (w) => (w.checksFailed.length ? w.checksFailed.map(labelCase).join(', ') : 'none')], ['Requested', (w) => time(w.createdAt)]]} />
        {may('platform.read') && (
          <>
            <Section title="MT5 accounts" rows={accounts.data ?? null} empty="No MT5 account yet (opened once KYC approves the client)." columns={[['Login', (a) => (a.login === null ? '—' : String(a.login))], ['Type', (a) => labelCase(a.accountType)], ['Group', (a) => a.group], ['Leverage', (a) => `1:${a.leverage}`], ['Currency', (a) => a.currency], ['Status', (a) => `${labelCase(a.status)}${a.statusReason ? `: ${a.statusReason}` : ''}`], ['Trading', (a) => (a.rights & 0x1 ? (a.rights & 0x4 ? 'disabled' : 'enabled') : 'account disabled')]]} />
            <Section title="MT5 interventions" rows={interventions.data?.items ?? null} empty="No intervention." columns={[['Case', (i) => i.caseRef], ['Type', (i) => i.typeLabel], ['Login', (i) => String(i.login)], ['Amount or value', (i) => (i.amount !== null ? `${i.amount} ${i.currency}` : (i.value ?? '—'))], ['Status', (i) => i.statusLabel], ['Deal', (i) => i.dealTicket ?? '—'], ['Requested', (i) => time(i.createdAt)]]} />
          </>
        )}
        <Section title="KYC cases" rows={o.kycCases} empty="No KYC case." columns={[['Case', (k) => k.caseRef], ['Status', (k) => labelOf(KYC_STATUS_LABELS, k.status)], ['Risk', (k) => (k.riskLevel ? labelCase(k.riskLevel) : '—')], ['Opened for', (k) => k.openedReason], ['Assignee', (k) => k.assignee ?? '—'], ['Opened', (k) => time(k.createdAt)]]} />
        <Section title="Screening cases" rows={o.screeningCases} empty="No screening hit." columns={[['Case', (s) => s.caseId], ['Status', (s) => labelOf(SCREENING_STATUS_LABELS, s.status)], ['List', (s) => `${s.list} ${s.entryKey}`], ['Score', (s) => s.score.toFixed(2)], ['Decided by', (s) => s.decidedBy ?? '—']]} />
        <Section title="Alerts" rows={o.alerts} empty="No alert." columns={[['Alert', (a) => a.id], ['Kind', (a) => alertKindLabel(a.kind)], ['Severity', (a) => labelCase(a.severity)], ['Status', (a) => labelOf(ALERT_STATUS_LABELS, a.status)], ['Raised', (a) => time(a.createdAt)]]} />
        <Section title="Approval requests" rows={o.approvals} empty="No approval request about this client." columns={[['Request', (a) => a.id], ['Kind', (a) => labelCase(a.kind.replace('.', '_'))], ['Status', (a) => labelCase(a.status)], ['Made', (a) => time(a.createdAt)]]} />
        <Section title="Documents" rows={o.documents} empty="No document received." columns={[['Document', (d) => d.documentId], ['Type', (d) => d.label], ['Status', (d) => labelCase(d.status)], ['Expires', (d) => d.expiresAt ?? '—'], ['Received', (d) => time(d.receivedAt)]]} />
      </div>
      {mayReadHistory && (
      <section className="client-section" aria-label="History">
        <h3>
          History <span className="count">{events.length}</span>
          <span className="toolbar-end">
            <button onClick={() => void exportHistory('csv')} disabled={!timeline.data}>
              Export CSV
            </button>
            <button onClick={() => void exportHistory('xlsx')} disabled={!timeline.data}>
              Export XLSX
            </button>
          </span>
        </h3>
        {!timeline.data && <PaneStatus loading error={timeline.error} what="the history" />}
        <ol className="timeline" aria-label="Client history">
          {events.map((e) => (
            <li key={e.seq}>
              <span className="mono">{time(e.at)}</span> <strong>{e.action}</strong> by {e.actor}
              {e.caseRef ? ` · ${e.caseRef}` : ''}
              {e.reason ? <div className="muted">{e.reason}</div> : null}
            </li>
          ))}
        </ol>
      </section>
      )}
    </article>
  );
}
