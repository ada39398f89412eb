// The screening queue's tabs: hits waiting for a decision, and the decided ones.

import { SCREENING_DECISIONS } from '../../../shared/screening/schemas.js';
import { oneOf, type QueueTabs } from '../shared/tabs.js';

export const SCREENING_TABS: QueueTabs = {
  main: 'open',
  tabs: () => [
    { id: 'open', label: 'Open', scope: oneOf('status', ['open']) },
    { id: 'decided', label: 'Decided', scope: oneOf('status', SCREENING_DECISIONS) },
  ],
};
