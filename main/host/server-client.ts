// The host's connection to the server: tRPC over HTTP for calls, server-sent events for the
// change subscription. The session token lives here and nowhere else; it never reaches the renderer.

import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import { EventSource } from 'eventsource';
import type { AppRouter } from '../../server/router.js';

export type ServerClient = ReturnType<typeof createServerClient>;

export function createServerClient(baseUrl: string, getToken: () => string | null, userAgent = 'fx-backoffice-desktop') {
  const headers = (): Record<string, string> => {
    const token = getToken();
    return { 'user-agent': userAgent, ...(token ? { authorization: `Bearer ${token}` } : {}) };
  };
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url: `${baseUrl}/trpc`,
          EventSource,
          eventSourceOptions: () => ({
            fetch: (input: string | URL, init?: RequestInit) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers() } }),
          }),
        }),
        false: httpLink({ url: `${baseUrl}/trpc`, headers }),
      }),
    ],
  });
}

/** The CONTRACT reason of a failed call, when the server sent one. */
export function reasonOf(error: unknown): string | undefined {
  return error instanceof TRPCClientError ? (error.data as { reason?: string } | undefined)?.reason : undefined;
}

/** Why a session ended, when the server said (`error.data.details.cause`). */
export function sessionEndCause(error: unknown): string | undefined {
  return error instanceof TRPCClientError ? (error.data as { details?: { cause?: string } } | undefined)?.details?.cause : undefined;
}

export function isConnectionError(error: unknown): boolean {
  return error instanceof TRPCClientError && error.data === undefined && /fetch failed|ECONNREFUSED|ECONNRESET|network/i.test(error.message);
}
