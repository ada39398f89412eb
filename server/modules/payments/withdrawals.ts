// Withdrawals (WD-…): requested by the client portal or by finance on a client's behalf, checked,
// tiered and approved in this system, then paid out through the provider with an idempotency key
// stored before sending. The funds move to `held` on request (two-phase) and are then either paid
// out or returned, each once. An answer that says nothing for sure puts the withdrawal in
// `needs_assistance`: it is resolved by asking the provider or by a person, never by returning the
// funds on a guess (the money may have left).

import { sql } from 'kysely';
import { DomainError } from '../../../shared/errors.js';
import { formatAmount, parsePositiveAmount, type Money } from '../../../shared/money.js';
import { chooseWithdrawalTier, openSlots } from '../../../shared/policies/payments.js';
import { canWithdrawal, type Resolution, type WithdrawalAction, type WithdrawalCheck } from '../../../shared/payments/withdrawals.js';
import { requireEntity, type AuthContext } from '../../core/auth.js';
import { SYSTEM_ACTOR, type Actor } from '../../core/actor.js';
import type { Mutation, Store } from '../../core/store.js';
import { nextRef } from '../../db/counters.js';
import type { PolicyReader } from '../policies/reader.js';
import { recordExecution } from '../policies/execution-log.js';
import { withdrawalTierTrace } from '../../../shared/policies/explain.js';
import { loadClient } from '../clients/restrictions.js';
import { clientBalances, post, type AccountKey } from './ledger.js';
import { convertAt } from './fx.js';
import { failedChecks, POLICY_CHECKS, runWithdrawalChecks, type PlatformMargin } from './withdrawal-checks.js';
import { openException, settleException } from './exceptions.js';
import type { PayoutAnswer, PspApiClient } from './payout-client.js';
import { loadWithdrawal, withdrawalJson, type StoredTier, type WithdrawalRow } from './withdrawal-rows.js';

export interface RequestWithdrawal {
  clientId: string;
  amount: string;
  currency: string;
  method: string;
  provider: string;
  destination: { accountHolder: string; account: string };
}

export function clientAccount(w: Pick<WithdrawalRow, 'legal_entity' | 'client_id' | 'currency'>, kind: 'available' | 'held'): AccountKey {
  return { legalEntity: w.legal_entity, ownerType: 'client', ownerId: w.client_id, kind, currency: w.currency };
}

export function clearingOf(w: Pick<WithdrawalRow, 'legal_entity' | 'provider' | 'currency'>): AccountKey {
  return { legalEntity: w.legal_entity, ownerType: 'provider', ownerId: w.provider, kind: 'clearing', currency: w.currency };
}

/** Pays out the held funds (held -> provider clearing), once; the withdrawal becomes `paid`. */
export async function settlePaid(m: Mutation, w: WithdrawalRow, via: { providerTxId: string | null; reason: string; eventId?: string }): Promise<void> {
  const amount = BigInt(w.amount_text);
  const posting = await post(m, { kind: 'withdrawal.paid', reference: w.ref, memo: `Withdrawal ${w.ref} paid out through ${w.provider}${via.providerTxId ? ` (${via.providerTxId})` : ''}`, lines: [{ account: clientAccount(w, 'held'), amount: -amount }, { account: clearingOf(w), amount }] });
  await m.trx.updateTable('withdrawals').set({ status: 'paid', status_reason: via.reason, settle_posting: posting, provider_tx_id: via.providerTxId ?? w.provider_tx_id, updated_at: m.now }).where('ref', '=', w.ref).execute();
  if (w.status === 'needs_assistance') await settleException(m, w.ref, 'payout_unknown', 'outcome_confirmed', `paid: ${via.reason}`);
  m.audit({ action: 'withdrawal.paid', targetType: 'withdrawal', targetId: w.ref, clientId: w.client_id, legalEntity: w.legal_entity, before: { status: w.status }, after: { status: 'paid', providerTxId: via.providerTxId ?? w.provider_tx_id, posting, eventId: via.eventId ?? null }, reason: via.reason, caseRef: w.ref });
  m.changed('withdrawals', w.ref, w.legal_entity, 'update');
}

/** Returns the held funds to the client (held -> available), once; the withdrawal ends `to`. */
export async function releaseHold(m: Mutation, w: WithdrawalRow, to: 'rejected' | 'failed', via: { reason: string; failureCode?: string | null; eventId?: string }): Promise<void> {
  const amount = BigInt(w.amount_text);
  const posting = await post(m, { kind: 'withdrawal.release', reference: w.ref, memo: `Withdrawal ${w.ref} ${to}: funds returned to the client`, corrects: w.hold_posting, lines: [{ account: clientAccount(w, 'held'), amount: -amount }, { account: clientAccount(w, 'available'), amount }] });
  await m.trx.updateTable('withdrawals').set({ status: to, status_reason: via.reason, failure_code: via.failureCode ?? w.failure_code, settle_posting: posting, updated_at: m.now }).where('ref', '=', w.ref).execute();
  if (w.status === 'needs_assistance') await settleException(m, w.ref, 'payout_unknown', 'outcome_confirmed', `${to}: ${via.reason}`);
  m.audit({ action: `withdrawal.${to}`, targetType: 'withdrawal', targetId: w.ref, clientId: w.client_id, legalEntity: w.legal_entity, before: { status: w.status }, after: { status: to, failureCode: via.failureCode ?? null, posting, eventId: via.eventId ?? null }, reason: via.reason, caseRef: w.ref });
  m.changed('withdrawals', w.ref, w.legal_entity, 'update');
}

export class WithdrawalsService {
  /** The client's free margin on MT5, read before a check runs (set where MT5 is configured). */
  marginOf: (clientId: string, currency: string) => Promise<PlatformMargin> = () => Promise.resolve({ read: false, why: 'no trading platform connected: margin not checked' });

  constructor(
    private readonly store: Store,
    private readonly policies: PolicyReader,
    private readonly apis: ReadonlyMap<string, PspApiClient>,
    private readonly providers: () => ReadonlySet<string>,
  ) {}

  /** The portal's request (actor: the portal) or finance's on the client's behalf (actor: the maker). */
  async request(actor: Actor, input: RequestWithdrawal, auth?: AuthContext): Promise<{ withdrawalRef: string }> {
    let money: Money;
    try {
      money = parsePositiveAmount(input.amount, input.currency);
    } catch (error) {
      throw new DomainError('VALIDATION_FAILED', `amount: ${(error as Error).message}`, { field: 'amount' });
    }
    if (!this.providers().has(input.provider)) throw new DomainError('VALIDATION_FAILED', `provider: "${input.provider}" is not a payment provider this server works with (configured: ${[...this.providers()].sort().join(', ') || 'none'})`, { field: 'provider' });
    // MT5 is asked before the transaction, never inside it.
    const margin = await this.marginOf(input.clientId, money.currency);
    const ref = await this.store.mutate(actor, async (m) => {
      const client = await loadClient(m, input.clientId);
      if (auth) requireEntity(auth, 'withdrawals.decide', client.legal_entity);
      // A canary of the tiers decides for the clients in its segment.
      const ref = await nextRef(m.trx, 'WD');
      const policy = await this.policies.forSubject(m.trx, 'payments.withdrawalTiers', { legalEntity: client.legal_entity, country: client.country, client: client.id, request: ref });
      const baseCurrency = policy.document.baseCurrency[client.legal_entity] ?? money.currency;
      const converted = await convertAt(m.trx, money, baseCurrency, m.now);
      const available = (await clientBalances(m.trx, client.id)).find((b) => b.currency === money.currency)?.available ?? 0n;
      if (available < money.minor) {
        throw new DomainError('INSUFFICIENT_BALANCE', `Client ${client.id} has ${formatAmount({ minor: available, currency: money.currency })} ${money.currency} available; ${input.amount} ${money.currency} was asked for.`, { available: formatAmount({ minor: available, currency: money.currency }) });
      }
      const checks = await runWithdrawalChecks(m.trx, { client, money, baseMinor: converted?.money.minor ?? null, baseCurrency, destinationName: input.destination.accountHolder, ref: null, now: m.now, margin }, policy.document, available);
      const first = checks.find((c) => c.code === 'first_withdrawal')?.data.first === true;
      // Without a rate the amount cannot be placed in a band: the top band applies, and says so.
      const baseMinor = converted?.money.minor ?? BigInt(Number.MAX_SAFE_INTEGER);
      const tier: StoredTier = { ...chooseWithdrawalTier(policy.document, { baseMinor, riskLevel: client.risk_level, first, override: false }), override: false };
      const flags = [
        ...(checks.find((c) => c.code === 'destination_name')?.outcome === 'failed' ? ['third_party_destination'] : []),
        ...(first ? ['first_withdrawal'] : []),
        ...(converted ? [] : ['no_fx_rate']),
        ...(checks.find((c) => c.code === 'deposit_then_withdraw')?.data.recentDepositsCover === true ? ['recent_deposits'] : []),
      ];
      const hold = await post(m, { kind: 'withdrawal.hold', reference: ref, memo: `Withdrawal ${ref} requested: funds held`, lines: [{ account: clientAccount({ legal_entity: client.legal_entity, client_id: client.id, currency: money.currency }, 'available'), amount: -money.minor }, { account: clientAccount({ legal_entity: client.legal_entity, client_id: client.id, currency: money.currency }, 'held'), amount: money.minor }] });
      const due = new Date(Date.parse(m.now) + tier.slaHours * 3_600_000).toISOString();
      await m.trx
        .insertInto('withdrawals')
        .values({ ref, client_id: client.id, legal_entity: client.legal_entity, provider: input.provider, method: input.method, amount: money.minor.toString(), currency: money.currency, base_amount: converted ? converted.money.minor.toString() : null, base_currency: baseCurrency, fx_json: converted?.rate ? JSON.stringify(converted.rate) : null, destination_json: JSON.stringify(input.destination), status: 'pending_approval', status_reason: null, checks_json: JSON.stringify(checks), flags_json: JSON.stringify(flags), tier_json: JSON.stringify(tier), policy_ref: policy.ref, risk_level: client.risk_level, first_withdrawal: first ? 1 : 0, requested_by: actor.id, idempotency_key: null, provider_tx_id: null, failure_code: null, hold_posting: hold, settle_posting: null, sla_due_at: due, created_at: m.now, updated_at: m.now })
        .execute();
      m.audit({ action: 'withdrawal.requested', targetType: 'withdrawal', targetId: ref, clientId: client.id, legalEntity: client.legal_entity, after: { amount: input.amount, currency: money.currency, method: input.method, provider: input.provider, base: converted ? `${formatAmount(converted.money)} ${baseCurrency}` : null, fx: converted?.rate ?? null, tier: tier.tier, approversNeeded: tier.slots.length, flags, slaDueAt: due, hold }, policyRef: policy.ref, caseRef: ref });
      m.audit({ action: 'withdrawal.checked', targetType: 'withdrawal', targetId: ref, clientId: client.id, legalEntity: client.legal_entity, after: { at: 'request', checks }, caseRef: ref });
      const policyChecks = checks.filter((c) => POLICY_CHECKS.includes(c.code));
      await recordExecution(m, {
        policy,
        event: 'withdrawal.requested',
        subjectType: 'withdrawal',
        subjectId: ref,
        legalEntity: client.legal_entity,
        clientId: client.id,
        outcome: tier.tier,
        // The tiers tried, then the pre-checks whose limits the policy sets (velocity, deposit-then-withdraw), with the values seen.
        conditions: [...withdrawalTierTrace(policy.document, { baseMinor, riskLevel: client.risk_level, first }), ...policyChecks.map((c) => ({ name: `${c.label}: ${c.detail}`, values: c.data, result: c.outcome === 'passed' }))],
        actions: [{ action: 'route for approval', tier: tier.tier, approvers: tier.slots.map((sl) => sl.roles.join(' or ')), slaHours: tier.slaHours, slaDueAt: due }, ...policyChecks.filter((c) => c.outcome === 'failed').map((c) => ({ action: 'flag for review', check: c.code }))],
      });
      m.changed('withdrawals', ref, client.legal_entity, 'insert');
      return ref;
    });
    return { withdrawalRef: ref };
  }

  private async decide(auth: AuthContext, ref: string, action: WithdrawalAction, work: (m: Mutation, w: WithdrawalRow) => Promise<void>): Promise<void> {
    await this.store.mutate(auth.actor, async (m) => {
      const w = await loadWithdrawal(m.trx, ref, this.store.db.engine === 'postgres');
      requireEntity(auth, 'withdrawals.decide', w.legal_entity);
      if (!canWithdrawal(w.status, action)) throw new DomainError('INVALID_TRANSITION', `Withdrawal ${ref} is ${w.status.replaceAll('_', ' ')}: it cannot be ${action === 'hold' ? 'put on hold' : `${action}d`} now.`, { status: w.status });
      await work(m, w);
    });
  }

  async approve(auth: AuthContext, input: { ref: string; reason?: string | undefined }): Promise<{ status: string; approvalsNeeded: number }> {
    let after = { status: 'pending_approval', approvalsNeeded: 0 };
    const pending = await loadWithdrawal(this.store.kysely, input.ref, false);
    const margin = await this.marginOf(pending.client_id, pending.currency);
    await this.decide(auth, input.ref, 'approve', async (m, w) => {
      if (w.requested_by === auth.user.id) throw new DomainError('SAME_PERSON_APPROVAL', `You requested ${w.ref}; another person must approve it.`);
      const given = await m.trx.selectFrom('withdrawal_approvals').selectAll().where('withdrawal_ref', '=', w.ref).execute();
      if (given.some((a) => a.user_id === auth.user.id)) throw new DomainError('DUPLICATE_APPROVER', `You have approved ${w.ref} already; the next approval must come from someone else.`);
      const client = await loadClient(m, w.client_id);
      const policy = await this.policies.forSubject(m.trx, 'payments.withdrawalTiers', { legalEntity: client.legal_entity, country: client.country, client: client.id, request: w.ref });
      const available = (await clientBalances(m.trx, w.client_id)).find((b) => b.currency === w.currency)?.available ?? 0n;
      const money = { minor: BigInt(w.amount_text), currency: w.currency };
      const destination = withdrawalJson.destination(w);
      const checks: WithdrawalCheck[] = await runWithdrawalChecks(m.trx, { client, money, baseMinor: w.base_amount_text === null ? null : BigInt(w.base_amount_text), baseCurrency: w.base_currency, destinationName: destination.accountHolder, ref: w.ref, now: m.now, margin }, policy.document, available + money.minor);
      const failed = failedChecks(checks);
      if (failed.blocking.length > 0) throw new DomainError('INVALID_TRANSITION', `${w.ref} cannot be approved while: ${failed.blocking.map((c) => `${c.label.toLowerCase()} failed (${c.detail})`).join('; ')}. Reject it or put it on hold.`, { failed: failed.blocking.map((c) => c.code) });
      const tier = withdrawalJson.tier(w);
      const override = failed.review.length > 0;
      if (override && (input.reason?.trim().length ?? 0) < 10) throw new DomainError('VALIDATION_FAILED', `reason: approving ${w.ref} despite failed checks (${failed.review.map((c) => c.label.toLowerCase()).join(', ')}) needs a reason of 10 characters or more.`, { field: 'reason' });
      if (override && !tier.override) {
        tier.slots.push({ roles: [...policy.document.overrideSlot.roles] });
        tier.override = true;
      }
      const roles = auth.rolesByEntity.get(w.legal_entity) ?? [];
      const approvers = given.map((a) => ({ roles: withdrawalJson.approverRoles(a) }));
      const open = openSlots(tier.slots, approvers);
      const openAfter = openSlots(tier.slots, [...approvers, { roles }]);
      if (openAfter.length === open.length) throw new DomainError('FORBIDDEN_PERMISSION', `${w.ref} (tier ${tier.tier}) still needs approval from: ${open.map((s) => s.roles.join(' or ').replaceAll('_', ' ')).join('; ')}. Your roles in ${w.legal_entity} (${roles.join(', ').replaceAll('_', ' ') || 'none'}) fill none of these.`);
      await m.trx.insertInto('withdrawal_approvals').values({ withdrawal_ref: w.ref, user_id: auth.user.id, roles_json: JSON.stringify(roles), reason: input.reason ?? null, despite_failed_checks: override ? 1 : 0, at: m.now }).execute();
      const done = openAfter.length === 0;
      const key = `${w.ref}-payout-1`;
      await m.trx
        .updateTable('withdrawals')
        .set({ checks_json: JSON.stringify(checks), tier_json: JSON.stringify(tier), status: done ? 'approved' : 'pending_approval', idempotency_key: done ? key : null, updated_at: m.now })
        .where('ref', '=', w.ref)
        .execute();
      m.audit({ action: 'withdrawal.checked', targetType: 'withdrawal', targetId: w.ref, clientId: w.client_id, legalEntity: w.legal_entity, after: { at: 'approval', checks }, caseRef: w.ref });
      m.audit({ action: 'withdrawal.approval_given', targetType: 'withdrawal', targetId: w.ref, clientId: w.client_id, legalEntity: w.legal_entity, before: { status: w.status }, after: { status: done ? 'approved' : 'pending_approval', roles, despiteFailedChecks: failed.review.map((c) => c.code), approvalsGiven: approvers.length + 1, approvalsNeeded: tier.slots.length, idempotencyKey: done ? key : null }, reason: input.reason, approvers: [...given.map((a) => a.user_id), auth.user.id], caseRef: w.ref });
      m.changed('withdrawals', w.ref, w.legal_entity, 'update');
      after = { status: done ? 'approved' : 'pending_approval', approvalsNeeded: openAfter.length };
      // Sent once the approval is on disk; if sending fails here, the sweep sends it under the same key.
      if (done) m.afterCommit(() => this.submit(w.ref).then(() => undefined, () => undefined));
    });
    return after;
  }

  async reject(auth: AuthContext, input: { ref: string; reason: string }): Promise<void> {
    await this.decide(auth, input.ref, 'reject', (m, w) => releaseHold(m, w, 'rejected', { reason: input.reason }));
  }

  async hold(auth: AuthContext, input: { ref: string; reason: string }): Promise<void> {
    await this.decide(auth, input.ref, 'hold', (m, w) => this.move(m, w, 'on_hold', input.reason));
  }

  async release(auth: AuthContext, input: { ref: string; reason: string }): Promise<void> {
    await this.decide(auth, input.ref, 'release', (m, w) => this.move(m, w, 'pending_approval', input.reason));
  }

  private async move(m: Mutation, w: WithdrawalRow, to: 'on_hold' | 'pending_approval', reason: string): Promise<void> {
    await m.trx.updateTable('withdrawals').set({ status: to, status_reason: reason, updated_at: m.now }).where('ref', '=', w.ref).execute();
    m.audit({ action: to === 'on_hold' ? 'withdrawal.held' : 'withdrawal.released', targetType: 'withdrawal', targetId: w.ref, clientId: w.client_id, legalEntity: w.legal_entity, before: { status: w.status }, after: { status: to }, reason, caseRef: w.ref });
    m.changed('withdrawals', w.ref, w.legal_entity, 'update');
  }

  /** A withdrawal whose outcome is unknown: ask the provider by its idempotency key, or a person records what happened. */
  async resolve(auth: AuthContext, input: { ref: string; resolution: Resolution; reason: string }): Promise<{ status: string }> {
    if (input.resolution === 'ask_provider') {
      const w = await loadWithdrawal(this.store.kysely, input.ref, false);
      requireEntity(auth, 'withdrawals.decide', w.legal_entity);
      if (!canWithdrawal(w.status, 'resolve')) throw new DomainError('INVALID_TRANSITION', `Withdrawal ${w.ref} is ${w.status.replaceAll('_', ' ')}: only one that needs assistance is resolved.`);
      return { status: await this.askProvider(auth.actor, w.ref, input.reason) };
    }
    await this.decide(auth, input.ref, 'resolve', async (m, w) => {
      if (input.resolution === 'paid') await settlePaid(m, w, { providerTxId: w.provider_tx_id, reason: `resolved by a person: ${input.reason}` });
      else await releaseHold(m, w, 'failed', { reason: `resolved by a person: ${input.reason}`, failureCode: 'resolved_failed' });
    });
    return { status: input.resolution };
  }

  /** Asks the provider what became of the payout; answers the status the withdrawal has after. */
  async askProvider(actor: Actor, ref: string, reason: string): Promise<string> {
    const w0 = await loadWithdrawal(this.store.kysely, ref, false);
    const api = this.apis.get(w0.provider);
    if (!api || !w0.idempotency_key) throw new DomainError('INVALID_TRANSITION', `${w0.provider} has no API connection here: a person must record what happened to ${ref} (resolution paid or failed, with the provider's confirmation in the reason).`);
    const found = await api.findPayout(w0.idempotency_key);
    return this.store.mutate(actor, async (m) => {
      const w = await loadWithdrawal(m.trx, ref, this.store.db.engine === 'postgres');
      if (w.status !== 'needs_assistance') return m.unchanged(w.status);
      if (found.kind === 'not_found') {
        // The provider never received it: sending again under the same key cannot pay twice.
        await m.trx.updateTable('withdrawals').set({ status: 'approved', status_reason: `${w.provider} has no payout under ${w.idempotency_key}; sent again under the same key`, updated_at: m.now }).where('ref', '=', ref).execute();
        m.audit({ action: 'withdrawal.payout.not_found', targetType: 'withdrawal', targetId: ref, clientId: w.client_id, legalEntity: w.legal_entity, before: { status: w.status }, after: { status: 'approved', idempotencyKey: w.idempotency_key }, reason, caseRef: ref });
        m.changed('withdrawals', ref, w.legal_entity, 'update');
        m.afterCommit(() => this.submit(ref).then(() => undefined, () => undefined));
        return 'approved';
      }
      return this.recordAnswer(m, w, found, `asked ${w.provider} (${reason})`);
    });
  }

  /** Sends an approved withdrawal's payout under its stored idempotency key, and records the answer. */
  async submit(ref: string): Promise<string> {
    const w0 = await loadWithdrawal(this.store.kysely, ref, false);
    if (w0.status !== 'approved' || !w0.idempotency_key) return w0.status;
    const api = this.apis.get(w0.provider);
    if (!api) {
      if (w0.status_reason?.startsWith('no API connection') !== true) {
        await this.store.mutate(SYSTEM_ACTOR, async (m) => {
          await m.trx.updateTable('withdrawals').set({ status_reason: `no API connection to ${w0.provider}: the payout waits to be sent from there, and its webhook records the outcome`, updated_at: m.now }).where('ref', '=', ref).execute();
          m.audit({ action: 'withdrawal.payout.waiting', targetType: 'withdrawal', targetId: ref, clientId: w0.client_id, legalEntity: w0.legal_entity, after: { provider: w0.provider, idempotencyKey: w0.idempotency_key }, caseRef: ref });
        });
      }
      return 'approved';
    }
    await this.store.mutate(SYSTEM_ACTOR, async (m) => {
      await m.trx.updateTable('withdrawals').set({ submit_attempts: sql<number>`submit_attempts + 1`, updated_at: m.now }).where('ref', '=', ref).execute();
      m.audit({ action: 'withdrawal.payout.sent', targetType: 'withdrawal', targetId: ref, clientId: w0.client_id, legalEntity: w0.legal_entity, after: { provider: w0.provider, idempotencyKey: w0.idempotency_key, attempt: w0.submit_attempts + 1 }, caseRef: ref });
    });
    const destination = withdrawalJson.destination(w0);
    const answer = await api.submitPayout(w0.idempotency_key, { reference: ref, amount: formatAmount({ minor: BigInt(w0.amount_text), currency: w0.currency }), currency: w0.currency, destination });
    return this.store.mutate(SYSTEM_ACTOR, async (m) => {
      const w = await loadWithdrawal(m.trx, ref, this.store.db.engine === 'postgres');
      return this.recordAnswer(m, w, answer, `payout sent to ${w.provider}`);
    });
  }

  private async recordAnswer(m: Mutation, w: WithdrawalRow, answer: PayoutAnswer, context: string): Promise<string> {
    const open = w.status === 'approved' || w.status === 'submitted' || w.status === 'needs_assistance';
    if (answer.kind === 'accepted') {
      if (!open) {
        // A webhook got here first: keep what it recorded, add the transaction id if it lacked one.
        if (w.provider_tx_id !== null) return m.unchanged(w.status);
        await m.trx.updateTable('withdrawals').set({ provider_tx_id: answer.providerTxId, updated_at: m.now }).where('ref', '=', w.ref).execute();
        m.audit({ action: 'withdrawal.payout.answered', targetType: 'withdrawal', targetId: w.ref, clientId: w.client_id, legalEntity: w.legal_entity, after: { providerTxId: answer.providerTxId, status: answer.status }, caseRef: w.ref });
        return w.status;
      }
      if (answer.status === 'paid') {
        await settlePaid(m, w, { providerTxId: answer.providerTxId, reason: `${context}: paid` });
        return 'paid';
      }
      if (answer.status === 'failed') {
        await releaseHold(m, w, 'failed', { reason: `${context}: the provider reports it failed`, failureCode: answer.failureCode });
        return 'failed';
      }
      await m.trx.updateTable('withdrawals').set({ status: 'submitted', provider_tx_id: answer.providerTxId, status_reason: context, updated_at: m.now }).where('ref', '=', w.ref).execute();
      m.audit({ action: 'withdrawal.submitted', targetType: 'withdrawal', targetId: w.ref, clientId: w.client_id, legalEntity: w.legal_entity, before: { status: w.status }, after: { status: 'submitted', providerTxId: answer.providerTxId, idempotencyKey: w.idempotency_key }, caseRef: w.ref });
      m.changed('withdrawals', w.ref, w.legal_entity, 'update');
      return 'submitted';
    }
    if (!open) return m.unchanged(w.status);
    if (answer.kind === 'refused') {
      await releaseHold(m, w, 'failed', { reason: `${context}: refused: ${answer.message}`, failureCode: answer.code });
      return 'failed';
    }
    const why = `${context}: outcome unknown: ${answer.detail}`;
    if (w.status === 'needs_assistance' && w.status_reason === why) return m.unchanged(w.status);
    await m.trx.updateTable('withdrawals').set({ status: 'needs_assistance', status_reason: why, updated_at: m.now }).where('ref', '=', w.ref).execute();
    m.audit({ action: 'withdrawal.needs_assistance', targetType: 'withdrawal', targetId: w.ref, clientId: w.client_id, legalEntity: w.legal_entity, before: { status: w.status }, after: { status: 'needs_assistance', idempotencyKey: w.idempotency_key }, reason: why, caseRef: w.ref });
    m.changed('withdrawals', w.ref, w.legal_entity, 'update');
    const policy = await this.policies.require(m.trx, 'payments.deposits');
    await openException(m, { kind: 'payout_unknown', legalEntity: w.legal_entity, clientId: w.client_id, subjectRef: w.ref, provider: w.provider, summary: `The payout of ${w.ref} has an unknown outcome (${answer.detail}); ask ${w.provider} before anything else`, details: { withdrawal: w.ref, idempotencyKey: w.idempotency_key, detail: answer.detail }, slaHours: policy.document.exceptionSlaHours });
    return 'needs_assistance';
  }

  /**
   * The sweep: sends approved payouts that were never answered (the server stopped after storing
   * the key), asks the provider about those needing assistance, and hands withdrawals waiting past
   * their SLA to a person.
   */
  async sweep(): Promise<{ sent: number; asked: number; overdue: number }> {
    const db = this.store.kysely;
    const now = this.store.now();
    const approved = await db.selectFrom('withdrawals').select('ref').where('status', '=', 'approved').where('submit_attempts', '<', 20).where('updated_at', '<', new Date(Date.parse(now) - 30_000).toISOString()).orderBy('ref').limit(200).execute();
    for (const { ref } of approved) await this.submit(ref);
    const unclear = await db.selectFrom('withdrawals').select(['ref', 'provider']).where('status', '=', 'needs_assistance').orderBy('ref').limit(200).execute();
    let asked = 0;
    for (const { ref, provider } of unclear) {
      if (!this.apis.has(provider)) continue;
      asked += 1;
      await this.askProvider(SYSTEM_ACTOR, ref, 'withdrawal sweep').catch(() => undefined);
    }
    const overdue = await db.selectFrom('withdrawals').selectAll().where('status', 'in', ['pending_approval', 'on_hold']).where('sla_due_at', '<', now).orderBy('ref').limit(500).execute();
    const policy = await this.policies.require(db, 'payments.deposits');
    for (const w of overdue) {
      await this.store.mutate(SYSTEM_ACTOR, async (m) => {
        await openException(m, { kind: 'withdrawal_overdue', legalEntity: w.legal_entity, clientId: w.client_id, subjectRef: w.ref, provider: w.provider, summary: `${w.ref} has waited past its SLA (${w.sla_due_at}) ${w.status === 'on_hold' ? 'on hold' : 'for approval'}`, details: { withdrawal: w.ref, status: w.status, slaDueAt: w.sla_due_at }, slaHours: policy.document.exceptionSlaHours });
      });
    }
    return { sent: approved.length, asked, overdue: overdue.length };
  }
}
