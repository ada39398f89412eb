// The cache's own thread: the one writer of the user's encrypted database, so that queries and
// sync batches never block the Electron main thread. It receives the unwrapped key, never the
// key wrapper, and answers each request with `{ id, ok, value | error }`.

import { parentPort, workerData } from 'node:worker_threads';
import { CacheStore } from './store.js';

export type CacheOp = 'cursor' | 'apply' | 'reset' | 'query' | 'count' | 'distinct' | 'explain' | 'wipe' | 'close';
export interface CacheRequest {
  id: number;
  op: CacheOp;
  args: unknown[];
}

const { dir, userId, key, keyCreated } = workerData as { dir: string; userId: string; key: Uint8Array; keyCreated: boolean };
const store = CacheStore.openWithKey({ dir, userId, key: Buffer.from(key), keyCreated });
parentPort!.postMessage({ id: 0, ok: true, value: { outcome: store.outcome, file: store.file, keyFile: store.keyFile } });

parentPort!.on('message', (req: CacheRequest) => {
  try {
    const method = store[req.op] as (...args: unknown[]) => unknown;
    const value = method.apply(store, req.args);
    parentPort!.postMessage({ id: req.id, ok: true, value });
    if (req.op === 'wipe' || req.op === 'close') process.exit(0);
  } catch (error) {
    parentPort!.postMessage({ id: req.id, ok: false, error: { name: (error as Error).name, message: (error as Error).message } });
  }
});
