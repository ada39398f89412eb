// When the local cache must go. It may only ever hold what the signed-in user may see now, so
// anything that ends the session on purpose or narrows what they may see wipes it; an expired
// session only locks it (the same user signing in again resumes from the cursor).

export interface CacheOwner {
  userId: string;
  /** permission -> legal entities where it is held */
  scope: Record<string, readonly string[]>;
}

export type CacheEvent =
  | { type: 'signOut' }
  | { type: 'sessionRevoked' }
  | { type: 'sessionExpired' }
  | { type: 'signIn'; owner: CacheOwner }
  | { type: 'rightsChanged'; owner: CacheOwner };

export type CacheAction = 'keep' | 'resync' | 'lock' | 'wipe';

/** True when `next` may see nothing that `prev` could not: no permission or entity was removed. */
export function narrows(prev: CacheOwner, next: CacheOwner): boolean {
  for (const [permission, entities] of Object.entries(prev.scope)) {
    const still = new Set(next.scope[permission] ?? []);
    if (entities.some((e) => !still.has(e))) return true;
  }
  return false;
}

function widens(prev: CacheOwner, next: CacheOwner): boolean {
  return narrows(next, prev);
}

export function cacheAction(current: CacheOwner | null, event: CacheEvent): CacheAction {
  switch (event.type) {
    case 'signOut':
    case 'sessionRevoked':
      return 'wipe';
    case 'sessionExpired':
      return 'lock';
    case 'signIn':
      if (!current) return 'keep';
      if (current.userId !== event.owner.userId) return 'wipe';
      if (narrows(current, event.owner)) return 'wipe';
      return widens(current, event.owner) ? 'resync' : 'keep';
    case 'rightsChanged':
      if (!current) return 'keep';
      if (narrows(current, event.owner)) return 'wipe';
      return widens(current, event.owner) ? 'resync' : 'keep';
  }
}
