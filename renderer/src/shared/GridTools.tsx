// The queue's tools around the grid: the tab bar with counts, the column chooser and the export
// buttons. Each reads and changes the grid only through the callbacks it is given.

import { useState } from 'react';
import type { QueueTab } from './tabs.js';

export function QueueTabsBar({ title, tabs, tabId, counts, onChoose }: { title: string; tabs: QueueTab[]; tabId: string | null; counts: Record<string, number>; onChoose: (id: string) => void }) {
  if (tabs.length === 0) return null;
  return (
    <div className="queue-tabs" role="tablist" aria-label={`${title} tabs`}>
      {tabs.map((t) => (
        <button key={t.id} role="tab" aria-selected={t.id === tabId} className={t.id === tabId ? 'tab active' : 'tab'} onClick={() => onChoose(t.id)}>
          {t.label} <span className="count">{counts[t.id]?.toLocaleString() ?? '…'}</span>
        </button>
      ))}
    </div>
  );
}

/** Which columns the grid shows; the choice is kept with the grid's column state. */
export function ColumnChooser({ columns, hidden, onToggle }: { columns: ReadonlyArray<{ field: string; header: string }>; hidden: ReadonlySet<string>; onToggle: (field: string, visible: boolean) => void }) {
  return (
    <details className="manage-filters column-chooser">
      <summary>Columns</summary>
      <ul aria-label="Columns shown">
        {columns.map((c) => (
          <li key={c.field}>
            <label className="check">
              <input type="checkbox" checked={!hidden.has(c.field)} disabled={!hidden.has(c.field) && columns.length - hidden.size <= 1} onChange={(e) => onToggle(c.field, e.target.checked)} /> {c.header}
            </label>
          </li>
        ))}
      </ul>
    </details>
  );
}

export function ExportButtons({ run }: { run: (format: 'csv' | 'xlsx') => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const go = async (format: 'csv' | 'xlsx') => {
    setBusy(true);
    try {
      await run(format);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="toolbar-end">
      <button disabled={busy} onClick={() => void go('csv')}>
        Export CSV
      </button>
      <button disabled={busy} onClick={() => void go('xlsx')}>
        Export XLSX
      </button>
    </span>
  );
}
