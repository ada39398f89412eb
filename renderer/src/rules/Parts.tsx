// The diff of a rule version and the summary of a dry run, as the change pane and the draft show them.

import { time } from './words.js';

const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

export function DiffTable({ changes }: { changes: ReadonlyArray<{ path: string; kind: string; from?: unknown; to?: unknown }> }) {
  if (changes.length === 0) return <p className="hint">No difference from the version in force.</p>;
  return (
    <table className="diff" aria-label="Differences from the version in force">
      <thead>
        <tr>
          <th scope="col">Where</th>
          <th scope="col">From</th>
          <th scope="col">To</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((c) => (
          <tr key={`${c.path}-${c.kind}`} className={c.kind}>
            <td className="mono">{c.path}</td>
            <td>{show(c.from)}</td>
            <td>{show(c.to)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function DryRunSummary({ run }: { run: { from: string; to: string; evaluated: number; changed: number; bySegment: ReadonlyArray<{ legalEntity: string; evaluated: number; changed: number }> } }) {
  return (
    <div className="dry-run" aria-label="Dry run">
      <p>
        Replayed <b>{run.evaluated.toLocaleString('en-GB')}</b> decisions from {time(run.from)} to {time(run.to)}: <b>{run.changed.toLocaleString('en-GB')}</b> would come out otherwise.
      </p>
      {run.bySegment.length > 0 && (
        <table className="compact" aria-label="Dry run by legal entity">
          <thead>
            <tr>
              <th scope="col">Legal entity</th>
              <th scope="col">Decisions</th>
              <th scope="col">Would change</th>
            </tr>
          </thead>
          <tbody>
            {run.bySegment.map((s) => (
              <tr key={s.legalEntity}>
                <td>{s.legalEntity}</td>
                <td>{s.evaluated}</td>
                <td>{s.changed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

type Decision = Record<string, string | number | string[] | null>;
const shownValue = (v: Decision[string] | undefined) => (v === null || v === undefined ? '—' : Array.isArray(v) ? v.join(' + ') : String(v));

/** The decisions a draft would take otherwise: each with the fields that differ, from what to what. */
export function DryRunItems({ items, changed, truncated }: { items: ReadonlyArray<{ ref: string; legalEntity: string; at: string; policyRef: string; before: Decision; after: Decision }>; changed: number; truncated: boolean }) {
  if (items.length === 0) return null;
  return (
    <div className="dry-run-items">
      <table className="compact" aria-label="Decisions that would change">
        <thead>
          <tr>
            <th scope="col">Decision</th>
            <th scope="col">Legal entity</th>
            <th scope="col">Decided</th>
            <th scope="col">Would change</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => (
            <tr key={`${i.ref}|${i.at}`}>
              <td className="mono">{i.ref}</td>
              <td>{i.legalEntity}</td>
              <td>
                {time(i.at)} <span className="hint">({i.policyRef})</span>
              </td>
              <td>
                {Object.keys({ ...i.before, ...i.after })
                  .filter((k) => shownValue(i.before[k]) !== shownValue(i.after[k]))
                  .map((k) => (
                    <div key={k}>
                      {k}: {shownValue(i.before[k])} → <b>{shownValue(i.after[k])}</b>
                    </div>
                  ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {truncated && <p className="hint">The first {items.length.toLocaleString('en-GB')} of {changed.toLocaleString('en-GB')} are listed.</p>}
    </div>
  );
}
