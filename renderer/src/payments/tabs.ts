// The payments views' tabs. Withdrawals: what waits for approval, what is on hold, what needs
// someone to find out what happened to a payout, what is on its way, and what is finished.

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

/** Deposits: on their way (the provider has not confirmed), credited, failed, and those reversed. */
export const DEPOSIT_TABS: QueueTabs = {
  main: 'progress',
  tabs: () => [
    { id: 'progress', label: 'In progress', scope: oneOf('status', ['initiated', 'pending']) },
    { id: 'credited', label: 'Credited', scope: oneOf('status', ['credited']) },
    { id: 'failed', label: 'Failed', scope: oneOf('status', ['failed']) },
    { id: 'reversed', label: 'Refunds and chargebacks', scope: oneOf('status', ['refunded', 'charged_back']) },
    { id: 'all', label: 'All', scope: {} },
  ],
};

/** Payment exceptions: the user's own, the ones nobody has taken, all open, and the resolved ones. */
export const EXCEPTION_TABS: QueueTabs = {
  main: 'open',
  tabs: (user) => [
    { id: 'mine', label: 'Mine', scope: { ...oneOf('owner', [user.username]), ...oneOf('status', ['open']) } },
    { id: 'unassigned', label: 'Unassigned', scope: { ...oneOf('owner', [null]), ...oneOf('status', ['open']) } },
    { id: 'open', label: 'All open', scope: oneOf('status', ['open']) },
    { id: 'resolved', label: 'Resolved', scope: oneOf('status', ['resolved']) },
  ],
};
