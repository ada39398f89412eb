// Exports of a grid: the rows the grid shows (tab, column filters, quick filter, sort) with the
// visible columns as the grid formats them, as CSV or XLSX. The server records the export (view,
// rows, columns, filters, the file's SHA-256) before the file is handed over; client names are
// masked unless the user holds clients.exportPii.

import type { GridApi } from 'ag-grid-community';
import type { FilterModel, SortModel } from '../../../shared/desktop/grid.js';
import { EXPORT_ROW_LIMIT, type ExportView } from '../../../shared/desktop/exports.js';
import type { CacheRow, ViewName } from '../../../shared/desktop/views.js';
import { call } from '../bridge.js';

export interface ExportColumn {
  field: string;
  header: string;
  format?: ((value: unknown) => string) | undefined;
  /** Holds a client's name: masked unless the user may export personal data. */
  pii?: boolean | undefined;
}

export interface ExportRequest {
  view: ViewName;
  title: string;
  columns: ExportColumn[];
  filterModel: FilterModel;
  scope: FilterModel;
  sortModel: SortModel;
  quickFilter: string;
  /** the tab and filters in words, for the audit record */
  filters: string;
  mayExportPii: boolean;
}

const PAGE = 1000;

async function allRows(r: ExportRequest): Promise<CacheRow[]> {
  const out: CacheRow[] = [];
  for (let start = 0; start < EXPORT_ROW_LIMIT; start += PAGE) {
    const page = await call('cache.query', { view: r.view, filterModel: r.filterModel, scope: r.scope, sortModel: r.sortModel, ...(r.quickFilter ? { quickFilter: r.quickFilter } : {}), startRow: start, endRow: start + PAGE });
    out.push(...page.rows);
    if (page.lastRow !== null) break;
  }
  return out.slice(0, EXPORT_ROW_LIMIT);
}

function cellText(c: ExportColumn, row: CacheRow, maskPii: boolean): string {
  const v = row[c.field];
  if (v === null || v === undefined || v === '') return '';
  if (c.pii && maskPii) return '•••';
  return c.format ? c.format(v) : String(v);
}

/** RFC 4180: fields with a comma, quote or line break are quoted; a leading =, +, - or @ is defused for spreadsheets. */
export function csvField(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(columns: readonly ExportColumn[], rows: readonly CacheRow[], maskPii: boolean): string {
  const lines = [columns.map((c) => csvField(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(cellText(c, row, maskPii))).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

async function toXlsx(r: Pick<ExportRequest, 'title' | 'columns'>, rows: readonly CacheRow[], maskPii: boolean): Promise<ArrayBuffer> {
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.Workbook();
  book.creator = 'FX Back Office';
  book.created = new Date();
  const sheet = book.addWorksheet(r.title.slice(0, 31));
  sheet.columns = r.columns.map((c) => ({ header: c.header, key: c.field, width: Math.min(60, Math.max(10, c.header.length + 2)) }));
  for (const row of rows) sheet.addRow(Object.fromEntries(r.columns.map((c) => [c.field, cellText(c, row, maskPii)])));
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  return (await book.xlsx.writeBuffer()) as ArrayBuffer;
}

async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The export of what a grid shows now: its visible columns, filters, sort, tab and quick filter. */
export function exportFromGrid(
  api: GridApi<CacheRow>,
  r: { view: ViewName; title: string; columns: readonly ExportColumn[]; tab: string | undefined; scope: FilterModel; quickFilter: string; mayExportPii: boolean },
  format: 'csv' | 'xlsx',
): Promise<{ rows: number; fileName: string }> {
  const shown = new Set(api.getAllDisplayedColumns().map((c) => c.getColId()));
  const columns = r.columns.filter((c) => shown.has(c.field)).map((c) => ({ field: c.field, header: c.header, format: c.format, pii: c.pii }));
  const filterModel = api.getFilterModel() as FilterModel;
  const sortModel = api.getColumnState().flatMap((c) => (c.sort ? [{ colId: c.colId, sort: c.sort }] : []));
  const filters = [r.tab ? `tab ${r.tab}` : '', Object.keys(filterModel).length ? `filters ${JSON.stringify(filterModel)}` : '', r.quickFilter ? `quick filter "${r.quickFilter}"` : ''].filter(Boolean).join('; ');
  return exportGrid({ view: r.view, title: r.title, columns, filterModel, scope: r.scope, sortModel, quickFilter: r.quickFilter, filters, mayExportPii: r.mayExportPii }, format);
}

/** Builds the file of a grid's rows, has the server record it, then hands it over as a download. */
export async function exportGrid(r: ExportRequest, format: 'csv' | 'xlsx'): Promise<{ rows: number; fileName: string }> {
  return exportRows(r, await allRows(r), format);
}

/** The same for rows already in hand (a client's history on the client page). */
export async function exportRows(r: Pick<ExportRequest, 'title' | 'columns' | 'filters' | 'mayExportPii'> & { view: ExportView }, rows: readonly CacheRow[], format: 'csv' | 'xlsx'): Promise<{ rows: number; fileName: string }> {
  const maskPii = !r.mayExportPii;
  const bytes = format === 'csv' ? (new TextEncoder().encode(toCsv(r.columns, rows, maskPii)).buffer as ArrayBuffer) : await toXlsx(r, rows, maskPii);
  const recorded = await call('export.record', {
    view: r.view,
    format,
    rows: rows.length,
    columns: r.columns.map((c) => c.header),
    filters: r.filters.slice(0, 2000),
    sha256: await sha256Hex(bytes),
    piiIncluded: !maskPii && r.columns.some((c) => c.pii),
  });
  const fileName = `${r.view}-${recorded.recordedAt.slice(0, 19).replaceAll(':', '')}Z-${recorded.exportId}.${format}`;
  saveFile(fileName, new Blob([bytes], { type: format === 'csv' ? 'text/csv;charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }));
  return { rows: rows.length, fileName };
}

/** Hands a file over as a download (the browser's, or Electron's save handling). */
export function saveFile(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
