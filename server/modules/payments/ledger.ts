// The double-entry ledger: accounts per owner, kind and currency; postings that balance in every
// currency, written once and sealed (the database refuses anything else, migration 0012); stored
// balances moved in the same transaction; and the fold that checks them (`npm run ledger:verify`).
// Amounts are bigint minor units in code, decimal strings of minor units in the database.

import { sql, type Kysely } from 'kysely';
import { nextValueBy, sequenceValues } from '../../db/counters.js';
import { POSTING_SEQUENCE } from '../../db/migrations/0020_posting_numbers.js';
import type { Database } from '../../db/schema.js';
import type { LedgerAccountTable } from '../../db/schema-payments.js';
import type { Mutation } from '../../core/store.js';

export type OwnerType = LedgerAccountTable['owner_type'];
export type AccountKind = LedgerAccountTable['kind'];

export interface AccountKey {
  legalEntity: string;
  ownerType: OwnerType;
  ownerId: string;
  kind: AccountKind;
  currency: string;
}

export interface PostingLine {
  account: AccountKey;
  /** Minor units; positive raises the account's balance. */
  amount: bigint;
}

export interface PostingInput {
  /** What the posting records: `deposit.credit`, `withdrawal.hold`, `correction`, … */
  kind: string;
  /** The business reference it belongs to (DEP-…, WDR-…). */
  reference: string;
  memo: string;
  /** The posting this one corrects (a correction never changes the old one). */
  corrects?: string;
  lines: PostingLine[];
}

export class LedgerError extends Error {
  override readonly name = 'LedgerError';
}

const CURRENCY = /^[A-Z]{3}$/;

/** The account's id: readable, and the same for the same owner, kind and currency. */
export function accountId(k: AccountKey): string {
  return `${k.legalEntity}:${k.ownerType}:${k.ownerId}:${k.kind}:${k.currency}`;
}

/** Refuses a posting that cannot stand, before anything is written, naming what is wrong. */
export function checkPosting(input: PostingInput): void {
  if (input.lines.length < 2) throw new LedgerError(`posting ${input.kind} ${input.reference}: needs two entries at least, has ${input.lines.length}`);
  const sums = new Map<string, bigint>();
  for (const [i, line] of input.lines.entries()) {
    if (!CURRENCY.test(line.account.currency)) throw new LedgerError(`posting ${input.kind} ${input.reference}: entry ${i + 1} has currency "${line.account.currency}", not an ISO 4217 code`);
    if (line.amount === 0n) throw new LedgerError(`posting ${input.kind} ${input.reference}: entry ${i + 1} (${accountId(line.account)}) is zero`);
    sums.set(line.account.currency, (sums.get(line.account.currency) ?? 0n) + line.amount);
  }
  for (const [currency, sum] of sums) {
    if (sum !== 0n) throw new LedgerError(`posting ${input.kind} ${input.reference}: unbalanced in ${currency} by ${sum} minor units`);
  }
}

/**
 * Writes balanced postings in the mutation's transaction: the postings open, all their entries, the
 * stored balances (an account is created by its first entry), then the seal (which the database
 * refuses for any posting that does not balance), and one audit event per posting. Answers their
 * ids in order. Several postings in one call share the statements: one insert of the postings, one
 * of the entries, one upsert per account touched, one seal.
 */
export async function postMany(m: Mutation, inputs: readonly PostingInput[]): Promise<string[]> {
  if (inputs.length === 0) return [];
  for (const input of inputs) checkPosting(input);
  const { trx, now } = m;
  // PostgreSQL: numbers from a sequence, so that concurrent postings do not queue on one counter row
  // until each commits (gaps where a transaction rolls back; decision 0029). SQLite: the gapless counter.
  const numbers = m.engine === 'postgres' ? await sequenceValues(trx, POSTING_SEQUENCE, inputs.length) : ((last) => inputs.map((_, i) => last - inputs.length + 1 + i))(await nextValueBy(trx, 'PST', inputs.length));
  const ids = numbers.map((n) => `PST-${String(n).padStart(6, '0')}`);
  await trx
    .insertInto('ledger_postings')
    .values(inputs.map((input, i) => ({ id: ids[i]!, kind: input.kind, reference: input.reference, memo: input.memo, corrects: input.corrects ?? null, actor_id: m.actor.id, created_at: now })))
    .execute();
  const moves = new Map<string, { key: AccountKey; amount: bigint }>();
  for (const input of inputs) {
    for (const line of input.lines) {
      const id = accountId(line.account);
      const move = moves.get(id) ?? { key: line.account, amount: 0n };
      move.amount += line.amount;
      moves.set(id, move);
    }
  }
  const sorted = [...moves].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // An entry must name an existing account: accounts seen for the first time are opened at zero
  // (an existing one is left alone and not locked), then the entries, then the seal.
  await trx
    .insertInto('ledger_accounts')
    .values(sorted.map(([id, { key }]) => ({ id, legal_entity: key.legalEntity, owner_type: key.ownerType, owner_id: key.ownerId, kind: key.kind, currency: key.currency, balance: '0', created_at: now })))
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  await trx
    .insertInto('ledger_entries')
    .values(inputs.flatMap((input, i) => input.lines.map((line) => ({ posting_id: ids[i]!, account_id: accountId(line.account), currency: line.account.currency, amount: line.amount.toString() }))))
    .execute();
  await trx.updateTable('ledger_postings').set({ sealed: 1 }).where('id', 'in', ids).execute();
  // The balances last: a hot account (a provider's clearing account) is held from its update to the
  // commit, so the less comes after it the more postings pass. In the order of their ids, so that
  // two transactions posting to the same accounts never wait on each other in a circle.
  for (const [id, { amount }] of sorted) {
    await trx.updateTable('ledger_accounts').set({ balance: sql<string>`balance + ${amount.toString()}` }).where('id', '=', id).execute();
  }
  for (const [i, input] of inputs.entries()) {
    const client = input.lines.find((l) => l.account.ownerType === 'client')?.account.ownerId;
    m.audit({ action: 'ledger.posted', targetType: 'ledger_posting', targetId: ids[i]!, ...(client ? { clientId: client } : {}), legalEntity: input.lines[0]!.account.legalEntity, after: { kind: input.kind, reference: input.reference, corrects: input.corrects ?? null, entries: input.lines.map((l) => ({ account: accountId(l.account), amount: l.amount.toString() })) } });
  }
  return ids;
}

/** Writes one balanced posting (see `postMany`); answers its id. */
export async function post(m: Mutation, input: PostingInput): Promise<string> {
  return (await postMany(m, [input]))[0]!;
}

/** A client's balances per currency: available, pending and held, in minor units. */
export async function clientBalances(db: Kysely<Database>, clientId: string): Promise<Array<{ currency: string; available: bigint; pending: bigint; held: bigint }>> {
  const rows = await db
    .selectFrom('ledger_accounts')
    .select(['currency', 'kind', sql<string>`cast(balance as text)`.as('balance')])
    .where('owner_type', '=', 'client')
    .where('owner_id', '=', clientId)
    .orderBy('currency')
    .execute();
  const out = new Map<string, { currency: string; available: bigint; pending: bigint; held: bigint }>();
  for (const r of rows) {
    const b = out.get(r.currency) ?? { currency: r.currency, available: 0n, pending: 0n, held: 0n };
    if (r.kind === 'available' || r.kind === 'pending' || r.kind === 'held') b[r.kind] += BigInt(r.balance);
    out.set(r.currency, b);
  }
  return [...out.values()];
}

export type LedgerVerification =
  | { ok: true; accounts: number; postings: number; entries: number }
  | { ok: false; accounts: number; postings: number; entries: number; problem: string; accountId?: string };

/**
 * Folds every entry of every sealed posting and compares the sums with the stored balances, and
 * the whole ledger with zero in each currency. Answers the first account that differs.
 */
export async function verifyLedger(db: Kysely<Database>): Promise<LedgerVerification> {
  const open = await db.selectFrom('ledger_postings').select('id').where('sealed', '=', 0).orderBy('id').executeTakeFirst();
  const counts = await db
    .selectNoFrom([
      sql<string>`(select cast(count(*) as text) from ledger_accounts)`.as('accounts'),
      sql<string>`(select cast(count(*) as text) from ledger_postings)`.as('postings'),
      sql<string>`(select cast(count(*) as text) from ledger_entries)`.as('entries'),
    ])
    .executeTakeFirstOrThrow();
  const tally = { accounts: Number(counts.accounts), postings: Number(counts.postings), entries: Number(counts.entries) };
  if (open) return { ok: false, ...tally, problem: `posting ${open.id} was never sealed (its entries are not part of any balance)` };

  const folded = new Map<string, bigint>();
  const perCurrency = new Map<string, bigint>();
  // In pages by id: the whole ledger never sits in memory at once.
  for (let after = 0; ; ) {
    const page = await db.selectFrom('ledger_entries').select(['id', 'account_id', 'currency', sql<string>`cast(amount as text)`.as('amount')]).where('id', '>', after).orderBy('id').limit(5000).execute();
    for (const e of page) {
      const amount = BigInt(e.amount);
      folded.set(e.account_id, (folded.get(e.account_id) ?? 0n) + amount);
      perCurrency.set(e.currency, (perCurrency.get(e.currency) ?? 0n) + amount);
    }
    if (page.length < 5000) break;
    after = Number(page[page.length - 1]!.id);
  }
  const accounts = await db.selectFrom('ledger_accounts').select(['id', 'currency', sql<string>`cast(balance as text)`.as('balance')]).orderBy('id').execute();
  for (const a of accounts) {
    const sum = folded.get(a.id) ?? 0n;
    if (sum !== BigInt(a.balance)) return { ok: false, ...tally, accountId: a.id, problem: `account ${a.id} stores ${a.balance} ${a.currency} minor units but its entries sum to ${sum}` };
  }
  for (const [currency, sum] of perCurrency) {
    if (sum !== 0n) return { ok: false, ...tally, problem: `the ledger does not balance in ${currency}: its entries sum to ${sum} minor units` };
  }
  return { ok: true, ...tally };
}
