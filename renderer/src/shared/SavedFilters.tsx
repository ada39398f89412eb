// Saved filters of one grid, kept per user and view: save the filters in force under a name (an
// in-app form: Electron has no window.prompt), apply one, rename or delete them.

import { useState } from 'react';
import type { FilterModel } from '../../../shared/desktop/grid.js';

export interface SavedFiltersProps {
  saved: Record<string, FilterModel>;
  onChange: (next: Record<string, FilterModel>) => void;
  /** The filters in force now, to save. */
  current: () => FilterModel;
  apply: (model: FilterModel) => void;
}

type Editing = { mode: 'save' } | { mode: 'rename'; from: string } | null;

export function SavedFilters({ saved, onChange, current, apply }: SavedFiltersProps) {
  const [editing, setEditing] = useState<Editing>(null);
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const names = Object.keys(saved);

  const start = (e: Editing, initial = '') => {
    setEditing(e);
    setName(initial);
    setProblem(null);
  };
  const submit = () => {
    const n = name.trim();
    if (!n) return setProblem('Give the filter a name.');
    if (n.length > 40) return setProblem('A filter name can be at most 40 characters.');
    if (editing?.mode === 'save') {
      if (Object.keys(current()).length === 0) return setProblem('No column filter is set: set one in a column header first.');
      onChange({ ...saved, [n]: current() });
    } else if (editing?.mode === 'rename') {
      if (n !== editing.from && saved[n]) return setProblem(`A filter named “${n}” exists already.`);
      const next: Record<string, FilterModel> = {};
      for (const [k, v] of Object.entries(saved)) next[k === editing.from ? n : k] = v;
      onChange(next);
    }
    setEditing(null);
  };

  return (
    <>
      <button onClick={() => start({ mode: 'save' })}>Save filter…</button>
      {names.length > 0 && (
        <select aria-label="Saved filters" value="" onChange={(e) => saved[e.target.value] && apply(saved[e.target.value]!)}>
          <option value="">Saved filters…</option>
          {names.map((n) => (
            <option key={n}>{n}</option>
          ))}
        </select>
      )}
      {names.length > 0 && (
        <details className="manage-filters">
          <summary>Manage</summary>
          <ul aria-label="Saved filters to manage">
            {names.map((n) => (
              <li key={n}>
                {n}
                <button className="link" onClick={() => start({ mode: 'rename', from: n }, n)} aria-label={`Rename ${n}`}>
                  Rename
                </button>
                <button
                  className="link"
                  onClick={() => {
                    const { [n]: _gone, ...rest } = saved;
                    onChange(rest);
                  }}
                  aria-label={`Delete ${n}`}
                >
                  Delete
                </button>
              </li>
            ))}
          </ul>
        </details>
      )}
      {editing && (
        <form
          className="inline-dialog"
          role="dialog"
          aria-label={editing.mode === 'save' ? 'Save the filters' : `Rename ${editing.from}`}
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <label>
            Filter name
            <input autoFocus value={name} onChange={(e) => setName(e.target.value)} onKeyDown={(e) => e.key === 'Escape' && setEditing(null)} />
          </label>
          <button type="submit">{editing.mode === 'save' ? 'Save' : 'Rename'}</button>
          <button type="button" className="link" onClick={() => setEditing(null)}>
            Cancel
          </button>
          {problem && (
            <span className="error" role="alert">
              {problem}
            </span>
          )}
        </form>
      )}
    </>
  );
}
