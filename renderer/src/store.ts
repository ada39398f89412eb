// The store combines the features' slices (UI state only; rows live in the host's cache) and gives
// the typed hooks. One listener turns every failed thunk into a notice, except those whose screen
// shows the error itself (sign-in, enrolment, password change).

import { configureStore, createListenerMiddleware, isRejected } from '@reduxjs/toolkit';
import { useDispatch, useSelector } from 'react-redux';
import { ui } from './app/ui.js';
import { INLINE_ERRORS, session } from './session/slice.js';
import { notices, notify } from './shared/notices.js';

const inline = new Set<string>(INLINE_ERRORS.map((t) => t.rejected.type));

const listener = createListenerMiddleware();
listener.startListening({
  predicate: (action) => isRejected(action) && !inline.has(action.type),
  effect: (action, api) => {
    const failed = action as { payload?: { message?: string }; error?: { message?: string } };
    api.dispatch(notify(failed.payload?.message ?? failed.error?.message ?? 'Something went wrong.'));
  },
});

export const store = configureStore({
  reducer: { session: session.reducer, ui: ui.reducer, notices: notices.reducer },
  middleware: (gdm) => gdm().prepend(listener.middleware),
});

export type RootState = ReturnType<typeof store.getState>;
export type AppDispatch = typeof store.dispatch;
export const useAppDispatch = useDispatch.withTypes<AppDispatch>();
export const useAppSelector = useSelector.withTypes<RootState>();
