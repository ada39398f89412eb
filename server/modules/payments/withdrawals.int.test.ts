// Withdrawals end to end against the PSP simulator, on both engines: funds held on request, checks
// recorded, the tier decides who approves, the maker and a second approval by the same person are
// refused, the payout is sent under a key stored first, and an unclear outcome (the answer lost,
// the money sent) is never a refund: it is resolved by asking the provider. Rejection and a failed
// payout return the funds once.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, expectReason, portalClientFor, startTestServer, type TestServer } from '../../testing/harness.js';
import { anApprovedClient } from '../../testing/builders.js';
import { startPspSimulator, type PspSimulator } from '../../simulators/psp/provider.js';
import { verifyLedger } from './ledger.js';
import { pollOverdueDeposits } from './deposit-polling.js';

describeEachEngine('withdrawals: checked, tiered, approved here, paid out once', (engine) => {
  let t: TestServer;
  let sim: PspSimulator;
  let now = () => Date.now();

  beforeAll(async () => {
    sim = await startPspSimulator({ provider: 'simpay', now: () => now() });
    t = await startTestServer(engine, { env: { PSP_SIMPAY_SECRET: sim.secret, PSP_SIMPAY_URL: sim.url, PSP_TIMEOUT_MS: '400', LOG_LEVEL: 'error' } });
    now = () => t.clock.now().getTime();
    sim.setWebhookUrl(`${t.url}/webhooks/psp/simpay`);
    sim.faults({ hangMs: 1500 });
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  const portal = () => portalClientFor(t.url).portal;
  const db = () => t.server.services.store.kysely;
  const destination = (input: { firstName: string; lastName: string }) => ({ accountHolder: `${input.firstName} ${input.lastName}`, account: 'CY17002001280000001200527600' });

  async function funded(amount: string) {
    const client = await anApprovedClient(t);
    const { depositRef } = await portal().initiateDeposit.mutate({ clientId: client.clientId, amount, currency: 'EUR', method: 'bank_transfer', provider: 'simpay' });
    await sim.pay({ reference: depositRef, amount, currency: 'EUR', payerName: `${client.input.firstName} ${client.input.lastName}` });
    await sim.drain();
    return client;
  }

  async function balance(clientId: string) {
    return (await (await t.login('finmanager')).client.ledger.balance.query({ clientId })).items[0];
  }

  it('holds the funds, needs the tier’s approvers, refuses the maker and a second approval by one person, and survives a lost answer', async () => {
    const { clientId, input } = await funded('20000.00');
    await expectReason(portal().requestWithdrawal.mutate({ clientId, amount: '20000.01', currency: 'EUR', method: 'bank_transfer', provider: 'simpay', destination: destination(input) }), 'INSUFFICIENT_BALANCE');

    // Requested by finance on the client's behalf: the maker.
    const finance = await t.login('finance');
    const { withdrawalRef } = await finance.client.withdrawals.request.mutate({ clientId, amount: '15000.00', currency: 'EUR', method: 'bank_transfer', provider: 'simpay', destination: destination(input) });
    expect(withdrawalRef).toMatch(/^WD-\d{6}$/);
    expect(await balance(clientId)).toEqual({ currency: 'EUR', available: '5000.00', pending: '0.00', held: '15000.00' });

    const manager = await t.login('finmanager');
    let w = await manager.client.withdrawals.get.query({ ref: withdrawalRef });
    expect(w).toMatchObject({ status: 'pending_approval', tier: 'above 10,000', approvalsNeeded: 2, approvalsGiven: 0, firstWithdrawal: true, availableActions: ['approve', 'reject', 'hold'] });
    expect(w.checks.map((c) => c.code)).toEqual(['client_status', 'kyc_approved', 'proof_of_address', 'screening_clear', 'no_open_chargeback', 'available_balance', 'open_position_margin', 'destination_name', 'velocity', 'first_withdrawal', 'deposit_then_withdraw']);
    expect(w.checksFailed).toEqual(expect.arrayContaining(['kyc_approved']));
    expect(w.checks.find((c) => c.code === 'deposit_then_withdraw')).toMatchObject({ outcome: 'not_available', detail: expect.stringContaining('trading not checked') });
    expect(w.flags).toEqual(expect.arrayContaining(['first_withdrawal', 'recent_deposits']));
    // The execution log holds the tiers tried and the pre-checks whose limits the policy sets, with the values seen.
    const logged = await t.server.services.store.kysely.selectFrom('policy_executions').select('conditions_json').where('subject_id', '=', withdrawalRef).executeTakeFirstOrThrow();
    const conditions = JSON.parse(logged.conditions_json) as Array<{ name: string; values: Record<string, unknown>; result: boolean }>;
    expect(conditions.find((c) => c.name.startsWith('Within daily limits'))).toMatchObject({ values: { count: 1 }, result: true });
    expect(conditions.find((c) => c.values.recentDepositsCover !== undefined)).toMatchObject({ values: { recentDepositsCover: true }, result: false });

    await expectReason(finance.client.withdrawals.approve.mutate({ ref: withdrawalRef, reason: 'I asked for it myself' }), 'SAME_PERSON_APPROVAL');
    // Failed checks: approving past them needs a reason, and adds one approver.
    await expectReason(manager.client.withdrawals.approve.mutate({ ref: withdrawalRef }), 'VALIDATION_FAILED');
    expect(await manager.client.withdrawals.approve.mutate({ ref: withdrawalRef, reason: 'Client verified by phone; source of funds on file' })).toEqual({ status: 'pending_approval', approvalsNeeded: 2 });
    await expectReason(manager.client.withdrawals.approve.mutate({ ref: withdrawalRef, reason: 'again' }), 'DUPLICATE_APPROVER');
    // A finance officer fills neither the compliance slot nor the override slot.
    await expectReason((await t.login('finance.eu')).client.withdrawals.approve.mutate({ ref: withdrawalRef, reason: 'Looks fine to me as well' }), 'FORBIDDEN_PERMISSION');
    await (await t.login('compliance')).client.withdrawals.approve.mutate({ ref: withdrawalRef, reason: 'Compliance sign-off: EDD complete' });

    // The last approval sends the payout; the provider pays, but the answer times out and its
    // webhook is lost.
    sim.faults({ payouts: ['timeout_sent'], lossRate: 1 });
    const last = await (await t.login('mlro')).client.withdrawals.approve.mutate({ ref: withdrawalRef, reason: 'MLRO override of the failed checks' });
    expect(last).toEqual({ status: 'approved', approvalsNeeded: 0 });
    await expect.poll(async () => (await manager.client.withdrawals.get.query({ ref: withdrawalRef })).status, { timeout: 10_000 }).toBe('needs_assistance');
    sim.faults({ lossRate: 0 });
    w = await manager.client.withdrawals.get.query({ ref: withdrawalRef });
    // The lost answer is never a refund: the funds stay held until the outcome is known.
    expect(await balance(clientId)).toEqual({ currency: 'EUR', available: '5000.00', pending: '0.00', held: '15000.00' });
    expect(w).toMatchObject({ idempotencyKey: `${withdrawalRef}-payout-1`, availableActions: ['resolve'], statusReason: expect.stringMatching(/^payout sent to simpay: outcome unknown: no answer from simpay within 400 ms$/) });
    const exception = await db().selectFrom('payment_exceptions').select(['kind', 'status']).where('subject_ref', '=', withdrawalRef).executeTakeFirstOrThrow();
    expect(exception).toEqual({ kind: 'payout_unknown', status: 'open' });
    expect(await manager.client.withdrawals.resolve.mutate({ ref: withdrawalRef, resolution: 'ask_provider', reason: 'Asked the provider by idempotency key' })).toEqual({ status: 'paid' });
    w = await manager.client.withdrawals.get.query({ ref: withdrawalRef });
    expect(w).toMatchObject({ status: 'paid', approvalsGiven: 3 });
    expect(await db().selectFrom('payment_exceptions').select(['status', 'resolution_code']).where('subject_ref', '=', withdrawalRef).executeTakeFirstOrThrow()).toEqual({ status: 'resolved', resolution_code: 'outcome_confirmed' });
    expect(await balance(clientId)).toEqual({ currency: 'EUR', available: '5000.00', pending: '0.00', held: '0.00' });
    await sim.drain();
    // The provider is asked again (by the sweep) and sent nothing twice.
    await t.server.services.withdrawals.sweep();
    expect(sim.payouts().filter((p) => p.reference === withdrawalRef)).toHaveLength(1);
    const postings = await db().selectFrom('ledger_postings').select('kind').where('reference', '=', withdrawalRef).orderBy('id').execute();
    expect(postings.map((p) => p.kind)).toEqual(['withdrawal.hold', 'withdrawal.paid']);
    expect(await verifyLedger(db())).toMatchObject({ ok: true });
  });

  it('returns the funds once on rejection and on a failed payout; refuses what the state does not allow', async () => {
    const { clientId, input } = await funded('900.00');
    const a = await portal().requestWithdrawal.mutate({ clientId, amount: '300.00', currency: 'EUR', method: 'bank_transfer', provider: 'simpay', destination: destination(input) });
    const manager = await t.login('finmanager');
    await manager.client.withdrawals.hold.mutate({ ref: a.withdrawalRef, reason: 'Waiting for the client to confirm the account' });
    await expectReason(manager.client.withdrawals.approve.mutate({ ref: a.withdrawalRef, reason: 'approve while on hold' }), 'INVALID_TRANSITION');
    await manager.client.withdrawals.reject.mutate({ ref: a.withdrawalRef, reason: 'Client did not confirm the account' });
    await expectReason(manager.client.withdrawals.reject.mutate({ ref: a.withdrawalRef, reason: 'twice' }), 'INVALID_TRANSITION');
    expect(await balance(clientId)).toEqual({ currency: 'EUR', available: '900.00', pending: '0.00', held: '0.00' });

    // A third-party destination is flagged; the provider then reports the payout failed.
    const b = await portal().requestWithdrawal.mutate({ clientId, amount: '200.00', currency: 'EUR', method: 'bank_transfer', provider: 'simpay', destination: { accountHolder: 'Someone Else', account: 'CY17002001280000001200527600' } });
    const got = await manager.client.withdrawals.get.query({ ref: b.withdrawalRef });
    expect(got.flags).toEqual(expect.arrayContaining(['third_party_destination', 'first_withdrawal']));
    sim.faults({ payouts: ['fail'] });
    await manager.client.withdrawals.approve.mutate({ ref: b.withdrawalRef, reason: 'Override: destination confirmed with the client' });
    await (await t.login('finance')).client.withdrawals.approve.mutate({ ref: b.withdrawalRef, reason: 'Second approval of the override' });
    await (await t.login('mlro')).client.withdrawals.approve.mutate({ ref: b.withdrawalRef, reason: 'Third-party destination accepted' });
    await expect.poll(async () => (await manager.client.withdrawals.get.query({ ref: b.withdrawalRef })).status, { timeout: 10_000 }).toBe('failed');
    await sim.drain();
    expect(await balance(clientId)).toEqual({ currency: 'EUR', available: '900.00', pending: '0.00', held: '0.00' });
    const kinds = await db().selectFrom('ledger_postings').select('kind').where('reference', '=', b.withdrawalRef).orderBy('id').execute();
    expect(kinds.map((k) => k.kind)).toEqual(['withdrawal.hold', 'withdrawal.release']);
    expect(await verifyLedger(db())).toMatchObject({ ok: true });
  });

  it('asks the provider about a deposit whose webhook was lost, and credits it once when the webhook comes after all', async () => {
    const client = await anApprovedClient(t);
    const { depositRef } = await portal().initiateDeposit.mutate({ clientId: client.clientId, amount: '75.00', currency: 'EUR', method: 'card', provider: 'simpay' });
    sim.faults({ lossRate: 1 });
    const payment = await sim.pay({ reference: depositRef, amount: '75.00', currency: 'EUR' });
    sim.faults({ lossRate: 0 });
    const services = t.server.services;
    const poll = () => pollOverdueDeposits(services.store, services.policies, services.providerEvents, services.pspApis);
    expect(await poll()).toEqual({ asked: 0, found: 0 });
    t.clock.advance(31 * 60_000);
    expect(await poll()).toEqual({ asked: 1, found: 1 });
    expect((await db().selectFrom('deposits').select(['status', 'provider_tx_id']).where('ref', '=', depositRef).executeTakeFirstOrThrow())).toEqual({ status: 'credited', provider_tx_id: payment.id });
    // The provider's webhook arrives late: the same payment, applied once.
    await sim.pay({ reference: depositRef, amount: '75.00', currency: 'EUR' });
    await sim.drain();
    const events = await db().selectFrom('psp_events').select(['event_id', 'status']).where('reference', '=', depositRef).orderBy('id').execute();
    expect(events).toEqual([
      { event_id: `poll:${payment.id}:succeeded`, status: 'applied' },
      { event_id: expect.stringMatching(/^evt_/), status: 'duplicate' },
    ]);
    expect(await balance(client.clientId)).toEqual({ currency: 'EUR', available: '75.00', pending: '0.00', held: '0.00' });
  });
});
