// Payment exceptions: what a person in finance must look at, each with an owner once taken, an SLA
// from the deposits policy, and a resolution code. Raised inside the mutation that found the
// problem (an event parked too long, a chargeback, a reconciliation mismatch), once per subject
// and kind while one is open.

import { nextRef } from '../../db/counters.js';
import type { Mutation } from '../../core/store.js';

export { EXCEPTION_KINDS, type ExceptionKind } from '../../../shared/payments/exceptions.js';
import type { ExceptionKind } from '../../../shared/payments/exceptions.js';

export interface NewException {
  kind: ExceptionKind;
  /** null when the event names nothing known (no deposit, no client) */
  legalEntity: string | null;
  clientId: string | null;
  subjectRef: string | null;
  provider: string | null;
  summary: string;
  details: Record<string, unknown>;
  slaHours: number;
}

/** Opens an exception unless one of this kind is open for the subject already; answers its ref. */
export async function openException(m: Mutation, e: NewException): Promise<string> {
  if (e.subjectRef) {
    const open = await m.trx.selectFrom('payment_exceptions').select('ref').where('subject_ref', '=', e.subjectRef).where('kind', '=', e.kind).where('status', '=', 'open').executeTakeFirst();
    if (open) return open.ref;
  }
  const ref = await nextRef(m.trx, 'PEX');
  const due = new Date(Date.parse(m.now) + e.slaHours * 3_600_000).toISOString();
  await m.trx
    .insertInto('payment_exceptions')
    .values({ ref, kind: e.kind, legal_entity: e.legalEntity, client_id: e.clientId, subject_ref: e.subjectRef, provider: e.provider, summary: e.summary, details_json: JSON.stringify(e.details), status: 'open', owner_id: null, sla_due_at: due, resolution_code: null, resolution_note: null, resolved_by: null, resolved_at: null, created_at: m.now })
    .execute();
  m.audit({ action: 'payments.exception.opened', targetType: 'payment_exception', targetId: ref, clientId: e.clientId ?? undefined, legalEntity: e.legalEntity, after: { kind: e.kind, subjectRef: e.subjectRef, provider: e.provider, summary: e.summary, slaDueAt: due }, caseRef: e.subjectRef ?? undefined });
  m.changed('payment_exceptions', ref, e.legalEntity, 'insert');
  return ref;
}

/** Closes the open exception of this kind about a subject, when what it waited for was settled by the system (the provider answered). */
export async function settleException(m: Mutation, subjectRef: string, kind: ExceptionKind, code: string, note: string): Promise<void> {
  const open = await m.trx.selectFrom('payment_exceptions').select(['ref', 'legal_entity', 'client_id']).where('subject_ref', '=', subjectRef).where('kind', '=', kind).where('status', '=', 'open').execute();
  for (const e of open) {
    await m.trx.updateTable('payment_exceptions').set({ status: 'resolved', resolution_code: code, resolution_note: note, resolved_by: m.actor.id, resolved_at: m.now }).where('ref', '=', e.ref).execute();
    m.audit({ action: 'payments.exception.resolved', targetType: 'payment_exception', targetId: e.ref, clientId: e.client_id ?? undefined, legalEntity: e.legal_entity, after: { resolutionCode: code }, reason: note, caseRef: subjectRef });
    m.changed('payment_exceptions', e.ref, e.legal_entity, 'update');
  }
}
