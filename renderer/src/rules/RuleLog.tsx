// A rule's record in use: the running canary's outcomes beside the version in force, the execution
// log of its automated decisions (conditions with their values, actions, version), and rollback:
// one fast-tracked action, then a remediation task for every decision made under the version it
// replaced, each closed with a reason.

import { useState } from 'react';
import { ActionForm } from '../shared/ActionForm.js';
import { PaneStatus, useHostAction, useHostQuery } from '../shared/host.js';
import { notify } from '../shared/notices.js';
import { useAppDispatch } from '../store.js';
import { time } from './words.js';
import { describeSegment } from '../../../shared/policies/segment.js';

export function CanaryCard({ type, version }: { type: string; version: number; onChanged: () => void }) {
  const report = useHostQuery('policies.canaryReport', { type }, [type, version]);
  if (report.error) return <p className="hint">{report.error}</p>;
  if (!report.data) return <PaneStatus loading error={null} what="the canary" />;
  const r = report.data;
  return (
    <section className="client-section canary" aria-label="Canary comparison">
      <h3>
        Canary since {time(r.since)} for {describeSegment(r.segment)}
      </h3>
      <div className="sides">
        {r.sides.map((side) => (
          <table key={side.label} className="compact" aria-label={`Outcomes under ${side.label === 'canary' ? 'the canary' : 'the version in force'}`}>
            <caption>
              {side.label === 'canary' ? 'Canary' : 'In force'}: <span className="mono">{side.name}</span>, {side.decisions} decision{side.decisions === 1 ? '' : 's'}
            </caption>
            <thead>
              <tr>
                <th scope="col">Outcome</th>
                <th scope="col">Decisions</th>
                <th scope="col">Share</th>
              </tr>
            </thead>
            <tbody>
              {side.outcomes.map((o) => (
                <tr key={o.outcome}>
                  <td>{o.outcome}</td>
                  <td>{o.count}</td>
                  <td>{(o.share * 100).toFixed(0)}%</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      </div>
    </section>
  );
}

export function ExecutionLog({ type, version, subjectId }: { type?: string; version: number; subjectId?: string }) {
  const log = useHostQuery('policies.executions', { ...(type ? { type } : {}), ...(subjectId ? { subjectId } : {}), limit: 200 }, [type, subjectId, version]);
  const [open, setOpen] = useState<number | null>(null);
  if (!log.data) return <PaneStatus loading={!log.error} error={log.error} what="the execution log" />;
  return (
    <section className="client-section" aria-label="Execution log">
      <h3>
        Execution log <span className="count">{log.data.items.length}</span>
      </h3>
      {log.data.items.length === 0 ? (
        <p className="hint">No automated decision recorded under this rule yet.</p>
      ) : (
        <table className="compact" aria-label="Automated decisions">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Decision on</th>
              <th scope="col">Version</th>
              <th scope="col">Outcome</th>
              <th scope="col">Conditions</th>
            </tr>
          </thead>
          <tbody>
            {log.data.items.map((e) => (
              <tr key={e.id}>
                <td>{time(e.at)}</td>
                <td>
                  {e.subject.type} <span className="mono">{e.subject.id}</span> ({e.legalEntity})
                </td>
                <td className="mono">
                  {e.policy.name}
                  {e.policy.canary ? ' (canary)' : ''}
                </td>
                <td>{e.outcome}</td>
                <td>
                  <button type="button" className="link" aria-expanded={open === e.id} onClick={() => setOpen(open === e.id ? null : e.id)}>
                    {open === e.id ? 'Hide' : 'Show'}
                  </button>
                  {open === e.id && (
                    <ul className="conditions">
                      {(e.conditions as Array<{ name: string; values: Record<string, unknown>; result: boolean }>).map((c) => (
                        <li key={c.name} className={c.result ? 'held' : 'failed'}>
                          {c.result ? '✓' : '✗'} {c.name} — {Object.entries(c.values).map(([k, v]) => `${k} ${String(v)}`).join(', ')}
                        </li>
                      ))}
                      {(e.actions as Array<Record<string, unknown>>).map((a, i) => (
                        <li key={`a${i}`}>→ {Object.entries(a).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join('; ') : String(v)}`).join(', ')}</li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function RemediationCard({ type, version, onChanged }: { type: string; version: number; onChanged: () => void }) {
  const dispatch = useAppDispatch();
  const versions = useHostQuery('policies.list', { type }, [type, version]);
  const tasks = useHostQuery('policies.remediations', { type, limit: 500 }, [type, version]);
  const rollback = useHostAction('policies.rollback');
  const close = useHostAction('policies.closeRemediation');
  // Read when the tab opens: the version in force may have changed since the page loaded (a promotion approved elsewhere).
  const earlier = (versions.data?.items ?? []).filter((v) => !v.active);
  const [to, setTo] = useState<number | ''>('');
  const [reason, setReason] = useState('');
  const [closing, setClosing] = useState<string | null>(null);
  const [closeReason, setCloseReason] = useState('');
  return (
    <>
      <section className="client-section" aria-label="Roll back">
        <h3>Roll back</h3>
        <p className="hint">Republishes an earlier version at once: one approver, no release window. Every decision made under the version it replaces becomes a remediation task.</p>
        <ActionForm
          label="Roll back"
          onSubmit={async () => {
            if (to === '') return;
            const r = await rollback.run({ type, toVersion: to, reason: reason.trim() });
            if (r) {
              dispatch(notify(`Rollback to ${r.name} requested: ${r.approvalId}, fast-tracked`));
              setReason('');
              onChanged();
            }
          }}
        >
          <label>
            Back to
            <select value={to} onChange={(e) => setTo(e.target.value === '' ? '' : Number(e.target.value))}>
              <option value="">choose a version</option>
              {earlier.map((v) => (
                <option key={v.version} value={v.version}>
                  {v.name}: {v.reason}
                </option>
              ))}
            </select>
          </label>
          <label>
            Reason
            <textarea rows={2} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="What went wrong under the version in force" />
          </label>
          <button type="submit" className="danger" disabled={rollback.busy || to === '' || reason.trim().length < 3}>
            Roll back
          </button>
          {rollback.error && (
            <p className="error" role="alert">
              {rollback.error}
            </p>
          )}
        </ActionForm>
      </section>
      <section className="client-section" aria-label="Remediation tasks">
        <h3>
          Remediation tasks <span className="count">{tasks.data?.items.filter((t) => t.status === 'open').length ?? 0} open</span>
        </h3>
        <PaneStatus loading={!tasks.data && !tasks.error} error={tasks.error} what="the remediation tasks" />
        {tasks.data && tasks.data.items.length === 0 && <p className="hint">No rollback of this rule has left work behind.</p>}
        {tasks.data && tasks.data.items.length > 0 && (
          <table className="compact" aria-label="Remediation">
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">Decision</th>
                <th scope="col">Under</th>
                <th scope="col">Decided</th>
                <th scope="col">To do</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {tasks.data.items.map((t) => (
                <tr key={t.id}>
                  <td className="mono">{t.id}</td>
                  <td>
                    {t.subject.type} <span className="mono">{t.subject.id}</span>
                  </td>
                  <td className="mono">{t.policy.name}</td>
                  <td>{time(t.decidedAt)}</td>
                  <td>{t.task}</td>
                  <td>
                    {t.status === 'closed' ? (
                      `Closed by ${t.closedByName ?? 'unknown'} ${time(t.closedAt)}: ${t.closeReason ?? ''}`
                    ) : closing === t.id ? (
                      <ActionForm
                        label={`Close ${t.id}`}
                        onSubmit={async () => {
                          if (await close.run({ id: t.id, reason: closeReason.trim() })) {
                            setClosing(null);
                            setCloseReason('');
                            await tasks.reload();
                          }
                        }}
                      >
                        <input aria-label={`Why ${t.id} is done`} value={closeReason} onChange={(e) => setCloseReason(e.target.value)} />
                        <button type="submit" disabled={close.busy || closeReason.trim().length < 3}>
                          Close
                        </button>
                        {close.error && <span className="error">{close.error}</span>}
                      </ActionForm>
                    ) : (
                      <button type="button" onClick={() => setClosing(t.id)}>
                        Close…
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
