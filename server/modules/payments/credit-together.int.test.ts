// Payments applied together (credit-together.ts) do what applying each alone does, and leave
// everything out of the ordinary to the one-by-one path: a group mixing ordinary payments with an
// amount that differs, a deposit that does not exist, a deposit paid twice, a payment another
// event took already and a third-party payer ends exactly as if each had been applied alone.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, startTestServer, type TestServer } from '../../testing/harness.js';
import { anApprovedClient } from '../../testing/builders.js';
import { creditTogether } from './credit-together.js';
import { providerActor } from './provider-events.js';
import { storeEvents } from './event-store.js';
import { clientBalances, verifyLedger } from './ledger.js';
import type { ProviderEvent } from './psp/event.js';

describeEachEngine('payments applied together', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine, { env: { PSP_SIMPAY_SECRET: 'simpay-webhook-secret-0123456789' } });
  });
  afterAll(() => t?.close());

  it('credits the ordinary payments of a group at once, as one by one would, and leaves the rest to the one-by-one path', async () => {
    const { services } = t.server;
    const { clientId, input } = await anApprovedClient(t, { legalEntity: 'eu' });
    const refs: string[] = [];
    for (let i = 0; i < 7; i++) refs.push((await services.deposits.initiate({ id: 'portal', name: 'portal', ip: null, userAgent: null, sessionId: null }, { clientId, amount: '100.00', currency: 'EUR', method: 'card', provider: 'simpay' })).depositRef);
    const event = (id: string, reference: string, tx: string, minor = 10_000n, payerName: string | null = null): ProviderEvent => ({ provider: 'simpay', eventId: `evt_group_${engine}_${id}`, kind: 'payment.succeeded', reference, providerTxId: tx, effectKey: tx, refundIsTotal: false, amount: { minor, currency: 'EUR' }, failureCode: null, payerName, providerType: 'payment.succeeded' });
    const tx = (n: number) => `tx_group_${engine}_${n}`;
    const events = [
      event('ordinary-0', refs[0]!, tx(0)),
      event('ordinary-1', refs[1]!, tx(1), 10_000n, `${input.firstName} ${input.lastName}`),
      event('amount', refs[2]!, tx(2), 9_999n),
      event('unknown', 'DEP-999999', tx(3)),
      event('twice-a', refs[3]!, tx(4)),
      event('twice-b', refs[3]!, tx(5)),
      event('third-party', refs[4]!, tx(6), 10_000n, 'Somebody Else Entirely'),
      event('key-taken', refs[5]!, tx(0)),
      event('ordinary-6', refs[6]!, tx(7)),
    ];
    const actor = providerActor('simpay', '203.0.113.9');
    const together = await services.store.mutate(actor, async (m) => {
      const { stored } = await storeEvents(m, events, Buffer.from('{}'));
      return creditTogether(m, stored.map((id) => ({ id, actor })), null);
    });
    const byEvent = async (id: string) => services.store.kysely.selectFrom('psp_events').select(['id', 'status', 'status_reason', 'subject_ref']).where('event_id', '=', `evt_group_${engine}_${id}`).executeTakeFirstOrThrow();
    // ordinary-0 shares its payment's key with key-taken: both go one by one, which credits the first.
    const ordinary = await Promise.all(['ordinary-1', 'ordinary-6'].map(byEvent));
    expect([...together.keys()].sort()).toEqual(ordinary.map((o) => Number(o.id)).sort());
    expect(ordinary.map((o) => [o.status, o.subject_ref])).toEqual([['applied', refs[1]], ['applied', refs[6]]]);

    // The rest, one by one, as the delivery's transaction does.
    const rest = await services.store.kysely.selectFrom('psp_events').select('id').where('event_id', 'like', `evt_group_${engine}_%`).where('status', '=', 'received').orderBy('id').execute();
    expect(rest.length).toBe(events.length - 2);
    for (const { id } of rest) await services.providerEvents.apply(Number(id));

    const deposits = await services.store.kysely.selectFrom('deposits').select(['ref', 'status', 'provider_tx_id', 'payer_name', 'flags_json', 'platform_step']).where('ref', 'in', refs).orderBy('ref').execute();
    expect(deposits.map((d) => [d.ref, d.status, d.provider_tx_id])).toEqual([
      [refs[0], 'credited', tx(0)],
      [refs[1], 'credited', tx(1)],
      [refs[2], 'initiated', null],
      [refs[3], 'credited', tx(4)],
      [refs[4], 'credited', tx(6)],
      [refs[5], 'initiated', null],
      [refs[6], 'credited', tx(7)],
    ]);
    expect(deposits[1]!.payer_name).toBe(`${input.firstName} ${input.lastName}`);
    expect(JSON.parse(deposits[4]!.flags_json)).toEqual(['third_party_payer']);
    expect(deposits.filter((d) => d.status === 'credited').map((d) => d.platform_step)).toEqual(Array(5).fill('awaiting_connector'));
    const outcomes = Object.fromEntries(await Promise.all(['amount', 'unknown', 'twice-b', 'key-taken'].map(async (id) => [id, (await byEvent(id)).status])));
    expect(outcomes).toEqual({ amount: 'parked', unknown: 'parked', 'twice-b': 'parked', 'key-taken': 'parked' });

    // Credited once each, audited under the delivery's actor as one by one would be.
    expect((await clientBalances(services.store.kysely, clientId)).find((b) => b.currency === 'EUR')?.available).toBe(50_000n);
    const provider = ['payments.event.received', 'deposit.credited', 'payments.event.applied'];
    const audited = await services.store.kysely.selectFrom('audit_events').select(['action', 'actor_id']).where('case_ref', '=', refs[0]!).where('action', 'in', provider).orderBy('seq').execute();
    expect(audited).toEqual(provider.map((action) => ({ action, actor_id: 'psp:simpay' })));
    const posted = await services.store.kysely.selectFrom('audit_events').select('actor_id').where('action', '=', 'ledger.posted').where('client_id', '=', clientId).execute();
    expect(posted.map((p) => p.actor_id)).toEqual(Array(5).fill('psp:simpay'));
    expect(await verifyLedger(services.store.kysely)).toMatchObject({ ok: true });
  });
});
