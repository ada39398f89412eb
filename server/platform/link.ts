// The connection to MT5 the platform module works through: one session and its operations queue
// per server process (server/services.ts); null where MT5 is not configured.

import type { Mt5Operations } from './operations.js';
import type { Mt5Session } from './session.js';

export interface Mt5Link {
  session: Mt5Session;
  operations: Mt5Operations;
}
