// Notices: short messages at the foot of the window (what an action did, or why it failed). Any
// feature may raise one; the store's listener raises one for every failed thunk.

import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

export interface Notice {
  id: number;
  text: string;
}

export const notices = createSlice({
  name: 'notices',
  initialState: [] as Notice[],
  reducers: {
    notify: {
      reducer(state, action: PayloadAction<Notice>) {
        return [...state, action.payload].slice(-3);
      },
      prepare: (text: string) => ({ payload: { id: Date.now() + Math.random(), text } }),
    },
    dismiss(state, action: PayloadAction<number>) {
      return state.filter((n) => n.id !== action.payload);
    },
  },
});

export const { notify, dismiss } = notices.actions;
