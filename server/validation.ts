// Input shapes shared by several routers.

import { z } from 'zod';
import { ISO_UTC } from '../shared/time.js';

export const isoTime = z.string().regex(ISO_UTC, 'an ISO 8601 UTC time with milliseconds, like 2026-01-31T09:00:00.000Z');
export const reason = z.string().trim().min(3, 'say why, in a few words').max(1000);
export const empty = z.object({}).strict().optional();
