// The generic queue: an AG Grid over the host's cache (infinite row model: the grid asks for
// blocks, the host answers from the encrypted cache), a quick filter, column state and saved
// filters per user, keyboard navigation (j/k to move, Enter to open, Esc to close), a detail pane
// and a status bar with row count, sync state and last update.

import { themeQuartz, type ColDef, type GridApi, type GridReadyEvent, type IDatasource, type RowClickedEvent } from 'ag-grid-community';
import { AgGridReact } from 'ag-grid-react';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { FilterModel, SortModel } from '../../../shared/desktop/grid.js';
import { VIEWS, type CacheRow, type ViewName } from '../../../shared/desktop/views.js';
import { call } from '../bridge.js';
import { useAppDispatch, useAppSelector } from '../store.js';
import { exportFromGrid } from './exporter.js';
import { copyFocusedCell, focusNextRow, moveFocus } from './grid-nav.js';
import { useGridFocus } from './grid-focus.js';
import { notify } from './notices.js';
import type { QueueTabs } from './tabs.js';
import { SavedFilters } from './SavedFilters.js';
import { ChoiceFilter } from './ChoiceFilter.js';
import { NextItemContext, ShortcutHelp, useShortcutRegistry } from './shortcuts.js';
import { ColumnChooser, ExportButtons, QueueTabsBar } from './GridTools.js';
import { errorText } from './host.js';
import { evidenceColumn, mayOpenEvidence, type EvidencePick } from './evidence-column.js';
import { openEvidence } from '../app/ui.js';

const FILTERS = { text: 'agTextColumnFilter', number: 'agNumberColumnFilter', date: 'agDateColumnFilter' } as const;

/** A column of a view's grid: `field` is one of that view's cached columns, checked by the compiler. */
export interface QueueColumn<V extends ViewName = ViewName> {
  field: ViewColumn<V>;
  header: string;
  width?: number;
  format?: (value: unknown) => string;
  /** Draws the cell (badges, say) instead of its text. */
  cell?: (value: unknown) => ReactNode;
  /** Kept at the left edge when the grid scrolls sideways. */
  pinned?: boolean;
  /** Holds a client's name: masked in exports unless the user holds clients.exportPii. */
  pii?: boolean;
  /** A column of a few known values: filtered by a checkbox per value, labelled in words ('entities': the user's legal entities; 'cached': the values the cache holds, such as assignees). */
  choices?: Readonly<Record<string, string>> | 'entities' | 'cached';
  /** An identifier: filtered by exact match (CL-000016 must not find CL-0000160). */
  exact?: boolean;
}

function timeAgo(iso: string | null | undefined): string {
  if (!iso) return 'never';
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  return s < 5 ? 'just now' : s < 60 ? `${s} s ago` : s < 3600 ? `${Math.round(s / 60)} min ago` : new Date(iso).toLocaleString();
}

type ViewColumn<V extends ViewName> = Extract<keyof (typeof VIEWS)[V]['columns'], string>;

export interface QueueProps<V extends ViewName> {
  view: V;
  title: string;
  columns: ReadonlyArray<QueueColumn<V>>;
  detail: (row: CacheRow) => ReactNode;
  defaultSort?: SortModel;
  paneClass?: string;
  /** Tabs over the queue (mine, unassigned, closed, …); the first is where the queue opens. */
  tabs?: QueueTabs;
  /** Buttons beside the title (a new request, say). */
  actions?: ReactNode;
  /** A line under the toolbar that the view's state needs said (MT5 down, work waiting). */
  banner?: ReactNode;
  /** The subject whose evidence a row opens (a button on the row, and `v`). */
  evidence?: EvidencePick;
}

export function QueueView<V extends ViewName>(props: QueueProps<V>) {
  const { view } = props;
  const user = useAppSelector((s) => s.session.user)!;
  const dispatch = useAppDispatch();
  const version = useAppSelector((s) => s.ui.versions[view] ?? 0);
  const sync = useAppSelector((s) => s.ui.sync);
  const apiRef = useRef<GridApi<CacheRow> | null>(null);
  const quickKey = `fxbo:${user.id}:${view}:quick`;
  const [quick, setQuick] = useState(() => localStorage.getItem(quickKey) ?? '');
  const quickRef = useRef(quick.trim());
  const [count, setCount] = useState<number | null>(null);
  const [open, setOpen] = useState<CacheRow | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [help, setHelp] = useState(false);
  const shortcuts = useShortcutRegistry();
  // The grid takes the keyboard when the view opens, after the help closes and after a redraw took it.
  const gridRef = useRef<HTMLDivElement>(null);
  const { focusGrid, rowsArrived } = useGridFocus(apiRef, gridRef);
  const storageKey = `fxbo:${user.id}:${view}`;
  const tabs = useMemo(() => props.tabs?.tabs(user) ?? [], [props.tabs, user]);
  const [tabId, setTabId] = useState<string | null>(() => {
    const last = localStorage.getItem(`${storageKey}:tab`);
    return tabs.find((t) => t.id === last)?.id ?? props.tabs?.main ?? tabs[0]?.id ?? null;
  });
  const scope = tabs.find((t) => t.id === tabId)?.scope ?? {};
  const scopeRef = useRef(scope);
  scopeRef.current = scope;
  const [tabCounts, setTabCounts] = useState<Record<string, number>>({});
  const [saved, setSaved] = useState<Record<string, FilterModel>>(() => JSON.parse(localStorage.getItem(`${storageKey}:filters`) ?? '{}') as Record<string, FilterModel>);

  const columnDefs = useMemo<ColDef<CacheRow>[]>(
    () =>
      props.columns.map((c): ColDef<CacheRow> => {
        // `c.field` is one of the view's columns (checked where the columns are declared).
        const spec = (VIEWS[view].columns as Partial<Record<string, { type: keyof typeof FILTERS }>>)[c.field];
        if (!spec) throw new Error(`${view} has no column ${c.field}`);
        const type = spec.type;
        const format = c.format;
        const cell = c.cell;
        const choices = c.choices === 'entities' ? Object.fromEntries(user.legalEntities.map((e) => [e, e])) : c.choices === 'cached' ? undefined : c.choices;
        return {
          ...(cell ? { cellRenderer: (p: { value: unknown }) => cell(p.value) } : {}),
          ...(c.pinned ? { pinned: 'left' as const } : {}),
          field: c.field,
          headerName: c.header,
          headerTooltip: c.header,
          tooltipValueGetter: (p) => (p.valueFormatted ?? (p.value === null || p.value === undefined ? '' : String(p.value))) || undefined,
          // A UTC time (yyyy-mm-dd hh:mm:ss) is never cut.
          width: type === 'date' && !format ? Math.max(c.width ?? 150, 185) : (c.width ?? 150),
          ...(type === 'date' && !format ? { minWidth: 185 } : {}),
          sortable: true,
          filter: c.choices ? ChoiceFilter : FILTERS[type],
          // Dates are typed as ISO (yyyy-mm-dd, UTC), as the grid shows them, not in the system's locale.
          filterParams: c.choices === 'cached' ? { view } : choices ? { choices } : c.exact ? { maxNumConditions: 2, buttons: ['reset'], defaultOption: 'equals' } : type === 'date' ? { maxNumConditions: 2, buttons: ['reset'], browserDatePicker: false } : { maxNumConditions: 2, buttons: ['reset'] },
          valueFormatter: format ? (p) => format(p.value) : type === 'date' ? (p) => (p.value ? String(p.value).replace('T', ' ').slice(0, 19) : '') : undefined,
        } satisfies ColDef<CacheRow>;
      }).concat(props.evidence ? [evidenceColumn(props.evidence, user.permissions, (subject) => dispatch(openEvidence(subject)))] : []),
    [props.columns, props.evidence, view, user.legalEntities, user.permissions, dispatch],
  );

  // The footer counts what the grid shows: the user's filters, the tab and the quick filter.
  const refreshCount = useCallback(() => {
    const filterModel = (apiRef.current?.getFilterModel() ?? {}) as FilterModel;
    call('cache.count', { view, filterModel, scope: scopeRef.current, ...(quickRef.current ? { quickFilter: quickRef.current } : {}) }).then(setCount, () => setCount(null));
    for (const t of tabs) call('cache.count', { view, scope: t.scope }).then((n) => setTabCounts((c) => (c[t.id] === n ? c : { ...c, [t.id]: n })), () => undefined);
  }, [view, tabs]);

  const datasource = useMemo<IDatasource>(
    () => ({
      getRows: (p) => {
        call('cache.query', {
          view,
          filterModel: p.filterModel as FilterModel,
          scope: scopeRef.current,
          sortModel: p.sortModel as SortModel,
          ...(quickRef.current ? { quickFilter: quickRef.current } : {}),
          startRow: p.startRow,
          endRow: p.endRow,
        }).then(
          (r) => {
            setError(null);
            p.successCallback(r.rows, r.lastRow ?? undefined);
            rowsArrived(r.rows.length);
          },
          (e: Error) => {
            setError(e.message);
            p.failCallback();
          },
        );
      },
    }),
    [view, rowsArrived],
  );

  // Fresh rows from sync: refetch the visible blocks, keep scroll position and selection.
  useEffect(() => {
    if (version === 0) return;
    apiRef.current?.refreshInfiniteCache();
    refreshCount();
  }, [version, refreshCount]);

  useEffect(() => {
    const t = setTimeout(() => {
      if (quickRef.current === quick.trim()) return;
      quickRef.current = quick.trim();
      localStorage.setItem(quickKey, quick);
      apiRef.current?.purgeInfiniteCache();
      refreshCount();
    }, 200);
    return () => clearTimeout(t);
  }, [quick, refreshCount]);

  const chooseTab = (id: string) => {
    setTabId(id);
    localStorage.setItem(`${storageKey}:tab`, id);
    setOpen(null);
  };
  // A new tab: the grid reads its rows again from the top (the scope is read from the ref). Only a
  // change of tab purges: purging redraws every row, and the focused cell with them.
  const shownTab = useRef(tabId);
  useEffect(() => {
    if (shownTab.current !== tabId) apiRef.current?.purgeInfiniteCache();
    shownTab.current = tabId;
    refreshCount();
  }, [tabId, refreshCount]);

  const onGridReady = (e: GridReadyEvent<CacheRow>) => {
    apiRef.current = e.api;
    // The grid asks for its first block before it is ready: a quick filter typed meanwhile must refetch.
    if (quickRef.current) e.api.purgeInfiniteCache();
    const state = localStorage.getItem(`${storageKey}:columns`);
    if (state) {
      e.api.applyColumnState({ state: JSON.parse(state) as [], applyOrder: true });
      setHidden(new Set(e.api.getColumnState().filter((c) => c.hide).map((c) => c.colId)));
    }
    else if (props.defaultSort) e.api.applyColumnState({ state: props.defaultSort.map((s) => ({ colId: s.colId, sort: s.sort })) });
    const active = localStorage.getItem(`${storageKey}:active`);
    if (active && active !== '{}') e.api.setFilterModel(JSON.parse(active) as FilterModel);
    refreshCount();
  };
  const saveColumns = () => {
    if (apiRef.current) localStorage.setItem(`${storageKey}:columns`, JSON.stringify(apiRef.current.getColumnState()));
  };

  const storeSaved = (next: Record<string, FilterModel>) => {
    setSaved(next);
    localStorage.setItem(`${storageKey}:filters`, JSON.stringify(next));
  };
  // The filters in force follow the user across reloads, like the tab and the columns.
  const onFilterChanged = () => {
    localStorage.setItem(`${storageKey}:active`, JSON.stringify(apiRef.current?.getFilterModel() ?? {}));
    refreshCount();
  };
  const runExport = async (format: 'csv' | 'xlsx') => {
    if (!apiRef.current) return;
    const tab = tabs.find((t) => t.id === tabId);
    try {
      const done = await exportFromGrid(apiRef.current, { view, title: props.title, columns: props.columns, tab: tab?.label, scope: scopeRef.current, quickFilter: quickRef.current, mayExportPii: user.permissions.includes('clients.exportPii') }, format);
      setError(null);
      dispatch(notify(`Exported ${done.rows.toLocaleString()} rows to ${done.fileName} (recorded in the audit log)`));
    } catch (e) {
      setError(errorText(e));
    }
  };
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const toggleColumn = (field: string, visible: boolean) => {
    apiRef.current?.setColumnsVisible([field], visible);
    setHidden((h) => {
      const next = new Set(h);
      if (visible) next.delete(field);
      else next.add(field);
      return next;
    });
    saveColumns();
  };
  // Ctrl+C on a cell copies its text as the grid shows it (selected text is copied by the browser).
  const copyCell = () => apiRef.current !== null && copyFocusedCell(apiRef.current, props.columns);
  const clearAll = () => {
    setQuick('');
    apiRef.current?.setFilterModel(null);
  };

  const move = (delta: number) => {
    const row = apiRef.current && moveFocus(apiRef.current, delta);
    // The open pane follows the selection.
    if (row) setOpen((was) => (was ? row : was));
  };

  type Key = Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target' | 'preventDefault'>;
  const onKeyDown = (e: Key) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'c' && (e.target as HTMLElement).closest('.ag-cell') && copyCell()) return e.preventDefault();
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.target as HTMLElement;
    // Typing in a field, and Enter or Space on a button or link, belong to that control.
    if (target.closest('input, textarea, select, .ag-filter, [role=dialog]')) return;
    const onControl = target.closest('button, a, summary, [role=tab]') !== null;
    if (e.key === 'j') move(1);
    else if (e.key === 'k') move(-1);
    else if (e.key === '?') setHelp(true);
    else if (e.key === 'v' && props.evidence) {
      const row = apiRef.current?.getDisplayedRowAtIndex(apiRef.current.getFocusedCell()?.rowIndex ?? -1)?.data;
      const subject = row ? props.evidence(row) : null;
      if (subject && mayOpenEvidence(user.permissions, subject)) dispatch(openEvidence(subject));
    } else if (e.key === '/') document.querySelector<HTMLInputElement>('.queue input[type=search]')?.focus();
    else if (e.key === 'Enter' && !onControl && !target.closest('.detail')) {
      const row = apiRef.current?.getSelectedRows()?.[0] ?? apiRef.current?.getDisplayedRowAtIndex(apiRef.current.getFocusedCell()?.rowIndex ?? -1)?.data;
      if (row) setOpen(row);
    } else if (e.key === 'Escape') setOpen(null);
    else {
      const shortcut = e.key.length === 1 ? shortcuts.current().find((s) => s.key === e.key) : undefined;
      if (!shortcut) return;
      // Said as a notice: the status bar's error line is cleared by the next refresh of the rows.
      if (shortcut.unavailable) dispatch(notify(`${shortcut.label}: ${shortcut.unavailable}`));
      else shortcut.run();
    }
    e.preventDefault();
  };

  // A key pressed while nothing holds the focus (a refresh of the rows, or of the pane, removed the
  // element that had it) belongs to the queue: it is not lost. Keys inside the queue reach
  // `onKeyDown` through the section; an open dialog keeps its own.
  const onKeyDownRef = useRef(onKeyDown);
  onKeyDownRef.current = onKeyDown;
  useEffect(() => {
    const unfocused = (e: KeyboardEvent) => {
      if ((e.target === document.body || e.target === document.documentElement) && !document.querySelector('[role=dialog]')) onKeyDownRef.current(e);
    };
    document.addEventListener('keydown', unfocused);
    return () => document.removeEventListener('keydown', unfocused);
  }, []);

  // The decided row is about to leave the tab: open the one after it (or before it, at the end).
  const openNext = () => {
    const row = apiRef.current && open && focusNextRow(apiRef.current, VIEWS[view].key, open);
    if (row) setOpen(row);
  };

  return shortcuts.provider(
    <NextItemContext.Provider value={openNext}>
    <section className="queue" onKeyDown={onKeyDown} aria-label={props.title}>
      {help && (
        <ShortcutHelp
          shortcuts={shortcuts.current()}
          onClose={() => {
            setHelp(false);
            focusGrid();
          }}
        />
      )}
      <div className="toolbar">
        <h2>{props.title}</h2>
        {props.actions}
        <input
          type="search"
          placeholder="Quick filter (all words, any column)"
          aria-label="Quick filter"
          value={quick}
          onChange={(e) => setQuick(e.target.value)}
          onKeyDown={(e) => {
            // Enter takes the keyboard back to the grid's first row.
            if (e.key === 'Enter') {
              e.preventDefault();
              setTimeout(() => focusGrid(0), 250);
            }
          }}
        />
        <SavedFilters saved={saved} onChange={storeSaved} current={() => (apiRef.current?.getFilterModel() ?? {}) as FilterModel} apply={(m) => apiRef.current?.setFilterModel(m)} />
        <button onClick={clearAll}>Clear filters</button>
        <ColumnChooser columns={props.columns} hidden={hidden} onToggle={toggleColumn} />
        <ExportButtons run={runExport} />
      </div>
      {props.banner}
      <QueueTabsBar title={props.title} tabs={tabs} tabId={tabId} counts={tabCounts} onChoose={chooseTab} />
      <div className="grid-and-pane">
        <div className="grid" ref={gridRef}>
          <AgGridReact<CacheRow>
            theme={themeQuartz}
            rowModelType="infinite"
            datasource={datasource}
            columnDefs={columnDefs}
            cacheBlockSize={100}
            maxBlocksInCache={50}
            rowSelection={{ mode: 'singleRow', checkboxes: false, enableClickSelection: true }}
            enableCellTextSelection
            ensureDomOrder
            getRowId={(p) => String(p.data[VIEWS[view].key])}
            rowClassRules={{ 'row-serious': (p) => /Sanctions match|Restricted/.test(String(p.data?.flags ?? '')) }}
            onGridReady={onGridReady}
            // A grid torn down (the view closing) leaves no API behind for a timer or a key to call.
            onGridPreDestroyed={(e) => {
              if (apiRef.current === e.api) apiRef.current = null;
            }}
            onRowClicked={(e: RowClickedEvent<CacheRow>) => e.data && !(e.event?.target as HTMLElement | undefined)?.closest('.evidence-link') && setOpen(e.data)}
            onFilterChanged={onFilterChanged}
            onSortChanged={saveColumns}
            onColumnMoved={saveColumns}
            onColumnResized={(e) => e.finished && saveColumns()}
          />
        </div>
        {open && (
          <aside className={props.paneClass ? `detail ${props.paneClass}` : 'detail'} aria-label="Details">
            <button className="link close" aria-label="Close details" onClick={() => setOpen(null)}>
              Close (Esc)
            </button>
            {props.detail(open)}
          </aside>
        )}
      </div>
      <footer className="statusbar" role="status">
        <span>{count === null ? '…' : `${count.toLocaleString()} rows`}</span>
        <span>Sync: {sync?.state === 'syncing' ? `syncing… ${sync.rowsReceived.toLocaleString()} rows received` : (sync?.state ?? 'starting')}</span>
        <span>Last update: {timeAgo(sync?.lastSyncAt)}</span>
        {error && <span className="error">{error}</span>}
        <span className="keys">j/k move · Enter open · Esc close{props.evidence ? ' · v evidence' : ''} · ? all keys</span>
      </footer>
    </section>
    </NextItemContext.Provider>,
  );
}
