// The officer's work on a KYC case: assign, request documents, escalate, approve, reject, each
// through the case machine in shared/kyc and the rule of who may act (shared/kyc/who.ts).

import { isRole, permissionsOf } from '../../../shared/access/permissions.js';
import { DomainError } from '../../../shared/errors.js';
import { DOCUMENT_TYPES, kycTransition, REJECTION_REASONS, type DocumentType, type KycAction, type KycStatus, type RejectionReason } from '../../../shared/kyc/machine.js';
import { mayActOnCase } from '../../../shared/kyc/who.js';
import { requireEntity, type AuthContext } from '../../core/auth.js';
import type { Mutation, Store } from '../../core/store.js';
import type { KycCaseRow } from '../../db/schema.js';
import { grantsInForce } from '../access/grants.js';
import { loadClient, transitionClient } from '../clients/restrictions.js';
import { blockers } from './blockers.js';
import { loadCase, setStatus, summaryOf, type CaseSummary } from './case-record.js';
import { decideCase, rejectionText } from './decide.js';
import { dateOf } from '../../../shared/time.js';

export class KycWorkflow {
  constructor(private readonly store: Store) {}

  /** Loads the case, checks scope and the machine, and that the caller may act on it now. */
  private async forAction(m: Mutation, auth: AuthContext, caseRef: string, action: KycAction): Promise<{ kase: KycCaseRow; to: KycStatus }> {
    const kase = await loadCase(m.trx, caseRef);
    requireEntity(auth, action === 'approve' || action === 'reject' ? 'kyc.decide' : 'kyc.review', kase.legal_entity);
    const t = kycTransition(kase.status, action);
    if (!t.ok) throw new DomainError(t.reason, t.message, { status: kase.status, action });
    if (action !== 'assign') {
      const may = mayActOnCase({ id: kase.id, status: kase.status, assigneeId: kase.assignee_id, escalatedTo: kase.escalated_to }, { userId: auth.user.id, senior: auth.scope('kyc.decideHighRisk').includes(kase.legal_entity) });
      if (!may.ok) throw new DomainError(may.reason, may.message);
    }
    return { kase, to: t.to };
  }

  async assign(auth: AuthContext, caseRef: string, userId: string): Promise<CaseSummary> {
    await this.store.mutate(auth.actor, async (m) => {
      const { kase } = await this.forAction(m, auth, caseRef, 'assign');
      const assignee = await m.trx.selectFrom('users').select(['id', 'username', 'status']).where('id', '=', userId).executeTakeFirst();
      if (!assignee || assignee.status !== 'active') throw new DomainError('NOT_FOUND', `No active staff user ${userId}.`);
      const grants = await grantsInForce(m.trx, m.now).select('role').where('user_id', '=', userId).where('legal_entity', '=', kase.legal_entity).execute();
      if (!permissionsOf(grants.map((g) => g.role).filter(isRole)).has('kyc.review')) {
        throw new DomainError('FORBIDDEN_PERMISSION', `${assignee.username} cannot work KYC cases in ${kase.legal_entity}: none of their roles there carries kyc.review.`);
      }
      if (userId !== auth.user.id && !auth.scope('kyc.decideHighRisk').includes(kase.legal_entity) && kase.assignee_id && kase.assignee_id !== auth.user.id) {
        throw new DomainError('NOT_ASSIGNED', `${kase.id} is assigned to someone else; only its assignee or a senior officer may hand it on.`);
      }
      await m.trx.updateTable('kyc_cases').set({ assignee_id: userId, updated_at: m.now }).where('id', '=', kase.id).execute();
      m.audit({ action: 'kyc.case.assigned', targetType: 'kyc_case', targetId: kase.id, clientId: kase.client_id, legalEntity: kase.legal_entity, caseRef: kase.id, before: { assignee: kase.assignee_id }, after: { assignee: userId, username: assignee.username } });
      m.changed('kyc_cases', kase.id, kase.legal_entity, 'update');
    });
    return summaryOf(this.store.kysely, caseRef);
  }

  async requestDocuments(auth: AuthContext, input: { caseRef: string; documentTypes: DocumentType[]; note: string }): Promise<CaseSummary> {
    await this.store.mutate(auth.actor, async (m) => {
      const { kase, to } = await this.forAction(m, auth, input.caseRef, 'requestDocuments');
      const types = [...new Set(input.documentTypes)];
      await m.trx.updateTable('kyc_cases').set({ requested_json: JSON.stringify(types) }).where('id', '=', kase.id).execute();
      await setStatus(m, kase, to, 'kyc.documents_requested', { reason: input.note, after: { documentTypes: types } });
      const client = await loadClient(m, kase.client_id);
      if (client.status === 'pending_review' || client.status === 'registered') {
        const reviewing = client.status === 'registered' ? await transitionClient(m, client, 'pending_review', { reason: 'Under KYC review', caseRef: kase.id }) : client;
        await transitionClient(m, reviewing, 'pending_documents', { reason: `Documents requested: ${types.map((t) => DOCUMENT_TYPES[t].label).join(', ')}`, caseRef: kase.id });
      }
    });
    return summaryOf(this.store.kysely, input.caseRef);
  }

  async escalate(auth: AuthContext, input: { caseRef: string; note: string }): Promise<CaseSummary> {
    await this.store.mutate(auth.actor, async (m) => {
      const { kase, to } = await this.forAction(m, auth, input.caseRef, 'escalate');
      const target = kase.risk_level === 'high' ? 'mlro' : 'senior_compliance_officer';
      await m.trx.updateTable('kyc_cases').set({ escalated_to: target }).where('id', '=', kase.id).execute();
      await setStatus(m, kase, to, 'kyc.case.escalated', { reason: input.note, after: { escalatedTo: target } });
    });
    return summaryOf(this.store.kysely, input.caseRef);
  }

  async approve(auth: AuthContext, input: { caseRef: string; note: string; policyBasis: string }): Promise<CaseSummary> {
    await this.store.mutate(auth.actor, async (m) => {
      const { kase } = await this.forAction(m, auth, input.caseRef, 'approve');
      const client = await loadClient(m, kase.client_id);
      const found = await blockers(m.trx, kase, client, dateOf(m.now));
      if (found.length) {
        const first = found.find((b) => b.reason === 'DOCUMENT_EXPIRED') ?? found[0]!;
        throw new DomainError(first.reason, `${kase.id} cannot be approved yet: ${found.map((b) => b.message).join(' ')}`, { blockers: found });
      }
      await decideCase(m, kase, client, { outcome: 'approved', action: 'kyc.case.approved', note: input.note, decidedBy: auth.user.id, policyBasis: input.policyBasis, reason: input.note, after: { policyBasis: input.policyBasis }, clientReason: `KYC approved: ${input.policyBasis}` });
    });
    return summaryOf(this.store.kysely, input.caseRef);
  }

  async reject(auth: AuthContext, input: { caseRef: string; reason: RejectionReason; note: string }): Promise<CaseSummary> {
    await this.store.mutate(auth.actor, async (m) => {
      const { kase } = await this.forAction(m, auth, input.caseRef, 'reject');
      const client = await loadClient(m, kase.client_id);
      await decideCase(m, kase, client, { outcome: 'rejected', action: 'kyc.case.rejected', reasonCode: input.reason, note: input.note, decidedBy: auth.user.id, policyBasis: null, reason: rejectionText(input.reason, input.note), after: { reasonCode: input.reason }, clientReason: `KYC rejected: ${REJECTION_REASONS[input.reason]}` });
    });
    return summaryOf(this.store.kysely, input.caseRef);
  }
}
