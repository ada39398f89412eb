// The alerts queue's tabs: alerts the user has taken, open alerts raised for one of the user's
// roles, all open alerts, and the closed ones.

import { oneOf, type QueueTabs } from '../shared/tabs.js';

const OPEN = ['open', 'acknowledged'];

export const ALERT_TABS: QueueTabs = {
  main: 'role',
  tabs: (user) => [
    { id: 'mine', label: 'Mine', scope: { ...oneOf('assignee', [user.username]), ...oneOf('status', OPEN) } },
    { id: 'role', label: 'For my role', scope: { ...oneOf('forRole', user.roles), ...oneOf('status', OPEN) } },
    { id: 'open', label: 'All open', scope: oneOf('status', OPEN) },
    { id: 'closed', label: 'Closed', scope: oneOf('status', ['closed']) },
  ],
};
