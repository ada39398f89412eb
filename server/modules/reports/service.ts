// Reports (issue 18) from daily snapshots. Each legal entity's figures for a past UTC day are taken
// once and stored (report_snapshots, append-only; the first writer wins), so a number shown for a
// past day never changes, whatever happens to the tables later. The daily job takes yesterday's
// just after midnight, end-of-day counts included; a past day nobody took is counted from the audit
// log when first asked for (flows only: its end-of-day counts were not seen and stay empty). Today
// is counted live and never stored. A report sums the facts over the days, the legal entities the
// reader holds `reports.read` in, and the filters (account type, country, staff member).

import { DomainError } from '../../../shared/errors.js';
import { listScope, type AuthContext } from '../../core/auth.js';
import type { Store } from '../../core/store.js';
import { METRICS, REPORTS, type Dim, type Kpi, type MetricId, type ReportId } from './catalog.js';
import { flowsOf, NO_ENTITY, stocksOf, type Fact } from './facts.js';

/** The facts' shape: bumped when what a snapshot counts changes (older days keep theirs). */
export const SNAPSHOT_VERSION = 1;
/** End-of-day counts are taken only this soon after the day ends (the daily job runs at 00:00:10). */
const STOCK_WINDOW_MS = 6 * 3_600_000;
export const MAX_REPORT_DAYS = 366;

export interface ReportInput {
  report: ReportId;
  from?: string | undefined;
  to?: string | undefined;
  legalEntity?: string | undefined;
  accountType?: string | undefined;
  country?: string | undefined;
  staff?: string | undefined;
}

interface Day {
  day: string;
  live: boolean;
  stocks: boolean;
  computedAt: string;
  facts: Fact[];
}

const dayAfter = (day: string) => new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);

export class ReportsService {
  constructor(private readonly store: Store) {}

  /** One entity's stored day, taken now if nobody took it yet (the stored one wins a race). */
  async snapshot(entity: string, day: string): Promise<Day> {
    const db = this.store.kysely;
    const stored = await db.selectFrom('report_snapshots').selectAll().where('legal_entity', '=', entity).where('day', '=', day).executeTakeFirst();
    if (stored) return { day, live: false, stocks: stored.stocks === 1, computedAt: stored.computed_at, facts: JSON.parse(stored.facts_json) as Fact[] };
    const now = this.store.now();
    const withStocks = Date.parse(now) - Date.parse(`${dayAfter(day)}T00:00:00.000Z`) <= STOCK_WINDOW_MS;
    const facts = [...(await flowsOf(db, entity, day)), ...(withStocks ? await stocksOf(db, entity, now) : [])];
    await db
      .insertInto('report_snapshots')
      .values({ legal_entity: entity, day, version: SNAPSHOT_VERSION, computed_at: now, stocks: withStocks ? 1 : 0, facts_json: JSON.stringify(facts) })
      .onConflict((oc) => oc.columns(['legal_entity', 'day']).doNothing())
      .execute();
    const kept = await db.selectFrom('report_snapshots').selectAll().where('legal_entity', '=', entity).where('day', '=', day).executeTakeFirstOrThrow();
    return { day, live: false, stocks: kept.stocks === 1, computedAt: kept.computed_at, facts: JSON.parse(kept.facts_json) as Fact[] };
  }

  /** The daily job: yesterday's figures for every legal entity (and the events of none), end-of-day counts included. */
  async takeDailySnapshots(): Promise<number> {
    const yesterday = new Date(Date.parse(this.store.now()) - 86_400_000).toISOString().slice(0, 10);
    const entities = (await this.store.kysely.selectFrom('legal_entities').select('id').execute()).map((e) => e.id);
    for (const e of [...entities, NO_ENTITY]) await this.snapshot(e, yesterday);
    return entities.length + 1;
  }

  private async live(entity: string, day: string): Promise<Day> {
    const now = this.store.now();
    return { day, live: true, stocks: entity !== NO_ENTITY, computedAt: now, facts: [...(await flowsOf(this.store.kysely, entity, day)), ...(await stocksOf(this.store.kysely, entity, now))] };
  }

  async report(auth: AuthContext, request: ReportInput) {
    const today = this.store.now().slice(0, 10);
    const to = request.to ?? today;
    const input = { ...request, to, from: request.from ?? new Date(Date.parse(`${to}T00:00:00.000Z`) - 29 * 86_400_000).toISOString().slice(0, 10) };
    if (input.from > input.to) throw new DomainError('VALIDATION_FAILED', `from (${input.from}) is after to (${input.to}).`, { field: 'from' });
    if (input.from > today) throw new DomainError('VALIDATION_FAILED', `from (${input.from}) is in the future; today is ${today} (UTC).`, { field: 'from' });
    const days: string[] = [];
    for (let d = input.from; d <= input.to && d <= today; d = dayAfter(d)) {
      days.push(d);
      if (days.length > MAX_REPORT_DAYS) throw new DomainError('VALIDATION_FAILED', `A report covers at most ${MAX_REPORT_DAYS} days; ${input.from} to ${input.to} is longer.`, { field: 'to' });
    }
    const entities = listScope(auth, 'reports.read', input.legalEntity || undefined);
    // Events of no entity (sign-ins, staff records) belong to those who may read staff records, in the all-entities view.
    const buckets = [...entities, ...(!input.legalEntity && auth.permissions.has('access.read') ? [NO_ENTITY] : [])];
    const perDay: Day[] = [];
    for (const day of days) {
      const parts = await Promise.all(buckets.map((e) => (day === today ? this.live(e, day) : this.snapshot(e, day))));
      perDay.push({ day, live: day === today, stocks: parts.every((p, i) => buckets[i] === NO_ENTITY || p.stocks), computedAt: parts.map((p) => p.computedAt).sort().at(-1) ?? '', facts: parts.flatMap((p) => p.facts) });
    }
    return assemble(input, entities, perDay);
  }
}

const FILTER_DIMS: Array<[keyof ReportInput, Dim]> = [
  ['accountType', 'a'],
  ['country', 'c'],
  ['staff', 's'],
];

function assemble(input: ReportInput & { from: string; to: string }, entities: string[], days: Day[]) {
  const def = REPORTS[input.report];
  const filters = FILTER_DIMS.filter(([f]) => input[f]).map(([f, d]) => [d, input[f] as string] as const);
  /** The metric's facts for a day under the filters, or null where a filter is on a dimension the metric has not. */
  const factsOf = (m: MetricId, day: Day): Fact[] | null => {
    const dims: readonly Dim[] = METRICS[m].dims;
    if (filters.some(([d]) => !dims.includes(d))) return null;
    return day.facts.filter((f) => f.m === m && filters.every(([d, v]) => f[d] === v));
  };
  const sum = (fs: Fact[]) => fs.reduce((n, f) => n + f.v, 0);
  const stock = METRICS as Record<MetricId, { kind: string }>;
  /** Flows over every day; stocks on the latest day that has them. */
  const period = (m: MetricId): Fact[] | null => {
    if (stock[m].kind === 'stock') {
      const last = [...days].reverse().find((d) => d.stocks);
      return last ? factsOf(m, last) : null;
    }
    const parts = days.map((d) => factsOf(m, d));
    return parts.some((p) => p === null) ? null : parts.flatMap((p) => p!);
  };
  const total = (m: MetricId) => {
    const fs = period(m);
    return fs === null ? null : sum(fs);
  };
  const kpi = (k: Kpi) => {
    if ('metric' in k) return { id: k.id, label: k.label, value: total(k.metric), unit: 'count' as const, stock: stock[k.metric].kind === 'stock' };
    const num = total(k.ratio[0]);
    const den = k.ratio[1].map(total);
    const d = den.some((x) => x === null) ? null : den.reduce<number>((a, b) => a + (b ?? 0), 0);
    return { id: k.id, label: k.label, value: num === null || d === null || d === 0 ? null : num / d, unit: 'ratio' as const, stock: stock[k.ratio[0]].kind === 'stock' };
  };
  const breakdown = (b: (typeof def.breakdowns)[number]) => {
    const groups = new Map<string, number>();
    for (const f of period(b.metric) ?? []) {
      const key = f[b.by] ?? '(none)';
      groups.set(key, (groups.get(key) ?? 0) + f.v);
    }
    const order: readonly string[] | undefined = 'order' in b ? b.order : undefined;
    const items = order ? order.map((key) => ({ key, value: groups.get(key) ?? 0 })) : [...groups].map(([key, value]) => ({ key, value })).sort((x, y) => y.value - x.value || x.key.localeCompare(y.key));
    return { id: b.id, label: b.label, metric: b.metric, by: b.by, items: items.slice(0, 15) };
  };
  const values = (d: Dim) => [...new Set(days.flatMap((day) => day.facts.map((f) => f[d]).filter((v): v is string => typeof v === 'string')))].sort();
  return {
    report: input.report,
    title: def.title,
    from: input.from,
    to: input.to,
    legalEntities: entities,
    filters: { legalEntity: input.legalEntity ?? null, accountType: input.accountType ?? null, country: input.country ?? null, staff: input.staff ?? null },
    days: days.map((d) => ({ day: d.day, live: d.live, stocks: d.stocks, computedAt: d.computedAt })),
    kpis: def.kpis.map(kpi),
    series: def.series.map((m) => ({ id: m, label: METRICS[m].label, stock: stock[m].kind === 'stock', values: days.map((d) => (stock[m].kind === 'stock' && !d.stocks ? null : ((fs) => (fs === null ? null : sum(fs)))(factsOf(m, d)))) })),
    breakdowns: def.breakdowns.map(breakdown),
    choices: { accountTypes: values('a'), countries: values('c'), staff: values('s') },
  };
}
