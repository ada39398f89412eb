// Input shapes shared by several routers.

import { z } from 'zod';

export { isoTime, reason } from '../shared/access/schemas.js';
export const empty = z.object({}).strict().optional();
