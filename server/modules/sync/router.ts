import { on } from 'node:events';
import { z } from 'zod';
import { DomainError } from '../../../shared/errors.js';
import { router, staffProcedure, toTRPCError } from '../../trpc.js';
import { formatCursor } from './service.js';

export const syncRouter = router({
  pull: staffProcedure
    .input(z.object({ cursor: z.string().max(64).nullable(), limit: z.number().int().min(1).max(5000).default(1000) }))
    .query(({ ctx, input }) => ctx.services.sync.pull(ctx.auth, input.cursor, input.limit)),

  /** Tells the host that the feed moved: the server's head cursor now, and after every commit. */
  onChange: staffProcedure.input(z.object({}).optional()).subscription(async function* ({ ctx, signal }) {
    const { sync, store, sessions } = ctx.services;
    const sessionId = ctx.auth.sessionId;
    yield { head: formatCursor(await sync.head()) };
    for await (const _ of on(store.events, 'commit', { signal })) {
      // The stream lives no longer than the session: signed out, revoked, expired or disabled ends it.
      const ended = await sessions.sessionEndedFor(sessionId);
      if (ended !== null) throw toTRPCError(new DomainError('SESSION_EXPIRED', `The change stream ended. ${ended.message}`, { cause: ended.cause }));
      yield { head: formatCursor(await sync.head()) };
    }
  }),
});
