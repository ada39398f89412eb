// Desktop cache benchmark: grid page latency (first page, sorted and filtered, quick filter) at
// each size, on SQLCipher and on plain SQLite with the same code; the first sync of 100k audit
// rows from a real server into a fresh encrypted cache; and the host process's memory.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CacheRow } from '../shared/desktop/views.js';
import { CacheStore, type CacheQuery } from '../main/cache/store.js';
import { createServerClient } from '../main/host/server-client.js';
import { SyncEngine } from '../main/host/sync-engine.js';
import { totpCode } from '../server/modules/access/totp.js';
import { startServer } from '../server/app.js';
import { seedDemo } from '../server/seed/demo.js';
import { clientFor, createStorage, testConfig } from '../server/testing/harness.js';
import { fill } from './audit.js';

export interface CacheBenchRow {
  rows: number;
  engine: 'sqlcipher' | 'sqlite';
  query: string;
  p50: number;
  p95: number;
  jumpP95: number;
}

const ACTORS = ['compliance', 'senior', 'mlro', 'finance', 'dealer', 'admin', 'auditor', 'support'];
const ACTIONS = ['kyc.document.received', 'kyc.screening.completed', 'client.status.changed', 'withdrawal.requested', 'deposit.completed', 'approval.requested'];

function syntheticRow(i: number): CacheRow {
  return {
    seq: i, at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), actor: ACTORS[i % ACTORS.length]!, action: ACTIONS[i % ACTIONS.length]!,
    targetType: 'client', targetId: `CL-${String(i % 100_000).padStart(6, '0')}`, clientId: `CL-${String(i % 100_000).padStart(6, '0')}`,
    legalEntity: i % 3 ? 'eu' : 'global', caseRef: `KYC-${String(i % 999_999).padStart(6, '0')}`, reason: i % 7 ? 'Reviewed documents, approved' : 'Escalated to MLRO: source of funds', ip: '10.0.0.7',
    _json: JSON.stringify({ seq: i, before: { status: 'pending_review' }, after: { status: 'approved' } }),
  };
}

const QUERIES: Array<[string, Omit<CacheQuery, 'startRow' | 'endRow'>]> = [
  ['first page, newest first', { view: 'audit', filterModel: {}, sortModel: [{ colId: 'seq', sort: 'desc' }] }],
  ['sorted and filtered', { view: 'audit', filterModel: { actor: { filterType: 'text', type: 'equals', filter: 'mlro' }, legalEntity: { filterType: 'text', type: 'equals', filter: 'eu' } }, sortModel: [{ colId: 'at', sort: 'desc' }] }],
  ['quick filter, many matches, newest first', { view: 'audit', filterModel: {}, sortModel: [{ colId: 'seq', sort: 'desc' }], quickFilter: 'escalated mlro' }],
  ['quick filter, many matches, by actor', { view: 'audit', filterModel: {}, sortModel: [{ colId: 'actor', sort: 'asc' }], quickFilter: 'escalated mlro' }],
  ['quick filter, one client, by time', { view: 'audit', filterModel: {}, sortModel: [{ colId: 'at', sort: 'desc' }], quickFilter: 'CL-004217' }],
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Scrolling: 20 consecutive 100-row pages, as the grid asks for them (keyset after the first
 * page), ten times over. Jumps: single pages deep in the list (OFFSET, as after dragging the
 * scrollbar), reported apart.
 */
function measure(store: CacheStore, q: Omit<CacheQuery, 'startRow' | 'endRow'>): { p50: number; p95: number; jumpP95: number } {
  const times: number[] = [];
  const jumps: number[] = [];
  for (let round = 0; round < 11; round++) {
    store.apply({ upserts: {}, deletes: {}, cursor: 'bench' }); // forget keyset positions between rounds
    for (let page = 0; page < 20; page++) {
      const t0 = performance.now();
      const r = store.query({ ...q, startRow: page * 100, endRow: page * 100 + 100 });
      const ms = performance.now() - t0;
      if (page === 0 && r.rows.length === 0) throw new Error(`benchmark query returned nothing: ${JSON.stringify(q)}`);
      if (round > 0) times.push(ms); // round 0 warms the page cache
    }
    store.apply({ upserts: {}, deletes: {}, cursor: 'bench' });
    const start = 100 * (5 + round);
    const t0 = performance.now();
    store.query({ ...q, startRow: start, endRow: start + 100 });
    if (round > 0) jumps.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  jumps.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), jumpP95: percentile(jumps, 95) };
}

export function benchCacheQueries(sizes: number[], log: (l: string) => void): CacheBenchRow[] {
  const out: CacheBenchRow[] = [];
  for (const engine of ['sqlcipher', 'sqlite'] as const) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fxbo-cache-bench-'));
    const store = CacheStore.openWithKey({ dir, userId: 'bench', key: randomBytes(32), keyCreated: true, plaintextForBenchmark: engine === 'sqlite' });
    let filled = 0;
    try {
      for (const size of sizes) {
        while (filled < size) {
          const n = Math.min(10_000, size - filled);
          store.apply({ upserts: { audit: Array.from({ length: n }, (_, k) => syntheticRow(filled + k + 1)) }, deletes: {}, cursor: `bench-${filled + n}` });
          filled += n;
        }
        for (const [name, q] of QUERIES) {
          const r = measure(store, q);
          out.push({ rows: size, engine, query: name, ...r });
          log(`  cache ${engine} @ ${size.toLocaleString('en')} ${name}: p95 ${r.p95.toFixed(2)} ms`);
        }
      }
    } finally {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

/** A first sync of `rows` audit events from a real server into a fresh encrypted cache. */
export async function benchFirstSync(rows: number, log: (l: string) => void): Promise<{ seconds: number; rssMb: number; heapMb: number }> {
  const storage = await createStorage('sqlite');
  const server = await startServer(testConfig(storage, { DEMO: '1' }));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fxbo-sync-bench-'));
  try {
    const { credentials } = await seedDemo(server.services, { seed: 1 });
    await fill(server, rows, () => undefined);
    const auditor = credentials.find((c) => c.username === 'auditor')!;
    const login = await clientFor(server.url).auth.login.mutate({ username: 'auditor', password: auditor.password, totp: totpCode(auditor.totpSecret, new Date()) });
    const cache = CacheStore.openWithKey({ dir, userId: login.user.id, key: randomBytes(32), keyCreated: true });
    const sync = new SyncEngine(createServerClient(server.url, () => login.token), cache, { pageSize: 5000 });
    const t0 = performance.now();
    await sync.syncNow();
    const seconds = (performance.now() - t0) / 1000;
    const mem = process.memoryUsage();
    log(`  first sync of ${cache.count('audit').toLocaleString('en')} rows: ${seconds.toFixed(1)} s`);
    sync.stop();
    cache.close();
    return { seconds, rssMb: mem.rss / 1_048_576, heapMb: mem.heapUsed / 1_048_576 };
  } finally {
    await server.close();
    await storage.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
