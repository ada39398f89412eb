// The dealing desk's tabs. Interventions: what waits for approval, what is approved and waits for an
// operator, what is on its way to MT5, the user's own requests, and what is finished. Manager
// operations found on MT5 with no case: those still unexplained, and those linked or escalated.

import { oneOf, type QueueTabs } from '../shared/tabs.js';

export const INTERVENTION_TABS: QueueTabs = {
  main: 'open',
  tabs: (user) => [
    { id: 'open', label: 'All open', scope: oneOf('status', ['pending_approval', 'approved', 'executing']) },
    { id: 'approval', label: 'Pending approval', scope: oneOf('status', ['pending_approval']) },
    { id: 'execute', label: 'To execute', scope: oneOf('status', ['approved']) },
    { id: 'executing', label: 'On its way to MT5', scope: oneOf('status', ['executing']) },
    { id: 'mine', label: 'Requested by me', scope: oneOf('requestedBy', [user.username]) },
    { id: 'done', label: 'Done', scope: oneOf('status', ['executed', 'failed', 'rejected']) },
  ],
};

export const MANAGER_OP_TABS: QueueTabs = {
  main: 'unlinked',
  tabs: () => [
    { id: 'unlinked', label: 'No case yet', scope: oneOf('status', ['unlinked']) },
    { id: 'linked', label: 'Linked to a case', scope: oneOf('status', ['linked']) },
    { id: 'escalated', label: 'Escalated', scope: oneOf('status', ['escalated']) },
    { id: 'all', label: 'All', scope: {} },
  ],
};
