// The KYC queue's tabs: the officer's own cases, the unassigned ones, the escalated ones (the
// senior officers' and the MLRO's), all open work, and the decided cases one tab away.

import { KYC_STATUSES, type KycStatus } from '../../../shared/kyc/machine.js';
import { oneOf, type QueueTabs } from '../shared/tabs.js';

const CLOSED: KycStatus[] = ['approved', 'rejected'];
const OPEN = KYC_STATUSES.filter((s) => !CLOSED.includes(s));

export const KYC_TABS: QueueTabs = {
  main: 'open',
  tabs: (user) => [
    { id: 'mine', label: 'Mine', scope: { ...oneOf('assignee', [user.username]), ...oneOf('status', OPEN) } },
    { id: 'unassigned', label: 'Unassigned', scope: { ...oneOf('assignee', [null]), ...oneOf('status', OPEN) } },
    { id: 'escalated', label: user.permissions.includes('kyc.decideHighRisk') ? 'Escalated to me' : 'Escalated', scope: oneOf('status', ['escalated']) },
    { id: 'open', label: 'All open', scope: oneOf('status', OPEN) },
    { id: 'closed', label: 'Closed', scope: oneOf('status', CLOSED) },
  ],
};
