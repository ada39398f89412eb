// The double-entry ledger (module payments). Amounts are signed integers in minor units: a positive
// amount raises the account's balance, a negative one lowers it, and the entries of one posting sum
// to zero in each currency. Client accounts hold what the broker owes the client (available,
// pending, held); a provider's clearing account and the fees and FX accounts are their mirror, so
// a clearing account's balance is minus what the provider owes the broker.
//
// The database itself keeps the rules, whatever writes to it:
// - an entry is never changed or deleted, and is refused in an account of another currency;
// - a posting is written open, its entries added, then sealed; sealing is refused unless its
//   entries balance in every currency (two at least); a sealed posting takes no more entries and
//   never changes; postings are never deleted. A correction is a new posting naming the old one.
// - an account's balance moves only by the sealing of a posting (the service adds the entries to
//   the stored balances in the same transaction); `npm run ledger:verify` folds the entries again.

import { sql, type Kysely } from 'kysely';
import type { Engine } from '../connect.js';
import { appendOnly } from './0001_core.js';

export function ledger(engine: Engine) {
  const bigint = engine === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('ledger_accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('legal_entity', 'text', (c) => c.notNull())
        .addColumn('owner_type', 'text', (c) => c.notNull().check(sql`owner_type in ('client', 'provider', 'fees', 'fx')`))
        .addColumn('owner_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('available', 'pending', 'held', 'clearing', 'fees', 'fx')`))
        .addColumn('currency', 'text', (c) => c.notNull().check(sql`length(currency) = 3 and currency = upper(currency)`))
        .addColumn('balance', bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('ledger_accounts_owner', ['legal_entity', 'owner_type', 'owner_id', 'kind', 'currency'])
        .execute();
      await db.schema
        .createTable('ledger_postings')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('reference', 'text', (c) => c.notNull())
        .addColumn('memo', 'text', (c) => c.notNull())
        .addColumn('corrects', 'text', (c) => c.references('ledger_postings.id'))
        .addColumn('actor_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('sealed', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('ledger_postings_reference').on('ledger_postings').column('reference').execute();
      await db.schema
        .createTable('ledger_entries')
        .addColumn('id', engine === 'postgres' ? 'bigserial' : 'integer', (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('posting_id', 'text', (c) => c.notNull().references('ledger_postings.id'))
        .addColumn('account_id', 'text', (c) => c.notNull().references('ledger_accounts.id'))
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('amount', bigint, (c) => c.notNull().check(sql`amount <> 0`))
        .execute();
      await db.schema.createIndex('ledger_entries_posting').on('ledger_entries').column('posting_id').execute();
      await db.schema.createIndex('ledger_entries_account').on('ledger_entries').columns(['account_id', 'id']).execute();
      await appendOnly(db, engine, ['ledger_entries']);

      if (engine === 'postgres') {
        await sql`
          create function ledger_entry_check() returns trigger language plpgsql as $$
          begin
            if (select sealed from ledger_postings where id = new.posting_id) = 1 then
              raise exception 'ledger posting % is sealed: no more entries', new.posting_id using errcode = 'integrity_constraint_violation';
            end if;
            if (select currency from ledger_accounts where id = new.account_id) <> new.currency then
              raise exception 'ledger account % is not in %', new.account_id, new.currency using errcode = 'integrity_constraint_violation';
            end if;
            return new;
          end $$`.execute(db);
        await sql`create trigger ledger_entries_check before insert on ledger_entries for each row execute function ledger_entry_check()`.execute(db);
        await sql`
          create function ledger_posting_guard() returns trigger language plpgsql as $$
          begin
            if tg_op = 'DELETE' then
              raise exception 'ledger_postings are never deleted' using errcode = 'insufficient_privilege';
            end if;
            if old.sealed = 1 or new.sealed <> 1 or (new.id, new.kind, new.reference, new.memo, new.corrects, new.actor_id, new.created_at) is distinct from (old.id, old.kind, old.reference, old.memo, old.corrects, old.actor_id, old.created_at) then
              raise exception 'ledger posting %: only sealing an open posting is allowed', old.id using errcode = 'insufficient_privilege';
            end if;
            if (select count(*) from ledger_entries where posting_id = new.id) < 2
               or exists (select 1 from ledger_entries where posting_id = new.id group by currency having sum(amount) <> 0) then
              raise exception 'ledger posting % is unbalanced: its entries must sum to zero in each currency', new.id using errcode = 'check_violation';
            end if;
            return new;
          end $$`.execute(db);
        await sql`create trigger ledger_postings_guard before update or delete on ledger_postings for each row execute function ledger_posting_guard()`.execute(db);
        await sql`create trigger ledger_postings_no_truncate before truncate on ledger_postings for each statement execute function refuse_change()`.execute(db);
        return;
      }
      await sql`
        create trigger ledger_entries_check before insert on ledger_entries begin
          select raise(abort, 'ledger posting is sealed: no more entries') where (select sealed from ledger_postings where id = new.posting_id) = 1;
          select raise(abort, 'ledger account is in another currency') where (select currency from ledger_accounts where id = new.account_id) <> new.currency;
        end`.execute(db);
      await sql`create trigger ledger_postings_no_delete before delete on ledger_postings begin select raise(abort, 'ledger_postings are never deleted'); end`.execute(db);
      await sql`
        create trigger ledger_postings_seal before update on ledger_postings begin
          select raise(abort, 'ledger posting: only sealing an open posting is allowed')
            where old.sealed = 1 or new.sealed <> 1 or new.id is not old.id or new.kind is not old.kind or new.reference is not old.reference
              or new.memo is not old.memo or new.corrects is not old.corrects or new.actor_id is not old.actor_id or new.created_at is not old.created_at;
          select raise(abort, 'ledger posting is unbalanced: its entries must sum to zero in each currency')
            where (select count(*) from ledger_entries where posting_id = new.id) < 2
              or exists (select 1 from ledger_entries where posting_id = new.id group by currency having sum(amount) <> 0);
        end`.execute(db);
    },
  };
}
