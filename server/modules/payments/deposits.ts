// Deposits (DEP-…): created by the client portal (`portal.initiateDeposit`), then moved only by the
// payment provider's events (provider-events.ts), and listed for finance (`deposits.list`).

import { sql } from 'kysely';
import { capabilities } from '../../../shared/clients/lifecycle.js';
import { DomainError } from '../../../shared/errors.js';
import { formatAmount, parsePositiveAmount, type Money } from '../../../shared/money.js';
import { listScope, requireEntity, type AuthContext } from '../../core/auth.js';
import type { Actor } from '../../core/actor.js';
import type { Mutation, Store } from '../../core/store.js';
import { nextRef } from '../../db/counters.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';
import type { DepositTable } from '../../db/schema-payments.js';
import type { PolicyReader } from '../policies/reader.js';
import { restrictionsOf } from '../clients/restrictions.js';
import { logPendingKycDeposit } from './deposit-decisions.js';
import type { Selectable } from 'kysely';
import type { CacheRow } from '../../../shared/desktop/views.js';
import { CLIENT_COLUMNS, paymentRow } from './cache-rows.js';

export const DEPOSIT_STATUSES = ['initiated', 'pending', 'credited', 'failed', 'refunded', 'charged_back'] as const;
export type DepositStatus = (typeof DEPOSIT_STATUSES)[number];
export type DepositRow = Selectable<DepositTable> & { amount_text: string; refunded_text: string };

export interface InitiateDeposit {
  clientId: string;
  amount: string;
  currency: string;
  method: string;
  provider: string;
}

/** A deposit as the wire shows it: amounts as decimal strings beside the currency. */
export function depositView(r: DepositRow) {
  const money = (minor: string): string => formatAmount({ minor: BigInt(minor), currency: r.currency });
  return {
    ref: r.ref,
    clientId: r.client_id,
    legalEntity: r.legal_entity,
    provider: r.provider,
    method: r.method,
    amount: money(r.amount_text),
    currency: r.currency,
    refunded: money(r.refunded_text),
    status: r.status,
    providerReference: r.provider_reference,
    providerTxId: r.provider_tx_id,
    failureCode: r.failure_code,
    payerName: r.payer_name,
    flags: readJson(JSON_COLUMNS.strings, r.flags_json, 'deposits.flags_json'),
    platformStep: r.platform_step,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    creditedAt: r.credited_at,
  };
}

/** A deposit as the desktop cache holds it (`_json`): the wire view with the client's name and flags. */
export type DepositRecord = ReturnType<typeof depositView> & { clientName: string; clientFlags: string };

export function depositColumns() {
  return [sql<string>`cast(amount as text)`.as('amount_text'), sql<string>`cast(refunded as text)`.as('refunded_text')] as const;
}

export class DepositsService {
  /** Called after a deposit is created, with its reference: events that arrived first are applied now. */
  onCreated: ((ref: string) => Promise<void>) | null = null;
  /** Told when applying a new deposit's early events failed there (the sweep applies them later): the server logs it. */
  onCreatedFailed: ((ref: string, error: unknown) => void) | null = null;

  constructor(
    private readonly store: Store,
    private readonly policies: PolicyReader,
    /** The providers whose events the server can verify: a deposit with any other could never be credited. */
    private readonly providers: () => ReadonlySet<string>,
  ) {}

  async initiate(actor: Actor, input: InitiateDeposit): Promise<{ depositRef: string; providerReference: string }> {
    let money: Money;
    try {
      money = parsePositiveAmount(input.amount, input.currency);
    } catch (error) {
      throw new DomainError('VALIDATION_FAILED', `amount: ${(error as Error).message}`, { field: 'amount' });
    }
    if (!this.providers().has(input.provider)) {
      throw new DomainError('VALIDATION_FAILED', `provider: "${input.provider}" is not a payment provider this server takes events from (configured: ${[...this.providers()].sort().join(', ') || 'none'})`, { field: 'provider' });
    }
    // A refusal by the deposits policy (KYC pending review) is an automated decision: logged after the refused transaction.
    let refusedWhilePending: (() => Promise<void>) | null = null;
    const result = await this.store.mutate(actor, async (m) => {
      const client = await m.trx.selectFrom('clients').select(['id', 'legal_entity', 'status', 'restrictions_json']).where('id', '=', input.clientId).executeTakeFirst();
      if (!client) throw new DomainError('NOT_FOUND', `Client ${input.clientId} does not exist.`);
      const policy = await this.policies.require(m.trx, 'payments.deposits');
      const can = capabilities(client.status, { restrictions: restrictionsOf(client), depositWhilePendingReview: policy.document.depositWhilePendingReview.includes(client.legal_entity) });
      const pendingKyc = client.status === 'pending_review' && restrictionsOf(client).length === 0;
      if (!can.deposit) {
        if (pendingKyc) {
          refusedWhilePending = () =>
            this.store.mutate(actor, async (log) => {
              await logPendingKycDeposit(log, policy, { clientId: client.id, legalEntity: client.legal_entity, subject: client.id });
              log.audit({ action: 'deposit.refused', targetType: 'client', targetId: client.id, clientId: client.id, legalEntity: client.legal_entity, after: { amount: input.amount, currency: money.currency, method: input.method, provider: input.provider }, reason: `KYC is pending review and ${client.legal_entity} does not let clients deposit before it is approved`, policyRef: policy.ref });
            });
        }
        const reason = client.status === 'restricted' || client.status === 'closed' || client.status === 'approved' ? 'CLIENT_RESTRICTED' : 'KYC_INCOMPLETE';
        throw new DomainError(reason, `Client ${client.id} may not deposit: status ${client.status}${restrictionsOf(client).length > 0 ? `, restricted (${restrictionsOf(client).join(', ')})` : ''}.`);
      }
      const review = await m.trx
        .selectFrom('payment_exceptions')
        .select('ref')
        .where('kind', '=', 'repeated_failures')
        .where('status', '=', 'open')
        .where('subject_ref', '=', failureSubject(client.id, input.method))
        .executeTakeFirst();
      if (review) throw new DomainError('PAYMENTS_UNDER_REVIEW', `Client ${client.id}'s ${input.method} payments failed repeatedly and are under review (${review.ref}); a person in finance must resolve it first.`, { exceptionRef: review.ref });
      const ref = await nextRef(m.trx, 'DEP');
      // The reference the portal gives the provider (Stripe metadata.depositRef, Adyen
      // merchantReference, the generic format's data.reference): events come back with it.
      const providerReference = ref;
      await m.trx
        .insertInto('deposits')
        .values({ ref, client_id: client.id, legal_entity: client.legal_entity, provider: input.provider, method: input.method, amount: money.minor.toString(), currency: money.currency, provider_reference: providerReference, provider_tx_id: null, status: 'initiated', failure_code: null, payer_name: null, platform_step: null, created_at: m.now, updated_at: m.now, credited_at: null, last_polled_at: null })
        .execute();
      if (pendingKyc) await logPendingKycDeposit(m, policy, { clientId: client.id, legalEntity: client.legal_entity, subject: ref });
      m.audit({ action: 'deposit.initiated', targetType: 'deposit', targetId: ref, clientId: client.id, legalEntity: client.legal_entity, after: { amount: input.amount, currency: money.currency, method: input.method, provider: input.provider, providerReference } });
      m.changed('deposits', ref, client.legal_entity, 'insert');
      return { depositRef: ref, providerReference };
    }).catch(async (error: unknown) => {
      await refusedWhilePending?.();
      throw error;
    });
    // The deposit exists once committed: events that came first and cannot be applied now (another
    // server applying them at the same moment) are left to the sweep, and the portal still gets its
    // reference; answering an error here would invite a second deposit.
    await this.onCreated?.(result.depositRef).catch((error: unknown) => this.onCreatedFailed?.(result.depositRef, error));
    return result;
  }

  async list(auth: AuthContext, filter: { status?: DepositStatus | undefined; clientId?: string | undefined; legalEntity?: string | undefined; cursor?: string | undefined; limit: number }) {
    const scope = listScope(auth, 'deposits.read', filter.legalEntity || undefined);
    if (scope.length === 0) return { items: [], nextCursor: null };
    let q = this.store.kysely
      .selectFrom('deposits')
      .selectAll()
      .select(depositColumns())
      .where('legal_entity', 'in', scope)
      .orderBy('ref', 'desc')
      .limit(filter.limit + 1);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.clientId) q = q.where('client_id', '=', filter.clientId);
    if (filter.cursor) q = q.where('ref', '<', filter.cursor);
    const rows = await q.execute();
    const items = rows.slice(0, filter.limit).map(depositView);
    return { items, nextCursor: rows.length > filter.limit ? items.at(-1)!.ref : null };
  }

  /** The desktop cache's rows (sync.pull): the list's columns, and the pane's record in `_json`. */
  async byIds(refs: string[]): Promise<CacheRow[]> {
    const rows = await this.store.kysely
      .selectFrom('deposits as d')
      .innerJoin('clients as c', 'c.id', 'd.client_id')
      .selectAll('d')
      .select([sql<string>`cast(d.amount as text)`.as('amount_text'), sql<string>`cast(d.refunded as text)`.as('refunded_text'), ...CLIENT_COLUMNS])
      .where('d.ref', 'in', refs)
      .execute();
    return rows.map((r) => {
      const v = depositView(r);
      const base = paymentRow(v, r);
      return {
        ...base,
        provider: v.provider,
        method: v.method,
        paymentFlags: v.flags.join(', '),
        platformStep: v.platformStep,
        failureCode: v.failureCode,
        providerTxId: v.providerTxId,
        createdAt: v.createdAt,
        creditedAt: v.creditedAt,
        _json: JSON.stringify({ ...v, clientName: r.client_name, clientFlags: base.flags } satisfies DepositRecord),
      };
    });
  }

  async get(auth: AuthContext, ref: string) {
    const row = await this.store.kysely.selectFrom('deposits').selectAll().select(depositColumns()).where('ref', '=', ref).executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', `Deposit ${ref} does not exist.`);
    requireEntity(auth, 'deposits.read', row.legal_entity);
    const events = await this.store.kysely
      .selectFrom('psp_events')
      .select(['id', 'provider', 'event_id', 'kind', 'status', 'status_reason', 'received_at', 'applied_at', sql<string | null>`cast(amount as text)`.as('amount'), 'currency', 'failure_code'])
      .where((eb) => eb.or([eb('subject_ref', '=', ref), eb('reference', '=', ref)]))
      .orderBy('id')
      .execute();
    return {
      ...depositView(row),
      events: events.map((e) => ({ eventId: e.event_id, provider: e.provider, kind: e.kind, status: e.status, reason: e.status_reason, receivedAt: e.received_at, appliedAt: e.applied_at, amount: e.amount && e.currency ? formatAmount({ minor: BigInt(e.amount), currency: e.currency }) : null, currency: e.currency, failureCode: e.failure_code })),
    };
  }
}

/** The subject under which one client's failures with one payment method are reviewed. */
export function failureSubject(clientId: string, method: string): string {
  return `${clientId}:${method}`;
}

/** Loads a deposit for an event, in the event's transaction. */
export async function depositFor(m: Mutation, by: { ref?: string | null; provider: string; providerTxId?: string | null }): Promise<DepositRow | undefined> {
  let q = m.trx.selectFrom('deposits').selectAll().select(depositColumns());
  if (by.ref && by.ref.startsWith('DEP-')) q = q.where('ref', '=', by.ref);
  else if (by.providerTxId) q = q.where('provider', '=', by.provider).where('provider_tx_id', '=', by.providerTxId);
  else return undefined;
  return q.executeTakeFirst();
}
