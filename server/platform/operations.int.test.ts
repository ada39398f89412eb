// MT5 balance operations through faults, on both engines: answers lost after the operation was
// applied (connection dropped, answer later than the timeout), refusals before applying (reset,
// 500, malformed answer, transient retcodes), sessions expired under the connector, and two
// connectors taking operations from one queue. Every operation is applied exactly once, its deal
// carries its reference, and balances add up. MT5_FAULT_OPS sets the count (default 300 per
// engine; 10000 for the full run of issue 17).

import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../core/actor.js';
import { describeEachEngine, startTestServer, type TestServer } from '../testing/harness.js';
import { startMt5Simulator, type BalanceFault, type Mt5Simulator } from '../simulators/mt5/simulator.js';
import { Mt5Operations, recordOperation } from './operations.js';
import { Mt5Session } from './session.js';
import { DomainError } from '../../shared/errors.js';
import { mulberry32 } from '../testing/random.js';

const OPS = Number(process.env.MT5_FAULT_OPS ?? 300);

describeEachEngine('MT5 operations applied once through faults', (engine) => {
  let t: TestServer;
  let sim: Mt5Simulator;
  beforeAll(async () => {
    t = await startTestServer(engine);
    sim = await startMt5Simulator({ offsetSeconds: 3 * 3600, now: () => t.clock.now().getTime() });
  });
  afterAll(async () => {
    await sim?.close();
    await t?.close();
  });

  const session = (timeoutMs = 400) => new Mt5Session({ url: sim.url, login: sim.login, password: sim.password, certificate: sim.certificate, timeoutMs });

  it('refuses a reference MT5 would cut, and an operation of zero, before anything is written', async () => {
    const refused = (reference: string, minor: bigint) =>
      t.server.services.store.mutate(SYSTEM_ACTOR, (m) => recordOperation(m, { reference, login: 500001, action: 'balance', amount: { minor, currency: 'EUR' } })).then(
        () => null,
        (e: unknown) => e,
      );
    expect(await refused('INT-000001 correction for the client of 2026', 100n)).toMatchObject({ reason: 'VALIDATION_FAILED', message: expect.stringContaining('1 to 31 characters') });
    expect(await refused('INT-000001', 0n)).toBeInstanceOf(DomainError);
    expect(await t.server.services.store.kysely.selectFrom('platform_operations').select('id').execute()).toEqual([]);
  });

  it(`applies ${OPS} operations exactly once through lost answers, refusals, expired sessions and two connectors`, { timeout: 1_800_000 }, async () => {
    const seed = Number(process.env.MT5_FAULT_SEED ?? Date.now() % 100_000);
    const random = mulberry32(seed);
    const manager = sim.state.managers.get(sim.login)!;
    const logins = Array.from({ length: 20 }, (_, i) => sim.state.addUser(manager, { Group: i % 2 ? 'real\\eu\\standard' : 'real\\global\\standard', Name: `Client ${i}`, Leverage: 30, PassMain: 'Main#Pass1', PassInvestor: 'Inv#Pass12' }).Login);
    const planned: Array<{ reference: string; login: number; action: 'balance' | 'credit' | 'bonus'; minor: bigint; currency: string }> = [];
    for (let i = 0; i < OPS; i++) {
      const login = logins[Math.floor(random() * logins.length)]!;
      const currency = sim.state.user(login).Group.includes('\\eu\\') ? 'EUR' : 'USD';
      planned.push({ reference: `INT-${String(i + 1).padStart(6, '0')}`, login, action: (['balance', 'credit', 'bonus'] as const)[Math.floor(random() * 3)]!, minor: BigInt(1 + Math.floor(random() * 1_000_000)), currency });
    }
    // One that MT5 must refuse for good: more taken than the account holds.
    planned.push({ reference: 'INT-OVERDRAWN', login: logins[0]!, action: 'balance', minor: -(10n ** 10n), currency: 'USD' });
    for (let i = 0; i < planned.length; i += 200) {
      await t.server.services.store.mutate(SYSTEM_ACTOR, async (m) => {
        for (const p of planned.slice(i, i + 200)) await recordOperation(m, { reference: p.reference, login: p.login, action: p.action, amount: { minor: p.minor, currency: p.currency } });
      });
    }

    const a = new Mt5Operations(t.server.services.store, session(), { instance: 'a', graceMs: 0, breakerFailures: 1_000_000 });
    const b = new Mt5Operations(t.server.services.store, session(), { instance: 'b', graceMs: 0, breakerFailures: 1_000_000 });
    const faults: BalanceFault[] = ['drop_after_apply', 'delay_after_apply', 'reset_before', 'http500', 'malformed', 10, 12];
    sim.faults({ delayAfterApplyMs: 700 });
    for (let round = 0; round < Math.max(200, OPS / 10); round++) {
      sim.faults({ balance: Array.from({ length: 40 }, () => (random() < 0.25 ? faults[Math.floor(random() * faults.length)]! : 'none')) });
      if (random() < 0.3) sim.expireSessions();
      await Promise.all([a.processDue(60), b.processDue(60)]);
      t.clock.advance(10 * 60_000);
      const open = await t.server.services.store.kysely.selectFrom('platform_operations').select('id').where('status', 'not in', ['done', 'failed']).execute();
      if (open.length === 0) break;
    }
    sim.faults({ balance: [] });

    const ops = await t.server.services.store.kysely.selectFrom('platform_operations').select(['reference', 'status', 'deal_ticket', 'retcode']).execute();
    const byRef = new Map(ops.map((o) => [o.reference, o]));
    expect(byRef.get('INT-OVERDRAWN')).toMatchObject({ status: 'failed', retcode: 10019 });
    const notDone = ops.filter((o) => o.reference !== 'INT-OVERDRAWN' && o.status !== 'done');
    expect(notDone, `seed ${seed}`).toEqual([]);
    const deals = sim.state.deals;
    const perRef = new Map<string, number[]>();
    for (const d of deals) perRef.set(d.Comment, [...(perRef.get(d.Comment) ?? []), d.Deal]);
    for (const p of planned.slice(0, OPS)) {
      expect(perRef.get(p.reference), `${p.reference} (seed ${seed})`).toEqual([Number(byRef.get(p.reference)!.deal_ticket)]);
    }
    expect(perRef.has('INT-OVERDRAWN')).toBe(false);
    // The faults were met: answers lost after applying were found in the history, refusals retried.
    const audited = await t.server.services.store.kysely.selectFrom('audit_events').select(['action', (eb) => eb.fn.countAll<string>().as('n')]).where('action', 'like', 'platform.operation.%').groupBy('action').execute();
    const count = (action: string) => Number(audited.find((x) => x.action === action)?.n ?? 0);
    expect(count('platform.operation.unclear'), `seed ${seed}`).toBeGreaterThan(0);
    expect(count('platform.operation.reconciled'), `seed ${seed}`).toBeGreaterThan(0);
    expect(count('platform.operation.retry'), `seed ${seed}`).toBeGreaterThan(0);
    expect(count('platform.operation.applied') + count('platform.operation.reconciled')).toBe(OPS);
    for (const login of logins) {
      const mine = planned.slice(0, OPS).filter((p) => p.login === login);
      const sum = (kind: 'credit' | 'other') => mine.filter((p) => (kind === 'credit') === (p.action === 'credit')).reduce((s, p) => s + p.minor, 0n);
      const u = sim.state.user(login);
      expect(BigInt(Math.round(u.Balance * 100)), `balance of ${login}`).toBe(sum('other'));
      expect(BigInt(Math.round(u.Credit * 100)), `credit of ${login}`).toBe(sum('credit'));
    }
  });
});
