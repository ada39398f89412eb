// The back office's money on MT5 against MT5's deal history (MT5-WEBAPI §8.6, both directions):
// every operation the connector settled as done in the period must have exactly one deal on its
// login carrying its reference, with its action and amount; and every deal carrying a reference of
// ours (DEP-, WD-, INT-) must be the deal of an operation that is done. Per login and currency the
// two totals are shown side by side. Each difference is a payment exception with its evidence, in
// the exceptions queue payments built. Operations still in flight are the connector's to settle.

import { formatAmount, parseAmount } from '../../../shared/money.js';
import type { AuthContext } from '../../core/auth.js';
import type { Store } from '../../core/store.js';
import { openException } from '../payments/exceptions.js';
import type { PolicyReader } from '../policies/reader.js';
import type { Mt5Link } from '../../platform/link.js';

const OUR_REFERENCE = /^(DEP|WD|INT)-\d{6,}$/;
const DAY_S = 86_400;

export type Mt5MismatchKind = 'mt5_missing_deal' | 'mt5_duplicate_deal' | 'mt5_amount_differs' | 'mt5_unknown_deal';

export interface Mt5Mismatch {
  kind: Mt5MismatchKind;
  reference: string;
  login: number;
  currency: string;
  backOfficeAmount: string | null;
  mt5Amount: string | null;
  dealTickets: string[];
  exceptionRef: string;
}

interface RawDeal {
  Deal: string;
  Login: string;
  Action: string;
  Time: string;
  Profit: string;
  Comment: string;
}

function describe(m: Omit<Mt5Mismatch, 'exceptionRef'>): string {
  switch (m.kind) {
    case 'mt5_missing_deal':
      return `done in the back office (${m.backOfficeAmount} ${m.currency}) but no deal on MT5 login ${m.login} carries it`;
    case 'mt5_duplicate_deal':
      return `${m.dealTickets.length} deals on MT5 login ${m.login} carry it (${m.dealTickets.join(', ')}): applied more than once`;
    case 'mt5_amount_differs':
      return `the back office sent ${m.backOfficeAmount} ${m.currency}; deal ${m.dealTickets[0]} on MT5 holds ${m.mt5Amount}`;
    default:
      return `deal ${m.dealTickets.join(', ')} on MT5 login ${m.login} (${m.mt5Amount} ${m.currency}) carries a reference of ours that no settled operation made`;
  }
}

export class Mt5Reconciliation {
  constructor(
    private readonly store: Store,
    private readonly policies: PolicyReader,
    private readonly mt5: Mt5Link | null,
    private readonly offsetMinutes: number,
  ) {}

  async run(auth: AuthContext, input: { from: string; to: string }): Promise<{ compared: { operations: number; deals: number; logins: number }; totals: Array<{ login: number; currency: string; backOffice: string; mt5: string }>; mismatches: Mt5Mismatch[] } | { notCompared: string }> {
    if (!this.mt5) return { notCompared: 'MT5 is not configured on this server' };
    const scope = auth.scope('reconciliation.run');
    if (scope.length === 0) return { compared: { operations: 0, deals: 0, logins: 0 }, totals: [], mismatches: [] };
    const db = this.store.kysely;
    const ops = await db
      .selectFrom('platform_operations')
      .select(['id', 'reference', 'login', 'action', 'currency', 'deal_ticket', 'legal_entity', 'client_id', (eb) => eb.cast<string>('amount', 'text').as('amount_text')])
      .where('status', '=', 'done')
      .where('created_at', '>=', input.from)
      .where('created_at', '<', input.to)
      .where('legal_entity', 'in', scope)
      .execute();
    const accounts = await db.selectFrom('mt5_accounts').select(['login', 'client_id', 'legal_entity', 'currency']).where('legal_entity', 'in', scope).where('login', 'is not', null).execute();
    const owner = new Map(accounts.map((a) => [Number(a.login), a]));
    const logins = [...new Set([...ops.map((o) => Number(o.login)), ...accounts.map((a) => Number(a.login))])].sort((a, b) => a - b);
    const serverS = (iso: string) => Math.floor((Date.parse(iso) + this.offsetMinutes * 60_000) / 1000);
    const deals: RawDeal[] = [];
    for (let i = 0; i < logins.length; i += 500) {
      const part = logins.slice(i, i + 500);
      deals.push(...(await this.mt5.session.call<RawDeal[]>('/api/deal/get_batch', { login: part.join(','), from: serverS(input.from) - DAY_S, to: serverS(input.to) + DAY_S })));
    }
    const ours = deals.filter((d) => Number(d.Action) >= 2 && Number(d.Action) <= 6 && OUR_REFERENCE.test(d.Comment));
    const byKey = new Map<string, RawDeal[]>();
    for (const d of ours) byKey.set(`${d.Comment}|${Number(d.Login)}`, [...(byKey.get(`${d.Comment}|${Number(d.Login)}`) ?? []), d]);
    const amountOf = (profit: string, currency: string): bigint | null => {
      try {
        return parseAmount(profit, currency).minor;
      } catch {
        return null;
      }
    };

    const found: Array<Omit<Mt5Mismatch, 'exceptionRef'> & { legalEntity: string | null; clientId: string | null }> = [];
    const totals = new Map<string, { login: number; currency: string; backOffice: bigint; mt5: bigint }>();
    const total = (login: number, currency: string) => {
      const k = `${login}|${currency}`;
      if (!totals.has(k)) totals.set(k, { login, currency, backOffice: 0n, mt5: 0n });
      return totals.get(k)!;
    };
    for (const o of ops) {
      const login = Number(o.login);
      const amount = BigInt(o.amount_text);
      const mine = byKey.get(`${o.reference}|${login}`) ?? [];
      byKey.delete(`${o.reference}|${login}`);
      total(login, o.currency).backOffice += amount;
      for (const d of mine) total(login, o.currency).mt5 += amountOf(d.Profit, o.currency) ?? 0n;
      const common = { reference: o.reference, login, currency: o.currency, backOfficeAmount: formatAmount({ minor: amount, currency: o.currency }), legalEntity: o.legal_entity, clientId: o.client_id };
      if (mine.length === 0) found.push({ ...common, kind: 'mt5_missing_deal', mt5Amount: null, dealTickets: [] });
      else if (mine.length > 1) found.push({ ...common, kind: 'mt5_duplicate_deal', mt5Amount: mine.map((d) => d.Profit).join(' + '), dealTickets: mine.map((d) => String(d.Deal)) });
      else if (Number(mine[0]!.Action) !== o.action || amountOf(mine[0]!.Profit, o.currency) !== amount) found.push({ ...common, kind: 'mt5_amount_differs', mt5Amount: mine[0]!.Profit, dealTickets: [String(mine[0]!.Deal)] });
    }
    // Deals left carry a reference of ours with no operation done in the period: settled outside it (its own deal: fine), in flight (the connector's), or none at all.
    for (const [key, list] of byKey) {
      const [reference, loginText] = key.split('|') as [string, string];
      const login = Number(loginText);
      const op = await db.selectFrom('platform_operations').select(['status', 'deal_ticket', 'currency', 'legal_entity', 'client_id']).where('reference', '=', reference).where('login', '=', login).executeTakeFirst();
      if (op && (op.status === 'pending' || op.status === 'sending' || op.status === 'unclear')) continue;
      const strays = op?.status === 'done' ? list.filter((d) => String(d.Deal) !== op.deal_ticket) : list;
      if (strays.length === 0) continue;
      const who = owner.get(login);
      const currency = op?.currency ?? who?.currency ?? 'USD';
      const legalEntity = op?.legal_entity ?? who?.legal_entity ?? null;
      if (legalEntity !== null && !scope.includes(legalEntity)) continue;
      found.push({ kind: op?.status === 'done' ? 'mt5_duplicate_deal' : 'mt5_unknown_deal', reference, login, currency, backOfficeAmount: null, mt5Amount: strays.map((d) => d.Profit).join(' + '), dealTickets: strays.map((d) => String(d.Deal)), legalEntity, clientId: op?.client_id ?? who?.client_id ?? null });
    }

    const policy = await this.policies.require(db, 'payments.deposits');
    const mismatches: Mt5Mismatch[] = [];
    await this.store.mutate(auth.actor, async (m) => {
      for (const f of found) {
        const exceptionRef = await openException(m, { kind: f.kind, legalEntity: f.legalEntity, clientId: f.clientId, subjectRef: `${f.kind}:${f.reference}:${f.login}`, provider: null, summary: `${f.reference} on MT5 login ${f.login}: ${describe(f)}`, details: { ...f, period: { from: input.from, to: input.to } }, slaHours: policy.document.exceptionSlaHours });
        const { legalEntity: _e, clientId: _c, ...shown } = f;
        mismatches.push({ ...shown, exceptionRef });
      }
      m.audit({ action: 'reconciliation.mt5', targetType: 'reconciliation', targetId: 'mt5', after: { from: input.from, to: input.to, operations: ops.length, deals: ours.length, logins: logins.length, mismatches: mismatches.length } });
    });
    return {
      compared: { operations: ops.length, deals: ours.length, logins: logins.length },
      totals: [...totals.values()].map((t) => ({ login: t.login, currency: t.currency, backOffice: formatAmount({ minor: t.backOffice, currency: t.currency }), mt5: formatAmount({ minor: t.mt5, currency: t.currency }) })),
      mismatches,
    };
  }
}
