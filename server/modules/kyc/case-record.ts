// A KYC case as a record: opening one, the current one of a client, a status change with its audit
// event, its summary, and the actor of automatic steps. Shared by every KYC job.

import type { KycStatus } from '../../../shared/kyc/machine.js';
import type { Actor } from '../../core/actor.js';
import type { Mutation, Store } from '../../core/store.js';
import { nextRef } from '../../db/counters.js';
import type { ClientRow, KycCaseRow } from '../../db/schema.js';
import { DomainError } from '../../../shared/errors.js';
import { addStatusTime } from './evidence.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';

/** The actor of automatic steps: provider results, auto-verification, expiry. */
export const KYC_AUTOMATION: Actor = { id: 'system:kyc', name: 'KYC automation', ip: null, userAgent: null, sessionId: null };

/** The state of a case's enhanced-due-diligence checklist, as stored on the case. */
export interface EddState {
  policyRef: string;
  items: Record<string, { by: string; byName: string; at: string; note: string } | undefined>;
}

type Reader = Mutation['trx'] | Store['kysely'];

/** Opens a case inside the caller's mutation (registration, or a re-review). */
export async function openCase(m: Mutation, client: Pick<ClientRow, 'id' | 'legal_entity'>, reason: string): Promise<string> {
  const id = await nextRef(m.trx, 'KYC');
  await m.trx
    .insertInto('kyc_cases')
    .values({
      id,
      client_id: client.id,
      legal_entity: client.legal_entity,
      status: 'open',
      risk_level: null,
      risk_score: null,
      risk_json: null,
      assignee_id: null,
      escalated_to: null,
      requested_json: '[]',
      decision: null,
      decision_reason: null,
      decision_note: null,
      policy_basis: null,
      decided_by: null,
      decided_at: null,
      opened_reason: reason,
      created_at: m.now,
      updated_at: m.now,
      status_changed_at: m.now,
      edd_json: null,
      verification_status: 'not_started',
      verification_reason: null,
      status_seconds_json: '{}',
    })
    .execute();
  m.audit({ action: 'kyc.case.opened', targetType: 'kyc_case', targetId: id, clientId: client.id, legalEntity: client.legal_entity, caseRef: id, after: { status: 'open' }, reason });
  m.changed('kyc_cases', id, client.legal_entity, 'insert');
  return id;
}

export async function currentCase(m: Mutation, clientId: string): Promise<KycCaseRow | undefined> {
  return m.trx.selectFrom('kyc_cases').selectAll().where('client_id', '=', clientId).orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/** The case, or NOT_FOUND. */
export async function loadCase(db: Reader, caseRef: string): Promise<KycCaseRow> {
  const kase = await db.selectFrom('kyc_cases').selectAll().where('id', '=', caseRef).executeTakeFirst();
  if (!kase) throw new DomainError('NOT_FOUND', `KYC case ${caseRef} does not exist.`);
  return kase;
}

export async function setStatus(m: Mutation, kase: KycCaseRow, to: KycStatus, action: string, extra: { reason?: string; after?: Record<string, unknown>; policyRef?: string }): Promise<void> {
  const current = await m.trx.selectFrom('kyc_cases').select(['status', 'status_changed_at', 'status_seconds_json']).where('id', '=', kase.id).executeTakeFirstOrThrow();
  const seconds = addStatusTime(current.status_seconds_json, current.status, current.status_changed_at, m.now);
  await m.trx.updateTable('kyc_cases').set({ status: to, status_changed_at: m.now, updated_at: m.now, status_seconds_json: seconds }).where('id', '=', kase.id).execute();
  m.audit({
    action,
    targetType: 'kyc_case',
    targetId: kase.id,
    clientId: kase.client_id,
    legalEntity: kase.legal_entity,
    caseRef: kase.id,
    before: { status: kase.status },
    after: { status: to, ...extra.after },
    reason: extra.reason,
    policyRef: extra.policyRef,
  });
  m.changed('kyc_cases', kase.id, kase.legal_entity, 'update');
}

export async function summaryOf(db: Reader, caseRef: string): Promise<CaseSummary> {
  const row = await db.selectFrom('kyc_cases').selectAll().where('id', '=', caseRef).executeTakeFirstOrThrow();
  return caseSummary(row);
}

export type CaseSummary = ReturnType<typeof caseSummary>;

export function caseSummary(row: KycCaseRow) {
  return {
    caseRef: row.id,
    clientId: row.client_id,
    legalEntity: row.legal_entity,
    status: row.status,
    riskLevel: row.risk_level,
    riskScore: row.risk_score,
    assigneeId: row.assignee_id,
    escalatedTo: row.escalated_to,
    requestedDocuments: readJson(JSON_COLUMNS.documentTypes, row.requested_json, `kyc_cases.requested_json of ${row.id}`),
    decision: row.decision,
    decisionReason: row.decision_reason,
    decisionNote: row.decision_note,
    policyBasis: row.policy_basis,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    openedReason: row.opened_reason,
    verificationStatus: row.verification_status,
    verificationReason: row.verification_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    statusChangedAt: row.status_changed_at,
  };
}
