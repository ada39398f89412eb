// MT5 operations that move money, never applied twice (MT5-WEBAPI §8). `/api/trade/balance` has no
// idempotency key, so the back office is the key:
//
// 1. An operation is recorded as an intent inside the mutation that decides it (`recordOperation`),
//    with its reference, the deal comment MT5 will carry (at most 31 characters: refused before
//    anything is written if longer).
// 2. `execute` claims it (a lease, so two servers never send one operation at once), marks it sent
//    (audited) and only then sends it.
// 3. An answer settles it: done with the deal ticket, or failed with MT5's retcode and message; a
//    transient refusal (9, 10, 11, 12, 15) or an unreachable server leaves it waiting for a retry
//    with backoff. An unclear outcome (timeout, reset, 5xx, unreadable answer, or a server that
//    died holding the lease) leaves it `unclear`, and before any retry the login's deal history is
//    searched for the reference (action, comment and amount): found, it is done with that deal;
//    not found, it is sent again with the same reference.
// 4. After repeated failures to reach MT5 the connector stops sending for a while (circuit
//    breaker); operations wait in the queue, which `queueState` reports for the desktop.

import { SYSTEM_ACTOR, type Actor } from '../core/actor.js';
import type { Mutation, Store } from '../core/store.js';
import { DomainError } from '../../shared/errors.js';
import { formatAmount, parseAmount, type Money } from '../../shared/money.js';
import { nextRef } from '../db/counters.js';
import { BALANCE_ACTIONS, COMMENT_MAX, type BalanceActionName } from './webapi.js';
import { Mt5Refused, Mt5Unclear, Mt5Unreachable, type Mt5Session } from './session.js';

export interface OperationInput {
  /** the reference MT5 keeps in the deal comment: the case (INT-…) or payment (DEP-…, WD-…) it executes */
  reference: string;
  login: number;
  action: BalanceActionName;
  /** signed: positive adds, negative takes away */
  amount: Money;
  legalEntity?: string | null;
  clientId?: string | null;
  /**
   * For a caller that sends the operation itself as soon as its transaction commits: how long the
   * queue leaves it to that caller before taking it (so the job does not race the operator); the
   * queue sends it then if the caller never did (a crash between commit and send).
   */
  sentByCallerWithinMs?: number;
}

export type OperationStatus = 'pending' | 'sending' | 'unclear' | 'done' | 'failed';

const TRANSIENT = new Set([9, 10, 11, 12, 15]);
/** Retcode 8 is also what a connection without a session gets (an expired session, a sign-in half done beside it): nothing was applied, so it is tried again a few times before it counts as the manager lacking the right. */
const NO_SESSION_RETRIES = 5;

export function transientRefusal(retcode: number, attempts: number): boolean {
  return TRANSIENT.has(retcode) || (retcode === 8 && attempts < NO_SESSION_RETRIES);
}
const DAY_S = 86_400;

/** Records an operation to send, in the caller's transaction; answers its id. */
export async function recordOperation(m: Mutation, input: OperationInput): Promise<string> {
  if (input.reference.length === 0 || input.reference.length > COMMENT_MAX || !/^[\x20-\x7e]+$/.test(input.reference)) {
    throw new DomainError('VALIDATION_FAILED', `reference: "${input.reference}" cannot be an MT5 deal comment (printable ASCII, 1 to ${COMMENT_MAX} characters; MT5 cuts longer ones)`, { field: 'reference' });
  }
  if (input.amount.minor === 0n) throw new DomainError('VALIDATION_FAILED', 'amount: an MT5 balance operation of zero does nothing', { field: 'amount' });
  const id = await nextRef(m.trx, 'MTO');
  await m.trx
    .insertInto('platform_operations')
    .values({ id, reference: input.reference, login: input.login, action: BALANCE_ACTIONS[input.action], amount: input.amount.minor.toString(), currency: input.amount.currency, legal_entity: input.legalEntity ?? null, client_id: input.clientId ?? null, status: 'pending', next_attempt_at: new Date(Date.parse(m.now) + (input.sentByCallerWithinMs ?? 0)).toISOString(), requested_by: m.actor.id, created_at: m.now, updated_at: m.now })
    .execute();
  m.audit({ action: 'platform.operation.recorded', targetType: 'platform_operation', targetId: id, clientId: input.clientId ?? undefined, legalEntity: input.legalEntity ?? null, after: { reference: input.reference, login: input.login, action: input.action, amount: formatAmount(input.amount), currency: input.amount.currency }, caseRef: input.reference });
  return id;
}

export interface ConnectorOptions {
  /** this server's name in leases */
  instance: string;
  /** how long a claim holds before another server may take the operation over (and reconcile it) */
  leaseMs?: number;
  /** how long after an unclear outcome the history is searched (MT5 may still be applying it) */
  graceMs?: number;
  /** consecutive failures to reach MT5 that open the breaker, and for how long */
  breakerFailures?: number;
  breakerMs?: number;
}

const SYSTEM: Actor = { ...SYSTEM_ACTOR, id: 'system:mt5', name: 'MT5 connector' };

/** How an operation ended, told to whoever recorded it (an intervention, a deposit) inside the settling transaction. */
export interface SettledOperation {
  id: string;
  reference: string;
  status: 'done' | 'failed';
  dealTicket: string | null;
  retcode: number | null;
  message: string | null;
}

export type SettledListener = (m: Mutation, op: SettledOperation) => Promise<void>;

export class Mt5Operations {
  #failures = 0;
  #openUntil = 0;
  /** Told of every operation that ends done or failed, in the transaction that records it. */
  readonly listeners: SettledListener[] = [];

  constructor(
    private readonly store: Store,
    private readonly session: Mt5Session,
    private readonly opts: ConnectorOptions,
  ) {}

  /** Whether MT5 is being reached, and how many operations wait. */
  async queueState(): Promise<{ mt5: 'up' | 'down'; waiting: number; unclear: number }> {
    const rows = await this.store.kysely.selectFrom('platform_operations').select(['status', (eb) => eb.fn.countAll<string>().as('n')]).where('status', 'in', ['pending', 'sending', 'unclear']).groupBy('status').execute();
    const n = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
    return { mt5: Date.parse(this.store.now()) < this.#openUntil ? 'down' : 'up', waiting: n('pending') + n('sending'), unclear: n('unclear') };
  }

  /** Executes every operation that is due (or whose claim lapsed), oldest first; answers how each ended. */
  async processDue(limit = 100): Promise<Record<OperationStatus, number>> {
    const now = this.store.now();
    const due = await this.store.kysely
      .selectFrom('platform_operations')
      .select('id')
      .where((eb) => eb.or([eb.and([eb('status', 'in', ['pending', 'unclear']), eb('next_attempt_at', '<=', now)]), eb.and([eb('status', '=', 'sending'), eb('claimed_until', '<', now)])]))
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    const out: Record<OperationStatus, number> = { pending: 0, sending: 0, unclear: 0, done: 0, failed: 0 };
    for (const { id } of due) {
      if (Date.parse(this.store.now()) < this.#openUntil) break;
      out[await this.execute(id)] += 1;
    }
    return out;
  }

  /** Claims one operation and takes it as far as it can go now (`now`: the caller that recorded it sends it at once, before its turn in the queue). */
  async execute(id: string, opts: { now?: boolean } = {}): Promise<OperationStatus> {
    const claimed = await this.claim(id, opts.now ?? false);
    if (!claimed) return (await this.store.kysely.selectFrom('platform_operations').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
    const { op, sentBefore } = claimed;
    const amount = BigInt(op.amount_text);
    try {
      if (sentBefore) {
        const found = await this.findInHistory(op.login, op.action, op.reference, amount, op.currency, sentBefore);
        if (found) return await this.settle(op.id, 'done', { deal_ticket: found, message: 'found in the MT5 deal history after an unclear outcome' }, 'platform.operation.reconciled');
      }
      const answer = await this.session.call<{ Ticket: string }>('/api/trade/balance', { login: op.login, type: op.action, balance: formatAmount({ minor: amount, currency: op.currency }), comment: op.reference, check_margin: 1 });
      this.#failures = 0;
      return await this.settle(op.id, 'done', { deal_ticket: String(answer.Ticket), retcode: 0, message: null }, 'platform.operation.applied');
    } catch (error) {
      if (error instanceof Mt5Refused && !transientRefusal(error.retcode, op.attempts)) {
        this.#failures = 0;
        return this.settle(op.id, 'failed', { retcode: error.retcode, message: error.text }, 'platform.operation.failed');
      }
      this.noteFailure();
      const wait = Math.min(300_000, 1000 * 2 ** Math.min(op.attempts, 8));
      if (error instanceof Mt5Refused) return this.settle(op.id, 'pending', { retcode: error.retcode, message: error.text }, 'platform.operation.retry', wait);
      if (error instanceof Mt5Unreachable) return this.settle(op.id, 'pending', { message: error.message }, 'platform.operation.retry', wait);
      if (error instanceof Mt5Unclear) return this.settle(op.id, 'unclear', { message: error.message }, 'platform.operation.unclear', this.opts.graceMs ?? 30_000);
      throw error;
    }
  }

  private noteFailure(): void {
    this.#failures += 1;
    if (this.#failures >= (this.opts.breakerFailures ?? 5)) {
      this.#openUntil = Date.parse(this.store.now()) + (this.opts.breakerMs ?? 30_000);
      this.#failures = 0;
    }
  }

  private async claim(id: string, now: boolean) {
    return this.store.mutate(SYSTEM, async (m) => {
      const leaseUntil = new Date(Date.parse(m.now) + (this.opts.leaseMs ?? 60_000)).toISOString();
      const op = await m.trx
        .updateTable('platform_operations')
        .set((eb) => ({ status: 'sending', claimed_by: this.opts.instance, claimed_until: leaseUntil, attempts: eb('attempts', '+', 1), updated_at: m.now }))
        .where('id', '=', id)
        .where((eb) => eb.or([eb.and([eb('status', 'in', now ? ['pending'] : ['pending', 'unclear']), ...(now ? [eb('attempts', '=', 0)] : [eb('next_attempt_at', '<=', m.now)])]), eb.and([eb('status', '=', 'sending'), eb('claimed_until', '<', m.now)])]))
        .returning(['id', 'reference', 'login', 'action', 'currency', 'attempts', 'sent_at', 'client_id', 'legal_entity', (eb) => eb.cast<string>('amount', 'text').as('amount_text')])
        .executeTakeFirst();
      if (!op) return m.unchanged(null);
      const sentBefore = op.sent_at;
      if (!sentBefore) await m.trx.updateTable('platform_operations').set({ sent_at: m.now }).where('id', '=', id).execute();
      m.audit({ action: 'platform.operation.sending', targetType: 'platform_operation', targetId: id, clientId: op.client_id ?? undefined, legalEntity: op.legal_entity, after: { attempt: op.attempts, instance: this.opts.instance, reconcileFirst: sentBefore !== null }, caseRef: op.reference });
      return { op: { ...op, login: Number(op.login) }, sentBefore };
    });
  }

  /** The deal carrying this reference, with this action and amount, in the login's history around the first send; its ticket or null. */
  private async findInHistory(login: number, action: number, reference: string, amount: bigint, currency: string, sentAt: string): Promise<string | null> {
    const from = Math.floor(Date.parse(sentAt) / 1000) - DAY_S;
    const to = Math.floor(Date.parse(this.store.now()) / 1000) + DAY_S;
    const deals = await this.session.call<Array<{ Deal: string; Action: string; Comment: string; Profit: string }>>('/api/deal/get_batch', { login, from, to });
    // The amount is read exactly, as a decimal string in the currency's minor units; a deal whose profit cannot be read so is not ours.
    const sameAmount = (profit: string) => {
      try {
        return parseAmount(profit, currency).minor === amount;
      } catch {
        return false;
      }
    };
    const hit = deals.find((d) => Number(d.Action) === action && d.Comment === reference && sameAmount(d.Profit));
    return hit ? hit.Deal : null;
  }

  private async settle(id: string, status: OperationStatus, fields: { deal_ticket?: string; retcode?: number | null; message?: string | null }, action: string, retryInMs = 0): Promise<OperationStatus> {
    await this.store.mutate(SYSTEM, async (m) => {
      const op = await m.trx.selectFrom('platform_operations').select(['reference', 'client_id', 'legal_entity']).where('id', '=', id).executeTakeFirstOrThrow();
      const settled = await m.trx
        .updateTable('platform_operations')
        .set({ status, ...fields, claimed_by: null, claimed_until: null, next_attempt_at: new Date(Date.parse(m.now) + retryInMs).toISOString(), updated_at: m.now })
        .where('id', '=', id)
        .where('claimed_by', '=', this.opts.instance)
        .where('status', '=', 'sending')
        .returning('id')
        .executeTakeFirst();
      // Our claim lapsed and another server took the operation over: it reconciles; we record nothing.
      if (!settled) return m.unchanged(null);
      m.audit({ action, targetType: 'platform_operation', targetId: id, clientId: op.client_id ?? undefined, legalEntity: op.legal_entity, after: { status, dealTicket: fields.deal_ticket ?? null, retcode: fields.retcode ?? null, message: fields.message ?? null }, caseRef: op.reference });
      if (status === 'done' || status === 'failed') {
        for (const listener of this.listeners) await listener(m, { id, reference: op.reference, status, dealTicket: fields.deal_ticket ?? null, retcode: fields.retcode ?? null, message: fields.message ?? null });
      }
    });
    return status;
  }
}
