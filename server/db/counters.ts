// Human case references with a prefix and a gapless sequence (APR-000123), short enough for an MT5
// deal comment. The counter row is updated in the caller's transaction, so a rolled-back mutation
// does not use up a number, and two servers on one PostgreSQL never hand out the same one.

import type { Transaction } from 'kysely';
import type { Database } from './schema.js';

export async function nextValue(trx: Transaction<Database>, name: string): Promise<number> {
  const updated = await trx
    .updateTable('counters')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('name', '=', name)
    .returning('value')
    .executeTakeFirst();
  if (updated) return Number(updated.value);
  await trx.insertInto('counters').values({ name, value: 1 }).onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ value: eb('counters.value', '+', 1) }))).execute();
  const row = await trx.selectFrom('counters').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return Number(row.value);
}

export async function nextRef(trx: Transaction<Database>, prefix: string): Promise<string> {
  return `${prefix}-${String(await nextValue(trx, prefix)).padStart(6, '0')}`;
}
