// Two servers on one PostgreSQL database storing the same provider events at the same moment, in
// opposite orders (a provider redelivering a batch to the other server): their transactions
// deadlock and PostgreSQL refuses one. The refused delivery is stored again, so both webhooks are
// answered and each event is stored once.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type Server } from '../../app.js';
import { describePostgres, startTestServer, testConfig, type TestServer } from '../../testing/harness.js';
import { providerActor } from './provider-events.js';
import type { ProviderEvent } from './psp/event.js';

describePostgres('provider events stored by two servers at once', () => {
  let t: TestServer;
  let other: Server;
  beforeAll(async () => {
    t = await startTestServer('postgres', { seed: false });
    other = await startServer(testConfig(t.storage));
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  it('answers both deliveries when their transactions deadlock, and stores each event once', { timeout: 120_000 }, async () => {
    const event = (eventId: string): ProviderEvent => ({ provider: 'simpay', eventId, kind: 'payment.succeeded', reference: `DEP-${eventId}`, providerTxId: `tx_${eventId}`, effectKey: `tx_${eventId}`, refundIsTotal: false, amount: { minor: 1200n, currency: 'EUR' }, failureCode: null, payerName: null, providerType: 'payment.succeeded' });
    const actor = providerActor('simpay', '127.0.0.1');
    const rounds = 10;
    for (let r = 0; r < rounds; r++) {
      const ids = Array.from({ length: 6 }, (_, i) => `evt_deadlock_${r}_${i}`);
      const answers = await Promise.allSettled([
        t.server.services.providerEvents.receive(actor, ids.map(event), Buffer.from('{}')),
        other.services.providerEvents.receive(actor, [...ids].reverse().map(event), Buffer.from('{}')),
      ]);
      expect(answers.filter((a) => a.status === 'rejected'), `round ${r}`).toEqual([]);
      const stored = answers.map((a) => (a.status === 'fulfilled' ? a.value.stored.length : 0));
      expect(stored[0]! + stored[1]!, `round ${r}`).toBe(ids.length);
    }
    const rows = await t.server.services.store.kysely.selectFrom('psp_events').select((eb) => eb.fn.countAll<string>().as('n')).where('event_id', 'like', 'evt_deadlock_%').executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBe(rounds * 6);
  });
});
