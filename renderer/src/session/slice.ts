// Who is signed in: the sign-in, enrolment, password-change and sign-out steps as thunks over the
// host's session channels, and the state the sign-in screens read. Errors these screens show
// inline are kept here; the store's listener announces the rest.

import { createAsyncThunk, createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { ChannelOutput, Profile } from '../../../main/host/channels.js';
import { call } from '../bridge.js';
import { hostThunk } from '../shared/thunks.js';

/** The signed-in staff member, as the server describes them (typed from its router). */
export type User = Profile;
export type Enrolment = ChannelOutput<'session.enrolMfa'>;

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

export const restoreSession = createAsyncThunk('session/restore', () => call('session.current', {}));
export const signIn = hostThunk('session/signIn', (input: { username: string; password: string; totp?: string }) =>
  call('session.login', input.totp ? input : { username: input.username, password: input.password }),
);
export const startEnrolment = hostThunk('session/enrol', (input: { username: string; password: string }) => call('session.enrolMfa', input));
export const confirmEnrolment = hostThunk('session/confirm', (input: { enrolmentId: string; totp: string }) => call('session.confirmMfa', input));
export const changePassword = hostThunk('session/changePassword', (input: { currentPassword: string; newPassword: string }) => call('session.changePassword', input));
export const signOut = hostThunk('session/signOut', (_: void) => call('session.logout', {}));
export const lockSession = hostThunk('session/lock', (_: void) => call('session.lock', {}));

/** The thunks whose failures the sign-in and password screens show themselves. */
export const INLINE_ERRORS = [restoreSession, signIn, startEnrolment, confirmEnrolment, changePassword] as const;

const initialState: SessionState = { status: 'unknown', user: null, enrolment: null, needsCode: false, needsEnrolment: false, error: null, busy: false };

export const session = createSlice({
  name: 'session',
  initialState,
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
      // Read again after the host said something changed: an unchanged profile keeps its identity,
      // so the views built from it (tabs, columns, the grid's rows and focus) are not rebuilt.
      if (JSON.stringify(s.user) !== JSON.stringify(a.payload)) s.user = a.payload;
      s.status = a.payload ? 'signedIn' : 'signedOut';
    });
    b.addCase(restoreSession.rejected, (s) => {
      s.status = 'signedOut';
    });
    for (const thunk of [signIn, startEnrolment, confirmEnrolment, changePassword]) {
      b.addCase(thunk.pending, (s) => {
        s.busy = true;
        s.error = null;
      });
    }
    for (const thunk of [signIn, confirmEnrolment]) {
      b.addCase(thunk.fulfilled, (s, a) => {
        Object.assign(s, { busy: false, user: a.payload, status: 'signedIn', needsCode: false, enrolment: null });
      });
    }
    b.addCase(startEnrolment.fulfilled, (s, a) => {
      Object.assign(s, { busy: false, needsEnrolment: false, error: null, enrolment: a.payload });
    });
    b.addCase(signIn.rejected, (s, a) => {
      s.busy = false;
      s.needsEnrolment = a.payload?.reason === 'MFA_ENROLMENT_REQUIRED';
      if (a.payload?.reason === 'MFA_REQUIRED') {
        s.needsCode = true;
        s.error = null;
      } else s.error = a.payload?.message ?? 'Sign-in failed.';
    });
    const failed = { [startEnrolment.rejected.type]: 'That did not work.', [confirmEnrolment.rejected.type]: 'That did not work.', [changePassword.rejected.type]: 'The password was not changed.' };
    for (const thunk of [startEnrolment, confirmEnrolment, changePassword]) {
      b.addCase(thunk.rejected, (s, a) => {
        s.busy = false;
        s.error = a.payload?.message ?? failed[a.type]!;
      });
    }
    b.addCase(changePassword.fulfilled, (s, a) => {
      Object.assign(s, { busy: false, user: a.payload, error: null });
    });
    b.addCase(signOut.fulfilled, (s) => {
      Object.assign(s, { status: 'signedOut', user: null, needsCode: false, enrolment: null, error: null });
    });
  },
});

export const { hostSession, cancelEnrolment } = session.actions;
