// Human case references with a prefix and a gapless sequence (APR-000123), short enough for an MT5
// deal comment. The counter row is updated in the caller's transaction, so a rolled-back mutation
// does not use up a number, and two servers on one PostgreSQL never hand out the same one.

import { sql, type Transaction } from 'kysely';
import type { Database } from './schema.js';

export function nextValue(trx: Transaction<Database>, name: string): Promise<number> {
  return nextValueBy(trx, name, 1);
}

/** Takes `count` numbers at once; answers the last (the first is `last - count + 1`). */
export async function nextValueBy(trx: Transaction<Database>, name: string, count: number): Promise<number> {
  const row = await trx
    .insertInto('counters')
    .values({ name, value: count })
    .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ value: eb('counters.value', '+', count) })))
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(row.value);
}

/**
 * `count` numbers from a PostgreSQL sequence, ascending: taken without a lock held to commit (many
 * writers at once), at the cost of gaps where a transaction that took numbers rolls back.
 */
export async function sequenceValues(trx: Transaction<Database>, sequence: string, count: number): Promise<number[]> {
  const { rows } = await sql<{ v: string | number }>`select nextval(${sequence}) as v from generate_series(1, ${count})`.execute(trx);
  return rows.map((r) => Number(r.v)).sort((a, b) => a - b);
}

export async function nextRef(trx: Transaction<Database>, prefix: string): Promise<string> {
  return `${prefix}-${String(await nextValue(trx, prefix)).padStart(6, '0')}`;
}
