// A thunk over host calls whose failure is the host's error (reason and message) rather than a
// thrown value, so reducers and the store's listener read one shape.

import { createAsyncThunk } from '@reduxjs/toolkit';
import type { HostError } from '../../../shared/desktop/api.js';
import { HostCallError } from '../bridge.js';

export const hostError = (e: unknown): HostError => (e instanceof HostCallError ? { reason: e.reason, message: e.message } : { reason: 'HOST_ERROR', message: String(e) });

export function hostThunk<I, O>(type: string, run: (input: I) => Promise<O>) {
  return createAsyncThunk<O, I, { rejectValue: HostError }>(type, async (input, { rejectWithValue }) => {
    try {
      return await run(input);
    } catch (e) {
      return rejectWithValue(hostError(e));
    }
  });
}
