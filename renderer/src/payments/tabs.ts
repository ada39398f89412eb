// The withdrawal queue's tabs: what waits for approval, what is on hold, what needs someone to
// find out what happened to a payout, what is on its way, and what is finished.

import { oneOf, type QueueTabs } from '../shared/tabs.js';

export const WITHDRAWAL_TABS: QueueTabs = {
  main: 'pending',
  tabs: () => [
    { id: 'pending', label: 'Pending approval', scope: oneOf('status', ['pending_approval']) },
    { id: 'hold', label: 'On hold', scope: oneOf('status', ['on_hold']) },
    { id: 'assistance', label: 'Needs assistance', scope: oneOf('status', ['needs_assistance']) },
    { id: 'outgoing', label: 'Being paid', scope: oneOf('status', ['requested', 'approved', 'submitted']) },
    { id: 'done', label: 'Done', scope: oneOf('status', ['paid', 'rejected', 'failed']) },
  ],
};
