// MT5 benchmarks (issue 17): balance operations executed a second against the MT5 simulator through
// the connector's whole path (the intent recorded in a mutation, claimed with a lease and audited,
// sent over the pinned HTTPS session, settled with the deal ticket and audited); interventions
// executed a second by an operator; the scan for operations with no case over a million deals; and
// a PSP webhook to the deposit credited on MT5.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Engine } from '../server/db/connect.js';
import { anApprovedClient } from '../server/testing/builders.js';
import { portalClientFor } from '../server/testing/harness.js';
import { signGeneric } from '../server/modules/payments/psp/generic.js';
import { staff } from '../server/seed/kyc-stories.js';
import { SYSTEM_ACTOR } from '../server/core/actor.js';
import { Mt5Operations, recordOperation } from '../server/platform/operations.js';
import { Mt5Session } from '../server/platform/session.js';
import { startMt5Simulator } from '../server/simulators/mt5/simulator.js';
import { startTestServer } from '../server/testing/harness.js';

export interface PlatformBenchRow {
  engine: Engine;
  operations: number;
  perSecond: number;
}

export async function benchPlatform(engine: Engine, operations: number, log: (line: string) => void): Promise<PlatformBenchRow> {
  const t = await startTestServer(engine);
  const sim = await startMt5Simulator({ now: () => t.clock.now().getTime() });
  const session = new Mt5Session({ url: sim.url, login: sim.login, password: sim.password, certificate: sim.certificate });
  try {
    const manager = sim.state.managers.get(sim.login)!;
    const logins = Array.from({ length: 50 }, (_, i) => sim.state.addUser(manager, { Group: 'real\\global\\standard', Name: `Bench ${i}`, Leverage: 100, PassMain: 'Main#Pass1', PassInvestor: 'Inv#Pass12' }).Login);
    log(`  ${engine}: ${operations} MT5 balance operations, recorded then executed`);
    const ops = new Mt5Operations(t.server.services.store, session, { instance: 'bench' });
    const t0 = performance.now();
    for (let i = 0; i < operations; i += 100) {
      await t.server.services.store.mutate(SYSTEM_ACTOR, async (m) => {
        for (let k = i; k < Math.min(operations, i + 100); k++) await recordOperation(m, { reference: `INT-${String(k + 1).padStart(6, '0')}`, login: logins[k % logins.length]!, action: 'balance', amount: { minor: 1000n, currency: 'USD' } });
      });
      await ops.processDue(100);
    }
    const perSecond = operations / ((performance.now() - t0) / 1000);
    if (sim.state.deals.length !== operations) throw new Error(`expected ${operations} deals, MT5 holds ${sim.state.deals.length}`);
    return { engine, operations, perSecond };
  } finally {
    session.close();
    await sim.close();
    await t.close();
  }
}

export interface InterventionBenchRow {
  engine: Engine;
  executions: number;
  executionsPerSecond: number;
  scannedDeals: number;
  scanSeconds: number;
  found: number;
  deposits: number;
  creditedP50Ms: number;
  creditedP95Ms: number;
}

const SIMPAY_SECRET = 'bench-simpay-webhook-secret-0123456789';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/**
 * Interventions executed a second (the operator's whole path: MT5 state read before, the case and
 * its operation recorded, sent, settled, read back), the scan for operations with no case over a
 * deal history of `deals` deals (1% of them balance deals made in the MT5 Manager, the rest trades),
 * and a PSP webhook to the deposit credited on MT5, p50 and p95.
 */
export async function benchInterventions(engine: Engine, opts: { executions: number; deals: number; deposits: number }, log: (line: string) => void): Promise<InterventionBenchRow> {
  let clock = () => Date.now();
  const sim = await startMt5Simulator({ now: () => clock() });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-mt5-'));
  fs.writeFileSync(path.join(dir, 'mt5.pem'), sim.certificate);
  const t = await startTestServer(engine, { env: { MT5_URL: sim.url, MT5_LOGIN: String(sim.login), MT5_PASSWORD: sim.password, MT5_CERTIFICATE_FILE: path.join(dir, 'mt5.pem'), PSP_SIMPAY_SECRET: SIMPAY_SECRET, MT5_SCAN_SECONDS: '86400' } });
  clock = () => t.clock.now().getTime();
  const s = t.server.services;
  try {
    const { clientId, input } = await anApprovedClient(t, { legalEntity: 'global', accountType: 'standard' });
    await s.mt5Accounts.enqueueApproved();
    await s.mt5Accounts.processDue();
    let login = 0;
    for (let i = 0; i < 400 && !login; i++) {
      const a = await s.store.kysely.selectFrom('mt5_accounts').select('login').where('client_id', '=', clientId).where('status', '=', 'active').executeTakeFirst();
      if (a) login = Number(a.login);
      else await new Promise((r) => setTimeout(r, 25));
    }
    if (!login) throw new Error('the bench client got no MT5 account');

    // Interventions: requested and approved first, then executed one after another, timed.
    log(`  ${engine}: ${opts.executions} interventions requested and approved, then executed`);
    const [dealer, manager] = await Promise.all([staff(s, 'dealer'), staff(s, 'dealmanager')]);
    const refs: string[] = [];
    for (let i = 0; i < opts.executions; i++) {
      const { caseRef } = await s.interventions.request(dealer, { type: 'credit_in', login, amount: '10.00', currency: 'USD', reasonCode: 'bonus_campaign', note: 'Benchmark credit under an approved campaign.' });
      await s.interventions.approve(manager, { caseRef });
      refs.push(caseRef);
    }
    const t0 = performance.now();
    for (const caseRef of refs) {
      const r = await s.interventions.execute(dealer, { caseRef });
      if (r.status !== 'executed') throw new Error(`${caseRef} ended ${r.status}: ${r.message ?? ''}`);
    }
    const executionsPerSecond = opts.executions / ((performance.now() - t0) / 1000);

    // Deposits: the PSP's signed webhook to the deal on MT5.
    log(`  ${engine}: ${opts.deposits} deposits paid, each timed until it is credited on MT5`);
    const portal = portalClientFor(t.url).portal;
    const latencies: number[] = [];
    for (let i = 0; i < opts.deposits; i++) {
      const { depositRef } = await portal.initiateDeposit.mutate({ clientId, amount: '25.00', currency: 'USD', method: 'bank_transfer', provider: 'simpay' });
      const body = JSON.stringify({ id: `evt_${depositRef}`, type: 'payment.succeeded', data: { reference: depositRef, providerTxId: `tx_${depositRef}`, amount: '25.00', currency: 'USD', payerName: `${input.firstName} ${input.lastName}` } });
      const start = performance.now();
      const res = await fetch(`${t.url}/webhooks/psp/simpay`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signGeneric(body, SIMPAY_SECRET, Math.floor(clock() / 1000)) }, body });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      for (;;) {
        const d = await s.store.kysely.selectFrom('deposits').select('platform_step').where('ref', '=', depositRef).executeTakeFirstOrThrow();
        if (d.platform_step === 'credited') break;
        if (d.platform_step === 'failed') throw new Error(`${depositRef} failed on MT5`);
        if (performance.now() - start > 30_000) throw new Error(`${depositRef} not credited on MT5 within 30 s`);
        await new Promise((r) => setTimeout(r, 2));
      }
      latencies.push(performance.now() - start);
    }
    latencies.sort((a, b) => a - b);

    // The scan: a deal history of opts.deals deals over the last ten days, 1% balance deals with no case.
    log(`  ${engine}: ${opts.deals.toLocaleString('en')} deals planted on MT5, then one scan for operations with no case`);
    const mgr = sim.state.managers.get(sim.dealerLogin)!;
    const logins = Array.from({ length: 200 }, (_, i) => sim.state.addUser(mgr, { Group: 'real\\global\\standard', Name: `Scan ${i}`, Leverage: 100, PassMain: 'Main#Pass1', PassInvestor: 'Inv#Pass12' }).Login);
    const nowS = Math.floor(clock() / 1000);
    const from = nowS - 10 * 86_400;
    const planted = sim.state.deals.filter((d) => d.Time < from);
    const recent = sim.state.deals.filter((d) => d.Time >= from);
    const history = [];
    let manual = 0;
    for (let i = 0; i < opts.deals; i++) {
      const time = from + Math.floor((i / opts.deals) * (10 * 86_400 - 3600));
      const balance = i % 100 === 0;
      if (balance) manual++;
      history.push({ Deal: sim.state.nextTicket++, Login: logins[i % logins.length]!, Dealer: balance ? mgr.login : 0, Action: balance ? 2 : i % 2, Entry: balance ? 0 : 1, Reason: balance ? 2 : 0, Time: time, TimeMsc: time * 1000, Symbol: balance ? '' : 'EURUSD', Volume: balance ? 0 : 10_000, Price: balance ? 0 : 1.0842, Profit: balance ? 50 : 12.5, Comment: balance ? 'manual adjustment' : '' });
    }
    sim.state.deals = [...planted, ...history, ...recent];
    await s.store.mutate(SYSTEM_ACTOR, async (m) => {
      await m.trx.deleteFrom('platform_scan_state').where('name', '=', 'deals').execute();
      await m.trx.insertInto('platform_scan_state').values({ name: 'deals', cursor: String(from - 1), updated_at: m.now }).execute();
      m.audit({ action: 'bench.scan_cursor', after: { from } });
    });
    const s0 = performance.now();
    const scanned = await s.managerOps.scanDeals();
    const scanSeconds = (performance.now() - s0) / 1000;
    if (scanned.found < manual) throw new Error(`the scan found ${scanned.found} operations with no case; ${manual} were planted`);
    return { engine, executions: opts.executions, executionsPerSecond, scannedDeals: scanned.read, scanSeconds, found: scanned.found, deposits: opts.deposits, creditedP50Ms: percentile(latencies, 50), creditedP95Ms: percentile(latencies, 95) };
  } finally {
    await t.close();
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
