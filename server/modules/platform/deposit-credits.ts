// A deposit credited in the ledger goes on to the client's MT5 balance through the connector's
// intent-and-reconcile path (server/platform/operations.ts): recorded as an operation in the
// crediting transaction, with the deposit reference (DEP-…) as the deal comment, and sent as soon
// as that transaction commits. Until then the deposit's platform step says it waits for the
// connector: when the client has no MT5 account yet (provisioning follows KYC approval) or MT5 is
// not configured, the job records the operation once it can. The step ends `credited` with the
// deal, or `failed` with MT5's refusal and a payment exception for a person.

import { formatAmount } from '../../../shared/money.js';
import { SYSTEM_ACTOR, type Actor } from '../../core/actor.js';
import type { Mutation, Store } from '../../core/store.js';
import { recordOperation, type SettledOperation } from '../../platform/operations.js';
import { openException } from '../payments/exceptions.js';
import type { PolicyReader } from '../policies/reader.js';
import type { Mt5Link } from '../../platform/link.js';

const SYSTEM: Actor = { ...SYSTEM_ACTOR, id: 'system:mt5', name: 'MT5 connector' };

export interface CreditedDeposit {
  ref: string;
  client_id: string;
  legal_entity: string;
  currency: string;
  amount_text: string;
}

export class DepositCredits {
  constructor(
    private readonly store: Store,
    private readonly policies: PolicyReader,
    private readonly mt5: Mt5Link | null,
  ) {
    mt5?.operations.listeners.push((m, op) => this.onSettled(m, op));
  }

  /**
   * In the crediting transaction: records the MT5 balance operation when the client has an active
   * account in the deposit's currency, and sends it once the transaction commits. Answers whether it
   * was recorded (otherwise the deposit waits for the job).
   */
  async onCredited(m: Mutation, deposit: CreditedDeposit): Promise<boolean> {
    if (!this.mt5) return false;
    const accounts = await m.trx.selectFrom('mt5_accounts').select(['login', 'currency']).where('client_id', '=', deposit.client_id).where('status', '=', 'active').orderBy('created_at').execute();
    const account = accounts.find((a) => a.currency === deposit.currency);
    if (!account) {
      if (accounts.length > 0) await this.cannotCredit(m, deposit, `the client's MT5 accounts are in ${[...new Set(accounts.map((a) => a.currency))].join(', ')}, not ${deposit.currency}`);
      return false;
    }
    const id = await recordOperation(m, { reference: deposit.ref, login: Number(account.login), action: 'balance', amount: { minor: BigInt(deposit.amount_text), currency: deposit.currency }, legalEntity: deposit.legal_entity, clientId: deposit.client_id, sentByCallerWithinMs: 30_000 });
    const operations = this.mt5.operations;
    m.afterCommit(() => operations.execute(id, { now: true }).then(() => undefined, () => undefined));
    return true;
  }

  /** A deposit that cannot go to MT5 as it stands: its step fails and a person is told. */
  private async cannotCredit(m: Mutation, deposit: CreditedDeposit, why: string): Promise<void> {
    const slaHours = (await this.policies.require(m.trx, 'payments.deposits')).document.exceptionSlaHours;
    await m.trx.updateTable('deposits').set({ platform_step: 'failed', updated_at: m.now }).where('ref', '=', deposit.ref).execute();
    m.audit({ action: 'deposit.platform_failed', targetType: 'deposit', targetId: deposit.ref, clientId: deposit.client_id, legalEntity: deposit.legal_entity, after: { platformStep: 'failed', reason: why }, caseRef: deposit.ref });
    m.changed('deposits', deposit.ref, deposit.legal_entity, 'update');
    await openException(m, { kind: 'mt5_credit_failed', legalEntity: deposit.legal_entity, clientId: deposit.client_id, subjectRef: deposit.ref, provider: null, summary: `${deposit.ref} (${formatAmount({ minor: BigInt(deposit.amount_text), currency: deposit.currency })} ${deposit.currency}) is in the ledger but not on MT5: ${why}`, details: { deposit: deposit.ref, reason: why }, slaHours });
  }

  /** The job: credited deposits still waiting for the connector whose operation can be recorded now. */
  async sweep(limit = 100): Promise<number> {
    if (!this.mt5) return 0;
    const waiting = await this.store.kysely
      .selectFrom('deposits as d')
      .select(['d.ref', 'd.client_id', 'd.legal_entity', 'd.currency', (eb) => eb.cast<string>('d.amount', 'text').as('amount_text')])
      .where('d.status', '=', 'credited')
      .where('d.platform_step', '=', 'awaiting_connector')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('platform_operations as o').select('o.id').whereRef('o.reference', '=', 'd.ref'))))
      .where((eb) => eb.exists(eb.selectFrom('mt5_accounts as a').select('a.id').whereRef('a.client_id', '=', 'd.client_id').where('a.status', '=', 'active')))
      .orderBy('d.credited_at')
      .limit(limit)
      .execute();
    let recorded = 0;
    for (const deposit of waiting) {
      const done = await this.store.mutate(SYSTEM, async (m) => {
        const still = await m.trx.selectFrom('deposits').select('platform_step').where('ref', '=', deposit.ref).executeTakeFirstOrThrow();
        const taken = await m.trx.selectFrom('platform_operations').select('id').where('reference', '=', deposit.ref).executeTakeFirst();
        if (still.platform_step !== 'awaiting_connector' || taken) return m.unchanged(false);
        const ok = await this.onCredited(m, deposit);
        return ok ? true : m.unchanged(false);
      });
      if (done) recorded++;
    }
    return recorded;
  }

  private async onSettled(m: Mutation, op: SettledOperation): Promise<void> {
    if (!op.reference.startsWith('DEP-')) return;
    const deposit = await m.trx.selectFrom('deposits').select(['ref', 'client_id', 'legal_entity', 'currency', 'platform_step', (eb) => eb.cast<string>('amount', 'text').as('amount_text')]).where('ref', '=', op.reference).executeTakeFirst();
    if (!deposit || deposit.platform_step !== 'awaiting_connector') return;
    if (op.status === 'done') {
      await m.trx.updateTable('deposits').set({ platform_step: 'credited', updated_at: m.now }).where('ref', '=', deposit.ref).execute();
      m.audit({ action: 'deposit.platform_credited', targetType: 'deposit', targetId: deposit.ref, clientId: deposit.client_id, legalEntity: deposit.legal_entity, before: { platformStep: 'awaiting_connector' }, after: { platformStep: 'credited', dealTicket: op.dealTicket }, caseRef: deposit.ref });
      m.changed('deposits', deposit.ref, deposit.legal_entity, 'update');
      return;
    }
    await this.cannotCredit(m, deposit, `MT5 refused the balance operation: ${op.message ?? op.retcode}`);
  }
}
