// Rules and their change control (issue 19): each policy type with its risk tier, the version in
// force and any canary; its change requests (purpose, dry run, diff, the approval chain and each
// reviewer's answer); drafting a change with its dry run; the canary's outcomes beside the version
// in force; rollback with its remediation tasks; and the execution log of the type's decisions.

import { useState } from 'react';
import type { ChannelOutput } from '../../../main/host/channels.js';
import { PaneStatus, useHostQuery } from '../shared/host.js';
import { useAppSelector } from '../store.js';
import { ChangePane } from './ChangePane.js';
import { DraftForm } from './DraftForm.js';
import { CanaryCard, ExecutionLog, RemediationCard } from './RuleLog.js';
import { STATUS_WORDS, time, TYPE_LABELS } from './words.js';
import { Versions } from './Versions.js';

type Change = ChannelOutput<'policies.changes'>['items'][number];
type Tab = 'changes' | 'draft' | 'log' | 'remediation' | 'versions';

function ChangesTable({ items, open, onOpen }: { items: readonly Change[]; open: string | null; onOpen: (id: string) => void }) {
  if (items.length === 0) return <p className="hint">No change has been requested for this rule yet.</p>;
  return (
    <table className="compact rules-changes" aria-label="Change requests">
      <thead>
        <tr>
          <th scope="col">Change</th>
          <th scope="col">Version</th>
          <th scope="col">Action</th>
          <th scope="col">Status</th>
          <th scope="col">Chain</th>
          <th scope="col" className="requested">Requested</th>
          <th scope="col" className="purpose">Purpose</th>
        </tr>
      </thead>
      <tbody>
        {items.map((c) => (
          <tr key={c.id} className={open === c.id ? 'selected' : undefined}>
            <td>
              <button type="button" className="link" onClick={() => onOpen(c.id)} aria-label={`Open ${c.id}`}>
                {c.id}
              </button>
            </td>
            <td className="mono">{c.name}</td>
            <td>{c.action}</td>
            <td>
              <span className={`status status-${c.status}`}>{STATUS_WORDS[c.status] ?? c.status}</span>
            </td>
            <td>{c.approval.chain ? `${c.approval.chain.filter((s) => s.filled).length} of ${c.approval.chain.length}` : `${c.approval.approvals.length} of ${c.approval.requiredCount}`}</td>
            <td className="requested">
              {c.createdBy.username}, {time(c.createdAt)}
            </td>
            <td className="purpose">{c.purpose}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TypePage({ type }: { type: string }) {
  const [tab, setTab] = useState<Tab>('changes');
  const [open, setOpen] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const current = useHostQuery('policies.get', { type }, [type, version]);
  const control = useHostQuery('policies.get', { type: 'policies.changeControl' }, [version]);
  const changes = useHostQuery('policies.changes', { type, limit: 200 }, [type, version]);
  const versions = useHostQuery('policies.list', { type }, [type, version]);
  const refresh = () => setVersion((v) => v + 1);
  const doc = control.data?.document as { types?: Record<string, { tier: number; owner: string[] }> } | undefined;
  const tier = doc?.types?.[type]?.tier ?? 3;
  return (
    <div className="rules-type">
      <header className="client-head">
        <h2>{TYPE_LABELS[type] ?? type}</h2>
        <span className={`tier tier-${tier}`}>Tier {tier}</span>
        {current.data && (
          <span className="hint">
            In force: <b className="mono">{current.data.name}</b> since {time(current.data.activations.filter((a) => !a.segment).at(-1)?.at)}
          </span>
        )}
        {current.data?.canary && (
          <span className="canary-badge" aria-label="Canary running">
            Canary: {current.data.canary.name} for {current.data.canary.describe}
          </span>
        )}
        <span className="hint">{versions.data ? `${versions.data.items.length} version${versions.data.items.length === 1 ? '' : 's'}` : ''}</span>
      </header>
      <div className="queue-tabs" role="tablist" aria-label="Rule sections">
        {(
          [
            ['changes', 'Change requests'],
            ['draft', 'Draft a change'],
            ['log', 'Canary and execution log'],
            ['remediation', 'Rollback and remediation'],
            ['versions', 'Versions and snapshots'],
          ] as const
        ).map(([id, label]) => (
          <button key={id} type="button" role="tab" aria-selected={tab === id} className={tab === id ? 'tab active' : 'tab'} onClick={() => setTab(id)}>
            {label}
          </button>
        ))}
      </div>
      {tab === 'changes' && (
        <div className={open ? 'rules-split with-pane' : 'rules-split'}>
          <div className="rules-list">
            <PaneStatus error={changes.error} loading={!changes.data} what="the change requests" />
            {changes.data && <ChangesTable items={changes.data.items} open={open} onOpen={setOpen} />}
          </div>
          {open && <ChangePane id={open} onChanged={refresh} onClose={() => setOpen(null)} />}
        </div>
      )}
      {tab === 'draft' && current.data && (
        <DraftForm
          type={type}
          tier={tier}
          inForce={current.data}
          onSubmitted={(id) => {
            refresh();
            setOpen(id);
            setTab('changes');
          }}
        />
      )}
      {tab === 'log' && (
        <>
          <CanaryCard type={type} version={version} onChanged={refresh} />
          <ExecutionLog type={type} version={version} />
        </>
      )}
      {tab === 'remediation' && <RemediationCard type={type} version={version} onChanged={refresh} />}
      {tab === 'versions' && <Versions type={type} version={version} />}
    </div>
  );
}

export function RulesView() {
  const user = useAppSelector((s) => s.session.user);
  const list = useHostQuery('policies.list', {}, []);
  const [type, setType] = useState('payments.withdrawalTiers');
  if (!user) return null;
  const types = Object.keys(TYPE_LABELS);
  const inForce = new Map((list.data?.items ?? []).filter((v) => v.active).map((v) => [v.type, v.name]));
  return (
    <section className="rules" aria-label="Rules">
      <nav className="rules-types" aria-label="Policy types">
        {types.map((t) => (
          <button key={t} type="button" className={t === type ? 'active' : undefined} aria-current={t === type ? 'page' : undefined} onClick={() => setType(t)}>
            <span>{TYPE_LABELS[t]}</span>
            <span className="mono hint">{inForce.get(t) ?? ''}</span>
          </button>
        ))}
      </nav>
      <TypePage key={type} type={type} />
    </section>
  );
}
