// The access views' tabs: approval requests waiting for a decision and decided ones; role
// holdings in force and revoked ones.

import { APPROVAL_STATUSES } from '../../../shared/approvals/machine.js';
import { oneOf, type QueueTabs } from '../shared/tabs.js';

export const APPROVAL_TABS: QueueTabs = {
  main: 'pending',
  tabs: () => [
    { id: 'pending', label: 'Waiting', scope: oneOf('status', ['pending']) },
    { id: 'decided', label: 'Decided', scope: oneOf('status', APPROVAL_STATUSES.filter((s) => s !== 'pending')) },
  ],
};

export const GRANT_TABS: QueueTabs = {
  main: 'active',
  tabs: () => [
    { id: 'active', label: 'In force', scope: { revokedAt: { filterType: 'date', type: 'blank' } } },
    { id: 'revoked', label: 'Revoked', scope: { revokedAt: { filterType: 'date', type: 'notBlank' } } },
  ],
};
