// Payments for initiated deposits, applied together: the common case of the webhooks stored in one
// group commit (provider-events.ts), in a handful of statements for the whole group rather than
// twenty for each. It does exactly what applying each event alone does (deposit-effects.ts
// `credit`): the business key taken, the deposit credited from the provider's clearing account,
// the event settled, and the same audit events, each under the actor of the delivery that brought
// it. Anything out of the ordinary (no deposit yet, a second payment, an amount or currency that
// differs, a third-party payer, the same deposit twice in the group, a key taken already) is left
// to the one-by-one path, which parks it, settles it or opens an exception; so is the whole group
// when any statement fails.

import { sql } from 'kysely';
import { payerMatches } from '../../../shared/payments/payer.js';
import type { Actor } from '../../core/actor.js';
import type { Mutation } from '../../core/store.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';
import { depositColumns, type DepositRow } from './deposits.js';
import { postMany } from './ledger.js';
import { creditedAudit, creditPosting, payerSubjectOf } from './deposit-effects.js';
import type { EventRow } from './event-steps.js';

export interface StoredEvent {
  id: number;
  actor: Actor;
}

/** The deposit statuses a payment credits without a person (the one-by-one path decides the others). */
const CREDITABLE: ReadonlyArray<DepositRow['status']> = ['initiated', 'pending'];

/**
 * Credits, in the mutation's transaction, every stored event that is an ordinary payment of an
 * initiated deposit; answers the ids it applied, with their deposits' references. The rest are
 * untouched. All or nothing: a failure rolls the group back to its savepoint and answers none.
 */
export async function creditTogether(m: Mutation, stored: readonly StoredEvent[], onCredited: ((m: Mutation, deposit: DepositRow) => Promise<unknown>) | null): Promise<Map<number, string>> {
  const applied = new Map<number, string>();
  if (stored.length < 2) return applied;
  const { trx, now } = m;
  const events = await trx
    .selectFrom('psp_events')
    .selectAll()
    .select(sql<string | null>`cast(amount as text)`.as('amount_text'))
    .where('id', 'in', stored.map((s) => s.id))
    .where('kind', '=', 'payment.succeeded')
    .where('status', '=', 'received')
    .execute();
  const refs = [...new Set(events.map((e) => e.reference).filter((r): r is string => r !== null && r.startsWith('DEP-')))];
  if (refs.length === 0) return applied;
  const deposits = new Map((await trx.selectFrom('deposits').selectAll().select(depositColumns()).where('ref', 'in', refs).execute()).map((d) => [d.ref, d]));
  const txIds = [...new Set(events.map((e) => e.provider_tx_id).filter((t): t is string => t !== null))];
  // A payment the provider already reported for another deposit is not ordinary.
  const holders = new Map<string, string[]>();
  if (txIds.length > 0) {
    const providers = [...new Set(events.map((e) => e.provider))];
    for (const d of await trx.selectFrom('deposits').select(['provider', 'provider_tx_id', 'ref']).where('provider', 'in', providers).where('provider_tx_id', 'in', txIds).execute()) {
      const key = `${d.provider}|${d.provider_tx_id}`;
      holders.set(key, [...(holders.get(key) ?? []), d.ref]);
    }
  }
  const payers = events.filter((e) => e.payer_name !== null).map((e) => deposits.get(e.reference!)?.client_id).filter((c): c is string => c !== undefined);
  const clients = new Map(payers.length > 0 ? (await trx.selectFrom('clients').select(['id', 'type', 'first_name', 'last_name', 'company_name']).where('id', 'in', [...new Set(payers)]).execute()).map((c) => [c.id, c]) : []);

  // Which events are ordinary: each deposit and each payment at most once in the group.
  const seenRef = new Map<string, number>();
  const seenKey = new Map<string, number>();
  for (const e of events) {
    seenRef.set(e.reference ?? '', (seenRef.get(e.reference ?? '') ?? 0) + 1);
    const key = `${e.provider}|${e.effect_key ?? e.provider_tx_id}`;
    seenKey.set(key, (seenKey.get(key) ?? 0) + 1);
  }
  const ordinary: Array<{ event: EventRow; deposit: DepositRow }> = [];
  for (const event of events) {
    const deposit = event.reference ? deposits.get(event.reference) : undefined;
    if (!deposit || !event.provider_tx_id) continue;
    if (seenRef.get(deposit.ref) !== 1 || seenKey.get(`${event.provider}|${event.effect_key ?? event.provider_tx_id}`) !== 1) continue;
    if (deposit.provider !== event.provider || !CREDITABLE.includes(deposit.status)) continue;
    if (event.currency !== deposit.currency || event.amount_text !== deposit.amount_text) continue;
    if ((holders.get(`${event.provider}|${event.provider_tx_id}`) ?? []).some((ref) => ref !== deposit.ref)) continue;
    if (event.payer_name !== null) {
      const c = clients.get(deposit.client_id);
      if (!c || !payerMatches(event.payer_name, payerSubjectOf(c))) continue;
    }
    ordinary.push({ event, deposit });
  }
  if (ordinary.length < 2) return applied;

  await sql`savepoint credit_together`.execute(trx);
  const audits: Array<Parameters<Mutation['audit']>[0]> = [];
  const changes: Array<Parameters<Mutation['changed']>> = [];
  try {
    // The business keys: an event whose key another event took already (another server, another id) goes one by one.
    const claimed = await trx
      .insertInto('psp_effects')
      .values(ordinary.map(({ event, deposit }) => ({ provider: event.provider, provider_tx_id: event.effect_key ?? event.provider_tx_id!, kind: event.kind, event_id: event.event_id, subject_ref: deposit.ref, at: now })))
      .onConflict((oc) => oc.columns(['provider', 'provider_tx_id', 'kind']).doNothing())
      .returning(['provider', 'event_id'])
      .execute();
    const won = new Set(claimed.map((c) => `${c.provider}|${c.event_id}`));
    const credits = ordinary.filter(({ event }) => won.has(`${event.provider}|${event.event_id}`));
    if (credits.length === 0) {
      await sql`rollback to savepoint credit_together`.execute(trx);
      return applied;
    }
    // The deposits, only while still creditable (another server may have credited one meanwhile: then none is, here).
    const caseOf = (column: (c: (typeof credits)[number]) => string | null) => sql<string | null>`case ref ${sql.join(credits.map((c) => sql`when ${c.deposit.ref} then ${column(c)}`), sql` `)} end`;
    const updated = await trx
      .updateTable('deposits')
      .set({ status: 'credited', provider_tx_id: caseOf((c) => c.event.provider_tx_id), payer_name: caseOf((c) => c.event.payer_name), credited_at: now, updated_at: now, failure_code: null, platform_step: 'awaiting_connector' })
      .where('ref', 'in', credits.map((c) => c.deposit.ref))
      .where('status', 'in', CREDITABLE)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== credits.length) throw new Error('a deposit of the group was credited meanwhile');

    const actorOf = new Map(stored.map((s) => [s.id, s.actor]));
    // Deliveries from one address share an actor (an object each): their postings go in one call.
    const byActor = new Map<string, { actor: Actor; group: Array<(typeof credits)[number]> }>();
    for (const c of credits) {
      const actor = actorOf.get(Number(c.event.id))!;
      const key = JSON.stringify(actor);
      const entry = byActor.get(key) ?? { actor, group: [] };
      entry.group.push(c);
      byActor.set(key, entry);
    }
    for (const { actor, group } of byActor.values()) {
      const postings = group.map(({ event, deposit }) => creditPosting(event, deposit));
      await postMany({ ...m, actor, audit: (e) => audits.push({ ...e, actor }) }, postings);
    }
    for (const { event, deposit } of credits) {
      const actor = actorOf.get(Number(event.id))!;
      const flags = readJson(JSON_COLUMNS.strings, deposit.flags_json, 'deposits.flags_json');
      audits.push({ ...creditedAudit(event, deposit, flags), actor });
      changes.push(['deposits', deposit.ref, deposit.legal_entity, 'update']);
      await onCredited?.({ ...m, actor, audit: (e) => audits.push({ ...e, actor }), changed: (...c) => changes.push(c) }, deposit);
      audits.push({ actor, action: 'payments.event.applied', targetType: 'psp_event', targetId: `${event.provider}:${event.event_id}`, clientId: deposit.client_id, legalEntity: deposit.legal_entity, after: { kind: event.kind, subject: deposit.ref, reason: null }, caseRef: deposit.ref });
    }
    await trx
      .updateTable('psp_events')
      .set((eb) => ({ status: 'applied', status_reason: null, subject_ref: eb.ref('reference'), applied_at: now, attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', credits.map((c) => c.event.id))
      .execute();
    await sql`release savepoint credit_together`.execute(trx);
    for (const c of credits) applied.set(Number(c.event.id), c.deposit.ref);
  } catch {
    // Nothing of the group happened: each event is applied on its own, and any fault is met there.
    await sql`rollback to savepoint credit_together`.execute(trx);
    return new Map();
  }
  for (const e of audits) m.audit(e);
  for (const c of changes) m.changed(...c);
  return applied;
}
