// What a provider's payout event does to a withdrawal, inside the event's transaction: `payout.paid`
// pays out the held funds, `payout.failed` returns them (or, after a payout that was paid, books the
// money coming back). Either is applied once under its business key; a payout reported paid after
// the funds were returned is handed to a person.

import type { Mutation } from '../../core/store.js';
import type { PolicyReader } from '../policies/reader.js';
import type { EventRow, EventSteps, Outcome } from './event-steps.js';
import { post } from './ledger.js';
import { withdrawalFor } from './withdrawal-rows.js';
import { clearingOf, clientAccount, releaseHold, settlePaid } from './withdrawals.js';

export class WithdrawalEffects {
  constructor(
    private readonly steps: EventSteps,
    private readonly policies: PolicyReader,
    private readonly lock: boolean,
  ) {}

  async apply(m: Mutation, event: EventRow): Promise<Outcome> {
    const w = await withdrawalFor(m.trx, { ref: event.reference, provider: event.provider, providerTxId: event.provider_tx_id }, this.lock);
    if (!w) return this.steps.park(m, event, { reason: event.reference ? `no withdrawal ${event.reference} yet` : `no withdrawal with ${event.provider} transaction ${event.provider_tx_id ?? '(none)'}` });
    if (w.provider !== event.provider || (event.currency !== null && event.currency !== w.currency) || (event.amount_text !== null && event.amount_text !== w.amount_text)) {
      return this.steps.park(m, event, { reason: `the event disagrees with ${w.ref} (provider, amount or currency)`, exception: { kind: 'amount_mismatch', summary: `${event.provider} reported a payout for ${w.ref} that disagrees with it (provider, amount or currency)` } });
    }
    const open = w.status === 'approved' || w.status === 'submitted' || w.status === 'needs_assistance';
    if (event.kind === 'payout.paid') {
      if (w.status === 'paid') return this.steps.settle(m, event, { status: 'duplicate', reason: `${w.ref} is paid already` });
      if (!open) {
        const policy = await this.policies.require(m.trx, 'payments.deposits');
        return this.steps.park(m, event, { reason: `${w.ref} is ${w.status}: its funds were returned`, exception: { kind: 'paid_after_release', summary: `${event.provider} reports ${w.ref} paid, but it is ${w.status} and its funds were returned to the client (SLA ${policy.document.exceptionSlaHours} h)` } });
      }
      if (!(await this.steps.claim(m, event, w.ref))) return this.steps.settle(m, event, { status: 'duplicate', reason: 'the same payout took effect under another event id' });
      await settlePaid(m, w, { providerTxId: event.provider_tx_id, reason: `${event.provider} reports the payout paid`, eventId: event.event_id });
      return this.steps.settle(m, event, { status: 'applied', subject: w.ref });
    }
    // payout.failed
    if (w.status === 'failed' || w.status === 'rejected') return this.steps.settle(m, event, { status: 'duplicate', reason: `${w.ref} is ${w.status} already` });
    if (w.status === 'pending_approval' || w.status === 'on_hold') return this.steps.park(m, event, { reason: `${w.ref} was never sent (${w.status})`, exception: { kind: 'amount_mismatch', summary: `${event.provider} reports a failed payout for ${w.ref}, which was never sent` } });
    if (!(await this.steps.claim(m, event, w.ref))) return this.steps.settle(m, event, { status: 'duplicate', reason: 'the same failure took effect under another event id' });
    if (w.status === 'paid') {
      // The payout came back (returned by the bank): the money is the client's again.
      const amount = BigInt(w.amount_text);
      const posting = await post(m, { kind: 'withdrawal.returned', reference: w.ref, memo: `Payout of ${w.ref} returned by ${w.provider}`, corrects: w.settle_posting ?? undefined, lines: [{ account: clearingOf(w), amount: -amount }, { account: clientAccount(w, 'available'), amount }] });
      await m.trx.updateTable('withdrawals').set({ status: 'failed', failure_code: event.failure_code ?? 'returned', status_reason: `${event.provider} returned the payout`, updated_at: m.now }).where('ref', '=', w.ref).execute();
      m.audit({ action: 'withdrawal.returned', targetType: 'withdrawal', targetId: w.ref, clientId: w.client_id, legalEntity: w.legal_entity, before: { status: 'paid' }, after: { status: 'failed', posting, failureCode: event.failure_code }, caseRef: w.ref });
      m.changed('withdrawals', w.ref, w.legal_entity, 'update');
      return this.steps.settle(m, event, { status: 'applied', subject: w.ref });
    }
    await releaseHold(m, w, 'failed', { reason: `${event.provider} reports the payout failed${event.failure_code ? ` (${event.failure_code})` : ''}`, failureCode: event.failure_code, eventId: event.event_id });
    return this.steps.settle(m, event, { status: 'applied', subject: w.ref });
  }
}
