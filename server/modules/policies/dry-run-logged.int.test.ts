// Every rule type has a dry run (issue 19), on both engines: the deposits policy's decisions (a
// deposit while KYC is pending, a failure sent to review, a parked event applied or handed to a
// person), the MT5 account type each client's account opened with, the monitors' readings, and the
// approval chains change control gave the rule changes themselves are logged or kept with their
// facts and replayed under a draft. The version in force replays every decision as it was taken.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { POLICY_TYPES, type PolicyType } from '../../../shared/policies/types.js';
import type { DepositsPolicy } from '../../../shared/policies/payments.js';
import type { MonitorsPolicy } from '../../../shared/policies/monitors.js';
import { SYSTEM_ACTOR } from '../../core/actor.js';
import { describeEachEngine, expectReason, portalClientFor, startTestServer, type TestServer } from '../../testing/harness.js';
import { anApprovedClient, aRegisteredClient } from '../../testing/builders.js';
import { afterPeakHours, approveAs, A_CHANGE } from '../../testing/changes.js';
import { loadClient, transitionClient } from '../clients/restrictions.js';
import { signGeneric } from '../payments/psp/generic.js';

const SIMPAY_SECRET = 'simpay-webhook-secret-0123456789';

describeEachEngine('dry runs of the rules decided from the log', (engine) => {
  let t: TestServer;
  let serial = 0;
  beforeAll(async () => {
    t = await startTestServer(engine, { env: { PSP_SIMPAY_SECRET: SIMPAY_SECRET } });
  });
  afterAll(() => t?.close());

  const db = () => t.server.services.store.kysely;
  const portal = () => portalClientFor(t.url).portal;
  const active = <K extends PolicyType>(type: K) => t.server.services.policies.require(db(), type);
  const logged = (type: string, event: string) => db().selectFrom('policy_executions').select(['subject_type', 'subject_id', 'outcome', 'policy_version']).where('policy_type', '=', type).where('event', '=', event).orderBy('id').execute();

  async function simpay(type: string, data: Record<string, unknown>) {
    const body = JSON.stringify({ id: `evt_${engine}_dr_${++serial}`, type, data });
    const res = await fetch(`${t.url}/webhooks/psp/simpay`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signGeneric(body, SIMPAY_SECRET, Math.floor(t.clock.now().getTime() / 1000)) }, body });
    expect(res.status).toBe(200);
  }

  async function pendingReview(legalEntity: 'eu' | 'global'): Promise<string> {
    const { clientId } = await aRegisteredClient(t, { legalEntity, country: 'DE' });
    await t.server.services.store.mutate(SYSTEM_ACTOR, async (m) => void (await transitionClient(m, await loadClient(m, clientId), 'pending_review', { reason: 'test set-up' })));
    return clientId;
  }

  it('logs the deposits policy decisions with their facts, and a draft replays them', async () => {
    // KYC pending: global lets the client deposit, eu refuses (and the refusal is logged all the same).
    const globalClient = await pendingReview('global');
    const { depositRef: allowed } = await portal().initiateDeposit.mutate({ clientId: globalClient, amount: '50.00', currency: 'EUR', method: 'card', provider: 'simpay' });
    const euClient = await pendingReview('eu');
    await expectReason(portal().initiateDeposit.mutate({ clientId: euClient, amount: '50.00', currency: 'EUR', method: 'card', provider: 'simpay' }), 'KYC_INCOMPLETE');
    expect(await logged('payments.deposits', 'deposit.initiate')).toMatchObject([
      { subject_type: 'deposit', subject_id: allowed, outcome: 'allowed while KYC is pending' },
      { subject_type: 'deposit_refusal', subject_id: euClient, outcome: 'refused: KYC is pending' },
    ]);

    // Two failed card payments: the first is recorded, the second sends the method to review.
    const { clientId } = await anApprovedClient(t);
    const failed: string[] = [];
    for (const code of ['insufficient_funds', 'do_not_honor']) {
      const { depositRef } = await portal().initiateDeposit.mutate({ clientId, amount: '10.00', currency: 'EUR', method: 'card', provider: 'simpay' });
      await simpay('payment.failed', { reference: depositRef, providerTxId: `tx_${depositRef}`, amount: '10.00', currency: 'EUR', failureCode: code });
      failed.push(depositRef);
      t.clock.advance(60_000);
    }
    expect(await logged('payments.deposits', 'deposit.failed')).toMatchObject([
      { subject_id: failed[0], outcome: 'failure recorded' },
      { subject_id: failed[1], outcome: 'method sent to review' },
    ]);

    // A payment that came before its deposit is applied when the deposit exists; one for a deposit that never comes becomes an exception after an hour.
    const counter = await db().selectFrom('counters').select('value').where('name', '=', 'DEP').executeTakeFirst();
    const early = `DEP-${String(Number(counter?.value ?? 0) + 1).padStart(6, '0')}`;
    await simpay('payment.succeeded', { reference: early, providerTxId: `tx_${early}`, amount: '20.00', currency: 'EUR' });
    await simpay('payment.succeeded', { reference: 'DEP-999990', providerTxId: 'tx_never', amount: '20.00', currency: 'EUR' });
    t.clock.advance(20 * 60_000);
    expect((await portal().initiateDeposit.mutate({ clientId, amount: '20.00', currency: 'EUR', method: 'bank_transfer', provider: 'simpay' })).depositRef).toBe(early);
    t.clock.advance(61 * 60_000);
    expect(await t.server.services.providerEvents.sweep()).toMatchObject({ exceptions: 1 });
    const parked = await logged('payments.deposits', 'payments.event.parked');
    expect(parked.map((p) => p.outcome)).toEqual(['applied without a person', 'exception for a person']);

    const policy = await active('payments.deposits');
    const finmanager = (await t.login('finmanager')).client;
    expect(await finmanager.policies.dryRun.query({ type: 'payments.deposits', document: policy.document, days: 1 })).toMatchObject({ evaluated: 6, changed: 0 });
    // The draft lets eu deposit while KYC is pending, sends a method to review at the third failure, and hands parked events to a person after 15 minutes.
    const draft: DepositsPolicy = { ...policy.document, depositWhilePendingReview: ['global', 'eu'], failuresBeforeReview: 3, parkedEventMaxAgeMinutes: 15 };
    const run = await finmanager.policies.dryRun.query({ type: 'payments.deposits', document: draft, days: 1 });
    expect(run.evaluated).toBe(6);
    const changed = Object.fromEntries(run.items.map((i) => [i.ref, [i.before.outcome, i.after.outcome]]));
    expect(changed).toEqual({
      [euClient]: ['refused: KYC is pending', 'allowed while KYC is pending'],
      [failed[1]!]: ['method sent to review', 'failure recorded'],
      [parked[0]!.subject_id]: ['applied without a person', 'exception for a person'],
    });
  });

  it('replays the account type each MT5 account opened with, and the monitors readings', async () => {
    const { clientId } = await anApprovedClient(t, { legalEntity: 'eu', country: 'DE' });
    await t.server.services.mt5Accounts.enqueueApproved();
    const account = await db().selectFrom('mt5_accounts').select('id').where('client_id', '=', clientId).executeTakeFirstOrThrow();
    const accounts = await active('platform.accounts');
    const dealmanager = (await t.login('dealmanager')).client;
    const same = await dealmanager.policies.dryRun.query({ type: 'platform.accounts', document: accounts.document, days: 1 });
    expect(same.evaluated).toBeGreaterThanOrEqual(1);
    expect(same.changed).toBe(0);
    const draft = structuredClone(accounts.document);
    draft.entities.eu!.standard = { ...draft.entities.eu!.standard!, leverage: 20 };
    const run = await dealmanager.policies.dryRun.query({ type: 'platform.accounts', document: draft, days: 1 });
    expect(run.items.find((i) => i.ref === account.id)).toMatchObject({ before: { outcome: 'standard: real\\eu\\standard, 1:30, EUR' }, after: { outcome: 'standard: real\\eu\\standard, 1:20, EUR' } });
    expect(run.items.every((i) => i.legalEntity === 'eu')).toBe(true);

    // Monitors: each reading is logged when it changes; a draft that lowers a bound names the readings it would have alerted on.
    await t.server.services.policyMonitors.run();
    const readings = await logged('policies.monitors', 'monitor.reading');
    expect(readings.length).toBeGreaterThan(0);
    await t.server.services.policyMonitors.run();
    expect(await logged('policies.monitors', 'monitor.reading')).toHaveLength(readings.length);
    const monitors = await active('policies.monitors');
    const mlro = (await t.login('mlro')).client;
    expect(await mlro.policies.dryRun.query({ type: 'policies.monitors', document: monitors.document, days: 1 })).toMatchObject({ evaluated: readings.length, changed: 0 });
    const lower: MonitorsPolicy = { monitors: monitors.document.monitors.map((m) => (m.id === 'exceptions_open' ? { ...m, above: 0 } : m)) };
    const alerting = await mlro.policies.dryRun.query({ type: 'policies.monitors', document: lower, days: 1 });
    expect(alerting.items.length).toBeGreaterThan(0);
    for (const i of alerting.items) expect(i).toMatchObject({ ref: expect.stringMatching(/^exceptions_open:/) as string, before: { outcome: 'within bounds' }, after: { outcome: 'breach (above 0): alert' } });
  });

  it('replays change control on the rule changes requested: the chain and release window each would need', async () => {
    afterPeakHours(t);
    const senior = await t.login('senior');
    const deposits = await active('payments.deposits');
    const window = await t.server.services.policyChanges.minimumWindow('payments.deposits');
    const submitted = await senior.client.policies.propose.mutate({ type: 'payments.deposits', document: { ...deposits.document, exceptionSlaHours: 12 }, reason: 'Exceptions answered within half a day', change: A_CHANGE, dryRun: window });
    expect(await approveAs(t, submitted.approvalId, ['finmanager', 'admin', 'compliance', 'risk'])).toBe('executed');
    const cc = await active('policies.changeControl');
    const mlro = (await t.login('mlro')).client;
    expect(await mlro.policies.dryRun.query({ type: 'policies.changeControl', document: cc.document, days: 1 })).toMatchObject({ evaluated: 1, changed: 0 });
    // The draft makes deposits a tier-2 type and puts the whole day in the tier-2 blackout.
    const draft = structuredClone(cc.document);
    draft.types['payments.deposits'] = { tier: 2, owner: ['finance_manager'] };
    draft.tiers['2'].blackouts = [{ days: [0, 1, 2, 3, 4, 5, 6], from: '00:00', to: '23:59', why: 'a freeze' }];
    const run = await mlro.policies.dryRun.query({ type: 'policies.changeControl', document: draft, days: 1 });
    expect(run.items).toEqual([expect.objectContaining({ ref: `${submitted.approvalId} (payments.deposits)`, before: expect.objectContaining({ tier: 'tier 3', release: 'released' }), after: expect.objectContaining({ tier: 'tier 2', release: 'refused: a freeze' }) })]);
  });

  it('has a dry run for every rule type', async () => {
    const mlro = (await t.login('mlro')).client;
    for (const type of Object.keys(POLICY_TYPES) as PolicyType[]) {
      const policy = await active(type);
      const run = await mlro.policies.dryRun.query({ type, document: policy.document, days: 1 });
      expect(run.changed, type).toBe(0);
    }
  });
});
