// The audit log explorer: every audit.search filter as a grid column filter over the cached log,
// and the before/after of an event as a diff.

import type { CacheRow } from '../../../shared/desktop/views.js';
import { QueueView, type QueueColumn } from '../shared/QueueView.js';
import { recordOf } from '../shared/records.js';
import { Field } from '../shared/Fields.js';
import { fieldLabel } from '../../../shared/issues.js';
import { clientEvidence, operationEvidence } from '../shared/evidence-column.js';

const COLUMNS: QueueColumn<'audit'>[] = [
  { field: 'seq', header: 'Seq', width: 105 },
  { field: 'at', header: 'Time (UTC)', width: 170 },
  { field: 'actor', header: 'Actor', width: 130 },
  { field: 'action', header: 'Action', width: 190 },
  { field: 'targetType', header: 'Target type', width: 120 },
  { field: 'targetId', header: 'Target', width: 130, exact: true },
  { field: 'clientId', header: 'Client', width: 110, exact: true },
  { field: 'legalEntity', header: 'Entity', width: 90, choices: 'entities' },
  { field: 'caseRef', header: 'Case', width: 120, exact: true },
  { field: 'reason', header: 'Reason', width: 220, pii: true },
  { field: 'ip', header: 'IP', width: 120 },
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function flatten(value: Json, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out[prefix] = JSON.stringify(value);
  return out;
}

export function Diff({ before, after }: { before: Json; after: Json }) {
  const b = flatten(before ?? {});
  const a = flatten(after ?? {});
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
  if (keys.length === 0) return <p className="muted">No before/after values recorded.</p>;
  return (
    <table className="diff">
      <thead>
        <tr>
          <th>Field</th>
          <th>Before</th>
          <th>After</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => (
          <tr key={k} className={b[k] === a[k] ? 'same' : b[k] === undefined ? 'added' : a[k] === undefined ? 'removed' : 'changed'}>
            <td title={k}>{k.split('.').map((part) => (/^\d+$/.test(part) ? `#${Number(part) + 1}` : fieldLabel([part]))).join(' › ')}</td>
            <td>{b[k] ?? ''}</td>
            <td>{a[k] ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}


function AuditDetail({ row }: { row: CacheRow }) {
  const e = recordOf('audit', row);
  return (
    <div>
      <h3>
        #{e.seq} {e.action}
      </h3>
      <dl>
        <Field label="When" value={e.at} />
        <Field label="Who" value={`${e.actor} (${e.actorId}) from ${e.ip ?? 'n/a'}`} />
        <Field label="Reason" value={e.reason} />
        <Field label="Approvers" value={e.approvers?.join(', ')} />
        <Field label="Case" value={e.caseRef} />
        <Field label="Policy" value={e.policyRef} />
        <Field label="Hash" value={e.hash} mono />
      </dl>
      <Diff before={e.before} after={e.after} />
    </div>
  );
}

/** An event's client, or else the MT5 case or operation it belongs to. */
const AUDIT_EVIDENCE = (row: Parameters<typeof clientEvidence>[0]) => clientEvidence(row) ?? operationEvidence('caseRef')(row) ?? operationEvidence('targetId')(row);

export function AuditExplorer() {
  return <QueueView view="audit" evidence={AUDIT_EVIDENCE} title="Audit log" columns={COLUMNS} defaultSort={[{ colId: 'seq', sort: 'desc' }]} detail={(row) => <AuditDetail row={row} />} />;
}
