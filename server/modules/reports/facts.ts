// One legal entity's figures for one UTC day, as facts: a metric, the dimensions it can be filtered
// by (the client's account type and country, the staff member, a key such as the provider or the
// outcome) and a value. Flows (registrations, deposits credited, hits decided…) are counted from
// that day's audited events, which never change, so a past day can be counted at any time and
// always gives the same figures. Stocks (cases waiting, documents expiring, high-risk clients) are
// what the tables hold now: taken only for today or at the end of the day (snapshots.ts).

import type { Kysely } from 'kysely';
import type { AuditEventRow, Database } from '../../db/schema.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';

export interface Fact {
  /** metric id (catalog.ts) */
  m: string;
  /** account type, country, staff member, key: absent where the metric has no such dimension */
  a?: string;
  c?: string;
  s?: string;
  k?: string;
  v: number;
}

/** The bucket for "not tied to a legal entity": sign-ins and other staff events with no entity. */
export const NO_ENTITY = '_none';

const OPEN_KYC = ['open', 'pending_documents', 'escalated'];
const SENSITIVE = new Set(['access.role.granted', 'access.role.revoked', 'access.user.created', 'access.user.status', 'auth.mfa.reset', 'auth.password.reset', 'audit.signingKey.rotated', 'policy.activated', 'approval.approved', 'kyc.override.requested']);
const ABNORMAL_SIGN_INS = new Set(['auth.login.failed', 'auth.login.failed.repeated', 'auth.lockout', 'auth.login.locked', 'auth.mfa.replayed', 'auth.session.rejected']);

/** Hours from one time to another, as a bucket label. */
export function durationBucket(fromIso: string, toIso: string): string {
  const h = (Date.parse(toIso) - Date.parse(fromIso)) / 3_600_000;
  return h < 1 ? 'under 1 h' : h < 4 ? '1-4 h' : h < 24 ? '4-24 h' : h < 72 ? '1-3 days' : 'over 3 days';
}

function after(r: AuditEventRow): Record<string, unknown> {
  if (r.after_json === null) return {};
  const v = readJson(JSON_COLUMNS.json, r.after_json, `audit_events.after_json of ${r.seq}`);
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

class Counter {
  readonly #counts = new Map<string, Fact>();
  add(f: Omit<Fact, 'v'>, v = 1): void {
    const key = `${f.m}|${f.a ?? ''}|${f.c ?? ''}|${f.s ?? ''}|${f.k ?? ''}`;
    const had = this.#counts.get(key);
    if (had) had.v += v;
    else this.#counts.set(key, { ...Object.fromEntries(Object.entries(f).filter(([, x]) => x !== undefined && x !== null && x !== '')), m: f.m, v } as Fact);
  }
  facts(): Fact[] {
    return [...this.#counts.values()];
  }
}

/** The day's flows for one entity (or NO_ENTITY), from the audit log. */
export async function flowsOf(db: Kysely<Database>, entity: string, day: string): Promise<Fact[]> {
  const from = `${day}T00:00:00.000Z`;
  const to = new Date(Date.parse(from) + 86_400_000).toISOString();
  let q = db.selectFrom('audit_events').selectAll().where('at', '>=', from).where('at', '<', to);
  q = entity === NO_ENTITY ? q.where('legal_entity', 'is', null) : q.where('legal_entity', '=', entity);
  const rows = await q.orderBy('seq').execute();
  const clientIds = [...new Set(rows.map((r) => r.client_id).filter((x): x is string => x !== null))];
  const clients = new Map((clientIds.length ? await db.selectFrom('clients').select(['id', 'account_type', 'country']).where('id', 'in', clientIds).execute() : []).map((c) => [c.id, c]));
  const refs = (prefix: string) => [...new Set(rows.filter((r) => r.target_id?.startsWith(prefix)).map((r) => r.target_id!))];
  const depositRefs = refs('DEP-');
  const deposits = new Map((depositRefs.length ? await db.selectFrom('deposits').select(['ref', 'provider']).where('ref', 'in', depositRefs).execute() : []).map((d) => [d.ref, d]));
  const withdrawalRefs = refs('WD-');
  const withdrawals = new Map((withdrawalRefs.length ? await db.selectFrom('withdrawals').select(['ref', 'provider', 'created_at']).where('ref', 'in', withdrawalRefs).execute() : []).map((w) => [w.ref, w]));
  const caseRefs = [...new Set(rows.map((r) => r.case_ref).filter((x): x is string => x !== null && x.startsWith('INT-')))];
  const interventions = new Map((caseRefs.length ? await db.selectFrom('interventions').select(['ref', 'type', 'executed_by']).where('ref', 'in', caseRefs).execute() : []).map((i) => [i.ref, i]));
  const kycRefs = [...new Set(rows.map((r) => r.case_ref).filter((x): x is string => x !== null && x.startsWith('KYC-')))];
  const kycCases = new Map((kycRefs.length ? await db.selectFrom('kyc_cases').select(['id', 'created_at']).where('id', 'in', kycRefs).execute() : []).map((k) => [k.id, k]));
  const admins = new Set((await db.selectFrom('role_grants').select('user_id').where('role', '=', 'administrator').execute()).map((g) => g.user_id));
  const names = new Map((await db.selectFrom('users').select(['id', 'username']).execute()).map((u) => [u.id, u.username]));
  const staffOf = (id: string | null) => (id === null ? undefined : names.get(id));

  const out = new Counter();
  for (const r of rows) {
    const client = r.client_id ? clients.get(r.client_id) : undefined;
    const dims = { a: client?.account_type, c: client?.country, s: staffOf(r.actor_id) };
    const x = after(r);
    switch (r.action) {
      case 'client.registered':
        out.add({ m: 'registrations', ...dims });
        break;
      case 'client.status_changed':
        if (x.status === 'approved' || x.status === 'rejected' || x.status === 'closed') out.add({ m: `clients_${x.status}`, ...dims });
        break;
      case 'kyc.documents_requested':
        out.add({ m: 'documents_requested', ...dims });
        break;
      case 'kyc.case.approved':
      case 'kyc.case.auto_verified':
      case 'kyc.case.rejected': {
        const opened = r.case_ref ? kycCases.get(r.case_ref)?.created_at : undefined;
        out.add({ m: 'kyc_decided', ...dims, k: r.action === 'kyc.case.rejected' ? 'rejected' : r.action === 'kyc.case.auto_verified' ? 'auto-verified' : 'approved' });
        if (opened) out.add({ m: 'kyc_time_to_decision', ...dims, k: durationBucket(opened, r.at) });
        break;
      }
      case 'kyc.case.escalated':
        out.add({ m: 'kyc_escalated', ...dims });
        break;
      case 'kyc.edd.required':
      case 'kyc.edd.completed':
        out.add({ m: r.action === 'kyc.edd.required' ? 'edd_required' : 'edd_completed', ...dims });
        break;
      case 'screening.case.opened':
        out.add({ m: 'screening_hits', ...dims });
        break;
      case 'screening.case.decided':
        out.add({ m: 'screening_decided', ...dims, k: typeof x.decision === 'string' ? x.decision : typeof x.status === 'string' ? x.status : 'decided' });
        break;
      case 'alert.raised':
        out.add({ m: 'alerts_raised', ...dims, k: typeof x.kind === 'string' ? x.kind : undefined });
        break;
      case 'deposit.initiated':
      case 'deposit.credited':
      case 'deposit.failed':
      case 'deposit.refunded':
      case 'deposit.charged_back': {
        const provider = (r.target_id ? deposits.get(r.target_id)?.provider : undefined) ?? (typeof x.provider === 'string' ? x.provider : undefined);
        out.add({ m: r.action.replace('.', '_').replace('deposit_', 'deposits_'), ...dims, k: provider });
        break;
      }
      case 'withdrawal.requested':
      case 'withdrawal.failed':
      case 'withdrawal.rejected':
        out.add({ m: r.action.replace('withdrawal.', 'withdrawals_'), ...dims, k: r.target_id ? withdrawals.get(r.target_id)?.provider : undefined });
        break;
      case 'withdrawal.paid': {
        const w = r.target_id ? withdrawals.get(r.target_id) : undefined;
        out.add({ m: 'withdrawals_paid', ...dims, k: w?.provider });
        if (w) out.add({ m: 'withdrawal_processing', ...dims, k: durationBucket(w.created_at, r.at) });
        break;
      }
      case 'intervention.requested':
      case 'intervention.executed':
      case 'intervention.rejected':
      case 'intervention.failed': {
        const i = r.case_ref ? interventions.get(r.case_ref) : undefined;
        // Executed by the operator who sent it, not the connector that recorded MT5's answer.
        const staff = r.action === 'intervention.executed' ? (staffOf(i?.executed_by ?? null) ?? dims.s) : dims.s;
        out.add({ m: r.action.replace('intervention.', 'interventions_'), a: dims.a, c: dims.c, s: staff, k: i?.type });
        break;
      }
      case 'platform.manager_op.found':
      case 'platform.manager_op.linked':
      case 'platform.manager_op.escalated':
        out.add({ m: r.action.replace('platform.manager_op.', 'manager_ops_'), ...dims });
        break;
    }
    if (admins.has(r.actor_id)) out.add({ m: 'admin_actions', s: dims.s, k: r.action });
    if (SENSITIVE.has(r.action)) out.add({ m: 'sensitive_changes', s: dims.s, k: r.action });
    if (ABNORMAL_SIGN_INS.has(r.action)) out.add({ m: 'abnormal_sign_ins', s: r.target_type === 'user' ? (staffOf(r.target_id) ?? r.actor_name) : r.actor_name, k: r.action });
    if (r.action === 'access.role.granted' || r.action === 'access.role.revoked' || r.action === 'access.role.lapsed') out.add({ m: 'role_changes', s: dims.s, k: r.action.replace('access.role.', '') });
  }
  return out.facts();
}

/** What the tables hold now for one entity: the end-of-day counts of a snapshot taken at day's end, or today's. */
export async function stocksOf(db: Kysely<Database>, entity: string, now: string): Promise<Fact[]> {
  if (entity === NO_ENTITY) return [];
  const out = new Counter();
  const cases = await db
    .selectFrom('kyc_cases as k')
    .innerJoin('clients as c', 'c.id', 'k.client_id')
    .select(['k.status', 'k.status_changed_at', 'c.account_type', 'c.country'])
    .where('k.legal_entity', '=', entity)
    .where('k.status', 'in', OPEN_KYC as never[])
    .execute();
  const stuckBefore = new Date(Date.parse(now) - 7 * 86_400_000).toISOString();
  for (const k of cases) {
    out.add({ m: 'kyc_open', a: k.account_type, c: k.country, k: k.status });
    if (k.status_changed_at < stuckBefore) out.add({ m: 'kyc_stuck', a: k.account_type, c: k.country, k: k.status });
    if (k.status === 'pending_documents') out.add({ m: 'pending_documents', a: k.account_type, c: k.country });
  }
  const clients = await db.selectFrom('clients').select(['account_type', 'country', 'risk_level', 'status']).where('legal_entity', '=', entity).where('status', '!=', 'closed').execute();
  for (const c of clients) if (c.risk_level === 'high') out.add({ m: 'high_risk_clients', a: c.account_type, c: c.country });
  const soon = new Date(Date.parse(now) + 30 * 86_400_000).toISOString().slice(0, 10);
  const docs = await db
    .selectFrom('documents as d')
    .innerJoin('clients as c', 'c.id', 'd.client_id')
    .select(['d.expires_at', 'c.account_type', 'c.country'])
    .where('d.legal_entity', '=', entity)
    .where('d.status', '=', 'accepted')
    .execute();
  for (const d of docs) {
    out.add({ m: 'documents_valid', a: d.account_type, c: d.country });
    if (d.expires_at !== null && d.expires_at <= soon) out.add({ m: 'documents_expiring', a: d.account_type, c: d.country });
  }
  const waiting = await db.selectFrom('withdrawals').select(['status']).where('legal_entity', '=', entity).where('status', 'in', ['pending_approval', 'on_hold', 'needs_assistance']).execute();
  for (const w of waiting) out.add({ m: 'withdrawals_waiting', k: w.status });
  return out.facts();
}
