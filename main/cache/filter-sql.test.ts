// The filter-model-to-SQL translation must give exactly what a naive in-memory filter and sort
// give, for random rows and random models, and keyset paging must walk the same order.

import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ColumnFilter, Condition, FilterModel, SortModel, ViewDefinition } from '../../shared/desktop/grid.js';
import { afterSql, caseFold, foldForSearch, orderSql, QueryModelError, quickFilterMatch, quickFilterTerms, quickFilterTest, sortKeys, whereSql } from './filter-sql.js';

const VIEW: ViewDefinition = {
  name: 'test',
  key: 'id',
  columns: { id: { type: 'number' }, name: { type: 'text' }, amount: { type: 'number' }, at: { type: 'date' } },
};

interface Row { id: number; name: string | null; amount: number | null; at: string | null }

const letters = fc.constantFrom('a', 'b', 'A', 'É', 'é', 'ß', 'z', ' ', '%', '_', '\\', 'ö', 'Ö');
const text = fc.oneof(fc.constant(null), fc.constant(''), fc.array(letters, { maxLength: 5 }).map((a) => a.join('')));
const day = fc.integer({ min: 0, max: 20 }).map((d) => new Date(Date.UTC(2026, 2, 1 + d)).toISOString().slice(0, 10));
const time = fc.tuple(day, fc.integer({ min: 0, max: 86_399_999 })).map(([d, ms]) => new Date(Date.parse(`${d}T00:00:00.000Z`) + ms).toISOString());
const rows = fc.uniqueArray(
  fc.record({ id: fc.integer({ min: 1, max: 10_000 }), name: text, amount: fc.option(fc.integer({ min: -5, max: 5 }), { nil: null }), at: fc.option(time, { nil: null }) }),
  { selector: (r) => r.id, maxLength: 40 },
);

const textCond: fc.Arbitrary<Condition> = fc.record({ filterType: fc.constant('text' as const), type: fc.constantFrom('equals', 'notEqual', 'contains', 'notContains', 'startsWith', 'endsWith', 'blank', 'notBlank' as const), filter: fc.array(letters, { maxLength: 2 }).map((a) => a.join('')) });
const numberCond: fc.Arbitrary<Condition> = fc.record({ filterType: fc.constant('number' as const), type: fc.constantFrom('equals', 'notEqual', 'lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual', 'inRange', 'blank', 'notBlank' as const), filter: fc.integer({ min: -5, max: 5 }), filterTo: fc.integer({ min: -5, max: 5 }) });
const dateCond: fc.Arbitrary<Condition> = fc.record({ filterType: fc.constant('date' as const), type: fc.constantFrom('equals', 'notEqual', 'lessThan', 'greaterThan', 'inRange', 'blank', 'notBlank' as const), dateFrom: day.map((d) => `${d} 00:00:00`), dateTo: day.map((d) => `${d} 00:00:00`) });

const combine = (c: fc.Arbitrary<Condition>): fc.Arbitrary<ColumnFilter> =>
  fc.oneof(c, fc.record({ operator: fc.constantFrom('AND' as const, 'OR' as const), conditions: fc.array(c, { minLength: 1, maxLength: 3 }) }).map((x) => ({ filterType: x.conditions[0]!.filterType, ...x }) as ColumnFilter));

const setCond: fc.Arbitrary<ColumnFilter> = fc.record({ filterType: fc.constant('set' as const), values: fc.array(fc.oneof(fc.constant(null), fc.array(letters, { minLength: 1, maxLength: 2 }).map((a) => a.join(''))), { maxLength: 3 }) });
const models: fc.Arbitrary<FilterModel> = fc.record({ name: fc.oneof(combine(textCond), setCond), amount: combine(numberCond), at: combine(dateCond) }, { requiredKeys: [] }) as fc.Arbitrary<FilterModel>;
const sorts: fc.Arbitrary<SortModel> = fc.uniqueArray(fc.record({ colId: fc.constantFrom('id', 'name', 'amount', 'at'), sort: fc.constantFrom('asc' as const, 'desc' as const) }), { selector: (s) => s.colId, maxLength: 3 });

// ---- the reference: plain JavaScript, written from the documented semantics -----------------

const isEmpty = (v: unknown) => v === null || v === '';
const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);

function matches(c: Condition, v: string | number | null): boolean {
  if (c.filterType === 'set') return c.values.some((x) => (x === null ? isEmpty(v) : !isEmpty(v) && String(v).toLowerCase() === x.toLowerCase()));
  if (c.type === 'blank') return isEmpty(v);
  if (c.type === 'notBlank') return !isEmpty(v);
  if (c.filterType === 'text') {
    const f = (c.filter ?? '').toLowerCase();
    if (isEmpty(v)) return c.type === 'notEqual' || c.type === 'notContains';
    const s = String(v).toLowerCase();
    return { equals: s === f, notEqual: s !== f, contains: s.includes(f), notContains: !s.includes(f), startsWith: s.startsWith(f), endsWith: s.endsWith(f) }[c.type];
  }
  if (c.filterType === 'number') {
    if (v === null) return c.type === 'notEqual';
    const n = v as number;
    const a = c.filter!;
    return { equals: n === a, notEqual: n !== a, lessThan: n < a, lessThanOrEqual: n <= a, greaterThan: n > a, greaterThanOrEqual: n >= a, inRange: n > a && n < c.filterTo! }[c.type];
  }
  const from = c.dateFrom!.slice(0, 10);
  if (v === null) return c.type === 'notEqual';
  const d = String(v);
  return { equals: d >= from && d < nextDay(from), notEqual: d < from || d >= nextDay(from), lessThan: d < from, greaterThan: d >= nextDay(from), inRange: d >= nextDay(from) && d < c.dateTo!.slice(0, 10) }[c.type];
}

function naive(data: Row[], model: FilterModel, sort: SortModel): number[] {
  const kept = data.filter((r) =>
    Object.entries(model).every(([col, f]) => {
      const v = r[col as keyof Row];
      if ('conditions' in f) return f.operator === 'AND' ? f.conditions.every((c) => matches(c, v)) : f.conditions.some((c) => matches(c, v));
      return matches(f, v);
    }),
  );
  // Documented order: the sort model's columns in turn (NULLs first ascending), then the key in the
  // direction of the last sorted column.
  const cmp = (a: unknown, b: unknown) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : (a as string) < (b as string) ? -1 : 1);
  const tieDesc = sort.at(-1)?.sort === 'desc';
  kept.sort((x, y) => {
    for (const s of sort) {
      const c = cmp(x[s.colId as keyof Row], y[s.colId as keyof Row]);
      if (c !== 0) return s.sort === 'desc' ? -c : c;
    }
    const c = cmp(x.id, y.id);
    return tieDesc ? -c : c;
  });
  return kept.map((r) => r.id);
}

function sqlite(data: Row[]) {
  const db = new Database(':memory:');
  db.function('ci', { deterministic: true }, (v: unknown) => caseFold(v) as string | number | null);
  db.exec('create table t (id integer primary key, name text, amount integer, at text)');
  const insert = db.prepare('insert into t values (@id, @name, @amount, @at)');
  for (const r of data) insert.run(r);
  return db;
}

describe('filter and sort models to SQL', () => {
  it('selects and orders exactly what the naive filter does', () => {
    fc.assert(
      fc.property(rows, models, sorts, (data, model, sort) => {
        const db = sqlite(data);
        const where = whereSql(VIEW, model);
        const got = db.prepare(`select id from t where ${where.sql} order by ${orderSql(sortKeys(VIEW, sort))}`).all(...where.params) as Array<{ id: number }>;
        expect(got.map((r) => r.id)).toEqual(naive(data, model, sort));
        db.close();
      }),
      { numRuns: 1500 },
    );
  });

  it('pages with keyset conditions through the same order as one query', () => {
    fc.assert(
      fc.property(rows, sorts, fc.integer({ min: 1, max: 7 }), (data, sort, pageSize) => {
        const db = sqlite(data);
        const keys = sortKeys(VIEW, sort);
        const cols = keys.map((k) => `"${k.column}"`).join(', ');
        const walked: number[] = [];
        let after: Array<string | number | null> | null = null;
        for (;;) {
          const cond: { sql: string; params: Array<string | number> } = after ? afterSql(keys, after) : { sql: '1 = 1', params: [] };
          const page = db.prepare(`select id, ${cols} from t where ${cond.sql} order by ${orderSql(keys)} limit ${pageSize}`).all(...cond.params) as Array<Record<string, string | number | null>>;
          walked.push(...page.map((r) => r.id as number));
          if (page.length < pageSize) break;
          const last = page.at(-1)!;
          after = keys.map((k) => last[k.column] ?? null);
        }
        expect(walked).toEqual(naive(data, {}, sort));
        db.close();
      }),
      { numRuns: 800 },
    );
  });

  it('refuses unknown columns and operators instead of interpolating them', () => {
    expect(() => whereSql(VIEW, { 'name"; drop table t; --': { filterType: 'text', type: 'equals', filter: 'x' } })).toThrow(QueryModelError);
    expect(() => whereSql(VIEW, { name: { filterType: 'text', type: 'regex' as 'equals', filter: 'x' } })).toThrow(/Unknown operator "regex"/);
    expect(() => whereSql(VIEW, { amount: { filterType: 'text', type: 'equals', filter: 'x' } })).toThrow(/is number, not text/);
    expect(() => sortKeys(VIEW, [{ colId: 'secret', sort: 'asc' }])).toThrow(/Unknown sort column "secret"/);
  });
});

describe('the quick filter', () => {
  it('reads a reference as one phrase, so another row naming its number elsewhere is not found', () => {
    expect(quickFilterTerms('ALR-000003 müller')).toEqual([['alr', '000003'], ['muller']]);
    expect(quickFilterMatch('ALR-000003 müller')).toBe('"alr 000003"* AND "muller"*');
    // "cl" alone would match nearly everything: dropped beside a longer term, kept inside a phrase.
    expect(quickFilterTerms('cl Smith')).toEqual([['smith']]);
    expect(quickFilterTerms('CL-0042')).toEqual([['cl', '0042']]);
    const terms = JSON.stringify(quickFilterTerms('ALR-000003'));
    const row = (text: string) => quickFilterTest(foldForSearch(text), terms);
    expect(row('ALR-000003 Open High Rule rollback overdue')).toBe(1);
    expect(row('ALR-000004 Open High Roll back: APR-000003 needs one approver')).toBe(0);
    expect(row('ALR-0000031 Open')).toBe(1);
    expect(quickFilterTest(foldForSearch('Grant for Zoë Müller 12'), JSON.stringify(quickFilterTerms('zoe MULL')))).toBe(1);
  });
});
