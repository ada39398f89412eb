// What each evidence view shows above its events: a client's documents with their hashes and the
// policy versions that decided; a staff member's role grants with requester and approvers, sign-ins
// and sessions; an MT5 operation's case (requester, approvals, operator, reason, deal, state before
// and after) or the manager operation and how it was explained.

import type { ChannelOutput } from '../../../main/host/channels.js';
import { labelCase } from '../../../shared/labels.js';
import { Section } from '../shared/Section.js';

type ClientView = ChannelOutput<'evidence.client'>;
type StaffView = ChannelOutput<'evidence.staff'>;
type OperationView = ChannelOutput<'evidence.operation'>;

export const time = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').slice(0, 19) : '—');
const json = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

function Facts({ rows }: { rows: Array<[string, string | number | null | undefined]> }) {
  return (
    <dl className="client-facts">
      {rows.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <dt>{k}</dt>
          <dd>{v === null || v === undefined || v === '' ? '—' : v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The rules' automated decisions about the subject, each with its rule version and the conditions that held (with their values). */
function AutomatedDecisions({ rows }: { rows: ClientView['automatedDecisions'] }) {
  return (
    <Section
      title="Automated decisions"
      rows={rows}
      empty="No rule has decided anything here automatically."
      columns={[
        ['When', (e) => time(e.at)],
        ['On', (e) => `${e.subject.type} ${e.subject.id}`],
        ['Rule version', (e) => `${e.policy.name}${e.policy.canary ? ' (canary)' : ''}`],
        ['Outcome', (e) => e.outcome],
        ['Conditions that held', (e) => (e.conditions as Array<{ name: string; result: boolean; values: Record<string, unknown> }>).filter((c) => c.result).map((c) => `${c.name} (${Object.entries(c.values).map(([k, v]) => `${k} ${String(v)}`).join(', ')})`).join('; ')],
      ]}
    />
  );
}

export function ClientSections({ view }: { view: ClientView }) {
  const s = view.subject;
  return (
    <>
      <Facts rows={[['Client', `${s.clientId} · ${s.name}`], ['Entity', s.legalEntity], ['Status', labelCase(s.status)], ['Type', labelCase(s.clientType)], ['Registered', time(s.registeredAt)]]} />
      <div className="client-sections">
        <Section title="Documents" rows={view.documents} empty="No document received." columns={[['Document', (d) => d.documentId], ['Type', (d) => labelCase(d.documentType)], ['Status', (d) => labelCase(d.status)], ['Received', (d) => time(d.receivedAt)], ['SHA-256', (d) => <span className="mono hash">{d.sha256}</span>]]} />
        <Section title="Policy versions that decided" rows={view.policies} empty="No event names a policy version." columns={[['Version', (p) => p.policyRef], ['First', (p) => time(p.firstAt)], ['Last', (p) => time(p.lastAt)], ['Decisions', (p) => p.decisions]]} />
        <AutomatedDecisions rows={view.automatedDecisions} />
      </div>
    </>
  );
}

export function StaffSections({ view }: { view: StaffView }) {
  const s = view.subject;
  return (
    <>
      <Facts rows={[['Staff member', `${s.displayName} (${s.username})`], ['Status', labelCase(s.status)], ['Created', `${time(s.createdAt)}${s.createdBy ? ` by ${s.createdBy}` : ''}`], ['Last sign-in', time(s.lastLoginAt)], ['Approvals given', view.approvalsGiven], ['Period', s.from || s.to ? `${time(s.from)} to ${time(s.to)}` : 'all time']]} />
      <div className="client-sections">
        <Section
          title="Roles granted and revoked"
          rows={view.roleGrants}
          empty="No role grant in the entities you may see."
          columns={[
            ['Role', (g) => `${labelCase(g.role)} · ${g.legalEntity}`],
            ['Granted', (g) => time(g.grantedAt)],
            ['Requested by', (g) => g.requestedBy],
            ['Approved by', (g) => (g.approvedBy.length ? g.approvedBy.join(', ') : 'bootstrap (no approval)')],
            ['Reason', (g) => g.reason ?? '—'],
            ['Revoked', (g) => (g.revokedAt ? `${time(g.revokedAt)} by ${g.revokeRequestedBy ?? '—'}, approved by ${g.revokeApprovedBy.join(', ') || '—'}: ${g.revokeReason ?? ''}` : '—')],
          ]}
        />
        <Section title="Sign-ins and failures" rows={view.signIns} empty="No sign-in in this period." columns={[['When', (x) => time(x.at)], ['Outcome', (x) => (x.ok ? 'signed in' : `${labelCase(x.action.replace('auth.', '').replaceAll('.', '_'))}${x.reason ? `: ${x.reason}` : ''}`)], ['Address', (x) => x.ip ?? '—'], ['Agent', (x) => x.userAgent ?? '—']]} />
        <Section title="Sessions" rows={view.sessions} empty="No session in this period." columns={[['Started', (x) => time(x.createdAt)], ['Last seen', (x) => time(x.lastSeenAt)], ['Ended', (x) => (x.revokedAt ? `${time(x.revokedAt)}${x.revokeReason ? `: ${x.revokeReason}` : ''}` : `expires ${time(x.expiresAt)}`)], ['Address', (x) => x.ip ?? '—']]} />
      </div>
    </>
  );
}

export function OperationSections({ view }: { view: OperationView }) {
  const s = view.subject;
  if (s.kind === 'managerOperation') {
    return <Facts rows={[['Operation', `${s.caseRef} · ${labelCase(s.type)}`], ['Status', labelCase(s.status)], ['Entity', s.legalEntity], ['Client', s.clientId], ['MT5 login', s.login], ['Deal', s.dealTicket], ['Dealer', s.dealer], ['Comment', s.comment], ['At', time(s.at)], ['Explained by', s.linkedTo ? `linked to ${s.linkedTo}` : s.alertId ? `escalated (${s.alertId})` : 'not yet explained']]} />;
  }
  return (
    <>
      <Facts
        rows={[
          ['Case', `${s.caseRef} · ${s.typeLabel}`],
          ['Status', s.statusLabel],
          ['Client', `${s.clientId}${s.clientName ? ` · ${s.clientName}` : ''}`],
          ['MT5 login', s.login],
          ['Amount or value', s.amount !== null ? `${s.amount} ${s.currency ?? ''}` : s.value],
          ['Reason', `${s.reasonLabel} (${s.reasonCode})${s.note ? `: ${s.note}` : ''}`],
          ['Requested by', `${s.requestedByName ?? s.requestedBy} · ${time(s.createdAt)}`],
          ['Operator', s.operatorName ? `${s.operatorName} · ${time(s.executedAt)}` : '—'],
          ['Policy', s.policyRef],
          ['Deal', s.dealTicket],
        ]}
      />
      <div className="client-sections">
        <Section title="Approvals" rows={s.approvals} empty="No approval given yet." columns={[['By', (a) => a.by], ['As', (a) => a.roles.map(labelCase).join(', ')], ['When', (a) => time(a.at)], ['Reason', (a) => a.reason ?? '—']]} />
        <Section title="MT5 before and after" rows={[{ what: 'Before', state: s.before }, { what: 'After', state: s.after }, { what: 'Deal', state: s.deal }]} empty="" columns={[['', (r) => r.what], ['State', (r) => <span className="mono">{json(r.state)}</span>]]} />
        {'automatedDecisions' in view && <AutomatedDecisions rows={view.automatedDecisions} />}
      </div>
    </>
  );
}
