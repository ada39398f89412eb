// What the interventions fault tests share: MT5 accounts planted for back-office clients (as
// provisioning leaves them), approved balance and credit cases, and the check that each case was
// applied on MT5 exactly once.

import { expect } from 'vitest';
import type { Services } from '../services.js';
import type { Mt5Simulator } from '../simulators/mt5/simulator.js';
import type { InterventionsService } from '../modules/platform/interventions.js';
import type { AuthContext } from '../core/auth.js';
import { SYSTEM_ACTOR } from '../core/actor.js';
import { nextRef } from '../db/counters.js';
import { DEFAULT_RIGHTS } from '../platform/webapi.js';

export interface PlantedAccount {
  login: number;
  currency: string;
}

export interface PlannedCase {
  caseRef: string;
  login: number;
  minor: bigint;
  credit: boolean;
}

const TEST_ACTOR = { ...SYSTEM_ACTOR, id: 'test', name: 'test' };

/** `count` clients, alternately of the EU and the global entity, each with an active MT5 account on the simulator. */
export async function plantAccounts(services: Services, sim: Mt5Simulator, count: number, tag: string): Promise<PlantedAccount[]> {
  const manager = sim.state.managers.get(sim.login)!;
  const accounts: PlantedAccount[] = [];
  for (let i = 0; i < count; i++) {
    const global = i % 2 === 1;
    const entity = global ? 'global' : 'eu';
    const { clientId } = await services.clients.register(TEST_ACTOR, { externalId: `fault-${tag}-${i}`, type: 'individual', legalEntity: entity, firstName: 'Fault', lastName: `Client${i}`, email: `fault${i}@example.com`, country: 'CY', nationality: 'CY', dateOfBirth: '1980-01-01', accountType: 'standard' });
    const user = sim.state.addUser(manager, { Group: `real\\${entity}\\standard`, Name: `Fault Client${i}`, Leverage: 30, PassMain: 'Main#Pass1', PassInvestor: 'Inv#Pass12' });
    const currency = global ? 'USD' : 'EUR';
    await services.store.mutate(TEST_ACTOR, async (m) => {
      const id = await nextRef(m.trx, 'MTA');
      await m.trx.insertInto('mt5_accounts').values({ id, client_id: clientId, legal_entity: entity, account_type: 'standard', mt5_group: user.Group, leverage: 30, currency, login: user.Login, rights: DEFAULT_RIGHTS, initial_password_enc: null, pushed_access: null, status: 'active', status_reason: null, next_attempt_at: null, policy_ref: 'test', created_by: 'test', created_at: m.now, updated_at: m.now }).execute();
      m.audit({ action: 'test.account', targetId: id });
    });
    accounts.push({ login: user.Login, currency });
  }
  return accounts;
}

/** `count` cases requested by `dealer` and approved by `approver`, half credits in, half balance corrections, of random amounts. */
export async function approvedCases(service: InterventionsService, dealer: AuthContext, approver: AuthContext, accounts: readonly PlantedAccount[], count: number, random: () => number): Promise<PlannedCase[]> {
  const planned: PlannedCase[] = [];
  for (let i = 0; i < count; i++) {
    const a = accounts[Math.floor(random() * accounts.length)]!;
    const credit = random() < 0.5;
    const minor = BigInt(100 + Math.floor(random() * 90_000));
    const amount = `${minor / 100n}.${String(minor % 100n).padStart(2, '0')}`;
    const { caseRef } = await service.request(dealer, { type: credit ? 'credit_in' : 'balance_correction', login: a.login, amount, currency: a.currency, reasonCode: credit ? 'bonus_campaign' : 'trade_dispute', note: 'Fault test intervention with a long enough note.' });
    await service.approve(approver, { caseRef });
    planned.push({ caseRef, login: a.login, minor, credit });
  }
  return planned;
}

/** Every case executed, by exactly one MT5 deal carrying its reference (the one on the case), and every account's balance and credit the sum of its cases. */
export async function expectAppliedOnce(services: Services, sim: Mt5Simulator, accounts: readonly PlantedAccount[], planned: readonly PlannedCase[], seed: number): Promise<void> {
  const refs = new Set(planned.map((p) => p.caseRef));
  const cases = (await services.store.kysely.selectFrom('interventions').select(['ref', 'status', 'deal_ticket', 'retcode', 'message']).execute()).filter((c) => refs.has(c.ref));
  expect(cases.length).toBe(planned.length);
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
}
