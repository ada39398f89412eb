// A column filter for columns of a few known values (status, risk, entity): a checkbox per value,
// labelled in words, sent to the host as a `set` condition. No box ticked, or every box, means no
// filter.

import type { CustomFilterProps } from 'ag-grid-react';
import { useGridFilter } from 'ag-grid-react';
import { useEffect, useState } from 'react';
import type { CacheRow, ViewName } from '../../../shared/desktop/views.js';
import { call } from '../bridge.js';

type SetModel = { filterType: 'set'; values: Array<string | null> };

export interface ChoiceFilterParams {
  /** Each value the column holds and its label; absent, the values the local cache holds (an assignee). */
  choices?: Readonly<Record<string, string>>;
  /** The cached view, to read the column's values from when there is no fixed list. */
  view?: ViewName;
}

export function ChoiceFilter(props: CustomFilterProps<CacheRow, unknown, SetModel> & ChoiceFilterParams) {
  const { model, onModelChange, colDef } = props;
  const [loaded, setLoaded] = useState<Record<string, string> | null>(null);
  useEffect(() => {
    if (props.choices || !props.view || !colDef.field) return;
    call('cache.distinct', { view: props.view, column: colDef.field }).then((values) => setLoaded(Object.fromEntries(values.map((v) => [v, v]))), () => setLoaded({}));
  }, [props.choices, props.view, colDef.field]);
  const choices = props.choices ?? loaded ?? {};
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
