// The shell's state: which view is open, what the host says about sync, and a version per cached
// view that grids and panes watch to read again when a sync round changed it.

import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { HostEvent } from '../../../shared/desktop/api.js';
import type { EvidenceSubject } from '../../../shared/evidence/schemas.js';
import { hostSession, signOut } from '../session/slice.js';

export type ViewId = 'kyc' | 'screening' | 'alerts' | 'withdrawals' | 'deposits' | 'exceptions' | 'interventions' | 'unlinked' | 'audit' | 'access' | 'lookup' | 'reports' | 'rules';
type SyncStatus = Extract<HostEvent, { type: 'sync' }>['status'];

interface UiState {
  /** The open view; null until the shell picks the user's landing view. */
  view: ViewId | null;
  /** The client page open over the views (from the search box or a link), or null. */
  client: string | null;
  /** The evidence view open over everything else (from a grid row or the client page), or null. */
  evidence: EvidenceSubject | null;
  sync: SyncStatus | null;
  /** Bumped when the host says a cached view changed, so grids refresh their blocks. */
  versions: Record<string, number>;
}

const initialState: UiState = { view: null, client: null, evidence: null, sync: null, versions: {} };

export const ui = createSlice({
  name: 'ui',
  initialState,
  reducers: {
    showView(state, action: PayloadAction<ViewId>) {
      state.view = action.payload;
      state.client = null;
      state.evidence = null;
    },
    openClient(state, action: PayloadAction<string | null>) {
      state.client = action.payload;
      state.evidence = null;
    },
    openEvidence(state, action: PayloadAction<EvidenceSubject | null>) {
      state.evidence = action.payload;
    },
    syncStatus(state, action: PayloadAction<SyncStatus>) {
      state.sync = action.payload;
    },
    viewsChanged(state, action: PayloadAction<string[]>) {
      for (const v of action.payload) state.versions[v] = (state.versions[v] ?? 0) + 1;
    },
  },
  // The next person to sign in lands on their own work, not on the view the last one left open.
  extraReducers: (b) => {
    b.addCase(signOut.fulfilled, (s) => {
      s.view = null;
      s.client = null;
      s.evidence = null;
    });
    b.addCase(hostSession, (s, a) => {
      if (a.payload.state === 'signedOut') {
        s.view = null;
        s.client = null;
        s.evidence = null;
      }
    });
  },
});

export const { showView, openClient, openEvidence, syncStatus, viewsChanged } = ui.actions;
