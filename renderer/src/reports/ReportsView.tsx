// Reports (issue 18): accounts, payments, compliance, permissions and dealing over a period, for a
// legal entity, account type, country or staff member. Headline figures, the daily series and the
// breakdowns as charts (echarts), exported as CSV or XLSX (recorded in the audit log). Past days come
// from the daily snapshots and never change; today is live and says so.

import { useMemo, useState } from 'react';
import type { ChannelOutput } from '../../../main/host/channels.js';
import { REPORT_NAMES, type ReportRequest } from '../../../shared/reports/schemas.js';
import { exportRows } from '../shared/exporter.js';
import { errorText, PaneStatus, useHostQuery } from '../shared/host.js';
import { notify } from '../shared/notices.js';
import { useAppDispatch, useAppSelector } from '../store.js';
import { Chart, PALETTE } from './Chart.js';

type Report = ChannelOutput<'reports.get'>;
type ReportName = (typeof REPORT_NAMES)[number];

const TITLES: Record<ReportName, string> = { accounts: 'Accounts', payments: 'Payments', compliance: 'Compliance', permissions: 'Permissions', dealing: 'Dealing' };
const dayBefore = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00.000Z`) - days * 86_400_000).toISOString().slice(0, 10);

function figure(value: number | null, unit: 'count' | 'ratio'): string {
  if (value === null) return '—';
  return unit === 'ratio' ? `${(value * 100).toFixed(1)}%` : value.toLocaleString('en-GB');
}

function dailyOption(r: Report) {
  const days = r.days.map((d) => (d.live ? `${d.day.slice(5)} (today)` : d.day.slice(5)));
  const flows = r.series.filter((s) => !s.stock);
  const stocks = r.series.filter((s) => s.stock);
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0, type: 'scroll' },
    grid: { left: 48, right: stocks.length ? 56 : 24, top: 40, bottom: 32 },
    xAxis: { type: 'category', data: days, axisTick: { alignWithLabel: true } },
    yAxis: [
      { type: 'value', name: 'per day', minInterval: 1, splitLine: { lineStyle: { color: '#e6eaf0' } } },
      ...(stocks.length ? [{ type: 'value', name: 'end of day', minInterval: 1, splitLine: { show: false } }] : []),
    ],
    series: [
      ...flows.map((s) => ({ name: s.label, type: 'bar', barMaxWidth: 18, data: s.values })),
      ...stocks.map((s) => ({ name: s.label, type: 'line', yAxisIndex: 1, symbolSize: 6, connectNulls: false, data: s.values, lineStyle: { width: 2.5 } })),
    ],
  };
}

/** Audited action codes and states as a board reads them. */
const KEY_WORDS: Record<string, string> = {
  'access.role.granted': 'Role granted',
  'access.role.revoked': 'Role revoked',
  'access.user.created': 'Staff member created',
  'access.user.status': 'Staff member disabled or enabled',
  'auth.mfa.reset': 'Authenticator reset',
  'auth.password.reset': 'Password reset',
  'audit.signingKey.rotated': 'Audit signing key rotated',
  'policy.activated': 'Rule version published',
  'approval.approved': 'Approval given',
  'kyc.override.requested': 'KYC override requested',
  'auth.login.failed': 'Wrong password or code',
  'auth.login.failed.repeated': 'Repeated failures',
  'auth.lockout': 'Locked out',
  'auth.login.locked': 'Sign-in while locked',
  'auth.mfa.replayed': 'Authentication code replayed',
  'auth.session.rejected': 'Session refused',
  pending_documents: 'Waiting for documents',
};
const words = (key: string) => KEY_WORDS[key] ?? key.replaceAll('_', ' ').replace(/^./, (c) => c.toUpperCase());

function breakdownOption(items: ReadonlyArray<{ key: string; value: number }>, color: string, name: (key: string) => string) {
  const shown = [...items].reverse();
  return {
    tooltip: { trigger: 'item' },
    grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#eef1f5' } } },
    yAxis: { type: 'category', data: shown.map((i) => name(i.key)), axisTick: { show: false } },
    series: [{ type: 'bar', data: shown.map((i) => i.value), itemStyle: { color, borderRadius: [0, 3, 3, 0] }, barMaxWidth: 22, label: { show: true, position: 'right' } }],
  };
}

/** The report as long-form rows (section, item, value): what the CSV and XLSX hold. */
function rowsOf(r: Report) {
  const rows: Array<Record<string, string | number | null>> = [];
  for (const k of r.kpis) rows.push({ section: 'Headline', item: k.label, value: k.value === null ? null : k.unit === 'ratio' ? Number((k.value * 100).toFixed(2)) : k.value, note: k.unit === 'ratio' ? 'percent' : k.stock ? 'latest end-of-day count' : 'period total' });
  for (const s of r.series) for (const [i, d] of r.days.entries()) rows.push({ section: `Daily: ${s.label}`, item: d.day, value: s.values[i] ?? null, note: d.live ? 'today, live' : s.stock && !d.stocks ? 'end-of-day count not taken' : 'snapshot' });
  for (const b of r.breakdowns) for (const i of b.items) rows.push({ section: b.label, item: i.key, value: i.value, note: '' });
  return rows.map((x) => ({ ...x, _json: '' }));
}

export function ReportsView() {
  const dispatch = useAppDispatch();
  const user = useAppSelector((s) => s.session.user)!;
  const [report, setReport] = useState<ReportName>('accounts');
  // No dates: the server's last 30 days (its clock says which day is today, in UTC).
  const [filters, setFilters] = useState<Omit<ReportRequest, 'report'>>({});
  const input = useMemo(() => ({ report, ...filters }), [report, filters]);
  const answer = useHostQuery('reports.get', input, [JSON.stringify(input)]);
  const r = answer.data;
  const set = (patch: Partial<Omit<ReportRequest, 'report'>>) => setFilters((f) => Object.fromEntries(Object.entries({ ...f, ...patch }).filter(([, v]) => v !== undefined && v !== '')) as Omit<ReportRequest, 'report'>);
  const period = (days: number) => r && set({ from: dayBefore(r.days.find((d) => d.live)?.day ?? r.to, days - 1), to: r.days.find((d) => d.live)?.day ?? r.to });

  const runExport = async (format: 'csv' | 'xlsx') => {
    if (!r) return;
    const described = [`${r.title} ${r.from} to ${r.to}`, ...Object.entries(r.filters).flatMap(([k, v]) => (v ? [`${k} ${v}`] : []))].join('; ');
    try {
      const done = await exportRows({ view: 'reports', title: `${r.title} report`, columns: [{ field: 'section', header: 'Section' }, { field: 'item', header: 'Item' }, { field: 'value', header: 'Value' }, { field: 'note', header: 'Note' }], filters: described, mayExportPii: false }, rowsOf(r), format);
      dispatch(notify(`Exported the ${r.title.toLowerCase()} report to ${done.fileName} (recorded in the audit log)`));
    } catch (e) {
      dispatch(notify(errorText(e)));
    }
  };

  const select = (label: string, value: string | undefined, options: readonly string[], onChange: (v: string) => void, all: string) => (
    <label>
      {label}
      <select value={value ?? ''} onChange={(e) => onChange(e.target.value)}>
        <option value="">{all}</option>
        {[...new Set([...options, ...(value ? [value] : [])])].map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <section className="reports" aria-label="Reports">
      <div className="toolbar">
        <h2>Reports</h2>
        <div className="queue-tabs" role="tablist" aria-label="Reports">
          {REPORT_NAMES.map((n) => (
            <button key={n} role="tab" aria-selected={n === report} className={n === report ? 'tab active' : 'tab'} onClick={() => setReport(n)}>
              {TITLES[n]}
            </button>
          ))}
        </div>
        <span className="toolbar-end">
          <button onClick={() => void runExport('csv')} disabled={!r}>
            Export CSV
          </button>
          <button onClick={() => void runExport('xlsx')} disabled={!r}>
            Export XLSX
          </button>
        </span>
      </div>
      <div className="report-filters" role="group" aria-label="Report filters">
        <label>
          From
          <input type="date" value={filters.from ?? r?.from ?? ''} max={filters.to ?? r?.to} onChange={(e) => e.target.value && set({ from: e.target.value })} />
        </label>
        <label>
          To
          <input type="date" value={filters.to ?? r?.to ?? ''} min={filters.from ?? r?.from} onChange={(e) => e.target.value && set({ to: e.target.value })} />
        </label>
        <span className="quick-periods">
          {[7, 30, 90].map((n) => (
            <button key={n} className="link" onClick={() => period(n)}>
              {n} days
            </button>
          ))}
        </span>
        {select('Legal entity', filters.legalEntity, r?.legalEntities ?? user.legalEntities, (v) => set({ legalEntity: v || undefined }), 'All')}
        {select('Account type', filters.accountType, r?.choices.accountTypes ?? [], (v) => set({ accountType: v || undefined }), 'All')}
        {select('Country', filters.country, r?.choices.countries ?? [], (v) => set({ country: v || undefined }), 'All')}
        {select('Staff member', filters.staff, r?.choices.staff ?? [], (v) => set({ staff: v || undefined }), 'Everyone')}
      </div>
      {!r ? (
        <PaneStatus loading error={answer.error} what="the report" />
      ) : (
        <div className="report-body">
          <div className="kpis" role="list" aria-label="Headline figures">
            {r.kpis.map((k) => (
              <div key={k.id} className="kpi" role="listitem" aria-label={`${k.label}: ${figure(k.value, k.unit)}`}>
                <div className="kpi-value">{figure(k.value, k.unit)}</div>
                <div className="kpi-label">{k.label}</div>
                <div className="kpi-note">{k.value === null && (r.filters.country || r.filters.accountType || r.filters.staff) ? 'not split by this filter' : k.stock ? 'latest end-of-day count' : k.unit === 'ratio' ? 'over the period' : 'period total'}</div>
              </div>
            ))}
          </div>
          <div className="card wide">
            <h3>Day by day</h3>
            <Chart option={dailyOption(r)} height={300} label={`${r.title}, day by day: ${r.series.map((s) => `${s.label} ${s.values.map((v) => v ?? '—').join(', ')}`).join('; ')}`} />
          </div>
          <div className="cards">
            {r.breakdowns.map((b, i) => (
              <div key={b.id} className="card" aria-label={b.label}>
                <h3>{b.label}</h3>
                {b.items.length === 0 || b.items.every((x) => x.value === 0) ? <p className="hint">Nothing in this period.</p> : <Chart option={breakdownOption(b.items, PALETTE[i % PALETTE.length]!, b.by === 's' || b.by === 'c' ? (key) => key : words)} height={Math.max(140, 34 * b.items.length + 24)} label={`${b.label}: ${b.items.map((x) => `${x.key} ${x.value}`).join(', ')}`} />}
              </div>
            ))}
          </div>
          <p className="hint report-note">
            {r.legalEntities.join(' and ')} · {r.from} to {r.to} (UTC days). Past days come from the snapshot taken once for each day{r.days.some((d) => !d.live && !d.stocks) ? '; days whose end-of-day counts were not taken at midnight show none' : ''}. {r.days.some((d) => d.live) ? `Today is live, as of ${r.days.at(-1)!.computedAt.slice(11, 16)} UTC.` : ''}
          </p>
        </div>
      )}
    </section>
  );
}
