// Who holds the keyboard around a queue's grid. The grid takes the keyboard when the view opens and
// nothing else has it. AG Grid recovers the focus itself when a refresh redraws the focused cell,
// but it does so for 100 ms after the cell went, even when the user has since moved to the quick
// filter or a form, and would take the keys typed there: such a recovery is undone, the focus goes
// back to the control the user chose. Moves the user makes (a click or Tab into the grid, the
// queue's own keys through `focusGrid`) are left alone. Keys pressed while nothing holds the focus
// still reach the queue (QueueView's document listener), so none is lost while the grid redraws.

import type { GridApi } from 'ag-grid-community';
import { useCallback, useEffect, useRef, type RefObject } from 'react';
import type { CacheRow } from '../../../shared/desktop/views.js';

/** How long after a user's move (click, Tab, the queue's own keys) the grid may take the focus. */
const USER_MOVE_MS = 400;

function nothingFocused(): boolean {
  return document.activeElement === null || document.activeElement === document.body;
}

export interface GridFocus {
  /** Focuses a row's first cell (the focused row's by default); `byUser` false when the view places it on its own. */
  focusGrid(row?: number, byUser?: boolean): void;
  /** Rows arrived: until the grid has held the keyboard once, it takes it if nothing (or the navigation) has it. */
  rowsArrived(count: number): void;
}

export function useGridFocus(apiRef: RefObject<GridApi<CacheRow> | null>, gridRef: RefObject<HTMLElement | null>): GridFocus {
  const placed = useRef(false);
  const userMoveAt = useRef(0);
  useEffect(() => {
    const moved = (e: Event) => {
      if (e.type === 'pointerdown' || (e as KeyboardEvent).key === 'Tab') userMoveAt.current = performance.now();
    };
    const entered = (e: FocusEvent) => {
      const grid = gridRef.current;
      if (!grid?.contains(e.target as Node)) return;
      placed.current = true;
      const from = e.relatedTarget;
      const chosen = from instanceof HTMLElement && from.isConnected && !grid.contains(from) && from.matches('input, textarea, select');
      if (chosen && performance.now() - userMoveAt.current > USER_MOVE_MS) from.focus();
    };
    document.addEventListener('pointerdown', moved, true);
    document.addEventListener('keydown', moved, true);
    document.addEventListener('focusin', entered);
    return () => {
      document.removeEventListener('pointerdown', moved, true);
      document.removeEventListener('keydown', moved, true);
      document.removeEventListener('focusin', entered);
    };
  }, [gridRef]);

  const focusGrid = useCallback(
    (row?: number, byUser = true) => {
      const api = apiRef.current;
      // A timer may fire after the view closed: a destroyed grid answers nothing (undefined).
      if (!api || api.isDestroyed()) return;
      const column = api.getAllDisplayedColumns()?.[0];
      if (!column || api.getDisplayedRowCount() === 0) return;
      const index = Math.min(row ?? api.getFocusedCell()?.rowIndex ?? 0, api.getDisplayedRowCount() - 1);
      // Only a user's move opens the window in which the grid may take the focus back; the grid
      // placing itself when rows arrive does not (Ctrl+K pressed just after must keep the search box).
      if (byUser) userMoveAt.current = performance.now();
      api.ensureIndexVisible(index);
      api.setFocusedCell(index, column);
    },
    [apiRef],
  );

  const rowsArrived = useCallback(
    (count: number) => {
      // A first request can be dropped when a refresh replaces the rows before they are drawn:
      // each arrival offers the keyboard until the grid has held it once.
      // Asked again when the timer fires: the user may have moved meanwhile (Ctrl+K into the search box).
      const free = () => !placed.current && (nothingFocused() || document.activeElement?.closest('nav') !== null);
      if (count > 0 && free()) setTimeout(() => free() && focusGrid(0, false), 0);
    },
    [focusGrid],
  );
  return { focusGrid, rowsArrived };
}
