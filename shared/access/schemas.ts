// The inputs of access administration, shared by the server's procedures and the desktop's forms
// (which check them before sending): users, role grants and revocations, credential resets.

import { z } from 'zod';
import { ISO_UTC } from '../time.js';
import { ROLES } from './permissions.js';

export const isoTime = z.string().regex(ISO_UTC, 'an ISO 8601 UTC time with milliseconds, like 2026-01-31T09:00:00.000Z');
export const reason = z.string().trim().min(3, 'say why, in a few words').max(1000);
export const userId = z.string().min(1).max(32);
export const USERNAME = z.string().regex(/^[a-z][a-z0-9._-]{2,31}$/, 'lower-case letters, digits, dot, dash or underscore; 3 to 32 characters, starting with a letter');

export const createUserInput = z.object({ username: USERNAME, displayName: z.string().trim().min(1).max(100), password: z.string().min(1).max(256) });
export const roleInput = z.object({ userId, role: z.enum(ROLES), legalEntity: z.string().min(1).max(32), reason });
export const grantInput = roleInput.extend({
  /** The grant lapses by itself at this time; required with `coverFor`. */
  endsAt: isoTime.optional(),
  /** The user whose absence the grant covers. */
  coverFor: userId.optional(),
});
export const resetInput = z.object({ userId, reason });
export const statusInput = z.object({ userId, status: z.enum(['active', 'disabled']), reason });
