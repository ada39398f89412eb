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
import { approvedCases, expectAppliedOnce, plantAccounts } from '../../testing/mt5-cases.js';

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
    const { store, policies } = t.server.services;
    const accounts = await plantAccounts(t.server.services, sim, 10, engine);
    const link = (instance: string) => {
      const session = new Mt5Session({ url: sim.url, login: sim.login, password: sim.password, certificate: sim.certificate, timeoutMs: 400 });
      const operations = new Mt5Operations(store, session, { instance, graceMs: 0, breakerFailures: 1_000_000 });
      return { session, operations };
    };
    const links = [link('a'), link('b')];
    const services = links.map((l) => new InterventionsService(store, policies, l));
    const [dealer, dealmanager] = await Promise.all([staff(t.server.services, 'dealer'), staff(t.server.services, 'dealmanager')]);

    // Requested and approved with MT5 answering normally.
    const planned = await approvedCases(services[0]!, dealer, dealmanager, accounts, CASES, random);

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

    await expectAppliedOnce(t.server.services, sim, accounts, planned, seed);
    const audited = await store.kysely.selectFrom('audit_events').select(['action', (eb) => eb.fn.countAll<string>().as('n')]).where('action', 'in', ['platform.operation.unclear', 'platform.operation.reconciled', 'platform.operation.retry']).groupBy('action').execute();
    expect(audited.map((a) => a.action).sort(), `seed ${seed}`).toEqual(['platform.operation.reconciled', 'platform.operation.retry', 'platform.operation.unclear']);
    for (const l of links) l.session.close();
  });
});
