// Audit log benchmark: append rate through real mutations (one transaction, one event each, chain
// lock and all), then audit.search latency for one client over HTTP with the log filled to each
// size. Filling writes a valid hash chain in bulk, so the log is one the verifier accepts.

import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { SYSTEM_ACTOR } from '../server/core/actor.js';
import { startServer, type Server } from '../server/app.js';
import type { Engine } from '../server/db/connect.js';
import type { AuditEventRow } from '../server/db/schema.js';
import { totpCode } from '../server/modules/access/totp.js';
import { seedDemo } from '../server/seed/demo.js';
import { clientFor, createStorage, testConfig } from '../server/testing/harness.js';

export interface AuditBenchRow {
  engine: Engine;
  events: number;
  appendPerSecond: number;
  /** the same, from WRITERS mutations in flight at once (officers working at the same time) */
  concurrentAppendPerSecond: number;
  /** SQLite only: bare commits a second, each synced to disk, on the same disk: the ceiling for one-after-another appends */
  diskCommitsPerSecond: number | null;
  /** the event MAC's share of one append */
  macShare: number;
  searchP50Ms: number;
  searchP95Ms: number;
}

const CLIENTS = 100_000;
const ACTIONS = ['kyc.document.received', 'kyc.screening.completed', 'client.status.changed', 'withdrawal.requested', 'deposit.completed'];

async function head(server: Server): Promise<{ seq: number; hash: string }> {
  const r = await server.services.store.kysely.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
  return r;
}

/** Fill events written so far; event k belongs to client k mod CLIENTS, so every client up to k has events. */
let filled = 0;

export async function fill(server: Server, upTo: number, progress: (n: number) => void): Promise<void> {
  const db = server.services.store.kysely;
  let { seq, hash } = await head(server);
  const started = Date.parse('2026-01-01T00:00:00.000Z');
  while (seq < upTo) {
    const batch: AuditEventRow[] = [];
    const n = Math.min(5000, upTo - seq);
    for (let i = 0; i < n; i++) {
      seq += 1;
      const client = `CL-${String(filled++ % CLIENTS).padStart(6, '0')}`;
      const fields = {
        seq, at: new Date(started + seq * 1000).toISOString(), actor_id: 'USR-000005', actor_name: 'compliance', ip: '10.0.0.7', user_agent: 'bench', session_id: null,
        action: ACTIONS[seq % ACTIONS.length]!, target_type: 'client', target_id: client, client_id: client, legal_entity: seq % 3 === 0 ? 'global' : 'eu',
        before_json: '{"status":"pending_review"}', after_json: '{"status":"approved"}', reason: 'bench', approvers_json: null, case_ref: `KYC-${String(seq % 999_999).padStart(6, '0')}`, policy_ref: null,
        prev_hash: hash,
      };
      const row = server.services.auditLog.seal(fields);
      hash = row.hash;
      batch.push(row);
    }
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < batch.length; i += 500) await trx.insertInto('audit_events').values(batch.slice(i, i + 500)).execute();
    });
    progress(seq);
  }
  await server.services.auditLog.checkpointNow(new Date().toISOString());
}

export const WRITERS = 16;

/** Mutations of one event each, `writers` of them in flight at once (1: one after another). */
async function appendRate(server: Server, count: number, writers = 1): Promise<number> {
  let next = 0;
  const writer = async () => {
    while (next < count) {
      const i = next++;
      await server.services.store.mutate(SYSTEM_ACTOR, async (m) => {
        m.audit({ action: 'bench.append', clientId: `CL-${String(i % CLIENTS).padStart(6, '0')}`, legalEntity: 'eu', after: { i } });
      });
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: writers }, writer));
  return count / ((performance.now() - t0) / 1000);
}

/** What the disk allows: bare one-row commits, each synced (synchronous FULL), in the data folder. */
function diskCommitRate(dir: string): number {
  const file = path.join(dir, 'disk-rate.sqlite');
  const db = new SQLite(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('create table t (id integer primary key, v text)');
    const insert = db.prepare('insert into t (v) values (?)');
    const n = 1000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) db.transaction(() => insert.run('x'.repeat(300)))();
    return n / ((performance.now() - t0) / 1000);
  } finally {
    db.close();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  }
}

/** Seconds one event's MAC takes, over many. */
function macSeconds(server: Server): number {
  const n = 100_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) server.services.auditLog.seal({ seq: i, at: '2026-01-01T00:00:00.000Z', actor_id: 'x', actor_name: 'x', ip: null, user_agent: null, session_id: null, action: 'bench', target_type: null, target_id: null, client_id: null, legal_entity: null, before_json: null, after_json: '{"i":1}', reason: null, approvers_json: null, case_ref: null, policy_ref: null, prev_hash: '0'.repeat(64) });
  return (performance.now() - t0) / 1000 / n;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function searchLatency(url: string, token: string, samples: number, filled: number): Promise<{ p50: number; p95: number }> {
  const client = clientFor(url, token);
  const times: number[] = [];
  for (let i = 0; i < samples + 20; i++) {
    const id = `CL-${String(Math.floor(Math.random() * Math.min(CLIENTS, filled))).padStart(6, '0')}`;
    let t0 = performance.now();
    let page;
    try {
      page = await client.audit.search.query({ clientId: id, limit: 100 });
    } catch (error) {
      // A keep-alive socket the server closed while the log was being filled: one retry.
      if (!/fetch failed/.test(String(error))) throw error;
      t0 = performance.now();
      page = await client.audit.search.query({ clientId: id, limit: 100 });
    }
    const ms = performance.now() - t0;
    if (page.items.length === 0) throw new Error(`no events for ${id}: the fill is wrong`);
    if (i >= 20) times.push(ms); // the first calls warm caches and connections
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

export async function benchAudit(engine: Engine, sizes: number[], log: (line: string) => void): Promise<AuditBenchRow[]> {
  filled = 0;
  const storage = await createStorage(engine);
  // Filling 10M events takes longer than an idle session lives; the bench session may idle for a day.
  const server = await startServer(testConfig(storage, { DEMO: '1', AUDIT_CHECKPOINT_INTERVAL_MS: '3600000', SESSION_IDLE_MINUTES: '1440', SESSION_MAX_HOURS: '24' }));
  const rows: AuditBenchRow[] = [];
  try {
    const { credentials } = await seedDemo(server.services, { seed: 1 });
    const auditor = credentials.find((c) => c.username === 'auditor')!;
    const login = await clientFor(server.url).auth.login.mutate({ username: 'auditor', password: auditor.password, totp: totpCode(auditor.totpSecret, new Date()) });
    for (const size of sizes) {
      let last = Date.now();
      await fill(server, size, (n) => {
        if (Date.now() - last > 10_000) {
          last = Date.now();
          log(`  ${engine}: filled ${n.toLocaleString('en')} of ${size.toLocaleString('en')} events`);
        }
      });
      if (engine === 'postgres') await sql`analyze audit_events`.execute(server.services.store.kysely);
      const append = await appendRate(server, 2000);
      const concurrent = await appendRate(server, 4000, WRITERS);
      const search = await searchLatency(server.url, login.token, 300, filled);
      const disk = engine === 'sqlite' ? diskCommitRate(storage.dataDir) : null;
      rows.push({ engine, events: size, appendPerSecond: append, concurrentAppendPerSecond: concurrent, diskCommitsPerSecond: disk, macShare: macSeconds(server) * append, searchP50Ms: search.p50, searchP95Ms: search.p95 });
      log(`  ${engine} @ ${size.toLocaleString('en')}: ${Math.round(append)} events/s one by one, ${Math.round(concurrent)} events/s from ${WRITERS} writers, search p95 ${search.p95.toFixed(2)} ms`);
    }
  } finally {
    await server.close();
    await storage.drop();
  }
  return rows;
}

