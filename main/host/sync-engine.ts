// Keeps one user's cache in step with the server: pulls pages after the cache's cursor and applies
// each in one transaction, wakes up when the server's change subscription says the feed moved,
// and reconnects with backoff when the server goes away. It never writes anything the server did
// not send to this user.

import { EventEmitter } from 'node:events';
import type { CacheBatch } from '../cache/store.js';
import type { ViewName } from '../../shared/desktop/views.js';
import { isConnectionError, reasonOf, sessionEndCause, type ServerClient } from './server-client.js';

/** What the engine needs of the cache (the store itself, or its worker-thread client). */
export interface SyncTarget {
  cursor(): string | null | Promise<string | null>;
  apply(batch: CacheBatch): { changedViews: ViewName[] } | Promise<{ changedViews: ViewName[] }>;
  reset(): void | Promise<void>;
}

/** 'syncing' until the first sync completes; 'idle' means at the server's head. */
export type SyncState = 'idle' | 'syncing' | 'offline' | 'locked' | 'stopped';

export interface SyncStatus {
  state: SyncState;
  rowsReceived: number;
  lastSyncAt: string | null;
  lastError: string | null;
  notice: string | null;
}

export interface SyncEvents {
  status: [SyncStatus];
  changed: [ViewName[]];
  /** `revoked` (revoked, disabled, unknown token) wipes the cache; `expired` only locks it. */
  sessionEnded: [kind: 'revoked' | 'expired'];
}

export function endKind(error: unknown): 'revoked' | 'expired' {
  const cause = sessionEndCause(error);
  return cause === 'idle' || cause === 'lifetime' ? 'expired' : 'revoked';
}

export class SyncEngine extends EventEmitter<SyncEvents> {
  #status: SyncStatus = { state: 'syncing', rowsReceived: 0, lastSyncAt: null, lastError: null, notice: null };
  #running = false;
  #again = false;
  #stopped = false;
  #backoffMs = 0;
  #subscription: { unsubscribe(): void } | null = null;
  #timer: NodeJS.Timeout | null = null;
  #poll: NodeJS.Timeout | null = null;

  constructor(
    private readonly server: ServerClient,
    private readonly cache: SyncTarget,
    private readonly opts: { pageSize?: number; maxBackoffMs?: number; pollMs?: number } = {},
  ) {
    super();
  }

  get status(): SyncStatus {
    return { ...this.#status };
  }

  private set(patch: Partial<SyncStatus>): void {
    this.#status = { ...this.#status, ...patch };
    this.emit('status', this.status);
  }

  start(): void {
    this.#stopped = false;
    this.subscribe();
    void this.syncNow();
    // A safety net besides the subscription: commits made through another server process on the
    // same PostgreSQL are not announced here, so pull on a timer too.
    this.#poll = setInterval(() => void this.syncNow(), this.opts.pollMs ?? 30_000);
    this.#poll.unref();
  }

  stop(): void {
    this.#stopped = true;
    this.#subscription?.unsubscribe();
    this.#subscription = null;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#poll) clearInterval(this.#poll);
    this.set({ state: 'stopped' });
  }

  private subscribe(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = this.server.sync.onChange.subscribe(
      {},
      {
        onData: () => void this.syncNow(),
        onError: (error) => this.failed(error),
      },
    );
  }

  /** Pulls until the cache is at the server's head. Calls while running coalesce into one more round. */
  async syncNow(): Promise<void> {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    try {
      do {
        this.#again = false;
        await this.drain();
      } while (this.#again && !this.#stopped);
      this.#backoffMs = 0;
      if (!this.#stopped) this.set({ state: 'idle', lastSyncAt: new Date().toISOString(), lastError: null });
    } catch (error) {
      this.failed(error);
    } finally {
      this.#running = false;
    }
  }

  private async drain(): Promise<void> {
    let cursor = await this.cache.cursor();
    for (;;) {
      this.set({ state: 'syncing' });
      const batch = await this.server.sync.pull.query({ cursor, limit: this.opts.pageSize ?? 1000 });
      if (batch.reset) {
        // The server cannot continue from our cursor: start over, and say so.
        await this.cache.reset();
        this.set({ notice: 'The server asked for a full resync of your local data (for example after a restore). Reloading everything.', rowsReceived: 0 });
      }
      const { changedViews } = await this.cache.apply({ upserts: batch.upserts, deletes: batch.deletes, cursor: batch.cursor });
      const received = Object.values(batch.upserts).reduce((n, rows) => n + rows.length, 0);
      this.set({ rowsReceived: this.#status.rowsReceived + received });
      if (changedViews.length > 0) this.emit('changed', changedViews);
      cursor = batch.cursor;
      if (!batch.more) return;
    }
  }

  private failed(error: unknown): void {
    if (this.#stopped) return;
    const reason = reasonOf(error);
    if (reason === 'SESSION_EXPIRED') {
      this.stop();
      this.set({ state: 'locked', lastError: 'Your session has ended. Sign in again.' });
      this.emit('sessionEnded', endKind(error));
      return;
    }
    const offline = isConnectionError(error) || reason === undefined;
    this.set({ state: offline ? 'offline' : 'idle', lastError: error instanceof Error ? error.message : String(error) });
    // Reconnect with exponential backoff: 0.5 s, 1 s, 2 s ... up to the cap.
    this.#backoffMs = Math.min(this.#backoffMs ? this.#backoffMs * 2 : 500, this.opts.maxBackoffMs ?? 30_000);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (this.#stopped) return;
      this.subscribe();
      void this.syncNow();
    }, this.#backoffMs);
    this.#timer.unref();
  }
}
