// Interventions executed through faults, on both engines: operators execute approved cases through
// two servers' connectors (each its own MT5 session and lease name, one database) while MT5 drops
// connections after applying, answers too late, refuses for a while and expires every session.
// Every case ends executed exactly once: one deal carrying its case reference, the deal on the case,
// and the balances add up. MT5_FAULT_INTERVENTIONS sets the count (default 120 per engine; 10000 for
// the full run of issue 17).

import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, startTestServer, type TestServer } from '../../testing/harness.js';
import { startMt5Simulator, type BalanceFault, type Mt5Simulator } from '../../simulators/mt5/simulator.js';
import { Mt5Session } from '../../platform/session.js';
import { Mt5Operations } from '../../platform/operations.js';
import { mulberry32 } from '../../testing/random.js';
import { staff } from '../../seed/kyc-stories.js';
import { InterventionsService } from './interventions.js';
import { SYSTEM_ACTOR } from '../../core/actor.js';
import { nextRef } from '../../db/counters.js';
import { DEFAULT_RIGHTS } from '../../platform/webapi.js';

const CASES = Number(process.env.MT5_FAULT_INTERVENTIONS ?? 120);

describeEachEngine('interventions executed once through faults', (engine) => {
  let t: TestServer;
  let sim: Mt5Simulator;
  beforeAll(async () => {
    t = await startTestServer(engine);
    sim = await startMt5Simulator({ now: () => t.clock.now().getTime() });
  });
  afterAll(async () => {
    await sim?.close();
    await t?.close();
  });

  it(`executes ${CASES} approved cases through two connectors, dropped answers, refusals and expired sessions, each exactly once`, { timeout: 3_600_000 }, async () => {
    const seed = Number(process.env.MT5_FAULT_SEED ?? Date.now() % 100_000);
    const random = mulberry32(seed);
    const { store, policies, clients } = t.server.services;
    const manager = sim.state.managers.get(sim.login)!;
    // Ten clients of the back office, each with an MT5 account (as provisioning leaves them).
    const accounts: Array<{ login: number; currency: string }> = [];
    for (let i = 0; i < 10; i++) {
      const global = i % 2 === 1;
      const { clientId } = await clients.register({ ...SYSTEM_ACTOR, id: 'test', name: 'test' }, { externalId: `fault-${engine}-${i}`, type: 'individual', legalEntity: global ? 'global' : 'eu', firstName: 'Fault', lastName: `Client${i}`, email: `fault${i}@example.com`, country: 'CY', nationality: 'CY', dateOfBirth: '1980-01-01', accountType: 'standard' });
      const user = sim.state.addUser(manager, { Group: global ? 'real\\global\\standard' : 'real\\eu\\standard', Name: `Fault Client${i}`, Leverage: 30, PassMain: 'Main#Pass1', PassInvestor: 'Inv#Pass12' });
      await store.mutate({ ...SYSTEM_ACTOR, id: 'test', name: 'test' }, async (m) => {
        const id = await nextRef(m.trx, 'MTA');
        await m.trx.insertInto('mt5_accounts').values({ id, client_id: clientId, legal_entity: global ? 'global' : 'eu', account_type: 'standard', mt5_group: user.Group, leverage: 30, currency: global ? 'USD' : 'EUR', login: user.Login, rights: DEFAULT_RIGHTS, initial_password_enc: null, pushed_access: null, status: 'active', status_reason: null, next_attempt_at: null, policy_ref: 'test', created_by: 'test', created_at: m.now, updated_at: m.now }).execute();
        m.audit({ action: 'test.account', targetId: id });
      });
      accounts.push({ login: user.Login, currency: global ? 'USD' : 'EUR' });
    }
    const link = (instance: string) => {
      const session = new Mt5Session({ url: sim.url, login: sim.login, password: sim.password, certificate: sim.certificate, timeoutMs: 400 });
      const operations = new Mt5Operations(store, session, { instance, graceMs: 0, breakerFailures: 1_000_000 });
      return { session, operations };
    };
    const links = [link('a'), link('b')];
    const services = links.map((l) => new InterventionsService(store, policies, l));
    const [dealer, dealmanager] = await Promise.all([staff(t.server.services, 'dealer'), staff(t.server.services, 'dealmanager')]);

    // Requested and approved with MT5 answering normally.
    const planned: Array<{ caseRef: string; login: number; minor: bigint; credit: boolean }> = [];
    for (let i = 0; i < CASES; i++) {
      const a = accounts[Math.floor(random() * accounts.length)]!;
      const credit = random() < 0.5;
      const minor = BigInt(100 + Math.floor(random() * 90_000));
      const amount = `${minor / 100n}.${String(minor % 100n).padStart(2, '0')}`;
      const { caseRef } = await services[0]!.request(dealer, { type: credit ? 'credit_in' : 'balance_correction', login: a.login, amount, currency: a.currency, reasonCode: credit ? 'bonus_campaign' : 'trade_dispute', note: 'Fault test intervention with a long enough note.' });
      await services[0]!.approve(dealmanager, { caseRef });
      planned.push({ caseRef, login: a.login, minor, credit });
    }

    // Executed by operators through both servers while MT5 misbehaves.
    const faults: BalanceFault[] = ['drop_after_apply', 'delay_after_apply', 'reset_before', 'http500', 'malformed', 10, 12];
    sim.faults({ delayAfterApplyMs: 700 });
    for (let i = 0; i < planned.length; i += 20) {
      sim.faults({ balance: Array.from({ length: 40 }, () => (random() < 0.3 ? faults[Math.floor(random() * faults.length)]! : 'none')) });
      if (random() < 0.3) sim.expireSessions();
      await Promise.all(planned.slice(i, i + 20).map((p, j) => services[j % 2]!.execute(dealer, { caseRef: p.caseRef })));
    }
    for (let round = 0; round < 200; round++) {
      sim.faults({ balance: Array.from({ length: 40 }, () => (random() < 0.2 ? faults[Math.floor(random() * faults.length)]! : 'none')) });
      if (random() < 0.2) sim.expireSessions();
      t.clock.advance(10 * 60_000);
      await Promise.all(links.map((l) => l.operations.processDue(60)));
      const open = await store.kysely.selectFrom('interventions').select('ref').where('status', '=', 'executing').execute();
      if (open.length === 0) break;
    }
    sim.faults({ balance: [] });
    for (const s of services) await s.sweep();

    const cases = await store.kysely.selectFrom('interventions').select(['ref', 'status', 'deal_ticket', 'retcode', 'message']).execute();
    expect(cases.filter((c) => c.status !== 'executed'), `seed ${seed}`).toEqual([]);
    const perRef = new Map<string, number[]>();
    for (const d of sim.state.deals) perRef.set(d.Comment, [...(perRef.get(d.Comment) ?? []), d.Deal]);
    for (const c of cases) expect(perRef.get(c.ref), `${c.ref} (seed ${seed})`).toEqual([Number(c.deal_ticket)]);
    for (const a of accounts) {
      const mine = planned.filter((p) => p.login === a.login);
      const u = sim.state.user(a.login);
      expect(BigInt(Math.round(u.Credit * 100)), `credit of ${a.login} (seed ${seed})`).toBe(mine.filter((p) => p.credit).reduce((s, p) => s + p.minor, 0n));
      expect(BigInt(Math.round(u.Balance * 100)), `balance of ${a.login} (seed ${seed})`).toBe(mine.filter((p) => !p.credit).reduce((s, p) => s + p.minor, 0n));
    }
    const audited = await store.kysely.selectFrom('audit_events').select(['action', (eb) => eb.fn.countAll<string>().as('n')]).where('action', 'in', ['platform.operation.unclear', 'platform.operation.reconciled', 'platform.operation.retry']).groupBy('action').execute();
    expect(audited.map((a) => a.action).sort(), `seed ${seed}`).toEqual(['platform.operation.reconciled', 'platform.operation.retry', 'platform.operation.unclear']);
    for (const l of links) l.session.close();
  });
});
