// The property and fault test of deposits (issue 16): simulated provider events, 30% of them
// delivered twice (half of those under a new event id), in random order, some before their deposit
// exists, sent to a server process killed with SIGKILL at random points and started again, the
// provider retrying whatever was not answered 200. On PostgreSQL two server processes take the
// webhooks at once, and either may be killed. Afterwards every deposit is credited exactly once, the
// balances are the sum of the deposits, and `npm run ledger:verify` passes.
//
// FAULT_EVENTS sets the number of events (default 1,000 per engine, so `npm test` stays quick);
// `FAULT_EVENTS=100000 npx vitest run --project integration faults` is the full run (decision 0023).

import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { expect, it } from 'vitest';
import { startServer } from '../../app.js';
import { ManualClock } from '../../core/clock.js';
import { createStorage, describeEachEngine, portalClientFor, TEST_PORTAL_KEY, testConfig, type StorageHandle } from '../../testing/harness.js';
import { exited, runTool, spawnServer } from '../../testing/processes.js';
import { signGeneric } from './psp/generic.js';
import { clientBalances } from './ledger.js';
import { SYSTEM_ACTOR } from '../../core/actor.js';
import { loadClient, transitionClient } from '../clients/restrictions.js';
import { aRegistration } from '../../testing/builders.js';
import { DEMO_STAFF, seedDemo } from '../../seed/demo.js';
import { mulberry32 } from '../../testing/random.js';

const EVENTS = Number(process.env.FAULT_EVENTS ?? 1000);
const SECRET = 'fault-test-webhook-secret-0123456789';

interface Delivery {
  body: string;
}

function storageArgs(s: StorageHandle): string[] {
  return ['--data-dir', s.dataDir, ...(s.databaseUrl ? ['--database-url', s.databaseUrl] : [])];
}

describeEachEngine('deposits under provider faults and server kills', (engine) => {
  it(`credits every deposit exactly once: ${EVENTS} events, 30% duplicates, random order, SIGKILL${engine === 'postgres' ? ', two servers' : ''}`, { timeout: 1_800_000 }, async () => {
    const seed = Number(process.env.FAULT_SEED ?? Date.now() % 100_000);
    const random = mulberry32(seed);
    const storage = await createStorage(engine);
    const shared = { AUDIT_MAC_KEY: randomBytes(32).toString('base64'), SECRETS_KEY: randomBytes(32).toString('base64') };
    const env = { DATA_DIR: storage.dataDir, PSP_SIMPAY_SECRET: SECRET, PORTAL_API_KEY: TEST_PORTAL_KEY, ...shared, ...(storage.databaseUrl ? { DATABASE_URL: storage.databaseUrl } : {}) };
    try {
      // Deposits: 1 event in 1.3 is a duplicate, so EVENTS / 1.3 deposits; the last tenth are created
      // only once half the events are out, so their events arrive before they exist.
      const deposits = Math.max(10, Math.round(EVENTS / 1.3));
      const refOf = (d: number) => `DEP-${String(d + 1).padStart(6, '0')}`;
      const early = Math.floor(deposits * 0.9);
      const setup = await startServer(testConfig(storage, env));
      const clients: string[] = [];
      const amounts: bigint[] = [];
      try {
        await seedDemo(setup.services, { seed: 1, staff: DEMO_STAFF.filter((u) => u.username === 'admin') });
        for (let i = 0; i < 3; i++) {
          const { clientId } = await portalClientFor(setup.url).portal.registerClient.mutate(aRegistration({ legalEntity: 'global', country: 'DE' }));
          await setup.services.store.mutate(SYSTEM_ACTOR, async (m) => {
            const c = await transitionClient(m, await loadClient(m, clientId), 'pending_review', { reason: 'fault test set-up' });
            await transitionClient(m, c, 'approved', { reason: 'fault test set-up' });
          });
          clients.push(clientId);
        }
        for (let d = 0; d < deposits; d++) amounts.push(BigInt(100 + Math.floor(random() * 1_000_000)));
        for (let d = 0; d < early; d++) await initiate(setup.url, d);
      } finally {
        await setup.close();
      }

      async function initiate(url: string, d: number) {
        const amount = amounts[d]!;
        const { depositRef } = await portalClientFor(url).portal.initiateDeposit.mutate({ clientId: clients[d % 3]!, amount: `${amount / 100n}.${String(amount % 100n).padStart(2, '0')}`, currency: 'EUR', method: 'card', provider: 'simpay' });
        expect(depositRef).toBe(refOf(d));
      }

      const queue: Delivery[] = [];
      for (let d = 0; d < deposits; d++) {
        const amount = amounts[d]!;
        const data = { reference: refOf(d), providerTxId: `tx_${seed}_${d}`, amount: `${amount / 100n}.${String(amount % 100n).padStart(2, '0')}`, currency: 'EUR' };
        const first = JSON.stringify({ id: `evt_${seed}_${d}`, type: 'payment.succeeded', data });
        queue.push({ body: first });
        if (random() < 0.3) queue.push({ body: random() < 0.5 ? first : JSON.stringify({ id: `evt_${seed}_${d}_again`, type: 'payment.succeeded', data }) });
      }
      for (let i = queue.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [queue[i], queue[j]] = [queue[j]!, queue[i]!];
      }
      const total = queue.length;

      const servers: Array<{ child: ChildProcess; url: string } | null> = [];
      const instances = engine === 'postgres' ? 2 : 1;
      for (let s = 0; s < instances; s++) servers.push(await spawnServer(env));
      const kills = new Set(Array.from({ length: 3 }, () => Math.floor(total * (0.15 + random() * 0.7))));
      let sent = 0;
      let lateCreated = false;
      let creating = false;
      let restarting: Promise<void> | null = null;
      // Every restart under way (two kills close together overlap): each must finish before the servers are stopped.
      const inFlight = new Set<Promise<void>>();

      const restart = async (s: number) => {
        const server = servers[s];
        // Already being restarted: a second start would replace the first's process and leave it running.
        if (!server) return;
        servers[s] = null;
        server.child.kill('SIGKILL');
        await exited(server.child);
        servers[s] = await spawnServer(env);
      };

      const worker = async () => {
        for (;;) {
          const delivery = queue.shift();
          if (!delivery) return;
          sent += 1;
          if (kills.has(sent)) {
            kills.delete(sent);
            // Never while the portal creates deposits: a portal call cut off cannot be retried blindly.
            if (creating) kills.add(sent + 25);
            else {
              const r: Promise<void> = restart(Math.floor(random() * instances)).finally(() => {
                inFlight.delete(r);
                if (restarting === r) restarting = null;
              });
              inFlight.add(r);
              restarting = r;
            }
          }
          if (!lateCreated && sent > total / 2) {
            lateCreated = true;
            creating = true;
            if (restarting) await restarting;
            const live = servers.find((x) => x !== null)!;
            for (let d = early; d < deposits; d++) await initiate(live.url, d);
            creating = false;
          }
          for (;;) {
            if (restarting) await restarting;
            const live = servers.filter((x): x is { child: ChildProcess; url: string } => x !== null);
            const target = live[Math.floor(random() * live.length)];
            if (!target) continue;
            try {
              const res = await fetch(`${target.url}/webhooks/psp/simpay`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signGeneric(delivery.body, SECRET, Math.floor(Date.now() / 1000)) }, body: delivery.body });
              const answer = await res.text();
              if (res.status === 200) break;
              expect.fail(`a webhook was answered ${res.status} (seed ${seed}): ${answer.slice(0, 500)}`);
            } catch (error) {
              if ((error as Error).name === 'AssertionError') throw error;
              // The server died under it: the provider retries.
              await new Promise((r) => setTimeout(r, 50));
            }
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      // A restart begun by the last deliveries would otherwise leave its new process running after the test.
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      for (const s of servers) if (s) {
        s.child.kill('SIGTERM');
        await exited(s.child);
      }

      // Events stored just before a kill are applied by the sweep of the next start.
      const clock = new ManualClock(new Date(Date.now() + 60_000));
      const final = await startServer(testConfig(storage, env), { clock });
      try {
        await final.services.providerEvents.sweep();
        const db = final.services.store.kysely;
        const credits = await db.selectFrom('ledger_postings').select(['reference', (eb) => eb.fn.countAll<string>().as('n')]).where('kind', '=', 'deposit.credit').groupBy('reference').execute();
        expect(credits.length).toBe(deposits);
        expect(credits.filter((c) => Number(c.n) !== 1)).toEqual([]);
        const statuses = await db.selectFrom('deposits').select(['status', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('status').execute();
        expect(statuses.map((s) => ({ status: s.status, n: Number(s.n) }))).toEqual([{ status: 'credited', n: deposits }]);
        for (const [i, clientId] of clients.entries()) {
          const expected = amounts.filter((_, d) => d % 3 === i).reduce((a, b) => a + b, 0n);
          expect((await clientBalances(db, clientId))[0]?.available, `client ${clientId} (seed ${seed})`).toBe(expected);
        }
      } finally {
        await final.close();
      }
      const verify = runTool('server/cli/ledger-verify.ts', storageArgs(storage));
      expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    } finally {
      await storage.drop();
    }
  });
});
