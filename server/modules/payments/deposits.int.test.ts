// Deposits end to end over HTTP, on both engines: the portal initiates, the provider's signed
// webhooks credit exactly once (redeliveries, the same payment under a new event id, two
// deliveries racing), events that come early wait and are applied, disagreeing ones wait for a
// person, failures tell the client and stop blind retries, refunds and chargebacks post against
// the deposit, and every refusal changes nothing.

import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine, expectReason, portalClientFor, startTestServer, type TestServer } from '../../testing/harness.js';
import { anApprovedClient } from '../../testing/builders.js';
import { signGeneric } from './psp/generic.js';
import { verifyLedger } from './ledger.js';
import { openException } from './exceptions.js';
import { providerActor } from './provider-events.js';
import type { ProviderEvent } from './psp/event.js';
import { SYSTEM_ACTOR } from '../../core/actor.js';

const SIMPAY_SECRET = 'simpay-webhook-secret-0123456789';
const STRIPE_SECRET = 'whsec_stripe-webhook-secret-0123456789';
const ADYEN_KEY = 'DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00';

describeEachEngine('deposits from signed provider webhooks', (engine) => {
  let t: TestServer;
  const portal = () => portalClientFor(t.url).portal;
  let serial = 0;

  beforeAll(async () => {
    t = await startTestServer(engine, { env: { PSP_SIMPAY_SECRET: SIMPAY_SECRET, PSP_STRIPE_SECRET: STRIPE_SECRET, PSP_ADYEN_HMAC_KEY: ADYEN_KEY } });
  });
  afterAll(() => t?.close());

  const now = () => Math.floor(t.clock.now().getTime() / 1000);
  const db = () => t.server.services.store.kysely;

  async function simpay(type: string, data: Record<string, unknown>, id = `evt_${engine}_${++serial}`, opts: { secret?: string; t?: number; path?: string } = {}) {
    const body = JSON.stringify({ id, type, data });
    const res = await fetch(`${t.url}${opts.path ?? '/webhooks/psp/simpay'}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signGeneric(body, opts.secret ?? SIMPAY_SECRET, opts.t ?? now()) }, body });
    return { status: res.status, body: await res.text(), id };
  }

  async function deposit(clientId: string, amount = '1250.00', currency = 'EUR', provider = 'simpay', method: 'card' | 'bank_transfer' = 'card') {
    return portal().initiateDeposit.mutate({ clientId, amount, currency, method, provider });
  }

  async function balance(clientId: string) {
    const finance = await t.login('finance.eu');
    return (await finance.client.ledger.balance.query({ clientId })).items;
  }

  async function status(ref: string) {
    return (await db().selectFrom('deposits').select(['status', 'failure_code', 'flags_json', 'platform_step']).where('ref', '=', ref).executeTakeFirstOrThrow());
  }

  it('credits a deposit once: redelivered, reported again under a new event id, or delivered twice at once', async () => {
    const { clientId, input } = await anApprovedClient(t);
    const { depositRef, providerReference } = await deposit(clientId);
    expect(depositRef).toMatch(/^DEP-\d{6}$/);
    expect(providerReference).toBe(depositRef);
    expect(await status(depositRef)).toMatchObject({ status: 'initiated' });

    const data = { reference: depositRef, providerTxId: `tx_${depositRef}`, amount: '1250.00', currency: 'EUR', payerName: `${input.firstName} ${input.lastName}` };
    const first = await simpay('payment.succeeded', data);
    expect(first).toMatchObject({ status: 200, body: '{"received":1,"duplicates":0}' });
    expect(await status(depositRef)).toMatchObject({ status: 'credited', platform_step: 'awaiting_connector', flags_json: '[]' });
    expect(await balance(clientId)).toEqual([{ currency: 'EUR', available: '1250.00', pending: '0.00', held: '0.00' }]);

    expect(await simpay('payment.succeeded', data, first.id)).toMatchObject({ status: 200, body: '{"received":1,"duplicates":1}' });
    expect(await simpay('payment.succeeded', data)).toMatchObject({ status: 200 });
    await Promise.all([simpay('payment.succeeded', data), simpay('payment.succeeded', data), simpay('payment.succeeded', data, first.id)]);
    expect(await balance(clientId)).toEqual([{ currency: 'EUR', available: '1250.00', pending: '0.00', held: '0.00' }]);
    const postings = await db().selectFrom('ledger_postings').select('kind').where('reference', '=', depositRef).execute();
    expect(postings).toEqual([{ kind: 'deposit.credit' }]);
    const events = await db().selectFrom('psp_events').select('status').where('reference', '=', depositRef).orderBy('id').execute();
    expect(events.map((e) => e.status)).toEqual(['applied', 'duplicate', 'duplicate', 'duplicate']);

    const finance = await t.login('finance.eu');
    const got = await finance.client.deposits.get.query({ ref: depositRef });
    expect(got).toMatchObject({ ref: depositRef, clientId, amount: '1250.00', currency: 'EUR', status: 'credited', providerTxId: `tx_${depositRef}`, platformStep: 'awaiting_connector' });
    expect(got.events.map((e) => e.status)).toEqual(['applied', 'duplicate', 'duplicate', 'duplicate']);
    const listed = await finance.client.deposits.list.query({ clientId });
    expect(listed.items.map((d) => d.ref)).toEqual([depositRef]);
    expect(await verifyLedger(db())).toMatchObject({ ok: true });
  });

  it('feeds the desktop cache: a deposit as it moves, and exceptions to those who work them (one no entity owns only to those who run reconciliation)', async () => {
    type Client = Awaited<ReturnType<TestServer['login']>>['client'];
    const pull = async (client: Client, cursor: string | null) => {
      const upserts: Record<string, Array<Record<string, unknown>>> = {};
      const deletes: Record<string, unknown[]> = {};
      for (;;) {
        const batch = await client.sync.pull.query({ cursor, limit: 1000 });
        for (const [view, rows] of Object.entries(batch.upserts)) (upserts[view] ??= []).push(...rows);
        for (const [view, keys] of Object.entries(batch.deletes)) (deletes[view] ??= []).push(...keys);
        cursor = batch.cursor;
        if (!batch.more) return { upserts, deletes, cursor };
      }
    };
    const finance = (await t.login('finance.eu')).client;
    const manager = (await t.login('finmanager')).client;
    const compliance = (await t.login('compliance.eu')).client;
    let at = (await pull(finance, null)).cursor;
    let managerAt = (await pull(manager, null)).cursor;
    const complianceAt = (await pull(compliance, null)).cursor;

    const { clientId, input } = await anApprovedClient(t);
    const { depositRef } = await deposit(clientId, '75.50');
    let fed = await pull(finance, at);
    expect(fed.upserts.deposits).toEqual([expect.objectContaining({ ref: depositRef, status: 'initiated', amount: 75.5, currency: 'EUR', clientId, clientName: `${input.firstName} ${input.lastName}`, legalEntity: 'eu', provider: 'simpay' })]);
    await simpay('payment.succeeded', { reference: depositRef, providerTxId: `tx_${depositRef}`, amount: '75.50', currency: 'EUR' });
    fed = await pull(finance, (at = fed.cursor));
    expect(fed.upserts.deposits).toEqual([expect.objectContaining({ ref: depositRef, status: 'credited', platformStep: 'awaiting_connector' })]);
    expect(JSON.parse(String(fed.upserts.deposits![0]!._json))).toMatchObject({ ref: depositRef, providerTxId: `tx_${depositRef}`, clientName: `${input.firstName} ${input.lastName}` });
    at = fed.cursor;

    const { depositRef: second } = await deposit(clientId, '10.00');
    await simpay('payment.succeeded', { reference: second, providerTxId: `tx_${second}`, amount: '99.00', currency: 'EUR' });
    const unowned = await t.server.services.store.mutate(SYSTEM_ACTOR, (m) => openException(m, { kind: 'parked_event', legalEntity: null, clientId: null, subjectRef: null, provider: 'simpay', summary: 'An event for a reference we do not know', details: { reference: 'XYZ-1' }, slaHours: 24 }));
    fed = await pull(finance, at);
    expect(fed.upserts.exceptions).toEqual([expect.objectContaining({ kind: 'amount_mismatch', status: 'open', summary: expect.stringContaining(second), clientId, legalEntity: 'eu', owner: null })]);
    expect(fed.deletes.exceptions).toEqual([unowned]);
    const managerFed = await pull(manager, managerAt);
    expect(managerFed.upserts.exceptions!.map((x) => x.ref)).toContain(unowned);
    // Compliance reads deposits but does not work exceptions: the deposits come, the exceptions do not.
    const complianceFed = await pull(compliance, complianceAt);
    expect(complianceFed.upserts.deposits!.map((d) => d.ref)).toEqual(expect.arrayContaining([depositRef, second]));
    expect(complianceFed.upserts.exceptions).toBeUndefined();

    const exceptionRef = fed.upserts.exceptions![0]!.ref as string;
    await finance.reconciliation.takeException.mutate({ ref: exceptionRef });
    fed = await pull(finance, fed.cursor);
    expect(fed.upserts.exceptions).toEqual([expect.objectContaining({ ref: exceptionRef, owner: 'finance.eu' })]);
    managerAt = managerFed.cursor;
    await manager.reconciliation.resolveException.mutate({ ref: exceptionRef, resolutionCode: 'accepted_after_review', note: 'the client paid more by mistake; refunded outside' });
    expect((await pull(finance, fed.cursor)).upserts.exceptions).toEqual([expect.objectContaining({ ref: exceptionRef, status: 'resolved', resolutionCode: 'accepted_after_review' })]);
  });

  it('refuses alone a delivery that cannot be stored, records nothing of it, and takes the others sent with it', async () => {
    const { clientId } = await anApprovedClient(t);
    const { depositRef } = await deposit(clientId, '12.00');
    const event = (eventId: string, amount: unknown) => ({ provider: 'simpay', eventId, kind: 'payment.succeeded', reference: depositRef, providerTxId: `tx_${eventId}`, effectKey: `tx_${eventId}`, refundIsTotal: false, amount, failureCode: null, payerName: null, providerType: 'payment.succeeded' }) as unknown as ProviderEvent;
    const events = t.server.services.providerEvents;
    const actor = providerActor('simpay', '127.0.0.1');
    // Three sent together; the middle one holds two events, the second of which cannot be written: it is refused whole (its first event too), the others are stored.
    const [first, broken, last] = await Promise.allSettled([
      events.receive(actor, [event(`evt_${engine}_batch_a`, { minor: 1200n, currency: 'EUR' })], Buffer.from('{}')),
      events.receive(actor, [event(`evt_${engine}_batch_b1`, { minor: 1200n, currency: 'EUR' }), event(`evt_${engine}_batch_b2`, { minor: undefined, currency: 'EUR' })], Buffer.from('{}')),
      events.receive(actor, [event(`evt_${engine}_batch_c`, { minor: 1200n, currency: 'EUR' })], Buffer.from('{}')),
    ]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { duplicates: 0 } });
    expect(broken).toMatchObject({ status: 'rejected' });
    expect(last).toMatchObject({ status: 'fulfilled', value: { duplicates: 0 } });
    const stored = await db().selectFrom('psp_events').select('event_id').where('event_id', 'like', `evt_${engine}_batch_%`).orderBy('event_id').execute();
    expect(stored.map((e) => e.event_id)).toEqual([`evt_${engine}_batch_a`, `evt_${engine}_batch_c`]);
    const audited = await db().selectFrom('audit_events').select('target_id').where('action', '=', 'payments.event.received').where('target_id', 'like', `simpay:evt_${engine}_batch_%`).orderBy('target_id').execute();
    expect(audited.map((a) => a.target_id)).toEqual([`simpay:evt_${engine}_batch_a`, `simpay:evt_${engine}_batch_c`]);
  });

  it('parks an event that comes before its deposit and applies it when the deposit is created', async () => {
    const { clientId } = await anApprovedClient(t);
    const last = await db().selectFrom('counters').select('value').where('name', '=', 'DEP').executeTakeFirst();
    const next = `DEP-${String(Number(last?.value ?? 0) + 1).padStart(6, '0')}`;
    await simpay('payment.succeeded', { reference: next, providerTxId: `tx_${next}`, amount: '99.00', currency: 'EUR' });
    const parked = await db().selectFrom('psp_events').select(['status', 'status_reason']).where('reference', '=', next).executeTakeFirstOrThrow();
    expect(parked).toEqual({ status: 'parked', status_reason: `no deposit ${next} yet` });
    const { depositRef } = await deposit(clientId, '99.00');
    expect(depositRef).toBe(next);
    expect(await status(depositRef)).toMatchObject({ status: 'credited' });
    expect(await balance(clientId)).toEqual([{ currency: 'EUR', available: '99.00', pending: '0.00', held: '0.00' }]);
  });

  it('parks an amount or currency that differs from the deposit, and hands it to a person', async () => {
    const { clientId } = await anApprovedClient(t);
    const { depositRef } = await deposit(clientId, '500.00');
    await simpay('payment.succeeded', { reference: depositRef, providerTxId: `tx_${depositRef}`, amount: '5000.00', currency: 'EUR' });
    const event = await db().selectFrom('psp_events').select(['status', 'status_reason', 'exception_ref']).where('reference', '=', depositRef).executeTakeFirstOrThrow();
    expect(event).toMatchObject({ status: 'parked', status_reason: "amount 5000.00 EUR differs from the deposit's 500.00 EUR" });
    const exception = await db().selectFrom('payment_exceptions').select(['kind', 'status', 'client_id', 'legal_entity']).where('ref', '=', event.exception_ref!).executeTakeFirstOrThrow();
    expect(exception).toEqual({ kind: 'amount_mismatch', status: 'open', client_id: clientId, legal_entity: 'eu' });
    expect(await status(depositRef)).toMatchObject({ status: 'initiated' });
    expect(await balance(clientId)).toEqual([]);
    await simpay('payment.succeeded', { reference: depositRef, providerTxId: `tx2_${depositRef}`, amount: '500.00', currency: 'USD' });
    expect(await status(depositRef)).toMatchObject({ status: 'initiated' });
  });

  it('flags a payer who is not the client', async () => {
    const { clientId } = await anApprovedClient(t);
    const { depositRef } = await deposit(clientId, '20.00');
    await simpay('payment.succeeded', { reference: depositRef, providerTxId: `tx_${depositRef}`, amount: '20.00', currency: 'EUR', payerName: 'Someone Else' });
    expect(await status(depositRef)).toMatchObject({ status: 'credited', flags_json: '["third_party_payer"]' });
    const exception = await db().selectFrom('payment_exceptions').select(['kind', 'summary']).where('subject_ref', '=', depositRef).executeTakeFirstOrThrow();
    expect(exception).toEqual({ kind: 'third_party_payer', summary: `${depositRef} was paid by "Someone Else", not by the client` });
  });

  it('tells the client of a failure, and after two failed card payments sends new ones to review instead of retrying', async () => {
    const { clientId } = await anApprovedClient(t);
    const a = await deposit(clientId, '10.00');
    await simpay('payment.failed', { reference: a.depositRef, providerTxId: `tx_${a.depositRef}`, amount: '10.00', currency: 'EUR', failureCode: 'insufficient_funds' });
    expect(await status(a.depositRef)).toMatchObject({ status: 'failed', failure_code: 'insufficient_funds' });
    const told = await db().selectFrom('notifications').select(['kind', 'title', 'body']).where('client_id', '=', clientId).execute();
    expect(told).toEqual([{ kind: 'deposit_failed', title: `Your deposit ${a.depositRef} did not go through`, body: expect.stringContaining('code insufficient_funds') }]);
    const b = await deposit(clientId, '10.00');
    await simpay('payment.failed', { reference: b.depositRef, providerTxId: `tx_${b.depositRef}`, amount: '10.00', currency: 'EUR', failureCode: 'do_not_honor' });
    await expectReason(deposit(clientId, '10.00'), 'PAYMENTS_UNDER_REVIEW');
    // Another method is not held.
    expect((await deposit(clientId, '10.00', 'EUR', 'simpay', 'bank_transfer')).depositRef).toMatch(/^DEP-/);
  });

  it('posts refunds and chargebacks against the deposit; a chargeback opens an exception and alerts the MLRO', async () => {
    const { clientId } = await anApprovedClient(t);
    const { depositRef } = await deposit(clientId, '300.00');
    const tx = `tx_${depositRef}`;
    // The chargeback comes first (out of order): it waits for the payment.
    await simpay('chargeback.created', { reference: depositRef, providerTxId: tx, amount: '100.00', currency: 'EUR', failureCode: 'fraudulent' });
    expect((await db().selectFrom('psp_events').select('status').where('reference', '=', depositRef).executeTakeFirstOrThrow()).status).toBe('parked');
    await simpay('payment.succeeded', { reference: depositRef, providerTxId: tx, amount: '300.00', currency: 'EUR' });
    expect(await status(depositRef)).toMatchObject({ status: 'charged_back' });
    expect(await balance(clientId)).toEqual([{ currency: 'EUR', available: '200.00', pending: '0.00', held: '0.00' }]);
    expect(await db().selectFrom('payment_exceptions').select(['kind', 'status']).where('subject_ref', '=', depositRef).execute()).toEqual([{ kind: 'chargeback', status: 'open' }]);
    expect(await db().selectFrom('alerts').select(['kind', 'for_role', 'severity']).where('source_ref', '=', depositRef).execute()).toEqual([{ kind: 'chargeback', for_role: 'mlro', severity: 'high' }]);

    const second = await deposit(clientId, '80.00');
    await simpay('payment.succeeded', { reference: second.depositRef, providerTxId: `tx_${second.depositRef}`, amount: '80.00', currency: 'EUR' });
    await simpay('payment.refunded', { reference: second.depositRef, providerTxId: `tx_${second.depositRef}`, amount: '80.00', currency: 'EUR' });
    expect(await status(second.depositRef)).toMatchObject({ status: 'refunded' });
    const refund = await db().selectFrom('ledger_postings').select(['kind', 'corrects']).where('reference', '=', second.depositRef).where('kind', '=', 'deposit.refund').executeTakeFirstOrThrow();
    expect(refund.corrects).toMatch(/^PST-/);
    expect(await balance(clientId)).toEqual([{ currency: 'EUR', available: '200.00', pending: '0.00', held: '0.00' }]);
    expect(await verifyLedger(db())).toMatchObject({ ok: true });
  });

  it('refuses bad webhooks and changes nothing: a wrong or stale signature (401, audited), an unknown provider (404), a malformed body (400)', async () => {
    const before = await db().selectFrom('psp_events').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const data = { reference: 'DEP-999998', providerTxId: 'tx_bad', amount: '1.00', currency: 'EUR' };
    expect(await simpay('payment.succeeded', data, 'evt_forged', { secret: 'not-the-secret-of-simpay-0000' })).toMatchObject({ status: 401, body: expect.stringContaining('does not match') });
    expect(await simpay('payment.succeeded', data, 'evt_stale', { t: now() - 301 })).toMatchObject({ status: 401, body: expect.stringContaining('more than 300 s') });
    expect(await simpay('payment.succeeded', data, 'evt_unknown', { path: '/webhooks/psp/nopay' })).toMatchObject({ status: 404, body: expect.stringContaining('unknown payment provider \\"nopay\\"') });
    expect(await simpay('payment.succeeded', { ...data, amount: '1.001' })).toMatchObject({ status: 400, body: expect.stringContaining('more than 2 decimals') });
    expect(await simpay('payment.succeeded', { ...data, amount: '0' })).toMatchObject({ status: 400, body: expect.stringContaining('more than zero') });
    expect(await simpay('payment.succeeded', { ...data, currency: 'XYZ' })).toMatchObject({ status: 400, body: expect.stringContaining('ISO 4217') });
    const after = await db().selectFrom('psp_events').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    const refused = await db().selectFrom('audit_events').select(['actor_id', 'after_json']).where('action', '=', 'payments.webhook.refused').orderBy('seq').execute();
    expect(refused.map((r) => r.actor_id)).toEqual(['psp:simpay', 'psp:simpay']);
  });

  it('refuses a deposit it could never credit: unknown provider, bad amounts, a client who may not deposit', async () => {
    const { clientId } = await anApprovedClient(t);
    await expectReason(deposit(clientId, '10.00', 'EUR', 'nopay'), 'VALIDATION_FAILED');
    await expectReason(deposit(clientId, '10.001'), 'VALIDATION_FAILED');
    await expectReason(deposit(clientId, '0.00'), 'VALIDATION_FAILED');
    await expectReason(deposit(clientId, '10.00', 'XYZ'), 'VALIDATION_FAILED');
    await expectReason(deposit('CL-999999'), 'NOT_FOUND');
    const registered = await portal().registerClient.mutate({ externalId: `dep-${engine}-reg`, type: 'individual', legalEntity: 'eu', firstName: 'New', lastName: 'Comer', email: 'new.comer@example.com', country: 'CY', dateOfBirth: '1990-01-01', accountType: 'standard' });
    await expectReason(deposit(registered.clientId), 'KYC_INCOMPLETE');
  });

  describe('Stripe and Adyen', () => {
    it('credits from payment_intent.succeeded and applies cumulative refunds once each (Stripe)', async () => {
      const { clientId } = await anApprovedClient(t);
      const { depositRef } = await deposit(clientId, '125.50', 'EUR', 'stripe');
      const send = async (id: string, type: string, object: Record<string, unknown>) => {
        const payload = JSON.stringify({ id, object: 'event', type, data: { object } });
        const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET, timestamp: now() });
        const res = await fetch(`${t.url}/webhooks/psp/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': header }, body: payload });
        return res.status;
      };
      const pi = `pi_${engine}_${depositRef}`;
      expect(await send(`evt_a_${depositRef}`, 'payment_intent.succeeded', { id: pi, object: 'payment_intent', amount: 12550, amount_received: 12550, currency: 'eur', metadata: { depositRef } })).toBe(200);
      expect(await status(depositRef)).toMatchObject({ status: 'credited' });
      expect(await send(`evt_b_${depositRef}`, 'charge.refunded', { id: `ch_${depositRef}`, object: 'charge', payment_intent: pi, amount: 12550, amount_refunded: 2550, currency: 'eur', metadata: { depositRef } })).toBe(200);
      // The same refund total again (another event id): nothing more.
      expect(await send(`evt_c_${depositRef}`, 'charge.refunded', { id: `ch_${depositRef}`, object: 'charge', payment_intent: pi, amount: 12550, amount_refunded: 2550, currency: 'eur', metadata: { depositRef } })).toBe(200);
      expect(await balance(clientId)).toEqual([{ currency: 'EUR', available: '100.00', pending: '0.00', held: '0.00' }]);
      expect(await send(`evt_d_${depositRef}`, 'charge.refunded', { id: `ch_${depositRef}`, object: 'charge', payment_intent: pi, amount: 12550, amount_refunded: 12550, currency: 'eur', metadata: { depositRef } })).toBe(200);
      expect(await status(depositRef)).toMatchObject({ status: 'refunded' });
      expect(await balance(clientId)).toEqual([{ currency: 'EUR', available: '0.00', pending: '0.00', held: '0.00' }]);
    });

    it('credits from an AUTHORISATION notification and answers [accepted] (Adyen)', async () => {
      const { clientId } = await anApprovedClient(t);
      const { depositRef } = await deposit(clientId, '42.00', 'EUR', 'adyen');
      const item = { pspReference: `8816${serial++}${engine.length}`, originalReference: '', merchantAccountCode: 'BrokerEU', merchantReference: depositRef, amount: { value: 4200, currency: 'EUR' }, eventCode: 'AUTHORISATION', success: 'true', eventDate: '2026-03-02T09:00:00+01:00' };
      const signed = createHmac('sha256', Buffer.from(ADYEN_KEY, 'hex')).update([item.pspReference, item.originalReference, item.merchantAccountCode, item.merchantReference, item.amount.value, item.amount.currency, item.eventCode, item.success].join(':')).digest('base64');
      const body = JSON.stringify({ live: 'false', notificationItems: [{ NotificationRequestItem: { ...item, additionalData: { hmacSignature: signed } } }] });
      const res = await fetch(`${t.url}/webhooks/psp/adyen`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('[accepted]');
      expect(await status(depositRef)).toMatchObject({ status: 'credited' });
      const forged = body.replace('"value":4200', '"value":420000');
      expect((await fetch(`${t.url}/webhooks/psp/adyen`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: forged })).status).toBe(401);
    });
  });
});
