// Drafting a rule change: the document (for tier rules, a table of bands and SLAs; for any rule the
// JSON itself), its diff against the version in force as you type, a dry run over the last N days
// (what would have been decided otherwise, by legal entity), the change request's texts, and an
// optional canary segment. Submitting asks the server, which runs the dry run again itself.

import { useEffect, useMemo, useState } from 'react';
import type { ChannelOutput } from '../../../main/host/channels.js';
import { ActionForm } from '../shared/ActionForm.js';
import { errorText, useHostAction, useHostQuery } from '../shared/host.js';
import { call } from '../bridge.js';
import { notify } from '../shared/notices.js';
import { useAppDispatch } from '../store.js';
import { DiffTable, DryRunItems, DryRunSummary } from './Parts.js';
import { CANARY_REFUSED, CANARY_TYPES } from '../../../shared/policies/change-control.js';

/** The canary segment the form describes; none when neither an entity nor a share is chosen. */
function canaryOf(entity: string, share: { percent: number; of: 'clients' | 'requests' }) {
  const segment = { ...(entity ? { legalEntity: entity } : {}), ...(share.percent > 0 ? { sharePercent: share.percent, shareOf: share.of } : {}) };
  return Object.keys(segment).length ? { canary: segment } : {};
}

type Policy = ChannelOutput<'policies.get'>;
type Diff = ChannelOutput<'policies.diff'>['changes'];
type DryRun = ChannelOutput<'policies.dryRun'>;
interface Tier {
  name: string;
  upToBase?: number;
  slaHours: number;
}

const DETAILS = [
  ['purpose', 'Purpose', 'Why the rule changes (at least 10 characters)'],
  ['segments', 'Affected segments', 'Who the change touches: entities, client types, amounts'],
  ['edgeCases', 'Edge cases', 'Boundaries, first withdrawals, missing rates'],
  ['testPlan', 'Test plan', 'How it was tested: the dry run, a canary'],
  ['rollbackPlan', 'Rollback plan', 'How it is undone, and what then needs remediation'],
] as const;
type DetailKey = (typeof DETAILS)[number][0];

function parse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, error: `Not JSON: ${(e as Error).message}` };
  }
}

/** Bands and SLAs of a tier rule, edited in major units; the JSON follows. */
function TierTable({ document, onChange }: { document: { tiers?: Tier[] }; onChange: (tiers: Tier[]) => void }) {
  const tiers = document.tiers;
  if (!Array.isArray(tiers)) return null;
  const set = (i: number, patch: Partial<Tier>) => onChange(tiers.map((t, j) => (j === i ? { ...t, ...patch } : t)));
  return (
    <table className="compact tier-table" aria-label="Tiers">
      <thead>
        <tr>
          <th scope="col">Tier</th>
          <th scope="col">Up to (base currency)</th>
          <th scope="col">SLA hours</th>
        </tr>
      </thead>
      <tbody>
        {tiers.map((t, i) => (
          <tr key={i}>
            <td>{t.name}</td>
            <td>
              {t.upToBase === undefined ? (
                <span className="hint">no upper band</span>
              ) : (
                <input type="number" min={0} step={1} aria-label={`${t.name}: up to`} value={t.upToBase / 100} onChange={(e) => set(i, { upToBase: Math.round(Number(e.target.value) * 100) })} />
              )}
            </td>
            <td>
              <input type="number" min={1} step={1} aria-label={`${t.name}: SLA hours`} value={t.slaHours} onChange={(e) => set(i, { slaHours: Number(e.target.value) })} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function DraftForm({ type, tier, inForce, onSubmitted }: { type: string; tier: number; inForce: Policy; onSubmitted: (changeId: string) => void }) {
  const dispatch = useAppDispatch();
  const [text, setText] = useState(() => JSON.stringify(inForce.document, null, 2));
  const [diff, setDiff] = useState<Diff | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [days, setDays] = useState(tier === 3 ? 30 : 7);
  const [dryRun, setDryRun] = useState<{ text: string; run: DryRun } | null>(null);
  const [running, setRunning] = useState(false);
  const [details, setDetails] = useState<Record<DetailKey, string>>({ purpose: '', segments: '', edgeCases: '', testPlan: '', rollbackPlan: '' });
  const [reason, setReason] = useState('');
  const [entity, setEntity] = useState('');
  const [share, setShare] = useState<{ percent: number; of: 'clients' | 'requests' }>({ percent: 0, of: 'requests' });
  const submit = useHostAction('policies.propose');
  const importer = useHostAction('policies.importVersion');
  // A signed version file from another server: its document is the draft, submitted as an import (same content hash).
  const [file, setFile] = useState<{ name: string; content: string; text: string; hash: string; from: string } | null>(null);
  const entities = useHostQuery('access.entities', {}, []);
  const parsed = useMemo(() => parse(text), [text]);
  const needsDryRun = tier >= 2;

  useEffect(() => {
    if (!parsed.ok) {
      setProblem(parsed.error);
      setDiff(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      call('policies.diff', { type, document: parsed.value }).then(
        (d) => live && (setDiff(d.changes), setProblem(null)),
        (e: unknown) => live && (setDiff(null), setProblem(errorText(e))),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [type, parsed]);

  const runDry = async () => {
    if (!parsed.ok) return;
    setRunning(true);
    try {
      // The server's clock says when "now" is: the window is the last `days` days up to it.
      setDryRun({ text, run: await call('policies.dryRun', { type, document: parsed.value, days }) });
    } catch (e) {
      setProblem(errorText(e));
    } finally {
      setRunning(false);
    }
  };
  const current = dryRun?.text === text ? dryRun.run : null;
  const ready = parsed.ok && diff !== null && diff.length > 0 && (!needsDryRun || current !== null) && reason.trim().length >= 3 && DETAILS.every(([k]) => details[k].trim().length >= (k === 'purpose' ? 10 : 3));

  return (
    <ActionForm
      label="Draft a change"
      className="rules-draft"
      onSubmit={async () => {
        if (!ready || !parsed.ok) return;
        const dry = needsDryRun && current ? { dryRun: { from: current.from, to: current.to } } : {};
        const r = file && file.text === text ? await importer.run({ content: file.content, reason: reason.trim(), change: details, ...dry }) : await submit.run({ type, document: parsed.value, reason: reason.trim(), change: details, ...dry, ...canaryOf(entity, share) });
        if (r) {
          dispatch(notify(`${r.name} submitted as ${r.changeId}: approval ${r.approvalId} needs the tier-${r.tier} chain`));
          onSubmitted(r.changeId);
        }
      }}
    >
      <div className="draft-grid">
        <div>
          <h4>
            Draft of <span className="mono">{inForce.name.replace(/_v\d+$/, '')}</span>, from <span className="mono">{inForce.name}</span>
          </h4>
          {parsed.ok && <TierTable document={parsed.value as { tiers?: Tier[] }} onChange={(tiers) => setText(JSON.stringify({ ...(parsed.value as object), tiers }, null, 2))} />}
          <label>
            Load a signed file (exported on another server)
            <input
              type="file"
              accept="application/json,.json"
              onChange={async (e) => {
                const f = e.target.files?.[0];
                if (!f) return;
                const content = await f.text();
                const p = parse(content);
                const body = p.ok ? (p.value as { type?: string; document?: unknown; documentHash?: string; name?: string }) : null;
                if (!body || body.type !== type || body.document === undefined) {
                  setProblem(`${f.name} is not a version file of this rule${body?.type ? ` (it holds ${body.type})` : ''}.`);
                  return;
                }
                const draftText = JSON.stringify(body.document, null, 2);
                setFile({ name: f.name, content, text: draftText, hash: body.documentHash ?? '', from: body.name ?? f.name });
                setText(draftText);
              }}
            />
          </label>
          {file && (
            <p className="hint" aria-label="Loaded file">
              {file.text === text ? `From ${file.from} (${file.name}), content ${file.hash.slice(0, 16)}…: submitted as an import, its signature checked by the server.` : `Edited since ${file.name} was loaded: submitted as a new draft, not as the file.`}
            </p>
          )}
          <label>
            Document (JSON)
            <textarea className="mono draft-json" value={text} onChange={(e) => setText(e.target.value)} rows={14} spellCheck={false} />
          </label>
          {problem && (
            <p className="error" role="alert">
              {problem}
            </p>
          )}
          <h4>Changes against the version in force</h4>
          {diff && <DiffTable changes={diff} />}
        </div>
        <div>
          <h4>Dry run</h4>
          <div className="row">
            <label>
              Days of history
              <input type="number" min={1} max={366} value={days} onChange={(e) => setDays(Number(e.target.value))} />
            </label>
            <button type="button" onClick={() => void runDry()} disabled={running || !parsed.ok}>
              {running ? 'Replaying…' : `Dry run on the last ${days} days`}
            </button>
          </div>
          {current && <DryRunSummary run={current} />}
          {current && <DryRunItems items={current.items} changed={current.changed} truncated={current.truncated} />}
          {dryRun && !current && <p className="hint">The draft changed since the dry run: run it again.</p>}
          {needsDryRun && <p className="hint">A tier-{tier} change is submitted with a dry run{tier === 3 ? ' over at least 30 days' : ''}; the server runs it again on submission.</p>}
          <h4>Change request</h4>
          {DETAILS.map(([k, label, hint]) => (
            <label key={k}>
              {label}
              <textarea rows={2} value={details[k]} placeholder={hint} onChange={(e) => setDetails({ ...details, [k]: e.target.value })} />
            </label>
          ))}
          <label>
            Reason (recorded with the version)
            <input value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          {CANARY_TYPES.includes(type) ? (
            <fieldset className="row" aria-label="Canary">
              <legend>Release first as a canary (optional; all that is chosen must hold)</legend>
              <label>
                Legal entity
                <select value={entity} onChange={(e) => setEntity(e.target.value)}>
                  <option value="">any</option>
                  {(entities.data?.items ?? []).map((e) => (
                    <option key={e.id} value={e.id}>
                      {e.id}: {e.name}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Share (%)
                <input type="number" min={0} max={99} value={share.percent} onChange={(e) => setShare({ ...share, percent: Math.max(0, Math.min(99, Math.trunc(Number(e.target.value) || 0))) })} />
              </label>
              <label>
                of
                <select value={share.of} disabled={share.percent === 0} onChange={(e) => setShare({ ...share, of: e.target.value === 'clients' ? 'clients' : 'requests' })}>
                  <option value="requests">new requests</option>
                  <option value="clients">clients</option>
                </select>
              </label>
            </fieldset>
          ) : (
            <p className="hint">No canary: {CANARY_REFUSED[type] ?? 'this rule is read once for everyone'}. It goes live for everyone once approved.</p>
          )}
          <button type="submit" disabled={!ready || submit.busy || importer.busy}>
            Submit for approval
          </button>
          {(submit.error ?? importer.error) && (
            <p className="error" role="alert">
              {submit.error ?? importer.error}
            </p>
          )}
        </div>
      </div>
    </ActionForm>
  );
}
