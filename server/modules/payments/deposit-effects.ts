// What each provider event does to a deposit, inside the event's transaction (provider-events.ts
// takes the event, parks or settles it, and holds the business key): a payment credits the
// client's available balance from the provider's clearing account and flags a third-party payer;
// a failure tells the client and, repeated, sends the method to review; a refund or chargeback
// posts back against the deposit; a chargeback also opens an exception and alerts the MLRO.

import { formatAmount } from '../../../shared/money.js';
import { payerMatches, type PayerSubject } from '../../../shared/payments/payer.js';
import type { Mutation } from '../../core/store.js';
import { nextRef } from '../../db/counters.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';
import { raiseAlert } from '../alerts/service.js';
import { failureSubject, type DepositRow } from './deposits.js';
import { openException } from './exceptions.js';
import { post, type AccountKey, type PostingInput } from './ledger.js';
import type { AuditInput } from '../audit/log.js';
import type { EventRow, EventSteps, Outcome } from './event-steps.js';
import type { DepositsPolicy } from '../../../shared/policies/payments.js';
import type { ActivePolicy } from '../policies/reader.js';
import { failureOutcome, logFailure, MAX_FAILURE_WINDOW_HOURS, MAX_FAILURES_KEPT } from './deposit-decisions.js';

export class DepositEffects {
  /** Told of each credit inside its transaction: the platform records the MT5 balance operation (server/modules/platform/deposit-credits.ts). */
  onCredited: ((m: Mutation, deposit: DepositRow) => Promise<unknown>) | null = null;

  constructor(private readonly steps: EventSteps) {}

  async credit(m: Mutation, event: EventRow, deposit: DepositRow, slaHours: number): Promise<Outcome> {
    if (deposit.status === 'credited' || deposit.status === 'refunded' || deposit.status === 'charged_back') {
      if (deposit.provider_tx_id === event.provider_tx_id) return this.steps.settle(m, event, { status: 'duplicate', reason: `${deposit.ref} was credited already for this payment` });
      return this.steps.park(m, event, { reason: `${deposit.ref} was paid already by ${deposit.provider_tx_id ?? 'another payment'}`, exception: { kind: 'second_payment', summary: `A second payment (${event.provider_tx_id ?? 'no id'}) arrived for ${deposit.ref}, credited already from ${deposit.provider_tx_id ?? 'another payment'}` } });
    }
    const mismatch = this.mismatch(event, deposit);
    if (mismatch) return this.steps.park(m, event, { reason: mismatch, exception: { kind: 'amount_mismatch', summary: `${deposit.ref}: ${mismatch}` } });
    if (!event.provider_tx_id) return this.steps.park(m, event, { reason: 'the event names no provider transaction', exception: { kind: 'parked_event', summary: `${deposit.ref}: a payment without a provider transaction id` } });
    const taken = await m.trx.selectFrom('deposits').select('ref').where('provider', '=', event.provider).where('provider_tx_id', '=', event.provider_tx_id).where('ref', '<>', deposit.ref).executeTakeFirst();
    if (taken) return this.steps.park(m, event, { reason: `${event.provider} transaction ${event.provider_tx_id} belongs to ${taken.ref}`, exception: { kind: 'amount_mismatch', summary: `${deposit.ref}: the provider's transaction ${event.provider_tx_id} belongs to ${taken.ref} already` } });
    if (!(await this.steps.claim(m, event, deposit.ref))) return this.steps.settle(m, event, { status: 'duplicate', reason: 'the same payment took effect under another event id' });

    await post(m, creditPosting(event, deposit));
    const flags = readJson(JSON_COLUMNS.strings, deposit.flags_json, 'deposits.flags_json');
    const thirdParty = event.payer_name !== null && !(await this.payerIsClient(m, deposit.client_id, event.payer_name));
    if (thirdParty && !flags.includes('third_party_payer')) flags.push('third_party_payer');
    // Only while as read: another server crediting it meanwhile (another payment, another key) rolls this back, to be tried again.
    const updated = await m.trx
      .updateTable('deposits')
      .set({ status: 'credited', provider_tx_id: event.provider_tx_id, payer_name: event.payer_name, flags_json: JSON.stringify(flags), credited_at: m.now, updated_at: m.now, failure_code: null, platform_step: 'awaiting_connector' })
      .where('ref', '=', deposit.ref)
      .where('status', '=', deposit.status)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) throw new Error(`${deposit.ref} changed while its payment ${event.provider_tx_id} was being applied`);
    m.audit(creditedAudit(event, deposit, flags));
    m.changed('deposits', deposit.ref, deposit.legal_entity, 'update');
    await this.onCredited?.(m, deposit);
    if (thirdParty) {
      await openException(m, { kind: 'third_party_payer', legalEntity: deposit.legal_entity, clientId: deposit.client_id, subjectRef: deposit.ref, provider: deposit.provider, summary: `${deposit.ref} was paid by "${event.payer_name}", not by the client`, details: { deposit: deposit.ref, payerName: event.payer_name, providerTxId: event.provider_tx_id }, slaHours });
    }
    return this.steps.settle(m, event, { status: 'applied', subject: deposit.ref });
  }

  async fail(m: Mutation, event: EventRow, deposit: DepositRow, active: ActivePolicy<DepositsPolicy>): Promise<Outcome> {
    const policy = active.document;
    if (deposit.status !== 'initiated' && deposit.status !== 'pending' && deposit.status !== 'failed') {
      return this.steps.settle(m, event, { status: 'ignored', reason: `${deposit.ref} is ${deposit.status}; a failed attempt changes nothing` });
    }
    if (!(await this.steps.claim(m, event, deposit.ref))) return this.steps.settle(m, event, { status: 'duplicate', reason: 'the same failure took effect under another event id' });
    const code = event.failure_code ?? 'unspecified';
    await m.trx.updateTable('deposits').set({ status: 'failed', failure_code: code, updated_at: m.now }).where('ref', '=', deposit.ref).execute();
    m.audit({ action: 'deposit.failed', targetType: 'deposit', targetId: deposit.ref, clientId: deposit.client_id, legalEntity: deposit.legal_entity, before: { status: deposit.status }, after: { status: 'failed', failureCode: code, eventId: event.event_id }, caseRef: deposit.ref });
    m.changed('deposits', deposit.ref, deposit.legal_entity, 'update');
    // The client hears why, in words, with the provider's code for their bank.
    await m.trx
      .insertInto('notifications')
      .values({ id: await nextRef(m.trx, 'NTF'), client_id: deposit.client_id, legal_entity: deposit.legal_entity, kind: 'deposit_failed', channel: 'email', subject_ref: `${deposit.ref}:${event.event_id}`, days_before: null, due_date: null, title: `Your deposit ${deposit.ref} did not go through`, body: `Your ${deposit.method} payment of ${formatAmount({ minor: BigInt(deposit.amount_text), currency: deposit.currency })} ${deposit.currency} was declined by the payment provider (code ${code}). No money was taken.`, status: 'queued', created_at: m.now })
      .execute();
    // The client's failures with the method, latest first, as far back as any version of the policy counts.
    const failures = (
      await m.trx
        .selectFrom('deposits')
        .select('updated_at')
        .where('client_id', '=', deposit.client_id)
        .where('method', '=', deposit.method)
        .where('status', '=', 'failed')
        .where('updated_at', '>=', new Date(Date.parse(m.now) - MAX_FAILURE_WINDOW_HOURS * 3_600_000).toISOString())
        .orderBy('updated_at', 'desc')
        .limit(MAX_FAILURES_KEPT)
        .execute()
    ).map((r) => r.updated_at);
    const { outcome, counted } = failureOutcome(policy, m.now, failures);
    let exceptionRef: string | null = null;
    if (outcome !== 'failure recorded') {
      exceptionRef = await openException(m, {
        kind: 'repeated_failures',
        legalEntity: deposit.legal_entity,
        clientId: deposit.client_id,
        subjectRef: failureSubject(deposit.client_id, deposit.method),
        provider: deposit.provider,
        summary: `${counted} failed ${deposit.method} deposits by ${deposit.client_id} within ${policy.failureWindowHours} hours; new ${deposit.method} deposits wait for review`,
        details: { clientId: deposit.client_id, method: deposit.method, failures: counted, lastFailure: deposit.ref, failureCode: code },
        slaHours: policy.exceptionSlaHours,
      });
    }
    await logFailure(m, active, { ref: deposit.ref, clientId: deposit.client_id, legalEntity: deposit.legal_entity, method: deposit.method }, failures, exceptionRef);
    return this.steps.settle(m, event, { status: 'applied', subject: deposit.ref });
  }

  async refund(m: Mutation, event: EventRow, deposit: DepositRow): Promise<Outcome> {
    if (deposit.status !== 'credited' && deposit.status !== 'refunded') return this.steps.park(m, event, { reason: `${deposit.ref} is ${deposit.status}: a refund waits for the payment to be credited` });
    const total = BigInt(deposit.amount_text);
    const already = BigInt(deposit.refunded_text);
    const reported = BigInt(event.amount_text ?? '0');
    const amount = event.amount_is_total === 1 ? reported - already : reported;
    if (event.currency !== deposit.currency) return this.steps.park(m, event, { reason: `refund in ${event.currency}, deposit in ${deposit.currency}`, exception: { kind: 'amount_mismatch', summary: `${deposit.ref}: a refund in ${event.currency ?? 'no currency'} for a deposit in ${deposit.currency}` } });
    if (amount <= 0n) return this.steps.settle(m, event, { status: 'ignored', reason: `${deposit.ref} has ${formatAmount({ minor: already, currency: deposit.currency })} refunded already` });
    if (already + amount > total) return this.steps.park(m, event, { reason: `refunds would exceed the deposit`, exception: { kind: 'amount_mismatch', summary: `${deposit.ref}: refunds of ${formatAmount({ minor: already + amount, currency: deposit.currency })} would exceed the deposit of ${formatAmount({ minor: total, currency: deposit.currency })} ${deposit.currency}` } });
    if (!(await this.steps.claim(m, event, deposit.ref))) return this.steps.settle(m, event, { status: 'duplicate', reason: 'the same refund took effect under another event id' });
    const credit = await m.trx.selectFrom('ledger_postings').select('id').where('reference', '=', deposit.ref).where('kind', '=', 'deposit.credit').executeTakeFirst();
    await post(m, {
      kind: 'deposit.refund',
      reference: deposit.ref,
      memo: `Refund of ${formatAmount({ minor: amount, currency: deposit.currency })} ${deposit.currency} on deposit ${deposit.ref} (${event.provider} ${event.event_id})`,
      ...(credit ? { corrects: credit.id } : {}),
      lines: [
        { account: clientAccount(deposit, 'available'), amount: -amount },
        { account: clearing(deposit), amount },
      ],
    });
    const refunded = already + amount;
    const status = refunded === total ? 'refunded' : deposit.status;
    await m.trx.updateTable('deposits').set({ refunded: refunded.toString(), status, updated_at: m.now }).where('ref', '=', deposit.ref).execute();
    m.audit({ action: 'deposit.refunded', targetType: 'deposit', targetId: deposit.ref, clientId: deposit.client_id, legalEntity: deposit.legal_entity, before: { status: deposit.status, refunded: formatAmount({ minor: already, currency: deposit.currency }) }, after: { status, refunded: formatAmount({ minor: refunded, currency: deposit.currency }), eventId: event.event_id }, caseRef: deposit.ref });
    m.changed('deposits', deposit.ref, deposit.legal_entity, 'update');
    return this.steps.settle(m, event, { status: 'applied', subject: deposit.ref });
  }

  async chargeback(m: Mutation, event: EventRow, deposit: DepositRow, slaHours: number): Promise<Outcome> {
    if (deposit.status === 'charged_back') return this.steps.settle(m, event, { status: 'duplicate', reason: `${deposit.ref} is charged back already` });
    if (deposit.status !== 'credited' && deposit.status !== 'refunded') return this.steps.park(m, event, { reason: `${deposit.ref} is ${deposit.status}: a chargeback waits for the payment to be credited` });
    if (event.currency !== deposit.currency) return this.steps.park(m, event, { reason: `chargeback in ${event.currency}, deposit in ${deposit.currency}`, exception: { kind: 'amount_mismatch', summary: `${deposit.ref}: a chargeback in ${event.currency ?? 'no currency'} for a deposit in ${deposit.currency}` } });
    if (!(await this.steps.claim(m, event, deposit.ref))) return this.steps.settle(m, event, { status: 'duplicate', reason: 'the same chargeback took effect under another event id' });
    const amount = BigInt(event.amount_text ?? '0');
    await post(m, {
      kind: 'deposit.chargeback',
      reference: deposit.ref,
      memo: `Chargeback on deposit ${deposit.ref} (${event.provider} ${event.event_id}${event.failure_code ? `, reason ${event.failure_code}` : ''})`,
      lines: [
        { account: clientAccount(deposit, 'available'), amount: -amount },
        { account: clearing(deposit), amount },
      ],
    });
    await m.trx.updateTable('deposits').set({ status: 'charged_back', updated_at: m.now }).where('ref', '=', deposit.ref).execute();
    const shown = `${formatAmount({ minor: amount, currency: deposit.currency })} ${deposit.currency}`;
    m.audit({ action: 'deposit.charged_back', targetType: 'deposit', targetId: deposit.ref, clientId: deposit.client_id, legalEntity: deposit.legal_entity, before: { status: deposit.status }, after: { status: 'charged_back', amount: shown, reason: event.failure_code, eventId: event.event_id }, caseRef: deposit.ref });
    m.changed('deposits', deposit.ref, deposit.legal_entity, 'update');
    const exception = await openException(m, { kind: 'chargeback', legalEntity: deposit.legal_entity, clientId: deposit.client_id, subjectRef: deposit.ref, provider: deposit.provider, summary: `Chargeback of ${shown} on ${deposit.ref}${event.failure_code ? ` (${event.failure_code})` : ''}; the client's withdrawals are blocked until it is resolved`, details: { deposit: deposit.ref, amount: shown, reason: event.failure_code, eventId: event.event_id }, slaHours });
    await raiseAlert(m, { kind: 'chargeback', legalEntity: deposit.legal_entity, clientId: deposit.client_id, severity: 'high', forRole: 'mlro', summary: `Chargeback of ${shown} on ${deposit.ref}`, details: { deposit: deposit.ref, exception, reason: event.failure_code }, sourceRef: deposit.ref });
    return this.steps.settle(m, event, { status: 'applied', subject: deposit.ref });
  }

  private mismatch(event: EventRow, deposit: DepositRow): string | null {
    if (event.currency !== deposit.currency) return `currency ${event.currency ?? '(none)'} differs from the deposit's ${deposit.currency}`;
    if (event.amount_text !== deposit.amount_text) {
      const shown = (minor: string | null) => (minor === null ? '(none)' : formatAmount({ minor: BigInt(minor), currency: deposit.currency }));
      return `amount ${shown(event.amount_text)} ${deposit.currency} differs from the deposit's ${shown(deposit.amount_text)} ${deposit.currency}`;
    }
    return null;
  }

  private async payerIsClient(m: Mutation, clientId: string, payerName: string): Promise<boolean> {
    const c = await m.trx.selectFrom('clients').select(['type', 'first_name', 'last_name', 'company_name']).where('id', '=', clientId).executeTakeFirstOrThrow();
    return payerMatches(payerName, payerSubjectOf(c));
  }
}

/** The client as a payer's name is compared with: a company by its name, a person by theirs. */
export function payerSubjectOf(c: { type: string; first_name: string | null; last_name: string | null; company_name: string | null }): PayerSubject {
  return c.type === 'corporate' ? { type: 'corporate', companyName: c.company_name ?? '' } : { type: 'individual', firstName: c.first_name ?? '', lastName: c.last_name ?? '' };
}

/** A payment's credit: the client's available balance from the provider's clearing account. */
export function creditPosting(event: EventRow, deposit: DepositRow): PostingInput {
  const amount = BigInt(deposit.amount_text);
  return {
    kind: 'deposit.credit',
    reference: deposit.ref,
    memo: `Deposit ${deposit.ref} paid through ${deposit.provider} (${event.provider_tx_id})`,
    lines: [
      { account: clientAccount(deposit, 'available'), amount },
      { account: clearing(deposit), amount: -amount },
    ],
  };
}

/** The audit event of a deposit credited by a payment. */
export function creditedAudit(event: EventRow, deposit: DepositRow, flags: readonly string[]): AuditInput {
  return {
    action: 'deposit.credited',
    targetType: 'deposit',
    targetId: deposit.ref,
    clientId: deposit.client_id,
    legalEntity: deposit.legal_entity,
    before: { status: deposit.status },
    after: { status: 'credited', amount: formatAmount({ minor: BigInt(deposit.amount_text), currency: deposit.currency }), currency: deposit.currency, providerTxId: event.provider_tx_id, eventId: event.event_id, payerName: event.payer_name, flags, platformStep: 'awaiting_connector' },
    caseRef: deposit.ref,
  };
}

function clientAccount(d: Pick<DepositRow, 'legal_entity' | 'client_id' | 'currency'>, kind: 'available' | 'held' | 'pending'): AccountKey {
  return { legalEntity: d.legal_entity, ownerType: 'client', ownerId: d.client_id, kind, currency: d.currency };
}

function clearing(d: Pick<DepositRow, 'legal_entity' | 'provider' | 'currency'>): AccountKey {
  return { legalEntity: d.legal_entity, ownerType: 'provider', ownerId: d.provider, kind: 'clearing', currency: d.currency };
}
