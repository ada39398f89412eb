// Deciding a pending approval from the access review: a thunk over the two approval channels, so
// that a refusal (a maker approving their own request, a role that does not count) is announced
// by the store's listener like every other failed action.

import { call } from '../bridge.js';
import { hostThunk } from '../shared/thunks.js';

export const decideApproval = hostThunk('approvals/decide', (input: { id: string; decision: 'approve' | 'reject'; reason?: string }) =>
  input.decision === 'approve'
    ? call('approvals.approve', { id: input.id, ...(input.reason ? { reason: input.reason } : {}) })
    : call('approvals.reject', { id: input.id, reason: input.reason ?? '' }),
);
