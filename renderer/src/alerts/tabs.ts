// The alerts queue's tabs: open alerts raised for one of the user's roles, all open alerts, and
// the closed ones.

import { oneOf, type QueueTabs } from '../shared/tabs.js';

export const ALERT_TABS: QueueTabs = {
  main: 'mine',
  tabs: (user) => [
    { id: 'mine', label: 'For my role', scope: { ...oneOf('forRole', user.roles), ...oneOf('status', ['open']) } },
    { id: 'open', label: 'All open', scope: oneOf('status', ['open']) },
    { id: 'closed', label: 'Closed', scope: oneOf('status', ['closed']) },
  ],
};
