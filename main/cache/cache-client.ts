// The host's handle on the cache worker: the same operations as CacheStore, asynchronous. The key
// is unwrapped here (safeStorage only works on the main thread) and handed to the worker once.

import { Worker } from 'node:worker_threads';
import type { FilterModel } from '../../shared/desktop/grid.js';
import type { CacheRow, ViewName } from '../../shared/desktop/views.js';
import { QueryModelError } from './filter-sql.js';
import { loadOrCreateKey, type KeyWrapper } from './keys.js';
import { CacheStore, type CacheBatch, type CacheQuery, type OpenOutcome } from './store.js';
import type { CacheOp } from './worker.js';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export class CacheClient {
  #worker: Worker;
  #next = 1;
  #pending = new Map<number, Pending>();
  #closed = false;
  outcome: OpenOutcome = 'opened';
  file = '';
  keyFile = '';

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: { name: string; message: string } }) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(m.error?.name === 'QueryModelError' ? new QueryModelError(m.error.message) : new Error(m.error?.message ?? 'cache worker error'));
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', () => this.failAll(new Error('The cache worker stopped.')));
  }

  private failAll(error: Error): void {
    this.#closed = true;
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }

  static async open(opts: { dir: string; userId: string; wrapper: KeyWrapper; worker?: URL }): Promise<CacheClient> {
    const { keyFile } = CacheStore.paths(opts.dir, opts.userId);
    const { key, created } = loadOrCreateKey(keyFile, opts.wrapper);
    const worker = new Worker(opts.worker ?? new URL('./worker-bootstrap.mjs', import.meta.url), {
      workerData: { dir: opts.dir, userId: opts.userId, key: new Uint8Array(key), keyCreated: created },
    });
    key.fill(0);
    const client = new CacheClient(worker);
    const ready = (await new Promise<unknown>((resolve, reject) => client.#pending.set(0, { resolve, reject }))) as { outcome: OpenOutcome; file: string; keyFile: string };
    Object.assign(client, ready);
    return client;
  }

  private call<T>(op: CacheOp, ...args: unknown[]): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('The cache is closed.'));
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#worker.postMessage({ id, op, args });
    });
  }

  cursor(): Promise<string | null> {
    return this.call('cursor');
  }
  apply(batch: CacheBatch): Promise<{ changedViews: ViewName[] }> {
    return this.call('apply', batch);
  }
  reset(): Promise<void> {
    return this.call('reset');
  }
  query(q: CacheQuery): Promise<{ rows: CacheRow[]; lastRow: number | null }> {
    return this.call('query', q);
  }
  count(view: ViewName, filterModel: FilterModel = {}, options: { scope?: FilterModel | undefined; quickFilter?: string | undefined } = {}): Promise<number> {
    return this.call('count', view, filterModel, options);
  }
  distinct(view: ViewName, column: string): Promise<string[]> {
    return this.call('distinct', view, column);
  }
  async wipe(): Promise<void> {
    if (this.#closed) return;
    await this.call('wipe');
    this.#closed = true;
  }
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.call('close');
    this.#closed = true;
  }
}
