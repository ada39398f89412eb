// Manual MT5 interventions (INT-…): no balance, credit, group, leverage or permission change on MT5
// without a case holding requester, approvers (tiers from policy `platform.interventionTiers`),
// operator and reason code. The operator is never an approver.
//
// Money (balance_correction, credit_in, credit_out) goes through the connector's intent-and-
// reconcile path (server/platform/operations.ts) with the case reference as the deal comment, so
// an unclear outcome is looked up in the deal history before anything is sent again. Account
// changes (rights, group, leverage) set a state: the case records the target, sends it, and reads
// the account back; after an unclear outcome it reads first and sends again only if the account is
// not in the target state. Either way the case holds MT5's state before and after, and the deal.

import { DomainError } from '../../../shared/errors.js';
import { formatAmount, parseAmount, type Money } from '../../../shared/money.js';
import { openSlots } from '../../../shared/policies/payments.js';
import { interventionTierTrace } from '../../../shared/policies/explain.js';
import { recordExecution } from '../policies/execution-log.js';
import { chooseInterventionTier, reasonCodeFor, type InterventionTiersPolicy } from '../../../shared/policies/platform.js';
import { canIntervention, isMoneyType, type AccountState, type InterventionAction, type InterventionType } from '../../../shared/platform/interventions.js';
import { requireEntity, type AuthContext } from '../../core/auth.js';
import { SYSTEM_ACTOR, type Actor } from '../../core/actor.js';
import type { Mutation, Store } from '../../core/store.js';
import { nextRef } from '../../db/counters.js';
import type { PolicyReader } from '../policies/reader.js';
import { convertAt } from '../payments/fx.js';
import { recordOperation, transientRefusal, type SettledOperation } from '../../platform/operations.js';
import type { Mt5Link } from '../../platform/link.js';
import { Mt5Refused, Mt5Unclear, Mt5Unreachable } from '../../platform/session.js';
import { readGroup, readUser, reached, updateUser, withRight, type AccountChange, type Mt5User } from '../../platform/accounts.js';
import { DEFAULT_RIGHTS, type BalanceActionName } from '../../platform/webapi.js';
import { interventionJson, loadIntervention, type InterventionRow } from './intervention-rows.js';
import { accessFor } from './accounts.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';

export interface RequestIntervention {
  type: InterventionType;
  login: number;
  amount?: string | undefined;
  currency?: string | undefined;
  value?: string | undefined;
  reasonCode: string;
  note: string;
  clientId?: string | undefined;
}

const SYSTEM: Actor = { ...SYSTEM_ACTOR, id: 'system:mt5', name: 'MT5 connector' };

const MONEY_ACTION: Record<'balance_correction' | 'credit_in' | 'credit_out', BalanceActionName> = { balance_correction: 'correction', credit_in: 'credit', credit_out: 'credit' };

/** What an account change sets, from the account as it is now. */
export function accountChange(type: InterventionType, value: string | null, now: Pick<AccountState, 'rights'>): AccountChange {
  switch (type) {
    case 'disable_trading':
      return { rights: withRight(now.rights, 'TRADE_DISABLED', true) };
    case 'enable_trading':
      return { rights: withRight(now.rights, 'TRADE_DISABLED', false) };
    case 'reactivate':
      return { rights: withRight(now.rights, 'ENABLED', true) };
    case 'reset_permissions':
      return { rights: DEFAULT_RIGHTS };
    case 'change_group':
      return { group: value! };
    case 'change_leverage':
      return { leverage: Number(value) };
    default:
      throw new Error(`${type} moves money; it is not an account change`);
  }
}

function stateOf(u: Mt5User): AccountState {
  return { group: u.group, leverage: u.leverage, rights: u.rights, balance: u.balance, credit: u.credit };
}

function backoffMs(attempts: number): number {
  return Math.min(300_000, 2000 * 2 ** Math.min(attempts, 8));
}

export class InterventionsService {
  constructor(
    private readonly store: Store,
    private readonly policies: PolicyReader,
    private readonly mt5: Mt5Link | null,
  ) {
    mt5?.operations.listeners.push((m, op) => this.onOperationSettled(m, op));
  }

  private link(): Mt5Link {
    if (!this.mt5) throw new DomainError('PLATFORM_UNAVAILABLE', 'MT5 is not configured on this server: set MT5_URL, MT5_LOGIN and MT5_PASSWORD (and MT5_CERTIFICATE_FILE for a self-signed certificate).');
    return this.mt5;
  }

  async request(auth: AuthContext, input: RequestIntervention): Promise<{ caseRef: string }> {
    const account = await this.store.kysely.selectFrom('mt5_accounts').selectAll().where('login', '=', input.login).executeTakeFirst();
    if (!account) throw await this.unknownLogin(input.login);
    if (input.clientId !== undefined && input.clientId !== account.client_id) throw new DomainError('VALIDATION_FAILED', `clientId: MT5 login ${input.login} is client ${account.client_id}'s account, not ${input.clientId}'s.`, { field: 'clientId' });
    requireEntity(auth, 'interventions.request', account.legal_entity);
    if (input.type === 'enable_trading' || input.type === 'reactivate' || input.type === 'reset_permissions') {
      const client = await this.store.kysely.selectFrom('clients').select(['status', 'restrictions_json']).where('id', '=', account.client_id).executeTakeFirstOrThrow();
      const takes = accessFor({ status: client.status, restrictions: readJson(JSON_COLUMNS.restrictions, client.restrictions_json, `clients.restrictions_json of ${account.client_id}`) });
      if (takes) throw new DomainError('CLIENT_RESTRICTED', `Client ${account.client_id} is ${client.status}${takes === 'disabled' ? '' : ' and may not open positions'}: the back office keeps ${takes === 'disabled' ? 'the MT5 account disabled' : 'trading disabled on MT5'} until the restriction ends; an intervention cannot give it back.`, { clientStatus: client.status });
    }
    const country = (await this.store.kysely.selectFrom('clients').select('country').where('id', '=', account.client_id).executeTakeFirst())?.country ?? null;
    // A canary of the tiers decides for the clients in its segment.
    const subject = { legalEntity: account.legal_entity, country, client: account.client_id };
    reasonCodeFor((await this.policies.forSubject(this.store.kysely, 'platform.interventionTiers', subject)).document, input);
    const { money, value } = this.shape(input, account.currency);
    await this.checkOnMt5(input, money, value);
    const ref = await this.store.mutate(auth.actor, async (m) => {
      const ref = await nextRef(m.trx, 'INT');
      // Resolved again with the reference: a canary of a share of new requests is decided by it.
      const policy = await this.policies.forSubject(m.trx, 'platform.interventionTiers', { ...subject, request: ref });
      const reason = reasonCodeFor(policy.document, input);
      const baseCurrency = policy.document.baseCurrency[account.legal_entity] ?? account.currency;
      const converted = money ? await convertAt(m.trx, { minor: money.minor < 0n ? -money.minor : money.minor, currency: money.currency }, baseCurrency, m.now) : null;
      const baseMinor = money ? (converted?.money.minor ?? null) : 0n;
      const tier = chooseInterventionTier(policy.document as InterventionTiersPolicy, { type: input.type, baseMinor });
      const due = new Date(Date.parse(m.now) + tier.slaHours * 3_600_000).toISOString();
      await m.trx
        .insertInto('interventions')
        .values({ ref, type: input.type, login: input.login, client_id: account.client_id, legal_entity: account.legal_entity, amount: money ? money.minor.toString() : null, currency: money?.currency ?? null, base_amount: converted ? converted.money.minor.toString() : null, base_currency: money ? baseCurrency : null, value, reason_code: input.reasonCode, reason_label: reason.label, note: input.note, status: 'pending_approval', status_reason: null, tier_json: JSON.stringify(tier), policy_ref: policy.ref, requested_by: auth.user.id, rejected_by: null, executed_by: null, operation_id: null, deal_ticket: null, deal_json: null, before_json: null, after_json: null, retcode: null, message: null, next_attempt_at: null, sla_due_at: due, created_at: m.now, updated_at: m.now, executed_at: null })
        .execute();
      m.audit({ action: 'intervention.requested', targetType: 'intervention', targetId: ref, clientId: account.client_id, legalEntity: account.legal_entity, after: { type: input.type, login: input.login, amount: money ? formatAmount(money) : null, currency: money?.currency ?? null, value, reasonCode: input.reasonCode, tier: tier.tier, approversNeeded: tier.slots.length, slaDueAt: due }, reason: input.note, policyRef: policy.ref, caseRef: ref });
      const conditions = interventionTierTrace(policy.document as InterventionTiersPolicy, { type: input.type, baseMinor });
      const actions = [{ action: 'route for approval', tier: tier.tier, approvers: tier.slots.map((sl) => sl.roles.join(' or ')), slaHours: tier.slaHours, slaDueAt: due }];
      await recordExecution(m, { policy, event: 'intervention.requested', subjectType: 'intervention', subjectId: ref, legalEntity: account.legal_entity, clientId: account.client_id, outcome: tier.tier, conditions, actions });
      m.changed('interventions', ref, account.legal_entity, 'insert');
      return ref;
    });
    return { caseRef: ref };
  }

  /** A login the back office holds no account for: say whether MT5 knows it. */
  private async unknownLogin(login: number): Promise<DomainError> {
    if (this.mt5) {
      try {
        await this.mt5.session.call('/api/user/get', { login });
        return new DomainError('NOT_FOUND', `MT5 login ${login} exists on MT5 but is no client's account in the back office; an intervention is requested on a client's account.`, { login });
      } catch (error) {
        if (error instanceof Mt5Refused && error.retcode === 13) return new DomainError('NOT_FOUND', `MT5 login ${login} does not exist (MT5 answered ${error.text}).`, { login, retcode: 13 });
      }
    }
    return new DomainError('NOT_FOUND', `MT5 login ${login} is no client's account in the back office.`, { login });
  }

  /** The amount and value a type needs, checked; nothing else is accepted. */
  private shape(input: RequestIntervention, accountCurrency: string): { money: Money | null; value: string | null } {
    if (isMoneyType(input.type)) {
      if (input.value !== undefined) throw new DomainError('VALIDATION_FAILED', `value: a ${input.type.replaceAll('_', ' ')} takes an amount, not a value.`, { field: 'value' });
      if (input.amount === undefined || input.currency === undefined) throw new DomainError('VALIDATION_FAILED', `amount: a ${input.type.replaceAll('_', ' ')} needs an amount and its currency.`, { field: 'amount' });
      if (input.currency !== accountCurrency) throw new DomainError('VALIDATION_FAILED', `currency: MT5 login ${input.login} is in ${accountCurrency}; the amount must be too (got ${input.currency}).`, { field: 'currency' });
      let money: Money;
      try {
        money = parseAmount(input.amount, input.currency);
      } catch (error) {
        throw new DomainError('VALIDATION_FAILED', `amount: ${(error as Error).message}`, { field: 'amount' });
      }
      if (money.minor === 0n) throw new DomainError('VALIDATION_FAILED', 'amount: an intervention of zero changes nothing.', { field: 'amount' });
      if (input.type !== 'balance_correction' && money.minor < 0n) throw new DomainError('VALIDATION_FAILED', `amount: give a ${input.type.replaceAll('_', ' ')} as a positive amount; the type says which way it goes.`, { field: 'amount' });
      if ((money.minor < 0n ? -money.minor : money.minor) > 100_000_000_000n) throw new DomainError('VALIDATION_FAILED', 'amount: MT5 refuses one operation above 1,000,000,000 (retcode 4005 Money limit reached).', { field: 'amount' });
      return { money: input.type === 'credit_out' ? { minor: -money.minor, currency: money.currency } : money, value: null };
    }
    if (input.amount !== undefined || input.currency !== undefined) throw new DomainError('VALIDATION_FAILED', `amount: a ${input.type.replaceAll('_', ' ')} moves no money; give no amount.`, { field: 'amount' });
    if (input.type === 'change_group') {
      if (!input.value?.trim()) throw new DomainError('VALIDATION_FAILED', 'value: name the MT5 group to move the account to.', { field: 'value' });
      return { money: null, value: input.value.trim() };
    }
    if (input.type === 'change_leverage') {
      if (!input.value || !/^[1-9]\d{0,4}$/.test(input.value)) throw new DomainError('VALIDATION_FAILED', `value: the leverage is a whole number from 1 to 99999 (1:N); got "${input.value ?? ''}".`, { field: 'value' });
      return { money: null, value: input.value };
    }
    if (input.value !== undefined) throw new DomainError('VALIDATION_FAILED', `value: ${input.type.replaceAll('_', ' ')} takes no value.`, { field: 'value' });
    return { money: null, value: null };
  }

  /** What MT5 would refuse, refused at request time where MT5 can be asked now; unreachable, the execution finds it. */
  private async checkOnMt5(input: RequestIntervention, money: Money | null, value: string | null): Promise<void> {
    if (!this.mt5) return;
    let user: Mt5User;
    try {
      user = await readUser(this.mt5.session, input.login);
    } catch (error) {
      if (error instanceof Mt5Refused && error.retcode === 13) throw new DomainError('NOT_FOUND', `MT5 login ${input.login} does not exist on MT5 (MT5 answered ${error.text}).`, { login: input.login, retcode: 13 });
      if (error instanceof Mt5Refused || error instanceof Mt5Unclear || error instanceof Mt5Unreachable) return;
      throw error;
    }
    if (money && money.minor < 0n) {
      const held = parseAmount(input.type === 'credit_out' ? user.credit : user.balance, money.currency).minor;
      if (held + money.minor < 0n) {
        const what = input.type === 'credit_out' ? 'credit' : 'balance';
        throw new DomainError('INSUFFICIENT_BALANCE', `MT5 login ${input.login} has ${formatAmount({ minor: held, currency: money.currency })} ${money.currency} of ${what}; taking ${formatAmount({ minor: -money.minor, currency: money.currency })} would leave it negative (MT5 refuses it with 10019 No money).`, { [what]: formatAmount({ minor: held, currency: money.currency }) });
      }
    }
    if (input.type === 'change_group' || input.type === 'change_leverage') {
      const groupName = input.type === 'change_group' ? value! : user.group;
      let group;
      try {
        group = await readGroup(this.mt5.session, groupName);
      } catch (error) {
        if (error instanceof Mt5Refused && (error.retcode === 13 || error.retcode === 8)) throw new DomainError('VALIDATION_FAILED', `value: MT5 group "${groupName}" does not exist (MT5 answered ${error.text}).`, { field: 'value' });
        if (error instanceof Mt5Refused || error instanceof Mt5Unclear || error instanceof Mt5Unreachable) return;
        throw error;
      }
      if (input.type === 'change_group' && group.currency !== user.currency) throw new DomainError('VALIDATION_FAILED', `value: MT5 group "${group.group}" is in ${group.currency}; login ${input.login}'s account is in ${user.currency} (MT5 refuses a move across currencies, 3010).`, { field: 'value' });
      const leverage = input.type === 'change_leverage' ? Number(value) : user.leverage;
      if (group.leverageMax !== null && leverage > group.leverageMax) throw new DomainError('VALIDATION_FAILED', `value: MT5 group "${group.group}" allows leverage up to 1:${group.leverageMax}; ${input.type === 'change_leverage' ? 'asked for' : 'the account has'} 1:${leverage}.`, { field: 'value' });
    }
  }

  private async decide(auth: AuthContext, ref: string, action: InterventionAction, work: (m: Mutation, c: InterventionRow) => Promise<void>): Promise<void> {
    await this.store.mutate(auth.actor, async (m) => {
      const c = await loadIntervention(m.trx, ref, this.store.db.engine === 'postgres');
      requireEntity(auth, action === 'execute' ? 'interventions.execute' : 'interventions.decide', c.legal_entity);
      if (!canIntervention(c.status, action)) throw new DomainError('INVALID_TRANSITION', `${ref} is ${c.status.replaceAll('_', ' ')}: it cannot be ${action === 'execute' ? 'executed' : `${action}d`} now.`, { status: c.status });
      await work(m, c);
    });
  }

  async approve(auth: AuthContext, input: { caseRef: string; reason?: string | undefined }): Promise<{ status: string; approvalsNeeded: number }> {
    let after = { status: 'pending_approval', approvalsNeeded: 0 };
    await this.decide(auth, input.caseRef, 'approve', async (m, c) => {
      if (c.requested_by === auth.user.id) throw new DomainError('SAME_PERSON_APPROVAL', `You requested ${c.ref}; another person must approve it.`);
      const given = await m.trx.selectFrom('intervention_approvals').selectAll().where('case_ref', '=', c.ref).execute();
      if (given.some((a) => a.user_id === auth.user.id)) throw new DomainError('DUPLICATE_APPROVER', `You have approved ${c.ref} already; the next approval must come from someone else.`);
      const tier = interventionJson.tier(c);
      const roles = auth.rolesByEntity.get(c.legal_entity) ?? [];
      const approvers = given.map((a) => ({ roles: interventionJson.approverRoles(a) }));
      const open = openSlots(tier.slots, approvers);
      const openAfter = openSlots(tier.slots, [...approvers, { roles }]);
      if (openAfter.length === open.length) throw new DomainError('FORBIDDEN_PERMISSION', `${c.ref} (tier ${tier.tier}) still needs approval from: ${open.map((s) => s.roles.join(' or ').replaceAll('_', ' ')).join('; ')}. Your roles in ${c.legal_entity} (${roles.join(', ').replaceAll('_', ' ') || 'none'}) fill none of these.`);
      await m.trx.insertInto('intervention_approvals').values({ case_ref: c.ref, user_id: auth.user.id, roles_json: JSON.stringify(roles), reason: input.reason ?? null, at: m.now }).execute();
      const done = openAfter.length === 0;
      await m.trx.updateTable('interventions').set({ status: done ? 'approved' : 'pending_approval', updated_at: m.now }).where('ref', '=', c.ref).execute();
      m.audit({ action: 'intervention.approval_given', targetType: 'intervention', targetId: c.ref, clientId: c.client_id, legalEntity: c.legal_entity, before: { status: c.status }, after: { status: done ? 'approved' : 'pending_approval', roles, approvalsGiven: approvers.length + 1, approvalsNeeded: tier.slots.length }, reason: input.reason, approvers: [...given.map((a) => a.user_id), auth.user.id], caseRef: c.ref, policyRef: c.policy_ref });
      m.changed('interventions', c.ref, c.legal_entity, 'update');
      after = { status: done ? 'approved' : 'pending_approval', approvalsNeeded: openAfter.length };
    });
    return after;
  }

  async reject(auth: AuthContext, input: { caseRef: string; reason: string }): Promise<{ status: string }> {
    await this.decide(auth, input.caseRef, 'reject', async (m, c) => {
      if (c.requested_by === auth.user.id) throw new DomainError('SAME_PERSON_APPROVAL', `You requested ${c.ref}; another person decides it (withdrawing a request is a rejection by someone else).`);
      await m.trx.updateTable('interventions').set({ status: 'rejected', status_reason: input.reason, rejected_by: auth.user.id, updated_at: m.now }).where('ref', '=', c.ref).execute();
      m.audit({ action: 'intervention.rejected', targetType: 'intervention', targetId: c.ref, clientId: c.client_id, legalEntity: c.legal_entity, before: { status: c.status }, after: { status: 'rejected' }, reason: input.reason, caseRef: c.ref });
      m.changed('interventions', c.ref, c.legal_entity, 'update');
    });
    return { status: 'rejected' };
  }

  /**
   * The operator executes an approved case: its state on MT5 is read, the case moves to
   * `executing` with the operator recorded, and the change is sent. Answers how it stands now:
   * `executed`, `failed` (with MT5's retcode), or still `executing` while MT5 cannot be reached or
   * the outcome is unclear (the connector settles it).
   */
  async execute(auth: AuthContext, input: { caseRef: string }): Promise<{ status: string; dealTicket: string | null; retcode: number | null; message: string | null }> {
    const link = this.link();
    let before: AccountState | null = null;
    try {
      const c = await loadIntervention(this.store.kysely, input.caseRef, false);
      before = stateOf(await readUser(link.session, Number(c.login)));
    } catch (error) {
      if (!(error instanceof Mt5Unreachable || error instanceof Mt5Unclear || error instanceof Mt5Refused || error instanceof DomainError)) throw error;
    }
    let operationId: string | null = null;
    await this.decide(auth, input.caseRef, 'execute', async (m, c) => {
      const approvers = await m.trx.selectFrom('intervention_approvals').select('user_id').where('case_ref', '=', c.ref).execute();
      if (approvers.some((a) => a.user_id === auth.user.id)) throw new DomainError('SAME_PERSON_APPROVAL', `You approved ${c.ref}; the operator who executes it must be someone other than its approvers.`);
      if (isMoneyType(c.type)) {
        operationId = await recordOperation(m, { reference: c.ref, login: Number(c.login), action: MONEY_ACTION[c.type as keyof typeof MONEY_ACTION], amount: { minor: BigInt(c.amount_text!), currency: c.currency! }, legalEntity: c.legal_entity, clientId: c.client_id, sentByCallerWithinMs: 30_000 });
      }
      await m.trx
        .updateTable('interventions')
        .set({ status: 'executing', executed_by: auth.user.id, operation_id: operationId, before_json: before ? JSON.stringify(before) : null, status_reason: null, next_attempt_at: m.now, updated_at: m.now })
        .where('ref', '=', c.ref)
        .execute();
      m.audit({ action: 'intervention.executing', targetType: 'intervention', targetId: c.ref, clientId: c.client_id, legalEntity: c.legal_entity, before: { status: c.status, mt5: before }, after: { status: 'executing', operator: auth.user.id, operationId }, caseRef: c.ref });
      m.changed('interventions', c.ref, c.legal_entity, 'update');
    });
    if (operationId) await link.operations.execute(operationId, { now: true });
    else await this.sendAccountChange(input.caseRef);
    await this.readBack(input.caseRef);
    const c = await loadIntervention(this.store.kysely, input.caseRef, false);
    return { status: c.status, dealTicket: c.deal_ticket, retcode: c.retcode, message: c.message };
  }

  /** The connector settled an operation: a case it executes is executed or failed with it. */
  private async onOperationSettled(m: Mutation, op: SettledOperation): Promise<void> {
    const c = await m.trx.selectFrom('interventions').select(['ref', 'status', 'client_id', 'legal_entity']).where('operation_id', '=', op.id).executeTakeFirst();
    if (!c || c.status !== 'executing') return;
    const status = op.status === 'done' ? 'executed' : 'failed';
    await m.trx
      .updateTable('interventions')
      .set({ status, deal_ticket: op.dealTicket, retcode: op.retcode, message: op.message, status_reason: op.status === 'failed' ? `MT5 refused it: ${op.message ?? op.retcode}` : null, executed_at: op.status === 'done' ? m.now : null, updated_at: m.now })
      .where('ref', '=', c.ref)
      .execute();
    m.audit({ action: `intervention.${status}`, targetType: 'intervention', targetId: c.ref, clientId: c.client_id, legalEntity: c.legal_entity, before: { status: 'executing' }, after: { status, dealTicket: op.dealTicket, retcode: op.retcode, message: op.message }, caseRef: c.ref });
    m.changed('interventions', c.ref, c.legal_entity, 'update');
  }

  /**
   * Sends an account change (rights, group, leverage) once it is due, and settles it from what the
   * account reads back: already in the target state after an earlier unclear attempt, it is done
   * without sending again.
   */
  async sendAccountChange(ref: string): Promise<void> {
    const link = this.link();
    const claimed = await this.store.mutate(SYSTEM, async (m) => {
      const leaseUntil = new Date(Date.parse(m.now) + 60_000).toISOString();
      const c = await m.trx
        .updateTable('interventions')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: leaseUntil, updated_at: m.now }))
        .where('ref', '=', ref)
        .where('status', '=', 'executing')
        .where('operation_id', 'is', null)
        .where('next_attempt_at', '<=', m.now)
        .returning(['ref', 'type', 'login', 'value', 'attempts', 'before_json', 'client_id', 'legal_entity'])
        .executeTakeFirst();
      if (!c) return m.unchanged(null);
      m.audit({ action: 'intervention.sending', targetType: 'intervention', targetId: ref, clientId: c.client_id, legalEntity: c.legal_entity, after: { attempt: c.attempts, readFirst: true }, caseRef: ref });
      return c;
    });
    if (!claimed) return;
    const login = Number(claimed.login);
    try {
      const now = await readUser(link.session, login);
      const before: AccountState = claimed.before_json ? interventionJson.state(claimed.before_json, ref) : stateOf(now);
      const change = accountChange(claimed.type, claimed.value, before);
      // Read before sending: after an unclear attempt the account may be in the target state already.
      if (!reached(now, change)) await updateUser(link.session, login, change);
      const after = await readUser(link.session, login);
      if (!reached(after, change)) {
        await this.settleAccountChange(ref, 'failed', { before, after: stateOf(after), retcode: null, message: `MT5 answered Done but the account reads back ${JSON.stringify({ group: after.group, leverage: after.leverage, rights: after.rights })}, not the change asked for` });
        return;
      }
      await this.settleAccountChange(ref, 'executed', { before, after: stateOf(after), retcode: 0, message: null });
    } catch (error) {
      if (error instanceof Mt5Refused && !transientRefusal(error.retcode, claimed.attempts)) {
        await this.settleAccountChange(ref, 'failed', { retcode: error.retcode, message: error.text });
        return;
      }
      if (!(error instanceof Mt5Refused || error instanceof Mt5Unclear || error instanceof Mt5Unreachable)) throw error;
      await this.store.mutate(SYSTEM, async (m) => {
        const c = await loadIntervention(m.trx, ref, false);
        await m.trx.updateTable('interventions').set({ status_reason: `waiting for MT5: ${error.message}`, next_attempt_at: new Date(Date.parse(m.now) + backoffMs(claimed.attempts)).toISOString(), updated_at: m.now }).where('ref', '=', ref).where('status', '=', 'executing').execute();
        m.audit({ action: 'intervention.retry', targetType: 'intervention', targetId: ref, clientId: c.client_id, legalEntity: c.legal_entity, after: { attempt: claimed.attempts, error: error.message }, caseRef: ref });
        m.changed('interventions', ref, c.legal_entity, 'update');
      });
    }
  }

  private async settleAccountChange(ref: string, status: 'executed' | 'failed', r: { before?: AccountState; after?: AccountState; retcode: number | null; message: string | null }): Promise<void> {
    await this.store.mutate(SYSTEM, async (m) => {
      const c = await loadIntervention(m.trx, ref, this.store.db.engine === 'postgres');
      if (c.status !== 'executing') return m.unchanged(undefined);
      await m.trx
        .updateTable('interventions')
        .set({ status, retcode: r.retcode, message: r.message, status_reason: status === 'failed' ? `MT5 did not apply it: ${r.message}` : null, ...(r.before && !c.before_json ? { before_json: JSON.stringify(r.before) } : {}), ...(r.after ? { after_json: JSON.stringify(r.after) } : {}), executed_at: status === 'executed' ? m.now : null, next_attempt_at: null, updated_at: m.now })
        .where('ref', '=', ref)
        .execute();
      // The account's known state follows what the back office set, so the scan for changes made outside it does not report this one.
      if (status === 'executed' && r.after) await m.trx.updateTable('mt5_accounts').set({ mt5_group: r.after.group, leverage: r.after.leverage, rights: r.after.rights, updated_at: m.now }).where('login', '=', Number(c.login)).execute();
      m.audit({ action: `intervention.${status}`, targetType: 'intervention', targetId: ref, clientId: c.client_id, legalEntity: c.legal_entity, before: { status: 'executing', mt5: r.before ?? null }, after: { status, mt5: r.after ?? null, retcode: r.retcode, message: r.message }, caseRef: ref });
      m.changed('interventions', ref, c.legal_entity, 'update');
    });
  }

  /** An executed money case without its after-state and deal yet: read them from MT5 (best effort; the sweep tries again). */
  async readBack(ref: string): Promise<void> {
    if (!this.mt5) return;
    const c = await loadIntervention(this.store.kysely, ref, false);
    // A failed one too: what MT5 holds after a refusal shows that nothing moved.
    if ((c.status !== 'executed' && c.status !== 'failed') || !isMoneyType(c.type) || c.after_json) return;
    try {
      const after = stateOf(await readUser(this.mt5.session, Number(c.login)));
      const d = c.deal_ticket ? await this.mt5.session.call<Record<string, string>>('/api/deal/get', { ticket: c.deal_ticket }) : null;
      const deal = d ? { ticket: String(d.Deal), action: Number(d.Action), amount: String(d.Profit), comment: String(d.Comment), time: String(d.Time), dealer: String(d.Dealer) } : null;
      await this.store.mutate(SYSTEM, async (m) => {
        const done = await m.trx.updateTable('interventions').set({ after_json: JSON.stringify(after), deal_json: deal ? JSON.stringify(deal) : null, updated_at: m.now }).where('ref', '=', ref).where('after_json', 'is', null).executeTakeFirst();
        // Read back by another run already (the job beside an operator's execution).
        if (Number(done.numUpdatedRows) === 0) return m.unchanged(undefined);
        m.audit({ action: 'intervention.read_back', targetType: 'intervention', targetId: ref, clientId: c.client_id, legalEntity: c.legal_entity, after: { mt5: after, deal }, caseRef: ref });
        m.changed('interventions', ref, c.legal_entity, 'update');
      });
    } catch (error) {
      if (!(error instanceof Mt5Refused || error instanceof Mt5Unclear || error instanceof Mt5Unreachable)) throw error;
    }
  }

  /** The job: account changes due, and executed money cases still missing what MT5 reads back. */
  async sweep(): Promise<{ sent: number; readBack: number }> {
    if (!this.mt5) return { sent: 0, readBack: 0 };
    const now = this.store.now();
    const due = await this.store.kysely.selectFrom('interventions').select('ref').where('status', '=', 'executing').where('operation_id', 'is', null).where('next_attempt_at', '<=', now).orderBy('created_at').limit(50).execute();
    for (const { ref } of due) await this.sendAccountChange(ref);
    const unread = await this.store.kysely.selectFrom('interventions').select('ref').where('status', 'in', ['executed', 'failed']).where('operation_id', 'is not', null).where('after_json', 'is', null).orderBy('created_at').limit(50).execute();
    for (const { ref } of unread) await this.readBack(ref);
    return { sent: due.length, readBack: unread.length };
  }
}
