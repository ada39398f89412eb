// A column filter for columns of a few known values (status, risk, entity): a checkbox per value,
// labelled in words, sent to the host as a `set` condition. No box ticked, or every box, means no
// filter.

import type { CustomFilterProps } from 'ag-grid-react';
import { useGridFilter } from 'ag-grid-react';
import type { CacheRow } from '../../../shared/desktop/views.js';

type SetModel = { filterType: 'set'; values: Array<string | null> };

export interface ChoiceFilterParams {
  /** Each value the column holds and its label. */
  choices: Readonly<Record<string, string>>;
}

export function ChoiceFilter(props: CustomFilterProps<CacheRow, unknown, SetModel> & ChoiceFilterParams) {
  const { model, onModelChange, choices, colDef } = props;
  const field = colDef.field ?? '';
  const chosen = new Set(model?.values ?? []);
  // The rows come filtered from the host (infinite row model); this answers the grid's own question the same way.
  useGridFilter({ doesFilterPass: ({ data }) => !model || model.values.includes((data?.[field] as string | null | undefined) ?? null) });
  const values = Object.keys(choices);
  const toggle = (value: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(value);
    else next.delete(value);
    onModelChange(next.size === 0 || next.size === values.length ? null : { filterType: 'set', values: values.filter((v) => next.has(v)) });
  };
  return (
    <fieldset className="choice-filter">
      <legend>Show only</legend>
      {values.map((v) => (
        <label key={v} className="check">
          <input type="checkbox" checked={chosen.has(v)} onChange={(e) => toggle(v, e.target.checked)} /> {choices[v]}
        </label>
      ))}
      {model && (
        <button className="link" onClick={() => onModelChange(null)}>
          Show all
        </button>
      )}
    </fieldset>
  );
}
