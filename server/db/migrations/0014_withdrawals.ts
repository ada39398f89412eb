// Withdrawals (module payments) and the FX rates their tiers are compared by.
//
// - `withdrawals`: one row per withdrawal (WD-…), its checks as recorded evidence, its tier with the
//   approval slots and the policy version that chose them, the idempotency key stored before the
//   payout is sent (unique: one key is one payout at the provider), the provider's transaction id,
//   and the postings that held and then settled its funds.
// - `withdrawal_approvals`: one row per approver (primary key: a person approves a withdrawal once).
// - `fx_rates`: rates entered or imported with their source and time; never fetched.

import { sql, type Kysely } from 'kysely';
import type { Engine } from '../connect.js';

export function withdrawals(engine: Engine) {
  const bigint = engine === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('withdrawals')
        .addColumn('ref', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id'))
        .addColumn('legal_entity', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('amount', bigint, (c) => c.notNull().check(sql`amount > 0`))
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('base_amount', bigint)
        .addColumn('base_currency', 'text', (c) => c.notNull())
        .addColumn('fx_json', 'text')
        .addColumn('destination_json', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('requested', 'pending_approval', 'approved', 'submitted', 'paid', 'rejected', 'failed', 'on_hold', 'needs_assistance')`))
        .addColumn('status_reason', 'text')
        .addColumn('checks_json', 'text', (c) => c.notNull())
        .addColumn('flags_json', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('tier_json', 'text', (c) => c.notNull())
        .addColumn('policy_ref', 'text', (c) => c.notNull())
        .addColumn('risk_level', 'text')
        .addColumn('first_withdrawal', 'integer', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('idempotency_key', 'text', (c) => c.unique())
        .addColumn('provider_tx_id', 'text')
        .addColumn('failure_code', 'text')
        .addColumn('hold_posting', 'text', (c) => c.notNull())
        .addColumn('settle_posting', 'text')
        .addColumn('sla_due_at', 'text', (c) => c.notNull())
        .addColumn('submit_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('withdrawals_provider_tx', ['provider', 'provider_tx_id'])
        .execute();
      await db.schema.createIndex('withdrawals_queue').on('withdrawals').columns(['status', 'legal_entity', 'ref']).execute();
      // A queue over several entities: newest first within a status, the entities filtered on the way.
      await db.schema.createIndex('withdrawals_status_ref').on('withdrawals').columns(['status', 'ref']).execute();
      await db.schema.createIndex('withdrawals_entity').on('withdrawals').columns(['legal_entity', 'ref']).execute();
      await db.schema.createIndex('withdrawals_client').on('withdrawals').columns(['client_id', 'created_at']).execute();

      await db.schema
        .createTable('withdrawal_approvals')
        .addColumn('withdrawal_ref', 'text', (c) => c.notNull().references('withdrawals.ref'))
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('roles_json', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('despite_failed_checks', 'integer', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('withdrawal_approvals_once', ['withdrawal_ref', 'user_id'])
        .execute();

      await db.schema
        .createTable('fx_rates')
        .addColumn('id', engine === 'postgres' ? 'bigserial' : 'integer', (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('base', 'text', (c) => c.notNull())
        .addColumn('quote', 'text', (c) => c.notNull())
        .addColumn('rate', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('as_of', 'text', (c) => c.notNull())
        .addColumn('recorded_by', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('fx_rates_pair').on('fx_rates').columns(['base', 'quote', 'as_of']).execute();
    },
  };
}
