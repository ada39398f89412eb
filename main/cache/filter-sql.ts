// Turns AG Grid filter and sort models into parameterised SQL over a view's whitelisted columns.
// Column names come only from the view definition; values only travel as parameters. An unknown
// column or operator is refused with an error naming it.
//
// Semantics, shared with the reference implementation in the property test: text matching is
// case-insensitive; an empty value (NULL or '') matches `blank`, `notEqual` and `notContains`
// only; `inRange` excludes both ends (as AG Grid does); date conditions compare UTC days.

import type { ColumnFilter, Condition, FilterModel, SortModel, ViewDefinition } from '../../shared/desktop/grid.js';

export class QueryModelError extends Error {
  override readonly name = 'QueryModelError';
}

export interface SqlFragment {
  sql: string;
  params: Array<string | number>;
}

const q = (id: string) => `"${id}"`;

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function conditionSql(view: ViewDefinition, column: string, c: Condition): SqlFragment {
  const def = view.columns[column];
  if (!def) throw new QueryModelError(`Unknown column "${column}" in view ${view.name}`);
  const col = q(column);
  if (c.filterType === 'set') {
    if (def.type !== 'text') throw new QueryModelError(`Column "${column}" is ${def.type}; a list of values filters text columns only`);
    const values = c.values.filter((v): v is string => v !== null).map((v) => v.toLowerCase());
    const parts = [...(values.length ? [`ci(${col}) in (${values.map(() => '?').join(', ')})`] : []), ...(c.values.includes(null) ? [`(${col} IS NULL OR ${col} = '')`] : [])];
    return { sql: parts.length ? `(${parts.join(' OR ')})` : '0 = 1', params: values };
  }
  if (def.type !== c.filterType) throw new QueryModelError(`Column "${column}" is ${def.type}, not ${c.filterType}`);
  const empty = def.type === 'text' ? `(${col} IS NULL OR ${col} = '')` : `${col} IS NULL`;
  const present = def.type === 'text' ? `(${col} IS NOT NULL AND ${col} <> '')` : `${col} IS NOT NULL`;
  if (c.type === 'blank') return { sql: empty, params: [] };
  if (c.type === 'notBlank') return { sql: present, params: [] };

  switch (c.filterType) {
    case 'text': {
      const v = (c.filter ?? '').toLowerCase();
      const like = (pattern: string, negate = false): SqlFragment =>
        negate
          ? { sql: `(${empty} OR ci(${col}) NOT LIKE ? ESCAPE '\\')`, params: [pattern] }
          : { sql: `(${present} AND ci(${col}) LIKE ? ESCAPE '\\')`, params: [pattern] };
      switch (c.type) {
        case 'equals':
          return { sql: `(${present} AND ci(${col}) = ?)`, params: [v] };
        case 'notEqual':
          return { sql: `(${empty} OR ci(${col}) <> ?)`, params: [v] };
        case 'contains':
          return like(`%${escapeLike(v)}%`);
        case 'notContains':
          return like(`%${escapeLike(v)}%`, true);
        case 'startsWith':
          return like(`${escapeLike(v)}%`);
        case 'endsWith':
          return like(`%${escapeLike(v)}`);
      }
      break;
    }
    case 'number': {
      if (c.filter === null || c.filter === undefined) throw new QueryModelError(`The ${c.type} filter on "${column}" needs a number`);
      const ops = { equals: '=', notEqual: '<>', lessThan: '<', lessThanOrEqual: '<=', greaterThan: '>', greaterThanOrEqual: '>=' } as const;
      if (c.type === 'inRange') {
        if (c.filterTo === null || c.filterTo === undefined) throw new QueryModelError(`The inRange filter on "${column}" needs filterTo`);
        return { sql: `(${col} > ? AND ${col} < ?)`, params: [c.filter, c.filterTo] };
      }
      if (c.type === 'notEqual') return { sql: `(${col} IS NULL OR ${col} <> ?)`, params: [c.filter] };
      return { sql: `(${col} IS NOT NULL AND ${col} ${ops[c.type]} ?)`, params: [c.filter] };
    }
    case 'date': {
      const from = c.dateFrom?.slice(0, 10);
      if (!from) throw new QueryModelError(`The ${c.type} filter on "${column}" needs dateFrom`);
      switch (c.type) {
        case 'equals':
          return { sql: `(${col} >= ? AND ${col} < ?)`, params: [from, nextDay(from)] };
        case 'notEqual':
          return { sql: `(${col} IS NULL OR ${col} < ? OR ${col} >= ?)`, params: [from, nextDay(from)] };
        case 'lessThan':
          return { sql: `(${col} IS NOT NULL AND ${col} < ?)`, params: [from] };
        case 'greaterThan':
          return { sql: `(${col} IS NOT NULL AND ${col} >= ?)`, params: [nextDay(from)] };
        case 'inRange': {
          const to = c.dateTo?.slice(0, 10);
          if (!to) throw new QueryModelError(`The inRange filter on "${column}" needs dateTo`);
          return { sql: `(${col} >= ? AND ${col} < ?)`, params: [nextDay(from), to] };
        }
      }
    }
  }
  throw new QueryModelError(`Unknown operator "${(c as { type: string }).type}" for column "${column}"`);
}

function columnSql(view: ViewDefinition, column: string, f: ColumnFilter): SqlFragment {
  if (!('conditions' in f)) return conditionSql(view, column, f);
  const parts = f.conditions.map((c) => conditionSql(view, column, c));
  return { sql: `(${parts.map((p) => p.sql).join(f.operator === 'AND' ? ' AND ' : ' OR ')})`, params: parts.flatMap((p) => p.params) };
}

export function whereSql(view: ViewDefinition, model: FilterModel): SqlFragment {
  const parts = Object.entries(model).map(([column, f]) => columnSql(view, column, f));
  if (parts.length === 0) return { sql: '1 = 1', params: [] };
  return { sql: parts.map((p) => p.sql).join(' AND '), params: parts.flatMap((p) => p.params) };
}

export interface SortKey {
  column: string;
  desc: boolean;
}

/** The effective sort: the model's columns, then the key, so that every row has one place. */
export function sortKeys(view: ViewDefinition, sort: SortModel): SortKey[] {
  const keys: SortKey[] = [];
  for (const s of sort) {
    if (!view.columns[s.colId]) throw new QueryModelError(`Unknown sort column "${s.colId}" in view ${view.name}`);
    if (keys.some((k) => k.column === s.colId)) continue;
    keys.push({ column: s.colId, desc: s.sort === 'desc' });
    // The key is unique: nothing after it can change the order.
    if (s.colId === view.key) return keys;
  }
  // The key breaks ties in the direction of the last sort column, so that an index (column, key)
  // serves the whole order in one walk, forwards or backwards.
  keys.push({ column: view.key, desc: keys.at(-1)?.desc ?? false });
  return keys;
}

export function orderSql(keys: SortKey[]): string {
  // NULLs sort first ascending and last descending (SQLite's own order), stated for clarity.
  return keys.map((k) => `${q(k.column)} ${k.desc ? 'DESC NULLS LAST' : 'ASC NULLS FIRST'}`).join(', ');
}

/**
 * Keyset condition: rows strictly after `after` (the sort values of the last row of the previous
 * page) in the order of `keys`, NULL-aware.
 */
export function afterSql(keys: SortKey[], after: Array<string | number | null>): SqlFragment {
  const ors: string[] = [];
  const params: Array<string | number> = [];
  for (let i = 0; i < keys.length; i++) {
    const ands: string[] = [];
    for (let j = 0; j < i; j++) {
      const v = after[j] ?? null;
      const col = q(keys[j]!.column);
      if (v === null) ands.push(`${col} IS NULL`);
      else {
        ands.push(`${col} = ?`);
        params.push(v);
      }
    }
    const k = keys[i]!;
    const col = q(k.column);
    const v = after[i] ?? null;
    // "after v" in this column's order: ascending puts NULL first, descending puts NULL last.
    if (!k.desc) {
      if (v === null) ands.push(`${col} IS NOT NULL`);
      else {
        ands.push(`${col} > ?`);
        params.push(v);
      }
    } else if (v === null) {
      ands.push('0 = 1');
    } else {
      ands.push(`(${col} < ? OR ${col} IS NULL)`);
      params.push(v);
    }
    ors.push(`(${ands.join(' AND ')})`);
  }
  // A redundant bound on the first column lets SQLite seek into its index instead of scanning from
  // the start: every row after `after` has first column >= (ascending) or <= or NULL (descending).
  const first = keys[0]!;
  const v0 = after[0] ?? null;
  if (v0 !== null) {
    const col = q(first.column);
    return first.desc
      ? { sql: `(${col} <= ? OR ${col} IS NULL) AND (${ors.join(' OR ')})`, params: [v0, ...params] }
      : { sql: `${col} >= ? AND (${ors.join(' OR ')})`, params: [v0, ...params] };
  }
  return { sql: `(${ors.join(' OR ')})`, params };
}

/**
 * The terms of a quick filter, lower-cased: each chunk between spaces is a phrase of its tokens, so
 * "ALR-000003" finds the rows where "alr" is followed by a token starting "000003" (that alert), not
 * every row holding "alr" and "000003" apart (another alert whose summary names APR-000003). A
 * one-token term under 3 characters is dropped when a longer term is given: "cl" would match nearly
 * every row and only slow the search down.
 */
export function quickFilterTerms(text: string): string[][] {
  const terms = foldForSearch(text)
    .split(/\s+/u)
    .map((chunk) => chunk.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0))
    .filter((t) => t.length > 0)
    .slice(0, 10);
  const telling = (t: string[]) => t.length > 1 || t[0]!.length >= 3;
  return terms.some(telling) ? terms.filter(telling) : terms;
}

/** Every token of the quick filter's terms (for estimating how many rows the rarest can match). */
export function quickFilterWords(text: string): string[] {
  return quickFilterTerms(text).flat();
}

/** Quick-filter text to an FTS5 query: every term must match adjacent tokens, the last as a prefix, case-insensitively. */
export function quickFilterMatch(text: string): string | null {
  const terms = quickFilterTerms(text);
  if (terms.length === 0) return null;
  return terms.map((t) => `"${t.join(' ')}"*`).join(' AND ');
}

/** Folds text as the FTS tokenizer does (unicode61, remove_diacritics): NFKD, no marks, lower case. */
export function foldForSearch(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * The quick filter's rule on one row, for the plan that walks an index and checks rows one by one
 * (registered in the cache as `qf(search, terms)`): every term matches adjacent tokens, the last as
 * a prefix, as the full-text query does.
 */
let lastTerms: { json: string; terms: string[][] } = { json: '[]', terms: [] };

export function quickFilterTest(search: unknown, termsJson: unknown): number {
  if (typeof search !== 'string' || typeof termsJson !== 'string') return 0;
  // Called once per row with the same terms: parse them once.
  if (lastTerms.json !== termsJson) lastTerms = { json: termsJson, terms: JSON.parse(termsJson) as string[][] };
  const terms = lastTerms.terms;
  // A token can only be matched if it occurs in the text at all: skip the split when one does not.
  if (!terms.every((t) => t.every((w) => search.includes(w)))) return 0;
  const tokens = search.split(/[^\p{L}\p{N}]+/u);
  return terms.every((t) => tokens.some((_, i) => t.every((w, j) => (j === t.length - 1 ? tokens[i + j]?.startsWith(w) : tokens[i + j] === w)))) ? 1 : 0;
}

/** Case folding the cache registers as `ci(x)`: full Unicode, unlike SQLite's ASCII-only lower(). */
export function caseFold(value: unknown): unknown {
  return typeof value === 'string' ? value.toLowerCase() : value;
}
