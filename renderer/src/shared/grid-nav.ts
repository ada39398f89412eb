// Moving through a queue's grid from the keyboard: the focused row down or up, the row after the
// one just decided, and copying a cell as the grid shows it. Each takes the grid's API and answers
// the row it moved to (or whether it copied), leaving what to open to the queue.

import type { GridApi } from 'ag-grid-community';
import type { CacheRow } from '../../../shared/desktop/views.js';

/** Moves the focus and the selection `delta` rows, within the rows there are. */
export function moveFocus(api: GridApi<CacheRow>, delta: number): CacheRow | null {
  if (api.isDestroyed()) return null;
  const focused = api.getFocusedCell();
  const index = Math.min(Math.max(0, (focused?.rowIndex ?? -1) + delta), Math.max(0, api.getDisplayedRowCount() - 1));
  const column = focused?.column ?? api.getAllDisplayedColumns()?.[0];
  if (!column) return null;
  api.ensureIndexVisible(index);
  api.setFocusedCell(index, column);
  const node = api.getDisplayedRowAtIndex(index);
  node?.setSelected(true, true);
  return node?.data ?? null;
}

/** The decided row is about to leave the tab: focus the one after it (or before it, at the end). */
export function focusNextRow(api: GridApi<CacheRow>, key: string, current: CacheRow): CacheRow | null {
  if (api.isDestroyed()) return null;
  let index = -1;
  api.forEachNode((n) => {
    if (n.data && n.data[key] === current[key]) index = n.rowIndex ?? -1;
  });
  const node = api.getDisplayedRowAtIndex(index + 1) ?? (index > 0 ? api.getDisplayedRowAtIndex(index - 1) : undefined);
  if (!node?.data || node.data[key] === current[key]) return null;
  const column = api.getAllDisplayedColumns()?.[0];
  if (column && node.rowIndex !== null) api.setFocusedCell(node.rowIndex, column);
  node.setSelected(true, true);
  return node.data;
}

/** Copies the focused cell's text as the grid shows it; false when there is nothing to copy or text is selected. */
export function copyFocusedCell(api: GridApi<CacheRow>, columns: ReadonlyArray<{ field: string; format?: ((value: unknown) => string) | undefined }>): boolean {
  const cell = api.getFocusedCell();
  if (!cell || window.getSelection()?.toString()) return false;
  const row = api.getDisplayedRowAtIndex(cell.rowIndex)?.data;
  const column = columns.find((c) => c.field === cell.column.getColId());
  if (!row || !column) return false;
  const value = row[column.field];
  void navigator.clipboard.writeText(value === null || value === undefined ? '' : column.format ? column.format(value) : String(value));
  return true;
}
