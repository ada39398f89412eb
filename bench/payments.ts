// Payments benchmarks (issue 16): ledger postings a second (each its own audited mutation, from
// concurrent writers), signed webhooks accepted a second on one server instance, the time from the
// PSP simulator paying to the deposit being credited, and the first page of the withdrawal queue
// with 200,000 withdrawals in the database.

import { sql } from 'kysely';
import { startServer } from '../server/app.js';
import { SYSTEM_ACTOR } from '../server/core/actor.js';
import type { Engine } from '../server/db/connect.js';
import { totpCode } from '../server/modules/access/totp.js';
import { postMany } from '../server/modules/payments/ledger.js';
import { Worker } from 'node:worker_threads';
import { signGeneric } from '../server/modules/payments/psp/generic.js';
import { seedDemo } from '../server/seed/demo.js';
import { startPspSimulator } from '../server/simulators/psp/provider.js';
import { clientFor, createStorage, portalClientFor, testConfig, TEST_PORTAL_KEY } from '../server/testing/harness.js';
import { aRegistration } from '../server/testing/builders.js';
import { loadClient, transitionClient } from '../server/modules/clients/restrictions.js';
import { DEFAULT_WITHDRAWAL_TIERS } from '../shared/policies/payments.js';

export interface PaymentsBenchRow {
  engine: Engine;
  postingsPerSecond: number;
  batchedPostingsPerSecond: number;
  webhooksPerSecond: number;
  creditedP50Ms: number;
  creditedP95Ms: number;
  withdrawals: number;
  queueP50Ms: number;
  queueP95Ms: number;
  dryRunDecisions: number;
  dryRunChanged: number;
  dryRunMs: number;
}

function percentiles(times: number[]): { p50: number; p95: number } {
  const s = [...times].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
  return { p50: at(50), p95: at(95) };
}

const WRITERS = 16;

/** Runs `total` postings from WRITERS concurrent writers, `per` per call; answers postings a second. */
async function writers(total: number, per: number, write: (from: number, n: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < total) {
        const from = next;
        next += per;
        await write(from, Math.min(per, total - from));
      }
    }),
  );
  return total / ((performance.now() - t0) / 1000);
}

/** Posts the signed deliveries from a worker thread, `parallel` in flight; answers the milliseconds from first to last answer. */
function sendFromWorker(url: string, deliveries: Array<{ body: string; signature: string }>, parallel: number): Promise<number> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { url, deliveries, parallel } = workerData;
    let next = 0;
    const t0 = performance.now();
    Promise.all(Array.from({ length: parallel }, async () => {
      while (next < deliveries.length) {
        const d = deliveries[next++];
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': d.signature }, body: d.body });
        const text = await res.text();
        if (res.status !== 200) throw new Error('webhook answered ' + res.status + ': ' + text);
      }
    })).then(() => parentPort.postMessage({ ms: performance.now() - t0 }), (e) => parentPort.postMessage({ error: String(e) }));
  `;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: { url, deliveries, parallel } });
    worker.once('message', (m: { ms?: number; error?: string }) => {
      void worker.terminate();
      if (m.error) reject(new Error(m.error));
      else resolve(m.ms!);
    });
    worker.once('error', reject);
  });
}

export async function benchPayments(engine: Engine, withdrawals: number, log: (line: string) => void): Promise<PaymentsBenchRow> {
  const sim = await startPspSimulator({ provider: 'simpay' });
  const storage = await createStorage(engine);
  const server = await startServer(testConfig(storage, { DEMO: '1', PSP_SIMPAY_SECRET: sim.secret, PSP_SIMPAY_URL: sim.url, AUDIT_CHECKPOINT_INTERVAL_MS: '3600000', PORTAL_API_KEY: TEST_PORTAL_KEY }));
  sim.setWebhookUrl(`${server.url}/webhooks/psp/simpay`);
  try {
    const { credentials } = await seedDemo(server.services, { seed: 1 });
    const { clientId } = await portalClientFor(server.url).portal.registerClient.mutate(aRegistration({ legalEntity: 'global', country: 'DE' }));
    await server.services.store.mutate(SYSTEM_ACTOR, async (m) => {
      const c = await transitionClient(m, await loadClient(m, clientId), 'pending_review', { reason: 'benchmark set-up' });
      await transitionClient(m, c, 'approved', { reason: 'benchmark set-up' });
    });

    // 1. Ledger postings from 16 writers: each its own mutation, then in batches of 50 per mutation
    //    (how bulk work posts: settlement files, fee runs, corrections), each posting still audited.
    log(`  ${engine}: ledger postings from ${WRITERS} writers`);
    const account = (kind: 'available' | 'clearing') => (kind === 'available' ? { legalEntity: 'global', ownerType: 'client' as const, ownerId: clientId, kind, currency: 'USD' } : { legalEntity: 'global', ownerType: 'provider' as const, ownerId: 'bench', kind, currency: 'USD' });
    const posting = (i: number) => ({ kind: 'deposit.credit', reference: `BENCH-${i}`, memo: 'benchmark', lines: [{ account: account('available'), amount: 100n }, { account: account('clearing'), amount: -100n }] });
    const postingsPerSecond = await writers(4000, 1, (from, n) => server.services.store.mutate(SYSTEM_ACTOR, (m) => postMany(m, Array.from({ length: n }, (_, k) => posting(from + k)))));
    // Fifty in one call, as a group commit of webhooks credits its ordinary payments (credit-together.ts).
    const batchedPostingsPerSecond = await writers(40_000, 50, (from, n) => server.services.store.mutate(SYSTEM_ACTOR, (m) => postMany(m, Array.from({ length: n }, (_, k) => posting(100_000 + from + k)))));

    // 2. Signed webhooks accepted by one instance: deposits initiated first, then their payments, 16
    //    at once, sent from a worker thread as a provider would send from elsewhere, so the sender's
    //    own work does not run on the server's thread.
    const hooks = 2000;
    log(`  ${engine}: ${hooks} signed webhooks, ${WRITERS} at once`);
    const deliveries: Array<{ body: string; signature: string }> = [];
    for (let i = 0; i < hooks; i++) {
      const ref = (await server.services.deposits.initiate(SYSTEM_ACTOR, { clientId, amount: '10.00', currency: 'USD', method: 'card', provider: 'simpay' })).depositRef;
      const body = JSON.stringify({ id: `evt_bench_${ref}`, type: 'payment.succeeded', data: { reference: ref, providerTxId: `tx_bench_${ref}`, amount: '10.00', currency: 'USD' } });
      deliveries.push({ body, signature: signGeneric(body, sim.secret, Math.floor(Date.now() / 1000)) });
    }
    const webhooksPerSecond = hooks / ((await sendFromWorker(`${server.url}/webhooks/psp/simpay`, deliveries, WRITERS)) / 1000);

    // 3. From the simulator paying to the deposit credited, one at a time.
    log(`  ${engine}: webhook to credited, through the PSP simulator`);
    const latencies: number[] = [];
    for (let i = 0; i < 200; i++) {
      const { depositRef } = await server.services.deposits.initiate(SYSTEM_ACTOR, { clientId, amount: '25.00', currency: 'USD', method: 'card', provider: 'simpay' });
      const start = performance.now();
      await sim.pay({ reference: depositRef, amount: '25.00', currency: 'USD' });
      for (;;) {
        const row = await server.services.store.kysely.selectFrom('deposits').select('status').where('ref', '=', depositRef).executeTakeFirstOrThrow();
        if (row.status === 'credited') break;
        await new Promise((r) => setTimeout(r, 2));
      }
      latencies.push(performance.now() - start);
    }
    const credited = percentiles(latencies);

    // 4. The withdrawal queue with many withdrawals: rows cloned in bulk from one the service wrote.
    log(`  ${engine}: writing ${withdrawals.toLocaleString('en')} withdrawals`);
    await server.services.withdrawals.request(SYSTEM_ACTOR, { clientId, amount: '5.00', currency: 'USD', method: 'bank_transfer', provider: 'simpay', destination: { accountHolder: 'Bench Client', account: 'DE89370400440532013000' } });
    const db = server.services.store.kysely;
    const template = await db.selectFrom('withdrawals').selectAll().select(sql<string>`cast(amount as text)`.as('amount_text')).limit(1).executeTakeFirstOrThrow();
    const statuses = ['pending_approval', 'pending_approval', 'paid', 'paid', 'paid', 'rejected', 'on_hold', 'failed'] as const;
    for (let start = 0; start < withdrawals; start += 500) {
      const rows = Array.from({ length: Math.min(500, withdrawals - start) }, (_, k) => {
        const n = start + k + 10;
        const { amount_text: _a, amount: _b, base_amount: _c, ...rest } = template;
        return { ...rest, ref: `WD-9${String(n).padStart(8, '0')}`, legal_entity: n % 2 === 0 ? 'eu' : 'global', status: statuses[n % statuses.length]!, amount: String(100 + (n % 100_000)), base_amount: String(100 + (n % 100_000)), idempotency_key: null, provider_tx_id: null };
      });
      await db.insertInto('withdrawals').values(rows).execute();
    }
    // As autovacuum would by then: the planner's statistics on the bulk-loaded table.
    if (engine === 'postgres') await sql`analyze withdrawals`.execute(db);
    const c = credentials.find((x) => x.username === 'finmanager')!;
    const login = await clientFor(server.url).auth.login.mutate({ username: 'finmanager', password: c.password, totp: totpCode(c.totpSecret, new Date()) });
    const api = clientFor(server.url, login.token);
    const times: number[] = [];
    for (let i = 0; i < 110; i++) {
      const s = performance.now();
      await api.withdrawals.queue.query({ status: 'pending_approval', limit: 100 });
      if (i >= 10) times.push(performance.now() - s);
    }
    const queue = percentiles(times);
    // 5. A dry run of a withdrawal-tier draft (issue 19) over every withdrawal above: each decision replayed and compared.
    log(`  ${engine}: dry run of a withdrawal-tier draft over ${withdrawals.toLocaleString('en')} withdrawals`);
    const draft = structuredClone(DEFAULT_WITHDRAWAL_TIERS);
    draft.tiers[1] = { ...draft.tiers[1]!, name: 'up to 500', upToBase: 50_000 };
    const dryRuns: number[] = [];
    let replayed = { evaluated: 0, changed: 0 };
    for (let i = 0; i < 3; i++) {
      const s = performance.now();
      replayed = await api.policies.dryRun.query({ type: 'payments.withdrawalTiers', document: draft });
      dryRuns.push(performance.now() - s);
    }
    if (replayed.evaluated < withdrawals) throw new Error(`the dry run replayed ${replayed.evaluated} withdrawals, not ${withdrawals}`);
    return { engine, postingsPerSecond, batchedPostingsPerSecond, webhooksPerSecond, creditedP50Ms: credited.p50, creditedP95Ms: credited.p95, withdrawals, queueP50Ms: queue.p50, queueP95Ms: queue.p95, dryRunDecisions: replayed.evaluated, dryRunChanged: replayed.changed, dryRunMs: Math.max(...dryRuns) };
  } finally {
    await server.close();
    await sim.close();
    await storage.drop();
  }
}
