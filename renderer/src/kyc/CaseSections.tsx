// The read-only sections of the KYC case pane: the heading with SLA, decision and what blocks
// approval; the documents; screening hits; the risk breakdown. Each reads the case view only.

import type { ChannelOutput } from '../../../main/host/channels.js';
import type { Blocker } from '../../../shared/kyc/blockers.js';
import { RESTRICTION_KINDS } from '../../../shared/clients/lifecycle.js';
import { DOCUMENT_TYPES } from '../../../shared/kyc/machine.js';
import { CLIENT_STATUS_LABELS, KYC_STATUS_LABELS, labelOf, SCREENING_STATUS_LABELS } from '../../../shared/labels.js';
import { hoursText } from '../../../shared/time.js';
import { FlagBanner } from '../shared/Flags.js';

export type CaseView = ChannelOutput<'kyc.get'>;

export function CaseHeader({ view, blockers }: { view: CaseView; blockers: Blocker[] }) {
  return (
    <>
      <h3>
        {view.caseRef} · {labelOf(KYC_STATUS_LABELS, view.status)} · risk {view.riskLevel ?? 'not scored'}
        {view.riskScore !== null ? ` (${view.riskScore})` : ''}
      </h3>
      <FlagBanner flags={view.flags} />
      <p className="hint">
        {view.client.id} · {view.client.name} · {view.client.type} · {view.client.country} · client {labelOf(CLIENT_STATUS_LABELS, view.client.status)}
        {view.client.restrictions.length ? ` (${view.client.restrictions.map((r) => RESTRICTION_KINDS[r].label.toLowerCase()).join(', ')})` : ''} · opened for: {view.openedReason}
      </p>
      {view.sla.dueAt && (
        <p className={view.sla.breached ? 'banner notice' : 'hint'}>
          SLA {view.sla.breached ? `breached ${hoursText(Math.abs(view.sla.hoursLeft ?? 0))} ago` : `${hoursText(view.sla.hoursLeft ?? 0)} left`}
          {view.sla.stuck ? ' · stuck: no change for longer than the policy allows' : ''}
        </p>
      )}
      {view.sla.stopped && <p className="hint">SLA stopped · {view.sla.stopped}</p>}
      {view.decision && (
        <p className="banner">
          {view.decision} · {view.policyBasis ?? view.decisionNote}
        </p>
      )}
      {blockers.length > 0 && !view.decision && (
        <ul className="problems" aria-label="Before approval">
          {blockers.map((b) => (
            <li key={b.message} title={b.reason}>
              {b.message}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function DocumentsSection({ view, onOpen }: { view: CaseView; onOpen: (documentId: string) => void }) {
  return (
    <>
      <h4>Documents</h4>
      <table className="compact" aria-label="Documents">
        <tbody>
          {view.documents.map((d) => (
            <tr key={d.id} className={d.status === 'superseded' ? 'muted' : undefined}>
              <td className="mono">{d.id}</td>
              <td>{d.label}</td>
              <td>{d.status}</td>
              <td>{d.expiresAt ? `expires ${d.expiresAt}` : d.issuedAt ? `issued ${d.issuedAt}` : ''}</td>
              <td>
                <button className="link" onClick={() => onOpen(d.id)} aria-label={`Open ${d.id} ${d.label}`}>
                  Open
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {view.documents.length === 0 && <p className="hint">Nothing received yet.</p>}
      {view.requestedDocuments.length > 0 && <p className="hint">Waiting for: {view.requestedDocuments.map((t) => DOCUMENT_TYPES[t].label).join(', ')}</p>}
    </>
  );
}

export function ScreeningSection({ view }: { view: CaseView }) {
  return (
    <>
      <h4>Screening · {labelOf(SCREENING_STATUS_LABELS, view.screening.status)}</h4>
      {view.screening.hits.length ? (
        <ul>
          {view.screening.hits.map((h) => (
            <li key={h.caseId}>
              {h.caseId} {labelOf(SCREENING_STATUS_LABELS, h.status)}: {h.subject} ~ {h.entryName} ({h.list}, {h.score.toFixed(2)})
            </li>
          ))}
        </ul>
      ) : (
        <p className="hint">No hits.</p>
      )}
    </>
  );
}

export function RiskSection({ view }: { view: CaseView }) {
  const risk = view.risk;
  return (
    <>
      <h4>Risk {risk ? `· ${risk.level} (${risk.score}) · ${risk.policyRef}${risk.countryListDate ? ` · FATF ${risk.countryListDate}` : ''}` : ''}</h4>
      {risk && (
        <table className="compact" aria-label="Risk breakdown">
          <tbody>
            {risk.factors.map((f, i) => (
              <tr key={`${f.factor}-${i}`}>
                <th scope="row">{f.label}</th>
                <td className="mono">+{f.points}</td>
                <td>{f.detail}</td>
              </tr>
            ))}
            {risk.factors.length === 0 && (
              <tr>
                <td>No risk factor applies.</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </>
  );
}
