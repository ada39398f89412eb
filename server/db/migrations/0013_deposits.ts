// Deposits and the payment providers' events (module payments).
//
// - `deposits`: one row per deposit (DEP-…), in minor units of its currency, with its provider's
//   transaction id once known (unique per provider) and the step on the trading platform.
// - `psp_events`: every event a provider sent, stored before it is acknowledged, with its raw body
//   exactly as received; unique per provider and event id, so a redelivery is recognised.
// - `psp_effects`: the business key of every event that changed something (provider + provider
//   transaction id + kind), under a primary key: the same payment reported under two event ids, or
//   two deliveries racing on two servers, take effect once.
// - `payment_exceptions`: what a person must look at (an event parked too long, a chargeback, a
//   reconciliation mismatch), with an owner, an SLA and a resolution code.

import { sql, type Kysely } from 'kysely';
import type { Engine } from '../connect.js';

export function deposits(engine: Engine) {
  const bigint = engine === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('deposits')
        .addColumn('ref', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id'))
        .addColumn('legal_entity', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('amount', bigint, (c) => c.notNull().check(sql`amount > 0`))
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('provider_reference', 'text', (c) => c.notNull())
        .addColumn('provider_tx_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('initiated', 'pending', 'credited', 'failed', 'refunded', 'charged_back')`))
        .addColumn('failure_code', 'text')
        .addColumn('payer_name', 'text')
        .addColumn('flags_json', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('refunded', bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('platform_step', 'text', (c) => c.check(sql`platform_step in ('awaiting_connector', 'credited', 'failed')`))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('credited_at', 'text')
        .addColumn('last_polled_at', 'text')
        .addUniqueConstraint('deposits_provider_tx', ['provider', 'provider_tx_id'])
        .execute();
      await db.schema.createIndex('deposits_client').on('deposits').columns(['client_id', 'created_at']).execute();
      await db.schema.createIndex('deposits_status').on('deposits').columns(['status', 'created_at']).execute();
      await db.schema.createIndex('deposits_entity').on('deposits').columns(['legal_entity', 'created_at']).execute();

      await db.schema
        .createTable('psp_events')
        .addColumn('id', engine === 'postgres' ? 'bigserial' : 'integer', (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('reference', 'text')
        .addColumn('provider_tx_id', 'text')
        // with provider and kind, the business key under which the event takes effect once
        .addColumn('effect_key', 'text')
        .addColumn('amount', bigint)
        // 1: the amount is a running total (Stripe reports refunds as the total refunded so far)
        .addColumn('amount_is_total', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('currency', 'text')
        .addColumn('failure_code', 'text')
        .addColumn('payer_name', 'text')
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('received', 'applied', 'parked', 'duplicate', 'ignored')`))
        .addColumn('status_reason', 'text')
        .addColumn('subject_ref', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('applied_at', 'text')
        .addColumn('exception_ref', 'text')
        .addUniqueConstraint('psp_events_event', ['provider', 'event_id'])
        .execute();
      await db.schema.createIndex('psp_events_status').on('psp_events').columns(['status', 'id']).execute();
      await db.schema.createIndex('psp_events_reference').on('psp_events').column('reference').execute();
      await db.schema.createIndex('psp_events_tx').on('psp_events').columns(['provider', 'provider_tx_id']).execute();

      await db.schema
        .createTable('psp_effects')
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('provider_tx_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('subject_ref', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('psp_effects_key', ['provider', 'provider_tx_id', 'kind'])
        .execute();

      await db.schema
        .createTable('payment_exceptions')
        .addColumn('ref', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        // null for an event that names nothing we know (no deposit, no client): no entity owns it yet
        .addColumn('legal_entity', 'text')
        .addColumn('client_id', 'text')
        .addColumn('subject_ref', 'text')
        .addColumn('provider', 'text')
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('details_json', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'resolved')`))
        .addColumn('owner_id', 'text')
        .addColumn('sla_due_at', 'text', (c) => c.notNull())
        .addColumn('resolution_code', 'text')
        .addColumn('resolution_note', 'text')
        .addColumn('resolved_by', 'text')
        .addColumn('resolved_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('payment_exceptions_open').on('payment_exceptions').columns(['status', 'legal_entity', 'created_at']).execute();
      await db.schema.createIndex('payment_exceptions_subject').on('payment_exceptions').columns(['subject_ref', 'kind']).execute();
      await db.schema.createIndex('payment_exceptions_client').on('payment_exceptions').columns(['client_id', 'status']).execute();
    },
  };
}
