// Deposits whose provider event is overdue are asked of the provider (`GET /v1/payments?reference=`
// on providers with an API connection). What the provider answers goes through the same path as a
// webhook: stored as an event (id `poll:<payment id>:<status>`) and applied once under the same
// business key, so a webhook that arrives after the poll, or the poll after the webhook, changes
// nothing more.

import { formatAmount, parsePositiveAmount } from '../../../shared/money.js';
import type { Store } from '../../core/store.js';
import type { PolicyReader } from '../policies/reader.js';
import type { PspApiClient } from './payout-client.js';
import { providerActor, type ProviderEvents } from './provider-events.js';
import type { ProviderEvent } from './psp/event.js';

export async function pollOverdueDeposits(store: Store, policies: PolicyReader, events: ProviderEvents, apis: ReadonlyMap<string, PspApiClient>): Promise<{ asked: number; found: number }> {
  if (apis.size === 0) return { asked: 0, found: 0 };
  const policy = await policies.require(store.kysely, 'payments.deposits');
  const cutoff = new Date(Date.parse(store.now()) - policy.document.overdueAfterMinutes * 60_000).toISOString();
  const overdue = await store.kysely
    .selectFrom('deposits')
    .select(['ref', 'provider', 'client_id', 'legal_entity'])
    .where('status', 'in', ['initiated', 'pending'])
    .where('provider', 'in', [...apis.keys()])
    .where('updated_at', '<', cutoff)
    .where((eb) => eb.or([eb('last_polled_at', 'is', null), eb('last_polled_at', '<', cutoff)]))
    .orderBy('ref')
    .limit(200)
    .execute();
  let found = 0;
  for (const d of overdue) {
    const answer = await apis.get(d.provider)!.findPayment(d.ref);
    const outcome = answer.kind === 'found' ? `${answer.payment.status} (${answer.payment.id})` : answer.kind === 'not_found' ? 'no payment at the provider yet' : `no answer: ${answer.detail}`;
    await store.mutate(providerActor(d.provider), async (m) => {
      await m.trx.updateTable('deposits').set({ last_polled_at: m.now }).where('ref', '=', d.ref).execute();
      m.audit({ action: 'deposit.polled', targetType: 'deposit', targetId: d.ref, clientId: d.client_id, legalEntity: d.legal_entity, after: { provider: d.provider, outcome }, caseRef: d.ref });
    });
    if (answer.kind !== 'found' || answer.payment.status === 'pending') continue;
    let amount;
    try {
      amount = parsePositiveAmount(answer.payment.amount, answer.payment.currency);
    } catch {
      continue;
    }
    const event: ProviderEvent = {
      provider: d.provider,
      eventId: `poll:${answer.payment.id}:${answer.payment.status}`,
      kind: answer.payment.status === 'succeeded' ? 'payment.succeeded' : 'payment.failed',
      reference: answer.payment.reference,
      providerTxId: answer.payment.id,
      effectKey: answer.payment.id,
      refundIsTotal: false,
      amount,
      failureCode: answer.payment.failureCode ?? null,
      payerName: null,
      providerType: `polled payment ${answer.payment.status} (${formatAmount(amount)} ${amount.currency})`,
    };
    await events.receive(providerActor(d.provider), [event], Buffer.from(JSON.stringify(answer.payment)));
    found += 1;
  }
  return { asked: overdue.length, found };
}
