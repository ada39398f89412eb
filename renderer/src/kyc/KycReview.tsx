// The KYC queue and its case pane: documents (with the viewer), what the provider extracted beside
// what the client declared with mismatches marked, screening hits, the risk breakdown, the
// enhanced-due-diligence checklist, the timeline, and only the actions the case machine and the
// server allow this user now.

import { useEffect, useState } from 'react';
import { DOCUMENT_TYPES, REJECTION_REASONS, type DocumentType, type RejectionReason } from '../../../shared/kyc/machine.js';
import type { CacheRow } from '../../../shared/desktop/views.js';
import type { ChannelInput } from '../../../shared/desktop/api.js';
import type { ChannelOutput } from '../../../main/host/channels.js';
import { call } from '../bridge.js';
import { PaneStatus, useHostQuery } from '../shared/host.js';
import { QueueView } from '../shared/QueueView.js';
import { KYC_COLUMNS as COLUMNS } from './columns.js';
import { notify, useAppDispatch, useAppSelector } from '../store.js';
import { DocumentViewer } from './DocumentViewer.js';
import { TimelineToggle } from '../shared/ClientTimeline.js';
import { mayActOnCase } from '../../../shared/kyc/who.js';
import { CLIENT_STATUS_LABELS, KYC_STATUS_LABELS, labelOf, SCREENING_STATUS_LABELS, VERIFICATION_LABELS } from '../../../shared/labels.js';

type CaseView = ChannelOutput<'kyc.get'>;
/** The channels that act on the open case: each takes the case reference and its own fields. */
type CaseChannel = 'kyc.completeEddItem' | 'kyc.assignToMe' | 'kyc.requestDocuments' | 'kyc.escalate' | 'kyc.approve' | 'kyc.reject' | 'kyc.override';

/** Extracted beside declared, one row per field, mismatches marked. */
function Extraction({ v }: { v: CaseView }) {
  const check = [...v.checks].reverse().find((c) => c.status === 'complete');
  if (!check) {
    const last = v.checks.at(-1);
    // A manual check's reason is already shown as the case's verification reason.
    if (last?.status === 'manual') return null;
    return <p className="hint">{last ? 'The provider check is running…' : 'No identity document has been checked yet.'}</p>;
  }
  const bad = new Set(check.mismatches.map((m) => m.field));
  const doc = v.documents.find((d) => d.id === check.documentId);
  const rows: Array<[string, string, string | null | undefined, string | null | undefined]> = [
    ['lastName', 'Surname', v.client.lastName, check.extracted?.lastName],
    ['firstName', 'Given names', v.client.firstName, check.extracted?.firstName],
    ['dateOfBirth', 'Date of birth', v.client.dateOfBirth, check.extracted?.dateOfBirth],
    ['nationality', 'Nationality', v.client.nationality, check.extracted?.nationality],
    ['documentNumber', 'Document number', '—', check.extracted?.documentNumber],
    ['expiryDate', 'Expiry', doc?.expiresAt, check.extracted?.expiryDate],
  ];
  return (
    <>
      <table className="compare" aria-label="Extracted against declared">
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Declared</th>
            <th scope="col">Extracted ({check.id})</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([key, label, declared, extracted]) => (
            <tr key={key} className={bad.has(key) ? 'mismatch' : undefined}>
              <th scope="row">{label}</th>
              <td>{declared ?? '—'}</td>
              <td>
                {extracted ?? '—'}
                {bad.has(key) ? ' ✗ mismatch' : ''}
              </td>
            </tr>
          ))}
          <tr className={bad.has('mrz') ? 'mismatch' : undefined}>
            <th scope="row">MRZ check digits</th>
            <td>—</td>
            <td>{check.checks?.mrz ? Object.entries(check.checks.mrz.checkDigits).map(([k, ok]) => `${k} ${ok ? '✓' : '✗'}`).join(', ') : 'not read'}</td>
          </tr>
          <tr className={bad.has('liveness') || bad.has('faceMatch') ? 'mismatch' : undefined}>
            <th scope="row">Liveness · face match</th>
            <td>—</td>
            <td>{check.checks ? `${check.checks.liveness.result} (${check.checks.liveness.score}) · ${check.checks.faceMatch.result} (${check.checks.faceMatch.score})` : '—'}</td>
          </tr>
        </tbody>
      </table>
      {check.mismatches.length > 0 && (
        <ul className="problems" aria-label="Mismatches">
          {check.mismatches.map((m) => (
            <li key={m.field}>{m.message}</li>
          ))}
        </ul>
      )}
    </>
  );
}

type Form = null | 'requestDocuments' | 'escalate' | 'approve' | 'reject' | 'override';

export function CasePane({ row, offline }: { row: CacheRow; offline: boolean }) {
  const dispatch = useAppDispatch();
  const user = useAppSelector((s) => s.session.user);
  const caseRef = String(row.caseRef);
  const kase = useHostQuery('kyc.get', { caseRef }, [caseRef]);
  const view: CaseView | null = kase.data;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form, setForm] = useState<Form>(null);
  const [note, setNote] = useState('');
  const [basis, setBasis] = useState('');
  const [reason, setReason] = useState<RejectionReason>('incomplete_information');
  const [types, setTypes] = useState<DocumentType[]>([]);
  const [overrideDecision, setOverrideDecision] = useState<'approve' | 'reject'>('approve');
  const [viewing, setViewing] = useState<string | null>(null);
  // The cached KYC view changed (a sync round brought case updates): read the case again.
  const version = useAppSelector((s) => s.ui.versions.kyc ?? 0);

  useEffect(() => {
    setError(null);
    setForm(null);
    setViewing(null);
  }, [caseRef]);
  useEffect(() => {
    if (version > 0) void kase.reload();
  }, [version]);

  const act = async <C extends CaseChannel>(channel: C, input: Omit<ChannelInput<C>, 'caseRef'>, done: string) => {
    setBusy(true);
    setError(null);
    try {
      const answer: ChannelOutput<CaseChannel> = await call(channel, { caseRef, ...input } as ChannelInput<C>);
      const result = 'approvalId' in answer ? answer : null;
      setForm(null);
      setNote('');
      setBasis('');
      setTypes([]);
      dispatch(notify(result?.approvalId ? `${caseRef}: override requested (${result.approvalId}); a second person must approve it` : `${caseRef}: ${done}`));
      await kase.reload();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (!view) return <PaneStatus loading error={kase.error} what={caseRef} />;
  const can = (a: CaseView['availableActions'][number]) => view.availableActions.includes(a);
  const mayOverride = user?.permissions.includes('kyc.override') && view.status !== 'rejected';
  const mayDecideHighRisk = user?.permissions.includes('kyc.decideHighRisk') ?? false;
  // The server's rule (shared/kyc/who.ts): the assignee or a senior officer completes the checklist.
  const mayTick = user !== null && mayActOnCase({ id: view.caseRef, status: 'open', assigneeId: view.assigneeId, escalatedTo: null }, { userId: user.id, senior: mayDecideHighRisk }).ok;
  return (
    <div className="kyc-case">
      <h3>
        {view.caseRef} · {labelOf(KYC_STATUS_LABELS, view.status)} · risk {view.riskLevel ?? 'not scored'}
        {view.riskScore !== null ? ` (${view.riskScore})` : ''}
      </h3>
      <p className="hint">
        {view.client.id} · {view.client.name} · {view.client.type} · {view.client.country} · client {labelOf(CLIENT_STATUS_LABELS, view.client.status)}
        {view.client.restrictions.length ? ` (${view.client.restrictions.join(', ')})` : ''} · opened for: {view.openedReason}
      </p>
      {view.sla.dueAt && (
        <p className={view.sla.breached ? 'banner notice' : 'hint'}>
          SLA {view.sla.breached ? `breached ${Math.abs(view.sla.hoursLeft ?? 0)} h ago` : `${view.sla.hoursLeft} h left`}
          {view.sla.stuck ? ' · stuck: no change for longer than the policy allows' : ''}
        </p>
      )}
      {view.decision && (
        <p className="banner">
          {view.decision} · {view.policyBasis ?? view.decisionNote}
        </p>
      )}
      {view.blockers.length > 0 && !view.decision && (
        <ul className="problems" aria-label="Before approval">
          {view.blockers.map((b) => (
            <li key={b.message}>
              <span className="mono">{b.reason}</span> {b.message}
            </li>
          ))}
        </ul>
      )}

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
                <button className="link" onClick={() => setViewing(d.id)} aria-label={`Open ${d.id} ${d.label}`}>
                  Open
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {view.documents.length === 0 && <p className="hint">Nothing received yet.</p>}
      {view.requestedDocuments.length > 0 && <p className="hint">Waiting for: {view.requestedDocuments.map((t) => DOCUMENT_TYPES[t].label).join(', ')}</p>}
      {viewing && <DocumentViewer documentId={viewing} onClose={() => setViewing(null)} />}

      <h4>Provider check · {labelOf(VERIFICATION_LABELS, view.verificationStatus)}</h4>
      {view.verificationReason && <p className="hint">{view.verificationReason}</p>}
      <Extraction v={view} />

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

      <h4>Risk {view.risk ? `· ${view.risk.level} (${view.risk.score}) · ${view.risk.policyRef}${view.risk.countryListDate ? ` · FATF ${view.risk.countryListDate}` : ''}` : ''}</h4>
      {view.risk && (
        <table className="compact" aria-label="Risk breakdown">
          <tbody>
            {view.risk.factors.map((f, i) => (
              <tr key={`${f.factor}-${i}`}>
                <th scope="row">{f.label}</th>
                <td className="mono">+{f.points}</td>
                <td>{f.detail}</td>
              </tr>
            ))}
            {view.risk.factors.length === 0 && (
              <tr>
                <td>No risk factor applies.</td>
              </tr>
            )}
          </tbody>
        </table>
      )}

      {view.edd && (
        <>
          <h4>Enhanced due diligence</h4>
          <ul className="checklist" aria-label="Enhanced due diligence">
            {view.edd.map((i) => (
              <li key={i.key}>
                {i.done ? '☑' : '☐'} {i.label}
                {i.byName ? ` · ${i.byName}: ${i.note ?? ''}` : ''}
                {!i.done && i.evidence === 'senior_signoff' && !mayDecideHighRisk && <span className="hint"> · signed off by a senior compliance officer or the MLRO</span>}
                {!i.done && i.evidence === 'document' && <span className="hint"> · complete when the client sends it</span>}
                {!i.done && i.evidence === 'attestation' && !mayTick && <span className="hint"> · completed by the case's assignee or a senior officer</span>}
                {!i.done && ((i.evidence === 'attestation' && mayTick) || (i.evidence === 'senior_signoff' && mayDecideHighRisk)) && !view.decision && (
                  <button className="link" disabled={offline || busy || note.trim().length < 3} onClick={() => void act('kyc.completeEddItem', { item: i.key, note: note.trim() }, `${i.label}: done`)}>
                    Mark done with the note below
                  </button>
                )}
              </li>
            ))}
          </ul>
        </>
      )}

      <div className="decide">
        <div className="buttons" role="group" aria-label="Actions">
          {can('assign') && view.assigneeId !== user?.id && (
            <button disabled={offline || busy} onClick={() => void act('kyc.assignToMe', {}, 'assigned to you')}>
              Assign to me
            </button>
          )}
          {can('requestDocuments') && <button onClick={() => setForm('requestDocuments')}>Request documents</button>}
          {can('escalate') && <button onClick={() => setForm('escalate')}>Escalate</button>}
          {can('approve') && <button onClick={() => setForm('approve')}>Approve</button>}
          {can('reject') && (
            <button className="danger" onClick={() => setForm('reject')}>
              Reject
            </button>
          )}
          {mayOverride && <button onClick={() => setForm('override')}>Request override</button>}
        </div>
        {form === 'requestDocuments' && (
          <fieldset>
            <legend>Documents to request</legend>
            {(Object.keys(DOCUMENT_TYPES) as DocumentType[]).map((t) => (
              <label key={t} className="check">
                <input type="checkbox" checked={types.includes(t)} onChange={(e) => setTypes((prev) => (e.target.checked ? [...prev, t] : prev.filter((x) => x !== t)))} /> {DOCUMENT_TYPES[t].label}
              </label>
            ))}
          </fieldset>
        )}
        {form === 'reject' && (
          <label>
            Rejection reason
            <select value={reason} onChange={(e) => setReason(e.target.value as RejectionReason)}>
              {(Object.keys(REJECTION_REASONS) as RejectionReason[]).map((r) => (
                <option key={r} value={r}>
                  {REJECTION_REASONS[r]}
                </option>
              ))}
            </select>
          </label>
        )}
        {form === 'override' && (
          <label>
            Override to
            <select value={overrideDecision} onChange={(e) => setOverrideDecision(e.target.value as 'approve' | 'reject')}>
              <option value="approve">Approve</option>
              <option value="reject">Reject</option>
            </select>
          </label>
        )}
        {form === 'approve' && (
          <label>
            Policy basis
            <input value={basis} onChange={(e) => setBasis(e.target.value)} placeholder="e.g. AML policy 4.2, standard due diligence" />
          </label>
        )}
        <label>
          Note (recorded with the step{view.edd ? ' and used for checklist items' : ''})
          <textarea rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
        {form && (
          <div className="buttons">
            <button
              disabled={offline || busy}
              onClick={() => {
                const n = note.trim();
                if (form === 'requestDocuments') void act('kyc.requestDocuments', { documentTypes: types, note: n }, 'documents requested');
                else if (form === 'escalate') void act('kyc.escalate', { note: n }, 'escalated');
                else if (form === 'approve') void act('kyc.approve', { note: n, policyBasis: basis.trim() }, 'approved');
                else if (form === 'reject') void act('kyc.reject', { reason, note: n }, 'rejected');
                else void act('kyc.override', { decision: overrideDecision, reason: n, ...(overrideDecision === 'reject' ? { rejectionReason: reason } : {}) }, 'override requested');
              }}
            >
              Confirm {form === 'requestDocuments' ? 'request' : form}
            </button>
            <button className="link" onClick={() => setForm(null)}>
              Cancel
            </button>
          </div>
        )}
        {offline && <p className="hint">Offline: actions need the server and are disabled until it is reachable.</p>}
      </div>
      <PaneStatus loading={false} error={error} what={view.client.id} />
      <TimelineToggle clientId={view.client.id} />
    </div>
  );
}

export function KycReview({ offline }: { offline: boolean }) {
  return <QueueView view="kyc" title="KYC review" columns={COLUMNS} paneClass="wide" defaultSort={[{ colId: 'createdAt', sort: 'desc' }]} detail={(row) => <CasePane row={row} offline={offline} />} />;
}
