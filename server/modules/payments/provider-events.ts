// Payment providers' events: stored first (with the raw body, once per provider and event id),
// acknowledged second, then applied exactly once.
//
// Applying an event is one transaction that (1) takes the event row (FOR UPDATE on PostgreSQL, so
// two servers never apply one event together), (2) inserts its business key (provider + provider
// transaction id + kind) into `psp_effects`, whose primary key lets the same payment reported under
// another event id, or racing in on another server, take effect once, and (3) moves the deposit
// and the ledger. An event that cannot be applied yet (its deposit does not exist, a refund before
// its payment) is parked and tried again: when its deposit is created, after each event applied
// to that deposit, and by the sweep; one that disagrees with its deposit (amount, currency, a
// second payment) is parked with the reason and handed to a person as an exception at once; any
// parked longer than the policy allows becomes an exception too. Nothing is ever dropped.

import { sql } from 'kysely';
import { formatAmount } from '../../../shared/money.js';
import { SYSTEM_ACTOR, type Actor } from '../../core/actor.js';
import type { Mutation, Store } from '../../core/store.js';
import type { AuditInput } from '../audit/log.js';
import type { PolicyReader } from '../policies/reader.js';
import { depositFor } from './deposits.js';
import { DepositEffects } from './deposit-effects.js';
import { WithdrawalEffects } from './withdrawal-effects.js';
import { openException } from './exceptions.js';
import { logParked } from './deposit-decisions.js';
import type { EventRow, EventSteps, Outcome, Park } from './event-steps.js';
import type { ProviderEvent } from './psp/event.js';
import { isTransientConflict } from '../../db/conflicts.js';
import { creditTogether } from './credit-together.js';
import { storeEvents, storeTogether } from './event-store.js';

/** The provider as the actor of what its events do, with the address the webhook came from. */
export function providerActor(provider: string, ip: string | null = null, userAgent: string | null = null): Actor {
  return { id: `psp:${provider}`, name: `payment provider ${provider}`, ip, userAgent, sessionId: null };
}

/** Deliveries that share one transaction at most: enough to amortise a commit, few enough that none waits long. */
const MAX_DELIVERIES_PER_COMMIT = 64;
/** The mutation's own actor; each delivery's events are audited under their provider and address. */
const PROVIDERS: Actor = { id: 'psp', name: 'payment providers', ip: null, userAgent: null, sessionId: null };
/** How often a delivery refused by a deadlock with another server is stored again before its webhook is answered 500. */
const CONFLICT_RETRIES = 5;

interface Delivery {
  actor: Actor;
  events: readonly ProviderEvent[];
  raw: Buffer;
  onError: (error: unknown, eventRow: number) => void;
  resolve: (answer: { stored: number[]; duplicates: number }) => void;
  reject: (error: unknown) => void;
  /** times it was refused by a deadlock with another server's transaction */
  conflicts: number;
}

export class ProviderEvents implements EventSteps {
  private readonly deposits = new DepositEffects(this);

  /** Told of each deposit credited, inside the crediting transaction (the MT5 balance operation is recorded there). */
  set onDepositCredited(listener: DepositEffects['onCredited']) {
    this.deposits.onCredited = listener;
  }
  private readonly withdrawals: WithdrawalEffects;

  constructor(
    private readonly store: Store,
    private readonly policies: PolicyReader,
  ) {
    this.withdrawals = new WithdrawalEffects(this, policies, store.db.engine === 'postgres');
  }

  /**
   * Stores the events of one delivery, each unless its provider and event id are stored already,
   * and applies the new ones in the same transaction, each inside a savepoint: an event whose
   * application fails stays stored (`received`) for the sweep, and the delivery is still
   * acknowledged. A redelivery stores and applies nothing.
   *
   * Deliveries that arrive while a transaction is running share the next one (group commit): each
   * is stored inside its own savepoint and audited under its own actor, and is answered with its
   * own counts once that transaction is committed. One that fails to store is refused alone (the
   * provider delivers it again); the others go on.
   */
  receive(actor: Actor, events: readonly ProviderEvent[], raw: Buffer, onError: (error: unknown, eventRow: number) => void = () => undefined): Promise<{ stored: number[]; duplicates: number }> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ actor, events, raw, onError, resolve, reject, conflicts: 0 });
      this.drainDeliveries();
    });
  }

  readonly #waiting: Delivery[] = [];
  #receiving = false;

  /**
   * Starts the next group commit while deliveries wait, one at a time (two at once, one storing
   * while the other waits for its commit, made the groups smaller and was slower: decision 0026).
   */
  private drainDeliveries(): void {
    if (this.#receiving || this.#waiting.length === 0) return;
    this.#receiving = true;
    void this.receiveTogether().finally(() => {
      this.#receiving = false;
      this.drainDeliveries();
    });
  }

  /** One group commit: the deliveries waiting when its transaction begins are stored and applied in it. */
  private async receiveTogether(): Promise<void> {
    const batch: Delivery[] = [];
    const subjects: string[] = [];
    let answers = new Map<Delivery, { stored: number[]; duplicates: number }>();
    const refused = new Map<Delivery, unknown>();
    try {
      await this.store.mutate(PROVIDERS, async (m) => {
        batch.push(...this.#waiting.splice(0, MAX_DELIVERIES_PER_COMMIT));
        const own = (d: Delivery): Mutation => ({ ...m, actor: d.actor, audit: (e) => m.audit({ ...e, actor: d.actor }) });
        // All the deliveries' events in one statement; should that fail, each delivery alone, in its savepoint, so that one bad delivery is refused alone.
        const together = await storeTogether(m, batch);
        if (together) answers = together;
        else {
          for (const d of batch) {
            // What storing records stays aside until its savepoint is released: refused, none of it happened.
            const received: AuditInput[] = [];
            await sql`savepoint store_delivery`.execute(m.trx);
            try {
              answers.set(d, await storeEvents({ ...own(d), audit: (e) => received.push(e) }, d.events, d.raw));
              await sql`release savepoint store_delivery`.execute(m.trx);
            } catch (error) {
              await sql`rollback to savepoint store_delivery`.execute(m.trx);
              refused.set(d, error);
              continue;
            }
            for (const e of received) own(d).audit(e);
          }
        }
        const toApply = batch.flatMap((d) => (answers.get(d)?.stored ?? []).map((id) => ({ id, actor: d.actor, own: own(d), onError: d.onError })));
        // Ordinary payments of initiated deposits together; the rest one by one, each in its savepoint.
        const credited = await creditTogether(m, toApply, this.deposits.onCredited);
        subjects.push(...credited.values());
        for (const { id, own, onError } of toApply) {
          if (credited.has(id)) continue;
          const subject = await this.applyWithin(own, id, onError);
          if (subject) subjects.push(subject);
        }
        // Redeliveries stored nothing (PostgreSQL counts the refused insert as a write).
        const stored = [...answers.values()].some((a) => a.stored.length > 0);
        return stored ? null : m.unchanged(null);
      });
    } catch (error) {
      for (const d of batch) this.refuse(d, error);
      return;
    }
    await this.applyParked(...new Set(subjects)).catch((error: unknown) => batch[0]?.onError(error, 0));
    for (const d of batch) {
      const answer = answers.get(d);
      if (answer) d.resolve(answer);
      else this.refuse(d, refused.get(d));
    }
  }

  /**
   * A delivery that could not be stored. On PostgreSQL two servers storing the same events in
   * opposite orders deadlock, and one of them is refused: it goes back in line, to be stored again
   * in the next transaction (the other server's copy is then a redelivery). Anything else is
   * answered as an error, and the provider delivers again.
   */
  private refuse(d: Delivery, error: unknown): void {
    if (isTransientConflict(error) && d.conflicts < CONFLICT_RETRIES) {
      d.conflicts += 1;
      this.#waiting.unshift(d);
      this.drainDeliveries();
    } else d.reject(error);
  }

  /** Applies a just-stored event inside a savepoint of the delivery's transaction; answers the subject it was applied to. */
  private async applyWithin(m: Mutation, id: number, onError: (error: unknown, eventRow: number) => void): Promise<string | null> {
    const audits: AuditInput[] = [];
    const changes: Array<Parameters<Mutation['changed']>> = [];
    const after: Array<() => Promise<void>> = [];
    // What the application records is kept aside until its savepoint is released: rolled back, none of it happened.
    const child: Mutation = { ...m, audit: (e) => audits.push(e), changed: (...c) => changes.push(c), afterCommit: (w) => after.push(w) };
    await sql`savepoint apply_event`.execute(m.trx);
    try {
      const event = await m.trx.selectFrom('psp_events').selectAll().select(sql<string | null>`cast(amount as text)`.as('amount_text')).where('id', '=', id).executeTakeFirstOrThrow();
      const outcome = await this.applyIn(child, event);
      await sql`release savepoint apply_event`.execute(m.trx);
      for (const e of audits) m.audit(e);
      for (const c of changes) m.changed(...c);
      for (const w of after) m.afterCommit(w);
      return outcome.status === 'applied' ? outcome.subject : null;
    } catch (error) {
      await sql`rollback to savepoint apply_event`.execute(m.trx);
      onError(error, id);
      return null;
    }
  }

  /** Applies one stored event, at most once whoever else tries; parks it when it cannot be applied yet. */
  async apply(id: number): Promise<Outcome> {
    const head = await this.store.kysely.selectFrom('psp_events').select('provider').where('id', '=', id).executeTakeFirst();
    if (!head) return { status: 'unchanged' };
    const outcome = await this.store.mutate(providerActor(head.provider), async (m) => {
      let q = m.trx.selectFrom('psp_events').selectAll().select(sql<string | null>`cast(amount as text)`.as('amount_text')).where('id', '=', id);
      if (this.store.db.engine === 'postgres') q = q.forUpdate();
      const event = await q.executeTakeFirst();
      if (!event || (event.status !== 'received' && event.status !== 'parked')) return m.unchanged({ status: 'unchanged' } as const);
      const outcome = await this.applyIn(m, event);
      return outcome.status === 'unchanged' ? m.unchanged(outcome) : outcome;
    });
    if (outcome.status === 'applied') await this.applyParked(outcome.subject);
    return outcome;
  }

  /** Tries again every parked event naming these deposits or withdrawals (by reference or by the provider's transaction id). */
  async applyParked(...refs: string[]): Promise<void> {
    if (refs.length === 0) return;
    const db = this.store.kysely;
    // Nothing is parked most of the time: one look before anything else.
    const any = await db.selectFrom('psp_events').select('id').where('status', '=', 'parked').limit(1).executeTakeFirst();
    if (!any) return;
    const deposits = refs.filter((r) => !r.startsWith('WD-'));
    const withdrawals = refs.filter((r) => r.startsWith('WD-'));
    const subjects = [
      ...(deposits.length > 0 ? await db.selectFrom('deposits').select(['provider', 'provider_tx_id']).where('ref', 'in', deposits).execute() : []),
      ...(withdrawals.length > 0 ? await db.selectFrom('withdrawals').select(['provider', 'provider_tx_id']).where('ref', 'in', withdrawals).execute() : []),
    ].filter((s) => s.provider_tx_id !== null);
    const parked = await db
      .selectFrom('psp_events')
      .select('id')
      .where('status', '=', 'parked')
      .where((eb) => eb.or([eb('reference', 'in', refs), ...subjects.map((s) => eb.and([eb('provider', '=', s.provider), eb('provider_tx_id', '=', s.provider_tx_id)]))]))
      .orderBy('id')
      .execute();
    for (const { id } of parked) await this.apply(Number(id));
  }

  /**
   * The sweep: applies events stored but never applied (the server stopped between the two), tries
   * parked ones again, and hands to a person those parked longer than the policy allows.
   */
  async sweep(): Promise<{ applied: number; exceptions: number }> {
    const now = Date.parse(this.store.now());
    const policy = await this.policies.require(this.store.kysely, 'payments.deposits');
    const settled = new Date(now - 5_000).toISOString();
    const waiting = await this.store.kysely
      .selectFrom('psp_events')
      .select(['id', 'status'])
      .where((eb) => eb.or([eb('status', '=', 'parked'), eb.and([eb('status', '=', 'received'), eb('received_at', '<', settled)])]))
      .orderBy('id')
      .limit(5000)
      .execute();
    let applied = 0;
    for (const { id } of waiting) if ((await this.apply(Number(id))).status === 'applied') applied += 1;
    const cutoff = new Date(now - policy.document.parkedEventMaxAgeMinutes * 60_000).toISOString();
    const stale = await this.store.kysely.selectFrom('psp_events').select('id').where('status', '=', 'parked').where('exception_ref', 'is', null).where('received_at', '<', cutoff).orderBy('id').limit(1000).execute();
    for (const { id } of stale) {
      await this.store.mutate(SYSTEM_ACTOR, async (m) => {
        const event = await m.trx.selectFrom('psp_events').selectAll().select(sql<string | null>`cast(amount as text)`.as('amount_text')).where('id', '=', id).executeTakeFirstOrThrow();
        if (event.status !== 'parked' || event.exception_ref !== null) return;
        const deposit = await depositFor(m, { ref: event.reference, provider: event.provider, providerTxId: event.provider_tx_id });
        const ref = await openException(m, {
          kind: 'parked_event',
          legalEntity: deposit?.legal_entity ?? null,
          clientId: deposit?.client_id ?? null,
          subjectRef: `${event.provider}:${event.event_id}`,
          provider: event.provider,
          summary: `${event.provider} event ${event.event_id} (${event.kind}${event.reference ? ` for ${event.reference}` : ''}) could not be applied for ${policy.document.parkedEventMaxAgeMinutes} minutes: ${event.status_reason ?? 'parked'}`,
          details: eventDetails(event),
          slaHours: policy.document.exceptionSlaHours,
        });
        await m.trx.updateTable('psp_events').set({ exception_ref: ref }).where('id', '=', event.id).execute();
        await logParked(m, policy, { provider: event.provider, eventId: event.event_id, receivedAt: event.received_at, reference: event.reference, legalEntity: deposit?.legal_entity ?? null, clientId: deposit?.client_id ?? null }, 'exception', ref);
      });
    }
    return { applied, exceptions: stale.length };
  }

  private async applyIn(m: Mutation, event: EventRow): Promise<Outcome> {
    const kind = event.kind;
    if (kind === 'other') return this.settle(m, event, { status: 'ignored', reason: 'not an event this system acts on' });
    if (kind === 'payout.paid' || kind === 'payout.failed') return this.withdrawals.apply(m, event);
    const deposit = await depositFor(m, { ref: event.reference, provider: event.provider, providerTxId: event.provider_tx_id });
    if (!deposit) return this.park(m, event, { reason: event.reference ? `no deposit ${event.reference} yet` : `no deposit with ${event.provider} transaction ${event.provider_tx_id ?? '(none)'} yet` });
    if (deposit.provider !== event.provider) {
      return this.park(m, event, { reason: `deposit ${deposit.ref} was made with ${deposit.provider}, not ${event.provider}`, exception: { kind: 'amount_mismatch', summary: `${event.provider} reported a payment for ${deposit.ref}, which was made with ${deposit.provider}` } });
    }
    const policy = await this.policies.require(m.trx, 'payments.deposits');
    switch (kind) {
      case 'payment.succeeded':
        return this.deposits.credit(m, event, deposit, policy.document.exceptionSlaHours);
      case 'payment.failed':
        return this.deposits.fail(m, event, deposit, policy);
      case 'payment.refunded':
        return this.deposits.refund(m, event, deposit);
      case 'chargeback.created':
        return this.deposits.chargeback(m, event, deposit, policy.document.exceptionSlaHours);
      default:
        return this.settle(m, event, { status: 'ignored', reason: `unknown kind ${kind}` });
    }
  }

  /** The business key: true when this event is the first to take effect under it. */
  async claim(m: Mutation, event: EventRow, subject: string): Promise<boolean> {
    const key = event.effect_key ?? event.provider_tx_id;
    if (key === null) return true;
    const inserted = await m.trx
      .insertInto('psp_effects')
      .values({ provider: event.provider, provider_tx_id: key, kind: event.kind, event_id: event.event_id, subject_ref: subject, at: m.now })
      .onConflict((oc) => oc.columns(['provider', 'provider_tx_id', 'kind']).doNothing())
      .returning('kind')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async park(m: Mutation, event: EventRow, park: Park): Promise<Outcome> {
    const reason = park.reason;
    if (event.status === 'parked' && event.status_reason === reason && (park.exception === undefined || event.exception_ref !== null)) return { status: 'unchanged' };
    let exceptionRef = event.exception_ref;
    if (park.exception && exceptionRef === null) {
      const deposit = await depositFor(m, { ref: event.reference, provider: event.provider, providerTxId: event.provider_tx_id });
      const policy = await this.policies.require(m.trx, 'payments.deposits');
      exceptionRef = await openException(m, { kind: park.exception.kind, legalEntity: deposit?.legal_entity ?? null, clientId: deposit?.client_id ?? null, subjectRef: `${event.provider}:${event.event_id}`, provider: event.provider, summary: park.exception.summary, details: eventDetails(event), slaHours: policy.document.exceptionSlaHours });
    }
    await m.trx.updateTable('psp_events').set({ status: 'parked', status_reason: reason, attempts: event.attempts + 1, exception_ref: exceptionRef }).where('id', '=', event.id).execute();
    m.audit({ action: 'payments.event.parked', targetType: 'psp_event', targetId: `${event.provider}:${event.event_id}`, after: { reason, exceptionRef }, caseRef: event.reference ?? undefined });
    return { status: 'parked', reason };
  }

  async settle(m: Mutation, event: EventRow, outcome: Exclude<Outcome, { status: 'parked' | 'unchanged' }>): Promise<Outcome> {
    const subject = outcome.status === 'applied' ? outcome.subject : null;
    const reason = outcome.status === 'applied' ? null : outcome.reason;
    await m.trx.updateTable('psp_events').set({ status: outcome.status, status_reason: reason, subject_ref: subject ?? event.reference, applied_at: m.now, attempts: event.attempts + 1 }).where('id', '=', event.id).execute();
    const deposit = subject ? await m.trx.selectFrom('deposits').select(['client_id', 'legal_entity']).where('ref', '=', subject).executeTakeFirst() : undefined;
    // A parked event applied before anyone had to look at it: the deposits policy's wait, logged.
    if (outcome.status === 'applied' && event.status === 'parked' && event.exception_ref === null) {
      await logParked(m, await this.policies.require(m.trx, 'payments.deposits'), { provider: event.provider, eventId: event.event_id, receivedAt: event.received_at, reference: event.reference, legalEntity: deposit?.legal_entity ?? null, clientId: deposit?.client_id ?? null }, 'applied', null);
    }
    m.audit({
      action: `payments.event.${outcome.status}`,
      targetType: 'psp_event',
      targetId: `${event.provider}:${event.event_id}`,
      ...(deposit ? { clientId: deposit.client_id, legalEntity: deposit.legal_entity } : {}),
      after: { kind: event.kind, subject, reason },
      caseRef: subject ?? event.reference ?? undefined,
    });
    return outcome;
  }
}

function eventDetails(event: EventRow): Record<string, unknown> {
  return { provider: event.provider, eventId: event.event_id, kind: event.kind, reference: event.reference, providerTxId: event.provider_tx_id, amount: event.amount_text && event.currency ? formatAmount({ minor: BigInt(event.amount_text), currency: event.currency }) : null, currency: event.currency, receivedAt: event.received_at, reason: event.status_reason };
}

