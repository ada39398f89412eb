// Reading interventions: the row with its amounts as text, and the views `interventions.queue` and
// `interventions.get` answer with (tier, approvals given and still needed, the operator, MT5's state
// before and after, the deal, the actions the state machine allows).

import { sql, type Selectable } from 'kysely';
import { DomainError } from '../../../shared/errors.js';
import { formatAmount } from '../../../shared/money.js';
import { openSlots } from '../../../shared/policies/payments.js';
import { INTERVENTION_STATUS_LABELS, INTERVENTION_TYPE_LABELS, interventionActions, isOpenIntervention, type InterventionStatus, type InterventionType } from '../../../shared/platform/interventions.js';
import { listScope, requireEntity, type AuthContext } from '../../core/auth.js';
import type { Permission } from '../../../shared/access/permissions.js';
import type { Store } from '../../core/store.js';
import type { InterventionTable } from '../../db/schema-payments.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';
import type { Reader } from '../policies/reader.js';
import type { CacheRow } from '../../../shared/desktop/views.js';
import { CLIENT_COLUMNS, clientFlags } from '../payments/cache-rows.js';

export type InterventionRow = Selectable<InterventionTable> & { amount_text: string | null; base_amount_text: string | null };

function columns() {
  return [sql<string | null>`cast(amount as text)`.as('amount_text'), sql<string | null>`cast(base_amount as text)`.as('base_amount_text')] as const;
}

export async function loadIntervention(db: Reader, ref: string, lock: boolean): Promise<InterventionRow> {
  let q = db.selectFrom('interventions').selectAll().select(columns()).where('ref', '=', ref);
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', `Intervention ${ref} does not exist.`);
  return row;
}

type ApprovalRow = { case_ref: string; user_id: string; username: string | null; roles_json: string; reason: string | null; at: string };

/** The columns of an intervention that hold JSON, read through their schemas. */
export const interventionJson = {
  tier: (c: Pick<InterventionRow, 'ref' | 'tier_json'>) => readJson(JSON_COLUMNS.interventionTier, c.tier_json, `interventions.tier_json of ${c.ref}`),
  approverRoles: (a: Pick<ApprovalRow, 'case_ref' | 'user_id' | 'roles_json'>): string[] => readJson(JSON_COLUMNS.strings, a.roles_json, `intervention_approvals.roles_json of ${a.case_ref} by ${a.user_id}`),
  state: (text: string, ref: string) => readJson(JSON_COLUMNS.accountState, text, `an MT5 state of ${ref}`),
  deal: (c: Pick<InterventionRow, 'ref' | 'deal_json'>) => (c.deal_json === null ? null : readJson(JSON_COLUMNS.deal, c.deal_json, `interventions.deal_json of ${c.ref}`)),
};

type Names = Map<string, string>;

function view(c: InterventionRow & { client_name: string | null }, approvals: ApprovalRow[], names: Names, now: string) {
  const tier = interventionJson.tier(c);
  const open = openSlots(tier.slots, approvals.map((a) => ({ roles: interventionJson.approverRoles(a) })));
  const name = (id: string | null) => (id === null ? null : (names.get(id) ?? id));
  return {
    caseRef: c.ref,
    type: c.type as InterventionType,
    typeLabel: INTERVENTION_TYPE_LABELS[c.type],
    login: Number(c.login),
    clientId: c.client_id,
    clientName: c.client_name,
    legalEntity: c.legal_entity,
    amount: c.amount_text === null ? null : formatAmount({ minor: BigInt(c.amount_text), currency: c.currency! }),
    currency: c.currency,
    baseAmount: c.base_amount_text === null ? null : formatAmount({ minor: BigInt(c.base_amount_text), currency: c.base_currency! }),
    baseCurrency: c.base_currency,
    value: c.value,
    reasonCode: c.reason_code,
    reasonLabel: c.reason_label,
    note: c.note,
    status: c.status as InterventionStatus,
    statusLabel: INTERVENTION_STATUS_LABELS[c.status],
    /** what the connector says of its work (waiting for MT5, MT5's refusal): system text */
    connectorNote: c.status === 'rejected' ? null : c.status_reason,
    /** the decider's reason for a rejection: a person's words */
    rejectionReason: c.status === 'rejected' ? c.status_reason : null,
    tier: tier.tier,
    approvalsGiven: approvals.length,
    approvalsNeeded: tier.slots.length,
    stillNeeded: open.map((s) => s.roles),
    approvals: approvals.map((a) => ({ userId: a.user_id, by: a.username ?? a.user_id, roles: interventionJson.approverRoles(a), reason: a.reason, at: a.at })),
    policyRef: c.policy_ref,
    requestedBy: c.requested_by,
    requestedByName: name(c.requested_by),
    rejectedBy: name(c.rejected_by),
    operator: c.executed_by,
    operatorName: name(c.executed_by),
    dealTicket: c.deal_ticket,
    deal: interventionJson.deal(c),
    before: c.before_json === null ? null : interventionJson.state(c.before_json, c.ref),
    after: c.after_json === null ? null : interventionJson.state(c.after_json, c.ref),
    retcode: c.retcode,
    mt5Message: c.message,
    attempts: c.attempts,
    slaDueAt: c.sla_due_at,
    slaMinutesLeft: isOpenIntervention(c.status) && c.status !== 'executing' ? Math.round((Date.parse(c.sla_due_at) - Date.parse(now)) / 60_000) : null,
    availableActions: interventionActions(c.status),
    createdAt: c.created_at,
    updatedAt: c.updated_at,
    executedAt: c.executed_at,
  };
}

export type InterventionView = ReturnType<typeof view>;

export class InterventionReads {
  constructor(private readonly store: Store) {}

  private async approvalsOf(refs: string[]): Promise<Map<string, ApprovalRow[]>> {
    const out = new Map<string, ApprovalRow[]>();
    if (refs.length === 0) return out;
    const rows = await this.store.kysely
      .selectFrom('intervention_approvals as a')
      .leftJoin('users as u', 'u.id', 'a.user_id')
      .select(['a.case_ref', 'a.user_id', 'u.username', 'a.roles_json', 'a.reason', 'a.at'])
      .where('a.case_ref', 'in', refs)
      .orderBy('a.at')
      .execute();
    for (const r of rows) out.set(r.case_ref, [...(out.get(r.case_ref) ?? []), r]);
    return out;
  }

  private async namesOf(rows: InterventionRow[]): Promise<Names> {
    const ids = [...new Set(rows.flatMap((r) => [r.requested_by, r.executed_by, r.rejected_by]).filter((x): x is string => x !== null))];
    if (ids.length === 0) return new Map();
    const users = await this.store.kysely.selectFrom('users').select(['id', 'username']).where('id', 'in', ids).execute();
    return new Map(users.map((u) => [u.id, u.username]));
  }

  private base() {
    return this.store.kysely.selectFrom('interventions as i').innerJoin('clients as c', 'c.id', 'i.client_id').selectAll('i').select([sql<string | null>`cast(i.amount as text)`.as('amount_text'), sql<string | null>`cast(i.base_amount as text)`.as('base_amount_text'), 'c.display_name as client_name']);
  }

  async views(rows: Array<InterventionRow & { client_name: string | null }>): Promise<InterventionView[]> {
    if (rows.length === 0) return [];
    const approvals = await this.approvalsOf(rows.map((r) => r.ref));
    const names = await this.namesOf(rows);
    const now = this.store.now();
    return rows.map((r) => view(r, approvals.get(r.ref) ?? [], names, now));
  }

  async queue(auth: AuthContext, filter: { status?: InterventionStatus | undefined; legalEntity?: string | undefined; clientId?: string | undefined; login?: number | undefined; cursor?: string | undefined; limit: number }) {
    const scope = listScope(auth, 'platform.read', filter.legalEntity || undefined);
    if (scope.length === 0) return { items: [], nextCursor: null };
    let q = this.base().where('i.legal_entity', 'in', scope).orderBy('i.ref', 'desc').limit(filter.limit + 1);
    if (filter.status) q = q.where('i.status', '=', filter.status);
    if (filter.clientId) q = q.where('i.client_id', '=', filter.clientId);
    if (filter.login !== undefined) q = q.where('i.login', '=', filter.login);
    if (filter.cursor) q = q.where('i.ref', '<', filter.cursor);
    const rows = await q.execute();
    const page = rows.slice(0, filter.limit);
    return { items: await this.views(page), nextCursor: rows.length > filter.limit ? page.at(-1)!.ref : null };
  }

  /** The desktop cache's rows: the grid's columns and the whole view as `_json`. */
  async byIds(refs: string[]): Promise<CacheRow[]> {
    // The client's status, screening and risk for the flags (the name is in base() already).
    const rows = await this.base().select(CLIENT_COLUMNS.filter((c) => c !== 'c.display_name as client_name')).where('i.ref', 'in', refs).execute();
    const views = await this.views(rows);
    return views.map((v, i) => {
      const r = rows[i]!;
      const flags = clientFlags(r);
      return {
        caseRef: v.caseRef,
        status: v.status,
        type: v.type,
        login: v.login,
        clientId: v.clientId,
        clientName: v.clientName,
        legalEntity: v.legalEntity,
        amount: v.amount === null ? null : Number(v.amount),
        currency: v.currency,
        value: v.value,
        reasonLabel: v.reasonLabel,
        requestedBy: v.requestedByName,
        approvals: `${v.approvalsGiven} of ${v.approvalsNeeded}`,
        operator: v.operatorName,
        dealTicket: v.dealTicket,
        flags,
        createdAt: v.createdAt,
        slaDueAt: v.slaDueAt,
        _json: JSON.stringify({ ...v, clientFlags: flags }),
      };
    });
  }

  /** One case as the desktop shows it, to a reader holding `permission` in its entity (the evidence view reads it with `evidence.read`). */
  async get(auth: AuthContext, ref: string, permission: Permission = 'platform.read'): Promise<InterventionView> {
    const row = await this.base().where('i.ref', '=', ref).executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', `Intervention ${ref} does not exist.`);
    requireEntity(auth, permission, row.legal_entity);
    return (await this.views([row]))[0]!;
  }
}
