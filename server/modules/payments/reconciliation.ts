// Reconciliation: the ledger against each provider's settlement reports. A report (CSV, columns
// `date,type,reference,provider_tx_id,amount,currency`) is imported whole or not at all; a run over
// a period compares every ledger posting that moved money with a provider (deposit credits, refunds,
// chargebacks, payouts, returned payouts) with the report's lines, matched by provider, type and the
// provider's transaction id. Each mismatch (missing on either side, amount differs, reported twice)
// becomes a payment exception with its evidence, once while it is open. Providers without a report
// for the period are named as not compared, never as clean.

import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { DomainError } from '../../../shared/errors.js';
import { formatAmount, parsePositiveAmount } from '../../../shared/money.js';
import type { AuthContext } from '../../core/auth.js';
import type { Store } from '../../core/store.js';
import { nextRef } from '../../db/counters.js';
import type { PspSettlementRowTable } from '../../db/schema-payments.js';
import type { PolicyReader } from '../policies/reader.js';
import { openException, type ExceptionKind } from './exceptions.js';

const COLUMNS = ['date', 'type', 'reference', 'provider_tx_id', 'amount', 'currency'] as const;
const TYPES = ['payment', 'refund', 'chargeback', 'payout', 'payout_return'] as const;
type SettlementType = PspSettlementRowTable['type'];

const POSTING_TYPES: Record<string, SettlementType> = {
  'deposit.credit': 'payment',
  'deposit.refund': 'refund',
  'deposit.chargeback': 'chargeback',
  'withdrawal.paid': 'payout',
  'withdrawal.returned': 'payout_return',
};

interface Line {
  provider: string;
  type: SettlementType;
  providerTxId: string;
  reference: string | null;
  amount: bigint;
  currency: string;
  at: string;
  legalEntity: string | null;
  clientId: string | null;
}

export interface Mismatch {
  kind: Extract<ExceptionKind, 'missing_in_ledger' | 'missing_at_provider' | 'amount_differs' | 'duplicate'>;
  provider: string;
  type: SettlementType;
  providerTxId: string;
  reference: string | null;
  currency: string;
  ledgerAmount: string | null;
  providerAmount: string | null;
  exceptionRef: string;
}

function isoOf(text: string, where: string): string {
  const t = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00.000Z` : text;
  const ms = Date.parse(t);
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(t) || Number.isNaN(ms)) throw new DomainError('VALIDATION_FAILED', `${where}, date: "${text}" is not a date (YYYY-MM-DD) or an ISO 8601 time`, { field: 'date' });
  return new Date(ms).toISOString();
}

export class Reconciliation {
  constructor(
    private readonly store: Store,
    private readonly policies: PolicyReader,
  ) {}

  async importSettlement(auth: AuthContext, input: { provider: string; fileName: string; contentBase64: string }): Promise<{ fileId: string; rows: number }> {
    const bytes = Buffer.from(input.contentBase64, 'base64');
    if (bytes.length === 0) throw new DomainError('VALIDATION_FAILED', `contentBase64: ${input.fileName} is empty`, { field: 'contentBase64' });
    let records: string[][];
    try {
      records = parse(bytes, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][];
    } catch (error) {
      throw new DomainError('VALIDATION_FAILED', `${input.fileName} is not a CSV file this server can read: ${(error as Error).message}`, { field: 'contentBase64' });
    }
    const header = records.shift()?.map((h) => h.toLowerCase());
    if (!header || header.join(',') !== COLUMNS.join(',')) throw new DomainError('VALIDATION_FAILED', `${input.fileName}: the first line must be the columns ${COLUMNS.join(',')}; it is ${header?.join(',') ?? '(nothing)'}`, { field: 'contentBase64' });
    if (records.length === 0) throw new DomainError('VALIDATION_FAILED', `${input.fileName} has the columns but no lines`, { field: 'contentBase64' });
    const rows = records.map((r, i) => {
      const where = `${input.fileName} line ${i + 2}`;
      const [date, type, reference, providerTxId, amount, currency] = r as [string, string, string, string, string, string];
      if (!(TYPES as readonly string[]).includes(type)) throw new DomainError('VALIDATION_FAILED', `${where}, type: "${type}" is not one of ${TYPES.join(', ')}`, { field: 'type' });
      if (providerTxId.length === 0) throw new DomainError('VALIDATION_FAILED', `${where}, provider_tx_id: empty`, { field: 'provider_tx_id' });
      let money;
      try {
        money = parsePositiveAmount(amount, currency);
      } catch (error) {
        throw new DomainError('VALIDATION_FAILED', `${where}, amount: ${(error as Error).message}`, { field: 'amount' });
      }
      return { line: i + 2, at: isoOf(date, where), type: type as SettlementType, reference: reference.length > 0 ? reference : null, providerTxId, money };
    });
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return this.store.mutate(auth.actor, async (m) => {
      const seen = await m.trx.selectFrom('psp_settlement_files').select('id').where('provider', '=', input.provider).where('sha256', '=', sha256).executeTakeFirst();
      if (seen) throw new DomainError('ALREADY_EXISTS', `This ${input.provider} report was imported already as ${seen.id}.`);
      const id = await nextRef(m.trx, 'STL');
      const times = rows.map((r) => r.at).sort();
      await m.trx.insertInto('psp_settlement_files').values({ id, provider: input.provider, file_name: input.fileName, sha256, rows: rows.length, first_at: times[0]!, last_at: times.at(-1)!, imported_by: auth.user.id, imported_at: m.now }).execute();
      for (let i = 0; i < rows.length; i += 500) {
        await m.trx
          .insertInto('psp_settlement_rows')
          .values(rows.slice(i, i + 500).map((r) => ({ file_id: id, line: r.line, provider: input.provider, at: r.at, type: r.type, reference: r.reference, provider_tx_id: r.providerTxId, amount: r.money.minor.toString(), currency: r.money.currency })))
          .execute();
      }
      m.audit({ action: 'reconciliation.settlement.imported', targetType: 'psp_settlement', targetId: id, after: { provider: input.provider, fileName: input.fileName, sha256, rows: rows.length, from: times[0], to: times.at(-1) } });
      return { fileId: id, rows: rows.length };
    });
  }

  private async ledgerLines(scope: string[], provider: string | undefined, from: string, to: string): Promise<Line[]> {
    const db = this.store.kysely;
    let q = db
      .selectFrom('ledger_postings as p')
      .innerJoin('ledger_entries as e', 'e.posting_id', 'p.id')
      .innerJoin('ledger_accounts as a', 'a.id', 'e.account_id')
      .leftJoin('deposits as d', 'd.ref', 'p.reference')
      .leftJoin('withdrawals as w', 'w.ref', 'p.reference')
      .select(['p.kind', 'p.reference', 'p.created_at', 'a.owner_id as provider', 'a.legal_entity', 'e.currency', sql<string>`cast(e.amount as text)`.as('amount'), 'd.provider_tx_id as dtx', 'w.provider_tx_id as wtx', 'd.client_id as dclient', 'w.client_id as wclient'])
      .where('a.owner_type', '=', 'provider')
      .where('p.kind', 'in', Object.keys(POSTING_TYPES))
      .where('p.created_at', '>=', from)
      .where('p.created_at', '<', to)
      .where('a.legal_entity', 'in', scope);
    if (provider) q = q.where('a.owner_id', '=', provider);
    const rows = await q.execute();
    return rows.map((r) => {
      const amount = BigInt(r.amount);
      return { provider: r.provider, type: POSTING_TYPES[r.kind]!, providerTxId: r.dtx ?? r.wtx ?? `(none: ${r.reference})`, reference: r.reference, amount: amount < 0n ? -amount : amount, currency: r.currency, at: r.created_at, legalEntity: r.legal_entity, clientId: r.dclient ?? r.wclient ?? null };
    });
  }

  async run(auth: AuthContext, input: { provider?: string | undefined; from: string; to: string }) {
    if (input.from >= input.to) throw new DomainError('VALIDATION_FAILED', `from (${input.from}) must be before to (${input.to})`, { field: 'from' });
    const scope = auth.scope('reconciliation.run');
    const ledger = await this.ledgerLines(scope, input.provider, input.from, input.to);
    let q = this.store.kysely.selectFrom('psp_settlement_rows').select(['provider', 'type', 'reference', 'provider_tx_id', sql<string>`cast(amount as text)`.as('amount'), 'currency', 'at']).where('at', '>=', input.from).where('at', '<', input.to);
    if (input.provider) q = q.where('provider', '=', input.provider);
    const reported = (await q.execute()).map((r) => ({ provider: r.provider, type: r.type, providerTxId: r.provider_tx_id, reference: r.reference, amount: BigInt(r.amount), currency: r.currency, at: r.at }));
    const covered = new Set(reported.map((r) => r.provider));
    const uncovered = [...new Set(ledger.map((l) => l.provider))].filter((p) => !covered.has(p)).sort();
    const key = (l: { provider: string; type: string; providerTxId: string }) => `${l.provider}|${l.type}|${l.providerTxId}`;
    const ledgerBy = new Map<string, Line[]>();
    for (const l of ledger) if (covered.has(l.provider)) ledgerBy.set(key(l), [...(ledgerBy.get(key(l)) ?? []), l]);
    const reportedBy = new Map<string, typeof reported>();
    for (const r of reported) reportedBy.set(key(r), [...(reportedBy.get(key(r)) ?? []), r]);

    const found: Array<Omit<Mismatch, 'exceptionRef'> & { legalEntity: string | null; clientId: string | null }> = [];
    const show = (minor: bigint | undefined, currency: string) => (minor === undefined ? null : formatAmount({ minor, currency }));
    for (const k of new Set([...ledgerBy.keys(), ...reportedBy.keys()])) {
      const ours = [...(ledgerBy.get(k) ?? [])];
      const theirs = [...(reportedBy.get(k) ?? [])];
      const base = ours[0] ?? theirs[0]!;
      const who = ours[0] ?? (await this.ownerOf(base.provider, base.providerTxId, base.reference));
      const common = { provider: base.provider, type: base.type, providerTxId: base.providerTxId, reference: ours[0]?.reference ?? theirs[0]?.reference ?? null, currency: base.currency, legalEntity: who?.legalEntity ?? null, clientId: who?.clientId ?? null };
      // Pair equal amounts first; what is left over on either side is the mismatch.
      for (const o of [...ours]) {
        const i = theirs.findIndex((t) => t.amount === o.amount && t.currency === o.currency);
        if (i >= 0) {
          theirs.splice(i, 1);
          ours.splice(ours.indexOf(o), 1);
        }
      }
      while (ours.length > 0 && theirs.length > 0) found.push({ ...common, kind: 'amount_differs', ledgerAmount: show(ours.shift()!.amount, base.currency), providerAmount: show(theirs.shift()!.amount, base.currency) });
      const matched = (ledgerBy.get(k)?.length ?? 0) > 0;
      for (const t of theirs) found.push({ ...common, kind: matched ? 'duplicate' : 'missing_in_ledger', ledgerAmount: null, providerAmount: show(t.amount, base.currency) });
      for (const o of ours) found.push({ ...common, kind: 'missing_at_provider', ledgerAmount: show(o.amount, base.currency), providerAmount: null });
    }
    // A line that names nothing we know in the caller's entities is theirs to see only where it is unowned.
    const visible = found.filter((f) => f.legalEntity === null || scope.includes(f.legalEntity));
    const policy = await this.policies.require(this.store.kysely, 'payments.deposits');
    const mismatches: Mismatch[] = [];
    await this.store.mutate(auth.actor, async (m) => {
      for (const f of visible) {
        const exceptionRef = await openException(m, { kind: f.kind, legalEntity: f.legalEntity, clientId: f.clientId, subjectRef: `${f.kind}:${f.provider}:${f.type}:${f.providerTxId}`, provider: f.provider, summary: `${f.provider} ${f.type} ${f.providerTxId}${f.reference ? ` (${f.reference})` : ''}: ${describe(f)}`, details: { ...f, period: { from: input.from, to: input.to } }, slaHours: policy.document.exceptionSlaHours });
        const { legalEntity: _e, clientId: _c, ...shown } = f;
        mismatches.push({ ...shown, exceptionRef });
      }
      m.audit({ action: 'reconciliation.run', targetType: 'reconciliation', targetId: input.provider ?? 'all providers', after: { from: input.from, to: input.to, ledgerLines: ledger.length, providerLines: reported.length, mismatches: mismatches.length, notCompared: uncovered } });
    });
    return { from: input.from, to: input.to, compared: { ledger: ledger.length, provider: reported.length }, notCompared: uncovered, mismatches };
  }

  private async ownerOf(provider: string, providerTxId: string, reference: string | null): Promise<{ legalEntity: string; clientId: string } | null> {
    const db = this.store.kysely;
    for (const table of ['deposits', 'withdrawals'] as const) {
      const row = await db
        .selectFrom(table)
        .select(['legal_entity', 'client_id'])
        .where('provider', '=', provider)
        .where((eb) => eb.or([eb('provider_tx_id', '=', providerTxId), ...(reference ? [eb('ref', '=', reference)] : [])]))
        .executeTakeFirst();
      if (row) return { legalEntity: row.legal_entity, clientId: row.client_id };
    }
    return null;
  }
}

function describe(f: { kind: string; ledgerAmount: string | null; providerAmount: string | null; currency: string }): string {
  switch (f.kind) {
    case 'missing_in_ledger':
      return `reported by the provider (${f.providerAmount} ${f.currency}), not in the ledger`;
    case 'missing_at_provider':
      return `in the ledger (${f.ledgerAmount} ${f.currency}), not in the provider's report`;
    case 'amount_differs':
      return `the ledger has ${f.ledgerAmount} ${f.currency}, the provider ${f.providerAmount} ${f.currency}`;
    default:
      return `reported more than once (${f.providerAmount} ${f.currency})`;
  }
}
