// Deciding a KYC case: the one sequence that an officer's approval or rejection, an approved
// override and auto-verification all run. Approving accepts the documents received, records the
// decision and its basis on the case, moves the case, and takes the client to approved through
// pending review; rejecting closes the client. A client under a restriction stays restricted: a
// KYC decision does not lift what a sanctions match or an expired document imposed.

import { REJECTION_REASONS, type RejectionReason } from '../../../shared/kyc/machine.js';
import type { Mutation } from '../../core/store.js';
import type { ClientRow, KycCaseRow } from '../../db/schema.js';
import { transitionClient } from '../clients/restrictions.js';
import { setStatus } from './case-record.js';

interface Common {
  /** The audit action of the case's move (kyc.case.approved, kyc.case.auto_verified, kyc.case.overridden). */
  action: string;
  note: string;
  /** Who decided: the officer, the last approver of an override, or the automation. */
  decidedBy: string | null;
  policyBasis: string | null;
  /** The reason recorded on the case's audit event. */
  reason: string;
  after?: Record<string, unknown>;
  policyRef?: string;
}

export type CaseDecision = (Common & { outcome: 'approved'; reasonCode?: string; clientReason: string }) | (Common & { outcome: 'rejected'; reasonCode: RejectionReason; clientReason: string });

export async function decideCase(m: Mutation, kase: KycCaseRow, client: ClientRow, d: CaseDecision): Promise<void> {
  if (d.outcome === 'approved') {
    await m.trx.updateTable('documents').set({ status: 'accepted' }).where('client_id', '=', client.id).where('status', '=', 'received').execute();
  }
  await m.trx
    .updateTable('kyc_cases')
    .set({ decision: d.outcome, decision_reason: d.reasonCode ?? null, decision_note: d.note, policy_basis: d.policyBasis, decided_by: d.decidedBy, decided_at: m.now })
    .where('id', '=', kase.id)
    .execute();
  await setStatus(m, kase, d.outcome, d.action, { reason: d.reason, after: { decision: d.outcome, ...d.after }, ...(d.policyRef ? { policyRef: d.policyRef } : {}) });
  if (d.outcome === 'rejected') {
    if (client.status !== 'closed') await transitionClient(m, client, 'closed', { reason: d.clientReason, caseRef: kase.id });
    return;
  }
  let c = client;
  if (c.status === 'registered' || c.status === 'pending_documents') c = await transitionClient(m, c, 'pending_review', { reason: 'Under KYC review', caseRef: kase.id });
  if (c.status === 'pending_review') await transitionClient(m, c, 'approved', { reason: d.clientReason, caseRef: kase.id });
}

/** The text a rejection code stands for, with the officer's note. */
export function rejectionText(code: RejectionReason, note: string): string {
  return `${REJECTION_REASONS[code]}: ${note}`;
}
