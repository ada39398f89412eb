// policies.dryRun (issue 19) on both engines: a draft withdrawal-tier version replayed over the
// withdrawals already requested says which would have been tiered otherwise, from what to what, by
// legal entity, and writes nothing; a draft that fails its schema is refused naming the path, and an
// unknown type; the reader's entities bound what is replayed.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_WITHDRAWAL_TIERS } from '../../../shared/policies/payments.js';
import { describeEachEngine, expectReason, portalClientFor, startTestServer, type TestServer } from '../../testing/harness.js';
import { anApprovedClient } from '../../testing/builders.js';
import { startPspSimulator, type PspSimulator } from '../../simulators/psp/provider.js';
import { sql } from 'kysely';
import { startMt5Simulator } from '../../simulators/mt5/simulator.js';
import { approvedCases, plantAccounts } from '../../testing/mt5-cases.js';
import { staff } from '../../seed/kyc-stories.js';
import { mulberry32 } from '../../testing/random.js';

describeEachEngine('policies.dryRun', (engine) => {
  let t: TestServer;
  let sim: PspSimulator;
  let now = () => Date.now();
  beforeAll(async () => {
    // The simulator signs with the server's clock: its webhooks fall inside the signature tolerance.
    sim = await startPspSimulator({ provider: 'simpay', now: () => now() });
    t = await startTestServer(engine, { env: { PSP_SIMPAY_SECRET: sim.secret, PSP_SIMPAY_URL: sim.url, LOG_LEVEL: 'error' } });
    now = () => t.clock.now().getTime();
    sim.setWebhookUrl(`${t.url}/webhooks/psp/simpay`);
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  async function withdrawal(amount: string): Promise<string> {
    const portal = portalClientFor(t.url).portal;
    const { clientId, input } = await anApprovedClient(t, { legalEntity: 'eu' });
    const { depositRef } = await portal.initiateDeposit.mutate({ clientId, amount: '20000.00', currency: 'EUR', method: 'bank_transfer', provider: 'simpay' });
    await sim.pay({ reference: depositRef, amount: '20000.00', currency: 'EUR', payerName: `${input.firstName} ${input.lastName}` });
    await sim.drain();
    const { withdrawalRef } = await portal.requestWithdrawal.mutate({ clientId, amount, currency: 'EUR', method: 'bank_transfer', provider: 'simpay', destination: { accountHolder: `${input.firstName} ${input.lastName}`, account: 'CY17002001280000001200527600' } });
    return withdrawalRef;
  }

  it('replays the withdrawals requested under the version in force and names those a draft would tier otherwise, writing nothing', async () => {
    const small = await withdrawal('300.00');
    const middle = await withdrawal('5000.00');
    const large = await withdrawal('15000.00');
    // The draft moves the first band's ceiling from 1,000 to 6,000 EUR.
    const draft = structuredClone(DEFAULT_WITHDRAWAL_TIERS);
    draft.tiers[1] = { ...draft.tiers[1]!, name: 'up to 6,000', upToBase: 600_000 };
    const finmanager = (await t.login('finmanager')).client;
    const seq = async () => Number((await t.server.services.store.kysely.selectFrom('audit_events').select(sql<number>`max(seq)`.as('s')).executeTakeFirstOrThrow()).s);
    const before = await seq();
    const run = await finmanager.policies.dryRun.query({ type: 'payments.withdrawalTiers', document: draft });
    expect(await seq()).toBe(before);
    expect(run.evaluated).toBeGreaterThanOrEqual(3);
    const changedRefs = run.items.map((i) => i.ref);
    expect(changedRefs).toContain(middle);
    expect(changedRefs).toContain(small);
    expect(changedRefs).not.toContain(large);
    const moved = run.items.find((i) => i.ref === middle)!;
    expect(moved.before).toMatchObject({ tier: 'up to 10,000' });
    expect(moved.after).toMatchObject({ tier: 'up to 6,000' });
    // The 300 EUR withdrawal keeps its approvers (a first withdrawal needs two anyway) but its band is renamed: a change to show.
    expect(run.items.find((i) => i.ref === small)!.after.approvals).toEqual(run.items.find((i) => i.ref === small)!.before.approvals);
    expect(run.bySegment).toEqual([expect.objectContaining({ legalEntity: 'eu', changed: run.changed })]);
    expect(run.decidedUnder).toEqual([expect.stringMatching(/^payments\.withdrawalTiers@\d+$/)]);

    // The version in force changes nothing.
    const active = await t.server.services.policies.require(t.server.services.store.kysely, 'payments.withdrawalTiers');
    expect((await finmanager.policies.dryRun.query({ type: 'payments.withdrawalTiers', document: active.document })).changed).toBe(0);
    // A window before these withdrawals replays none of them.
    expect((await finmanager.policies.dryRun.query({ type: 'payments.withdrawalTiers', document: draft, from: '2020-01-01T00:00:00.000Z', to: '2020-01-02T00:00:00.000Z' })).evaluated).toBe(0);
  });

  it('replays intervention tiers: a draft that gives every tier a day more names every case, from what SLA to what', async () => {
    const mt5 = await startMt5Simulator();
    try {
      const services = t.server.services;
      const accounts = await plantAccounts(services, mt5, 2, `dry-run-${engine}`);
      const [dealer, dealmanager] = await Promise.all([staff(services, 'dealer'), staff(services, 'dealmanager')]);
      const planned = await approvedCases(services.interventions, dealer, dealmanager, accounts, 3, mulberry32(11));
      const active = await services.policies.require(services.store.kysely, 'platform.interventionTiers');
      const draft = structuredClone(active.document) as { tiers: Array<{ slaHours: number }> };
      for (const tier of draft.tiers) tier.slaHours += 24;
      const run = await (await t.login('dealmanager')).client.policies.dryRun.query({ type: 'platform.interventionTiers', document: draft });
      expect(run.evaluated).toBeGreaterThanOrEqual(3);
      expect(run.changed).toBe(run.evaluated);
      for (const p of planned) {
        const item = run.items.find((i) => i.ref === p.caseRef)!;
        expect(item.after).toEqual({ ...item.before, slaHours: Number(item.before.slaHours) + 24 });
      }
    } finally {
      await mt5.close();
    }
  });

  it('refuses a draft that fails its schema naming the path, an unknown type, a bad window, and readers without policies.read', async () => {
    const finmanager = (await t.login('finmanager')).client;
    const broken = { ...structuredClone(DEFAULT_WITHDRAWAL_TIERS), firstWithdrawalApprovers: 0 };
    const invalid = await expectReason(finmanager.policies.dryRun.query({ type: 'payments.withdrawalTiers', document: broken }), 'POLICY_INVALID');
    expect(invalid.message).toContain('firstWithdrawalApprovers');
    const other = await expectReason(finmanager.policies.dryRun.query({ type: 'screening.thresholds', document: {} }), 'POLICY_INVALID');
    expect(other.message).toMatch(/screening\.thresholds/);
    expect((await expectReason(finmanager.policies.dryRun.query({ type: 'payments.nothing', document: {} }), 'VALIDATION_FAILED')).message).toMatch(/there is no policy type "payments.nothing"/);
    await expectReason(finmanager.policies.dryRun.query({ type: 'payments.withdrawalTiers', document: DEFAULT_WITHDRAWAL_TIERS, from: '2026-03-05T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' }), 'VALIDATION_FAILED');
    await expectReason(finmanager.policies.dryRun.query({ type: 'payments.withdrawalTiers', document: DEFAULT_WITHDRAWAL_TIERS, from: '2024-01-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' }), 'VALIDATION_FAILED');
    await expectReason((await t.login('dealer')).client.policies.dryRun.query({ type: 'payments.withdrawalTiers', document: DEFAULT_WITHDRAWAL_TIERS }), 'FORBIDDEN_PERMISSION');
  });
});
