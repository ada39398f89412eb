// A detail pane's heading and label–value list, the same in every view: a field without a value is
// left out (Field) or shown as a dash (Fields, for records shown whole).

import type { ReactNode } from 'react';
import { fieldLabel } from '../../../shared/issues.js';

/** One label and value of a detail list; nothing when there is no value. */
export function Field({ label, value, mono }: { label: string; value: string | null | undefined; mono?: boolean }) {
  if (!value) return null;
  return (
    <div>
      <dt>{label}</dt>
      <dd className={mono ? 'mono' : undefined}>{value}</dd>
    </div>
  );
}

/** A record's heading and every field, in order; objects shown as JSON, missing values as a dash. */
export function RecordDetail({ title, lead, fields }: { title: ReactNode; lead?: ReactNode; fields: Record<string, unknown> }) {
  return (
    <div>
      <h3>{title}</h3>
      {lead && <p>{lead}</p>}
      <dl>
        {Object.entries(fields).map(([k, v]) => (
          <div key={k}>
            <dt>{/^[a-z][A-Za-z0-9_]*$/.test(k) ? fieldLabel([k]) : k}</dt>
            <dd>{v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
