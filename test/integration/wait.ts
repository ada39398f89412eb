// Polling helpers for tests that wait on the host's background work.

import type { DesktopHost } from '../../main/host/host.js';

export async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Resolves once the host has completed a sync round since sign-in. */
export function firstSync(host: DesktopHost, ms = 5000): Promise<void> {
  return until(async () => Boolean(((await host.handle('sync.status', {})) as { value: { lastSyncAt: string | null } | null }).value?.lastSyncAt), ms);
}
