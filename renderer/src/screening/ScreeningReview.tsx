// The screening review queue and its hit pane: the client (or the director, shareholder or owner)
// beside the list entry, field by field, with what matched and why, and the two decisions. The
// server decides who may clear what; the pane offers only the decisions it says are open.

import { useState } from 'react';
import { DECISION_LABELS, SCREENING_DECISIONS } from '../../../shared/screening/schemas.js';
import type { CacheRow } from '../../../shared/desktop/views.js';
import type { ChannelOutput } from '../../../main/host/channels.js';
import { PaneStatus, useHostAction, useHostQuery } from '../shared/host.js';
import { QueueView, type QueueColumn } from '../shared/QueueView.js';
import { TimelineToggle } from '../shared/ClientTimeline.js';
import { FlagBanner, FlagCell } from '../shared/Flags.js';
import { SCREENING_TABS } from './tabs.js';
import { useNextItem, useShortcuts } from '../shared/shortcuts.js';
import { flagsOf } from '../../../shared/clients/flags.js';
import { useAppDispatch } from '../store.js';
import { notify } from '../shared/notices.js';
import { CLIENT_STATUS_LABELS, humanize, labelOf, SCREENING_STATUS_LABELS } from '../../../shared/labels.js';
import { clientEvidence } from '../shared/evidence-column.js';

const COLUMNS: QueueColumn<'screening'>[] = [
  { field: 'id', header: 'Case', width: 120, pinned: true, exact: true },
  { field: 'status', header: 'Status', width: 120, format: (v) => labelOf(SCREENING_STATUS_LABELS, String(v ?? '')), choices: { open: 'Open', ...DECISION_LABELS } },
  { field: 'flags', header: 'Flags', width: 250, cell: (v) => <FlagCell value={v} /> },
  { field: 'score', header: 'Score', width: 95, format: (v) => (typeof v === 'number' ? v.toFixed(2) : '') },
  { field: 'subject', header: 'Client or party', width: 190, pii: true },
  { field: 'entryName', header: 'List entry', width: 230 },
  { field: 'list', header: 'List', width: 130 },
  { field: 'clientId', header: 'Client', width: 110, exact: true },
  { field: 'legalEntity', header: 'Entity', width: 90, choices: 'entities' },
  { field: 'trigger', header: 'Trigger', width: 120, format: (v) => humanize(String(v ?? '')) },
  { field: 'createdAt', header: 'Opened (UTC)', width: 170 },
  { field: 'decidedBy', header: 'Decided by', width: 140 },
];

type CaseView = ChannelOutput<'screening.get'>;
type PartialDate = NonNullable<CaseView['subjectAtHit']['birthDate']>;

const date = (d: PartialDate) => `${d.approximate ? 'circa ' : ''}${[d.year, d.month && String(d.month).padStart(2, '0'), d.day && String(d.day).padStart(2, '0')].filter(Boolean).join('-')}${d.toYear ? `–${d.toYear}` : ''}`;
const list = (values: readonly string[]) => (values.length ? values.join(', ') : '—');

function effect(e: { effect: number; detail: string } | undefined): { text: string; tone: 'up' | 'down' | 'none' } {
  if (!e) return { text: 'no evidence either way', tone: 'none' };
  return { text: `${e.detail} (${e.effect >= 0 ? '+' : ''}${e.effect.toFixed(2)})`, tone: e.effect > 0 ? 'up' : e.effect < 0 ? 'down' : 'none' };
}

/** Client beside list entry, one row per field, with what the matcher made of it. */
function Comparison({ v }: { v: CaseView }) {
  const entry = v.entryAtHit;
  const person = v.party ?? { name: v.client.name, dateOfBirth: v.client.dateOfBirth, nationality: v.client.nationality, country: v.client.country };
  const evidence = (kind: CaseView['hit']['evidence'][number]['kind']) => effect(v.hit.evidence.find((e) => e.kind === kind));
  const tokens = v.hit.comparison.pairs.map((p) => (p.how === 'exact' ? p.query : `${p.query} ~ ${p.candidate} (${p.how})`)).join(', ');
  const rows: Array<{ field: string; client: string; entry: string; assessment: { text: string; tone: 'up' | 'down' | 'none' } }> = [
    {
      field: 'Name',
      client: person.name,
      entry: v.hit.matchedName,
      assessment: { text: `name ${v.hit.nameScore.toFixed(2)}${tokens ? `: ${tokens}` : ''}${v.hit.comparison.unmatchedQuery.length ? `; unmatched ${v.hit.comparison.unmatchedQuery.join(' ')}` : ''}${v.hit.comparison.notes.length ? `; ${v.hit.comparison.notes.join('; ')}` : ''}`, tone: 'up' },
    },
    { field: 'Other names', client: '—', entry: list(entry.names.filter((n) => n !== v.hit.matchedName).slice(0, 8)), assessment: { text: '', tone: 'none' } },
    { field: 'Type', client: v.party ? 'Person' : v.client.type === 'corporate' ? 'Company' : 'Person', entry: entry.schema, assessment: { text: '', tone: 'none' } },
    { field: 'Date of birth', client: person.dateOfBirth ?? '—', entry: list(entry.birthDates.map(date)), assessment: evidence('birth_date') },
    { field: 'Nationality', client: person.nationality ?? '—', entry: list(entry.nationalities), assessment: evidence('nationality') },
    { field: 'Country', client: person.country ?? '—', entry: list(entry.countries), assessment: { text: '', tone: 'none' } },
    { field: 'Identifiers', client: '—', entry: list(entry.identifiers.map((i) => `${i.type} ${i.value}${i.country ? ` (${i.country})` : ''}`)), assessment: evidence('identifier') },
    { field: 'Programmes', client: '—', entry: list(entry.programs), assessment: { text: '', tone: 'none' } },
    { field: 'Listed', client: '—', entry: entry.listedOn ?? '—', assessment: { text: '', tone: 'none' } },
  ];
  return (
    <table className="compare" aria-label="Client beside list entry">
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">{v.party ? `${v.party.roles.join(', ')} of ${v.client.name}` : 'Client'}</th>
          <th scope="col">
            {v.list} {entry.key}
          </th>
          <th scope="col">What it means</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.field}>
            <th scope="row">{r.field}</th>
            <td>{r.client}</td>
            <td>{r.entry}</td>
            <td className={`assess ${r.assessment.tone}`}>{r.assessment.text}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function HitPane({ row, offline }: { row: CacheRow; offline: boolean }) {
  const dispatch = useAppDispatch();
  const id = String(row.id);
  const hit = useHostQuery('screening.get', { caseId: id }, [id, row.status]);
  const decision = useHostAction('screening.decide');
  const nextItem = useNextItem();
  const [reason, setReason] = useState('');
  const view: CaseView | null = hit.data;
  const error = decision.error;
  const busy = decision.busy;

  const decide = async (choice: 'true_match' | 'false_positive') => {
    if (reason.trim().length < 10) {
      decision.setError('Record what settled it: which fields you compared and what you saw (at least 10 characters).');
      return;
    }
    const next = await decision.run({ caseId: id, decision: choice, reason: reason.trim() });
    if (!next) return;
    hit.set(next);
    setReason('');
    nextItem();
    dispatch(notify(`${id}: ${DECISION_LABELS[choice].toLowerCase()}${choice === 'true_match' ? '; the client is restricted and the MLRO alerted' : ''}`));
  };

  const decisionKey = (d: 'true_match' | 'false_positive', key: string) => ({
    key,
    label: DECISION_LABELS[d],
    run: () => void decide(d),
    unavailable: !view?.availableDecisions.includes(d) ? 'not open to you on this hit' : offline ? 'offline' : reason.trim().length < 10 ? 'write the reason first (at least 10 characters)' : null,
  });
  useShortcuts([decisionKey('true_match', 't'), decisionKey('false_positive', 'f')]);

  if (!view) return <PaneStatus loading error={hit.error} what={id} />;
  return (
    <div className="hit">
      <h3>
        {view.id} · {labelOf(SCREENING_STATUS_LABELS, view.status)} · score {view.score.toFixed(2)}
      </h3>
      <FlagBanner flags={flagsOf({ caseStatus: view.status, clientStatus: view.client.status })} />
      <p className="explain">{view.explanation}</p>
      {view.currentEntry?.changedSinceHit && <p className="banner notice">The list entry changed after this hit (now in {view.currentEntry.versionId}); compare with the current entry before deciding.</p>}
      {!view.currentEntry && <p className="banner notice">This entry is no longer on {view.list}: it was removed after the hit.</p>}
      {view.reopens && <p className="hint">Reopens {view.reopens}: the entry changed since that decision.</p>}
      <Comparison v={view} />
      {view.entryAtHit.remarks && (
        <details>
          <summary>List remarks</summary>
          <p className="mono">{view.entryAtHit.remarks}</p>
        </details>
      )}
      <dl>
        <dt>Client</dt>
        <dd>
          {view.client.id} · {view.client.name} · {labelOf(CLIENT_STATUS_LABELS, view.client.status)} · {view.client.legalEntity}
        </dd>
        <dt>Trigger</dt>
        <dd>
          {humanize(view.trigger)} · list version {view.listVersion} · {view.policyRef}
        </dd>
        {view.history.length > 0 && (
          <>
            <dt>Earlier</dt>
            <dd>{view.history.map((h) => `${h.id} ${labelOf(SCREENING_STATUS_LABELS, h.status)} by ${h.decidedBy ?? '—'}${h.sameEntryVersion ? '' : ' (on an earlier version of the entry)'}`).join('; ')}</dd>
          </>
        )}
        {view.decidedBy && (
          <>
            <dt>Decided</dt>
            <dd>
              {view.decidedBy} at {view.decidedAt?.replace('T', ' ').slice(0, 19)}: {view.reason}
            </dd>
          </>
        )}
      </dl>
      {view.availableDecisions.length > 0 && (
        <div className="decide">
          <label>
            Reason (recorded with the decision)
            <textarea rows={3} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="What you compared and what settled it" />
          </label>
          {offline && <p className="hint">Offline: decisions need the server and are disabled until it is reachable.</p>}
          <div className="buttons">
            {SCREENING_DECISIONS.filter((d) => view.availableDecisions.includes(d)).map((d) => (
              <button key={d} disabled={offline || busy} className={d === 'true_match' ? 'danger' : undefined} onClick={() => void decide(d)}>
                {DECISION_LABELS[d]}
              </button>
            ))}
          </div>
        </div>
      )}
      <PaneStatus loading={false} error={error} what={view.client.id} />
      <TimelineToggle clientId={view.client.id} />
    </div>
  );
}

export function ScreeningReview({ offline }: { offline: boolean }) {
  return (
    <QueueView
      view="screening"
      evidence={clientEvidence}
      title="Screening review"
      columns={COLUMNS}
      paneClass="wide"
      tabs={SCREENING_TABS}
      defaultSort={[{ colId: 'createdAt', sort: 'desc' }]}
      detail={(row) => <HitPane row={row} offline={offline} />}
    />
  );
}
