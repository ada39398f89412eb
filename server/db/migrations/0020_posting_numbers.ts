// Posting numbers on PostgreSQL from a sequence (issue 16, decision 0029): the gapless counter row
// made every posting transaction wait for the one before it to commit. The sequence starts after the
// last number the counter gave; and an entry's account is checked at commit. SQLite has one writer
// and keeps the gapless counter.

import { sql, type Kysely } from 'kysely';
import type { Engine } from '../connect.js';

export const POSTING_SEQUENCE = 'ledger_posting_numbers';

export function postingNumbers(engine: Engine) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (engine !== 'postgres') return;
      await sql`create sequence ${sql.id(POSTING_SEQUENCE)} as bigint minvalue 1`.execute(db);
      await sql`select setval(${POSTING_SEQUENCE}, coalesce((select value from counters where name = 'PST'), 0) + 1, false)`.execute(db);
      // An entry's account is checked at commit, not at insert: the check's share lock on a hot
      // account (a provider's clearing account) is then taken by the transaction that already holds
      // the row for its balance update, instead of by every concurrent writer at once.
      await sql`
        do $$ declare c text; begin
          select conname into c from pg_constraint
           where conrelid = 'ledger_entries'::regclass and contype = 'f'
             and conkey = array[(select attnum from pg_attribute where attrelid = 'ledger_entries'::regclass and attname = 'account_id')];
          execute format('alter table ledger_entries alter constraint %I deferrable initially deferred', c);
        end $$`.execute(db);
    },
  };
}
