// MT5 operations that move money (issue 17): each recorded as an intent before it is sent, with the
// reference MT5 will carry in the deal comment (unique here, at most 31 characters as MT5 keeps),
// the login, deal action and signed amount in minor units; then claimed by one server at a time
// (a lease), sent, and settled as done (with MT5's deal ticket), failed (with MT5's retcode and
// message) or unclear (it may have applied: the next attempt looks in the deal history first).

import { sql, type Kysely } from 'kysely';
import type { Engine } from '../connect.js';

export function platformOperations(engine: Engine) {
  const bigint = engine === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('platform_operations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('reference', 'text', (c) => c.notNull().unique().check(sql`length(reference) between 1 and 31`))
        .addColumn('login', bigint, (c) => c.notNull())
        .addColumn('action', 'integer', (c) => c.notNull().check(sql`action between 2 and 6`))
        .addColumn('amount', bigint, (c) => c.notNull().check(sql`amount <> 0`))
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('legal_entity', 'text')
        .addColumn('client_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'sending', 'unclear', 'done', 'failed')`))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('claimed_by', 'text')
        .addColumn('claimed_until', 'text')
        .addColumn('sent_at', 'text')
        .addColumn('deal_ticket', 'text')
        .addColumn('retcode', 'integer')
        .addColumn('message', 'text')
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('platform_operations_due').on('platform_operations').columns(['status', 'next_attempt_at']).execute();
      await db.schema.createIndex('platform_operations_login').on('platform_operations').columns(['login', 'created_at']).execute();
    },
  };
}
