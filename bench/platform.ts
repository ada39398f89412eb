// MT5 benchmarks (issue 17, first part): balance operations executed a second against the MT5
// simulator through the whole path an intervention will take (the intent recorded in a mutation,
// claimed with a lease and audited, sent over the pinned HTTPS session, settled with the deal
// ticket and audited), one connector working the queue as the job will.

import type { Engine } from '../server/db/connect.js';
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
