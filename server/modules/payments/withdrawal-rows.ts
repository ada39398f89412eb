// Reading withdrawals: the row with its amounts as text, and the views `withdrawals.queue` and
// `withdrawals.get` answer with (checks, flags, tier, approvals given and needed, SLA left, the
// actions the state machine allows).

import { sql, type Selectable } from 'kysely';
import { DomainError } from '../../../shared/errors.js';
import { formatAmount } from '../../../shared/money.js';
import { openSlots, type TierChoice } from '../../../shared/policies/payments.js';
import { withdrawalActions, type WithdrawalCheck, type WithdrawalStatus } from '../../../shared/payments/withdrawals.js';
import { listScope, requireEntity, type AuthContext } from '../../core/auth.js';
import type { Store } from '../../core/store.js';
import type { WithdrawalTable } from '../../db/schema-payments.js';
import type { Reader } from '../policies/reader.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';
import type { CacheRow } from '../../../shared/desktop/views.js';
import { CLIENT_COLUMNS, clientFlags, paymentRow } from './cache-rows.js';

/** The tier as stored with the withdrawal: the slots grow by one when someone approves despite a failed check. */
export interface StoredTier extends TierChoice {
  override: boolean;
}

export type WithdrawalRow = Selectable<WithdrawalTable> & { amount_text: string; base_amount_text: string | null };

function columns() {
  return [sql<string>`cast(amount as text)`.as('amount_text'), sql<string | null>`cast(base_amount as text)`.as('base_amount_text')] as const;
}

export async function loadWithdrawal(db: Reader, ref: string, lock: boolean): Promise<WithdrawalRow> {
  let q = db.selectFrom('withdrawals').selectAll().select(columns()).where('ref', '=', ref);
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', `Withdrawal ${ref} does not exist.`);
  return row;
}

/** A withdrawal by our reference or the provider's transaction id, for a payout event. */
export async function withdrawalFor(db: Reader, by: { ref: string | null; provider: string; providerTxId: string | null }, lock: boolean): Promise<WithdrawalRow | undefined> {
  let q = db.selectFrom('withdrawals').selectAll().select(columns());
  if (by.ref?.startsWith('WD-')) q = q.where('ref', '=', by.ref);
  else if (by.providerTxId) q = q.where('provider', '=', by.provider).where('provider_tx_id', '=', by.providerTxId);
  else return undefined;
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

type ApprovalRow = { withdrawal_ref: string; user_id: string; username: string | null; roles_json: string; reason: string | null; despite_failed_checks: number; at: string };

/** The columns of a withdrawal that hold JSON, read through their schemas. */
export const withdrawalJson = {
  checks: (w: WithdrawalRow): WithdrawalCheck[] => readJson(JSON_COLUMNS.withdrawalChecks, w.checks_json, `withdrawals.checks_json of ${w.ref}`),
  tier: (w: WithdrawalRow): StoredTier => readJson(JSON_COLUMNS.withdrawalTier, w.tier_json, `withdrawals.tier_json of ${w.ref}`),
  destination: (w: WithdrawalRow) => readJson(JSON_COLUMNS.destination, w.destination_json, `withdrawals.destination_json of ${w.ref}`),
  approverRoles: (a: Pick<ApprovalRow, 'withdrawal_ref' | 'user_id' | 'roles_json'>): string[] => readJson(JSON_COLUMNS.strings, a.roles_json, `withdrawal_approvals.roles_json of ${a.withdrawal_ref} by ${a.user_id}`),
};

function view(w: WithdrawalRow, approvals: ApprovalRow[], now: string) {
  const checks = withdrawalJson.checks(w);
  const tier = withdrawalJson.tier(w);
  const open = openSlots(tier.slots, approvals.map((a) => ({ roles: withdrawalJson.approverRoles(a) })));
  const waiting = w.status === 'pending_approval' || w.status === 'on_hold';
  return {
    ref: w.ref,
    clientId: w.client_id,
    legalEntity: w.legal_entity,
    provider: w.provider,
    method: w.method,
    amount: formatAmount({ minor: BigInt(w.amount_text), currency: w.currency }),
    currency: w.currency,
    baseAmount: w.base_amount_text === null ? null : formatAmount({ minor: BigInt(w.base_amount_text), currency: w.base_currency }),
    baseCurrency: w.base_currency,
    fx: w.fx_json === null ? null : readJson(JSON_COLUMNS.fxRate, w.fx_json, `withdrawals.fx_json of ${w.ref}`),
    destination: withdrawalJson.destination(w),
    status: w.status as WithdrawalStatus,
    statusReason: w.status_reason,
    riskLevel: w.risk_level,
    firstWithdrawal: w.first_withdrawal === 1,
    flags: readJson(JSON_COLUMNS.strings, w.flags_json, `withdrawals.flags_json of ${w.ref}`),
    checksPassed: checks.filter((c) => c.outcome === 'passed').length,
    checksFailed: checks.filter((c) => c.outcome === 'failed').map((c) => c.code),
    tier: tier.tier,
    override: tier.override,
    approvalsGiven: approvals.length,
    approvalsNeeded: tier.slots.length,
    stillNeeded: open.map((s) => s.roles),
    approvals: approvals.map((a) => ({ userId: a.user_id, by: a.username ?? a.user_id, roles: withdrawalJson.approverRoles(a), reason: a.reason, despiteFailedChecks: a.despite_failed_checks === 1, at: a.at })),
    policyRef: w.policy_ref,
    requestedBy: w.requested_by,
    idempotencyKey: w.idempotency_key,
    providerTxId: w.provider_tx_id,
    failureCode: w.failure_code,
    slaDueAt: w.sla_due_at,
    slaMinutesLeft: waiting ? Math.round((Date.parse(w.sla_due_at) - Date.parse(now)) / 60_000) : null,
    availableActions: withdrawalActions(w.status),
    createdAt: w.created_at,
    updatedAt: w.updated_at,
  };
}

export type WithdrawalView = ReturnType<typeof view>;

/** The pane's view: the checks themselves with their evidence (the queue carries their counts and failed codes). */
function detail(w: WithdrawalRow, approvals: Parameters<typeof view>[1], now: string) {
  return { ...view(w, approvals, now), checks: withdrawalJson.checks(w) };
}

export class WithdrawalReads {
  constructor(private readonly store: Store) {}

  private async approvalsOf(refs: string[]) {
    if (refs.length === 0) return new Map<string, Parameters<typeof view>[1]>();
    const rows = await this.store.kysely
      .selectFrom('withdrawal_approvals as a')
      .leftJoin('users as u', 'u.id', 'a.user_id')
      .select(['a.withdrawal_ref', 'a.user_id', 'u.username', 'a.roles_json', 'a.reason', 'a.despite_failed_checks', 'a.at'])
      .where('a.withdrawal_ref', 'in', refs)
      .orderBy('a.at')
      .execute();
    const out = new Map<string, Parameters<typeof view>[1]>();
    for (const r of rows) out.set(r.withdrawal_ref, [...(out.get(r.withdrawal_ref) ?? []), r]);
    return out;
  }

  async queue(auth: AuthContext, filter: { status?: WithdrawalStatus | undefined; legalEntity?: string | undefined; clientId?: string | undefined; cursor?: string | undefined; limit: number }) {
    const scope = listScope(auth, 'withdrawals.read', filter.legalEntity || undefined);
    if (scope.length === 0) return { items: [], nextCursor: null };
    let q = this.store.kysely.selectFrom('withdrawals').selectAll().select(columns()).where('legal_entity', 'in', scope).orderBy('ref', 'desc').limit(filter.limit + 1);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.clientId) q = q.where('client_id', '=', filter.clientId);
    if (filter.cursor) q = q.where('ref', '<', filter.cursor);
    const rows = await q.execute();
    const page = rows.slice(0, filter.limit);
    const approvals = await this.approvalsOf(page.map((r) => r.ref));
    const now = this.store.now();
    const items = page.map((r) => view(r, approvals.get(r.ref) ?? [], now));
    return { items, nextCursor: rows.length > filter.limit ? items.at(-1)!.ref : null };
  }

  /** The desktop cache's rows (sync.pull): the queue's columns, and the pane's record in `_json`. */
  async byIds(refs: string[]): Promise<CacheRow[]> {
    const rows = await this.store.kysely
      .selectFrom('withdrawals as w')
      .innerJoin('clients as c', 'c.id', 'w.client_id')
      .selectAll('w')
      .select([sql<string>`cast(w.amount as text)`.as('amount_text'), sql<string | null>`cast(w.base_amount as text)`.as('base_amount_text'), ...CLIENT_COLUMNS])
      .where('w.ref', 'in', refs)
      .execute();
    const approvals = await this.approvalsOf(rows.map((r) => r.ref));
    const now = this.store.now();
    return rows.map((r) => {
      const v = detail(r, approvals.get(r.ref) ?? [], now);
      const base = paymentRow(v, r);
      const record = { ...v, clientName: r.client_name, clientFlags: base.flags };
      return {
        ...base,
        riskLevel: v.riskLevel,
        tier: v.tier,
        approvals: `${v.approvalsGiven} of ${v.approvalsNeeded}`,
        checksFailed: v.checksFailed.join(', '),
        paymentFlags: v.flags.join(', '),
        provider: v.provider,
        slaDueAt: v.slaDueAt,
        createdAt: v.createdAt,
        _json: JSON.stringify(record),
      };
    });
  }

  async get(auth: AuthContext, ref: string) {
    const w = await loadWithdrawal(this.store.kysely, ref, false);
    requireEntity(auth, 'withdrawals.read', w.legal_entity);
    const approvals = await this.approvalsOf([ref]);
    const client = await this.store.kysely.selectFrom('clients').select(['display_name', 'status', 'screening_status', 'risk_level']).where('id', '=', w.client_id).executeTakeFirstOrThrow();
    const events = await this.store.kysely
      .selectFrom('psp_events')
      .select(['provider', 'event_id', 'kind', 'status', 'status_reason', 'received_at', 'applied_at'])
      .where((eb) => eb.or([eb('subject_ref', '=', ref), eb('reference', '=', ref)]))
      .orderBy('id')
      .execute();
    return { ...detail(w, approvals.get(ref) ?? [], this.store.now()), clientName: client.display_name, clientFlags: clientFlags({ client_name: client.display_name, client_status: client.status, client_screening: client.screening_status, client_risk: client.risk_level }), events: events.map((e) => ({ provider: e.provider, eventId: e.event_id, kind: e.kind, status: e.status, reason: e.status_reason, receivedAt: e.received_at, appliedAt: e.applied_at })) };
  }
}
