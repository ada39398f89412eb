// UI state only (who is signed in, which view and row are open, sync state, notices); rows live in
// the host's cache. Typed hooks come from here, and one listener turns every failed thunk into a
// notification.

import { configureStore, createAsyncThunk, createListenerMiddleware, createSlice, isRejected, type PayloadAction } from '@reduxjs/toolkit';
import { useDispatch, useSelector } from 'react-redux';
import type { HostError, HostEvent } from '../../shared/desktop/api.js';
import type { ChannelOutput, Profile } from '../../main/host/channels.js';
import { call, HostCallError } from './bridge.js';

/** The signed-in staff member, as the server describes them (typed from its router). */
export type User = Profile;
export type Enrolment = ChannelOutput<'session.enrolMfa'>;

type SyncStatus = Extract<HostEvent, { type: 'sync' }>['status'];

interface SessionState {
  status: 'unknown' | 'signedOut' | 'signedIn' | 'locked';
  user: User | null;
  enrolment: Enrolment | null;
  needsCode: boolean;
  /** The account has no authenticator yet (MFA_ENROLMENT_REQUIRED): offer enrolment. */
  needsEnrolment: boolean;
  error: string | null;
  busy: boolean;
}

const hostError = (e: unknown): HostError => (e instanceof HostCallError ? { reason: e.reason, message: e.message } : { reason: 'HOST_ERROR', message: String(e) });

export const restoreSession = createAsyncThunk('session/restore', () => call('session.current', {}));
export const signIn = createAsyncThunk('session/signIn', async (input: { username: string; password: string; totp?: string }, { rejectWithValue }) => {
  try {
    return await call('session.login', input.totp ? input : { username: input.username, password: input.password });
  } catch (e) {
    return rejectWithValue(hostError(e));
  }
});
export const startEnrolment = createAsyncThunk('session/enrol', async (input: { username: string; password: string }, { rejectWithValue }) => {
  try {
    return await call('session.enrolMfa', input);
  } catch (e) {
    return rejectWithValue(hostError(e));
  }
});
export const confirmEnrolment = createAsyncThunk('session/confirm', async (input: { enrolmentId: string; totp: string }, { rejectWithValue }) => {
  try {
    return await call('session.confirmMfa', input);
  } catch (e) {
    return rejectWithValue(hostError(e));
  }
});
export const signOut = createAsyncThunk('session/signOut', () => call('session.logout', {}));
export const changePassword = createAsyncThunk('session/changePassword', async (input: { currentPassword: string; newPassword: string }, { rejectWithValue }) => {
  try {
    return await call('session.changePassword', input);
  } catch (e) {
    return rejectWithValue(hostError(e));
  }
});
export const lockSession = createAsyncThunk('session/lock', () => call('session.lock', {}));
export const decideApproval = createAsyncThunk('approvals/decide', async (input: { id: string; decision: 'approve' | 'reject'; reason?: string }, { rejectWithValue }) => {
  try {
    return input.decision === 'approve'
      ? await call('approvals.approve', { id: input.id, ...(input.reason ? { reason: input.reason } : {}) })
      : await call('approvals.reject', { id: input.id, reason: input.reason ?? '' });
  } catch (e) {
    return rejectWithValue(hostError(e));
  }
});

const session = createSlice({
  name: 'session',
  initialState: { status: 'unknown', user: null, enrolment: null, needsCode: false, needsEnrolment: false, error: null, busy: false } as SessionState,
  reducers: {
    hostSession(state, action: PayloadAction<{ state: 'signedIn' | 'signedOut' | 'locked'; message?: string | undefined }>) {
      if (action.payload.state === 'signedIn') {
        if (action.payload.message) state.error = action.payload.message;
        return;
      }
      state.status = action.payload.state;
      state.user = null;
      state.error = action.payload.message ?? null;
    },
    cancelEnrolment(state) {
      state.enrolment = null;
    },
  },
  extraReducers: (b) => {
    b.addCase(restoreSession.fulfilled, (s, a) => {
      s.user = a.payload;
      s.status = a.payload ? 'signedIn' : 'signedOut';
    });
    b.addCase(restoreSession.rejected, (s) => {
      s.status = 'signedOut';
    });
    for (const thunk of [signIn, startEnrolment, confirmEnrolment]) {
      b.addCase(thunk.pending, (s) => {
        s.busy = true;
        s.error = null;
      });
    }
    b.addCase(signIn.fulfilled, (s, a) => {
      Object.assign(s, { busy: false, user: a.payload, status: 'signedIn', needsCode: false, enrolment: null });
    });
    b.addCase(confirmEnrolment.fulfilled, (s, a) => {
      Object.assign(s, { busy: false, user: a.payload, status: 'signedIn', needsCode: false, enrolment: null });
    });
    b.addCase(startEnrolment.fulfilled, (s, a) => {
      s.busy = false;
      s.needsEnrolment = false;
      s.error = null;
      s.enrolment = a.payload;
    });
    b.addCase(signIn.rejected, (s, a) => {
      const e = a.payload as { reason: string; message: string } | undefined;
      s.busy = false;
      s.needsEnrolment = e?.reason === 'MFA_ENROLMENT_REQUIRED';
      if (e?.reason === 'MFA_REQUIRED') {
        s.needsCode = true;
        s.error = null;
      } else s.error = e?.message ?? 'Sign-in failed.';
    });
    for (const thunk of [startEnrolment, confirmEnrolment]) {
      b.addCase(thunk.rejected, (s, a) => {
        s.busy = false;
        s.error = (a.payload as { message?: string } | undefined)?.message ?? 'That did not work.';
      });
    }
    b.addCase(changePassword.pending, (s) => {
      s.busy = true;
      s.error = null;
    });
    b.addCase(changePassword.fulfilled, (s, a) => {
      Object.assign(s, { busy: false, user: a.payload, error: null });
    });
    b.addCase(changePassword.rejected, (s, a) => {
      s.busy = false;
      s.error = (a.payload as { message?: string } | undefined)?.message ?? 'The password was not changed.';
    });
    b.addCase(signOut.fulfilled, (s) => {
      Object.assign(s, { status: 'signedOut', user: null, needsCode: false, enrolment: null, error: null });
    });
  },
});

export type ViewId = 'kyc' | 'screening' | 'alerts' | 'audit' | 'access';

interface UiState {
  view: ViewId;
  sync: SyncStatus | null;
  /** Bumped when the host says a cached view changed, so grids refresh their blocks. */
  versions: Record<string, number>;
  notices: Array<{ id: number; text: string }>;
}

const ui = createSlice({
  name: 'ui',
  initialState: { view: 'audit', sync: null, versions: {}, notices: [] } as UiState,
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
    notify(state, action: PayloadAction<string>) {
      state.notices.push({ id: Date.now() + Math.random(), text: action.payload });
      state.notices = state.notices.slice(-3);
    },
    dismiss(state, action: PayloadAction<number>) {
      state.notices = state.notices.filter((n) => n.id !== action.payload);
    },
  },
});

export const { hostSession, cancelEnrolment } = session.actions;
export const { showView, syncStatus, viewsChanged, notify, dismiss } = ui.actions;

const listener = createListenerMiddleware();
listener.startListening({
  matcher: isRejected(decideApproval, signOut),
  effect: (action, api) => {
    const payload = (action as { payload?: { message?: string } }).payload;
    api.dispatch(notify(payload?.message ?? (action as { error?: { message?: string } }).error?.message ?? 'Something went wrong.'));
  },
});

export const store = configureStore({
  reducer: { session: session.reducer, ui: ui.reducer },
  middleware: (gdm) => gdm().prepend(listener.middleware),
});

export type RootState = ReturnType<typeof store.getState>;
export type AppDispatch = typeof store.dispatch;
export const useAppDispatch = useDispatch.withTypes<AppDispatch>();
export const useAppSelector = useSelector.withTypes<RootState>();
