// Notices: what an action did, why it failed, and new work that arrived. Each shows as a toast that
// goes away by itself (or at once with ×), and stays in the inbox (the bell in the header) until
// the inbox is cleared. Any feature may raise one; the store's listener raises one for every failed
// thunk.

import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

export interface Notice {
  id: number;
  text: string;
  at: string;
  read: boolean;
}

interface NoticesState {
  /** Newest last, at most 50. */
  items: Notice[];
  /** The notices still showing as toasts. */
  toasts: number[];
}

const initialState: NoticesState = { items: [], toasts: [] };

/** How long a toast stays, in milliseconds. */
export const TOAST_MS = 8000;

export const notices = createSlice({
  name: 'notices',
  initialState,
  reducers: {
    notify: {
      reducer(state, action: PayloadAction<Notice>) {
        state.items = [...state.items, action.payload].slice(-50);
        state.toasts = [...state.toasts, action.payload.id].slice(-3);
      },
      prepare: (text: string) => ({ payload: { id: Date.now() + Math.random(), text, at: new Date().toISOString(), read: false } }),
    },
    /** The toast goes; the notice stays in the inbox. */
    dismiss(state, action: PayloadAction<number>) {
      state.toasts = state.toasts.filter((id) => id !== action.payload);
    },
    markAllRead(state) {
      for (const n of state.items) n.read = true;
    },
    clearInbox(state) {
      state.items = [];
      state.toasts = [];
    },
  },
});

export const { notify, dismiss, markAllRead, clearInbox } = notices.actions;
