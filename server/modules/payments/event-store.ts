// Provider events stored: each delivery's events once per provider and event id, with the raw
// body, and audited as received. One delivery alone (`storeEvents`), or the deliveries of a group
// commit in one statement (`storeTogether`).

import { sql } from 'kysely';
import { formatAmount } from '../../../shared/money.js';
import type { Actor } from '../../core/actor.js';
import type { Mutation } from '../../core/store.js';
import type { AuditInput } from '../audit/log.js';
import type { ProviderEvent } from './psp/event.js';

/** What storing needs of a delivery: its events, its raw body and who sent it. */
export interface StoredDelivery {
  actor: Actor;
  events: readonly ProviderEvent[];
  raw: Buffer;
}

/** A provider event as its stored row. */
function eventValues(e: ProviderEvent, body: string, now: string) {
  return {
    provider: e.provider,
    event_id: e.eventId,
    kind: e.kind,
    reference: e.reference,
    provider_tx_id: e.providerTxId,
    effect_key: e.effectKey,
    amount: e.amount ? e.amount.minor.toString() : null,
    amount_is_total: e.refundIsTotal ? 1 : 0,
    currency: e.amount?.currency ?? null,
    failure_code: e.failureCode,
    payer_name: e.payerName,
    body,
    received_at: now,
    status: 'received' as const,
    status_reason: null,
    subject_ref: null,
    applied_at: null,
    exception_ref: null,
  };
}

function receivedAudit(e: ProviderEvent): AuditInput {
  return {
    action: 'payments.event.received',
    targetType: 'psp_event',
    targetId: `${e.provider}:${e.eventId}`,
    after: { provider: e.provider, eventId: e.eventId, type: e.providerType, kind: e.kind, reference: e.reference, providerTxId: e.providerTxId, amount: e.amount ? formatAmount(e.amount) : null, currency: e.amount?.currency ?? null, failureCode: e.failureCode },
    caseRef: e.reference ?? undefined,
  };
}

/** Stores a delivery's events, each unless its provider and event id are stored already; answers the new rows' ids and how many were redeliveries. */
export async function storeEvents(m: Mutation, events: readonly ProviderEvent[], raw: Buffer): Promise<{ stored: number[]; duplicates: number }> {
  const body = raw.toString('utf8');
  const stored: number[] = [];
  for (const e of events) {
    const row = await m.trx
      .insertInto('psp_events')
      .values(eventValues(e, body, m.now))
      .onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) continue;
    stored.push(Number(row.id));
    m.audit(receivedAudit(e));
  }
  return { stored, duplicates: events.length - stored.length };
}

/**
 * Stores the events of several deliveries in one statement, inside a savepoint; answers each
 * delivery's new rows and redeliveries (an event in two deliveries is the first one's), or null
 * when the statement failed and nothing was stored.
 */
export async function storeTogether<D extends StoredDelivery>(m: Mutation, batch: readonly D[]): Promise<Map<D, { stored: number[]; duplicates: number }> | null> {
  let inserted: Array<{ id: number | string; provider: string; event_id: string }> = [];
  if (batch.some((d) => d.events.length > 0)) {
    await sql`savepoint store_together`.execute(m.trx);
    try {
      const rows = batch.flatMap((d) => {
        const body = d.raw.toString('utf8');
        return d.events.map((e) => eventValues(e, body, m.now));
      });
      inserted = await m.trx.insertInto('psp_events').values(rows).onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing()).returning(['id', 'provider', 'event_id']).execute();
      await sql`release savepoint store_together`.execute(m.trx);
    } catch {
      await sql`rollback to savepoint store_together`.execute(m.trx);
      return null;
    }
  }
  const idOf = new Map(inserted.map((r) => [`${r.provider}|${r.event_id}`, Number(r.id)]));
  const answers = new Map<D, { stored: number[]; duplicates: number }>();
  for (const d of batch) {
    const stored: number[] = [];
    for (const e of d.events) {
      const key = `${e.provider}|${e.eventId}`;
      const id = idOf.get(key);
      if (id === undefined) continue;
      idOf.delete(key);
      stored.push(id);
      m.audit({ ...receivedAudit(e), actor: d.actor });
    }
    answers.set(d, { stored, duplicates: d.events.length - stored.length });
  }
  return answers;
}
