// The shell's state: which view is open, what the host says about sync, and a version per cached
// view that grids and panes watch to read again when a sync round changed it.

import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { HostEvent } from '../../../shared/desktop/api.js';

export type ViewId = 'kyc' | 'screening' | 'alerts' | 'audit' | 'access';
type SyncStatus = Extract<HostEvent, { type: 'sync' }>['status'];

interface UiState {
  view: ViewId;
  sync: SyncStatus | null;
  /** Bumped when the host says a cached view changed, so grids refresh their blocks. */
  versions: Record<string, number>;
}

const initialState: UiState = { view: 'audit', sync: null, versions: {} };

export const ui = createSlice({
  name: 'ui',
  initialState,
  reducers: {
    showView(state, action: PayloadAction<ViewId>) {
      state.view = action.payload;
    },
    syncStatus(state, action: PayloadAction<SyncStatus>) {
      state.sync = action.payload;
    },
    viewsChanged(state, action: PayloadAction<string[]>) {
      for (const v of action.payload) state.versions[v] = (state.versions[v] ?? 0) + 1;
    },
  },
});

export const { showView, syncStatus, viewsChanged } = ui.actions;
