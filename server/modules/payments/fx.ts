// FX rates: entered by finance or imported from a file, each with its source and time, never
// fetched from the network. A conversion uses the latest rate in force at its time and records it.

import { DomainError } from '../../../shared/errors.js';
import { convert, isCurrency, type Money } from '../../../shared/money.js';
import type { Actor } from '../../core/actor.js';
import type { Store } from '../../core/store.js';
import type { Reader } from '../policies/reader.js';

export interface RateUsed {
  from: string;
  to: string;
  rate: string;
  source: string;
  asOf: string;
}

const RATE = /^\d{1,12}(\.\d{1,12})?$/;

/** The amount in `to` at the latest rate in force at `at` (direct, or the inverse pair), with the rate; null without one. */
export async function convertAt(db: Reader, money: Money, to: string, at: string): Promise<{ money: Money; rate: RateUsed | null } | null> {
  if (money.currency === to) return { money, rate: null };
  const row = await db
    .selectFrom('fx_rates')
    .select(['base', 'quote', 'rate', 'source', 'as_of'])
    .where((eb) => eb.or([eb.and([eb('base', '=', money.currency), eb('quote', '=', to)]), eb.and([eb('base', '=', to), eb('quote', '=', money.currency)])]))
    .where('as_of', '<=', at)
    .orderBy('as_of', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  const direct = row.base === money.currency;
  const rate = direct ? row.rate : invert(row.rate);
  return { money: convert(money, to, rate), rate: { from: money.currency, to, rate, source: row.source, asOf: row.as_of } };
}

/** 1 / rate to twelve decimals, in integers. */
function invert(rate: string): string {
  const [whole, fraction = ''] = rate.split('.');
  const scaled = BigInt(whole! + fraction);
  const q = (10n ** BigInt(fraction.length + 12) * 2n + scaled) / (scaled * 2n);
  const text = q.toString().padStart(13, '0');
  return `${text.slice(0, -12)}.${text.slice(-12)}`.replace(/\.?0+$/, '');
}

export class FxRates {
  constructor(private readonly store: Store) {}

  async record(actor: Actor, input: { base: string; quote: string; rate: string; source: string; asOf: string }): Promise<{ id: number }> {
    for (const [field, code] of [['base', input.base], ['quote', input.quote]] as const) {
      if (!isCurrency(code)) throw new DomainError('VALIDATION_FAILED', `${field}: "${code}" is not an ISO 4217 currency`, { field });
    }
    if (input.base === input.quote) throw new DomainError('VALIDATION_FAILED', 'quote: must differ from base', { field: 'quote' });
    if (!RATE.test(input.rate) || /^0*(\.0*)?$/.test(input.rate)) throw new DomainError('VALIDATION_FAILED', `rate: "${input.rate}" is not a positive decimal number`, { field: 'rate' });
    return this.store.mutate(actor, async (m) => {
      const row = await m.trx.insertInto('fx_rates').values({ base: input.base, quote: input.quote, rate: input.rate, source: input.source, as_of: input.asOf, recorded_by: actor.id, recorded_at: m.now }).returning('id').executeTakeFirstOrThrow();
      m.audit({ action: 'fx.rate.recorded', targetType: 'fx_rate', targetId: `${input.base}/${input.quote}`, after: { rate: input.rate, source: input.source, asOf: input.asOf } });
      m.changed('fx_rates', String(row.id), null, 'insert');
      return { id: Number(row.id) };
    });
  }

  async list(): Promise<{ items: Array<{ base: string; quote: string; rate: string; source: string; asOf: string; recordedBy: string; recordedAt: string }> }> {
    const rows = await this.store.kysely.selectFrom('fx_rates').selectAll().orderBy('as_of', 'desc').orderBy('id', 'desc').limit(500).execute();
    return { items: rows.map((r) => ({ base: r.base, quote: r.quote, rate: r.rate, source: r.source, asOf: r.as_of, recordedBy: r.recorded_by, recordedAt: r.recorded_at })) };
  }
}
