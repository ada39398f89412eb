// KYC cases: opened on registration, fed by the client's documents, worked by compliance officers
// (assign, request documents, escalate, approve, reject) through the case machine in shared/kyc.
// Every step is an audit event carrying the case reference, so the evidence trail is the hash chain
// itself; kyc.get reads it back beside the documents and the screening hits.

import { addDays } from '../../../shared/time.js';
import { isRole, permissionsOf } from '../../../shared/access/permissions.js';
import { DomainError } from '../../../shared/errors.js';
import {
  allowedKycActions,
  DOCUMENT_TYPES,
  kycTransition,
  PROOF_OF_ADDRESS_VALID_DAYS,
  REJECTION_REASONS,
  REQUIRED_CATEGORIES,
  type DocumentCategory,
  type DocumentType,
  type KycAction,
  type KycStatus,
  type RejectionReason,
} from '../../../shared/kyc/machine.js';
import type { UploadDocumentInput } from '../../../shared/kyc/schemas.js';
import type { CacheRow } from '../../../shared/desktop/views.js';
import { assessRisk, countriesChangedBetween, countryListOn, type RiskAssessment } from '../../../shared/kyc/risk.js';
import type { CountryList, EddItem, KycReviewPolicy, KycRiskPolicy } from '../../../shared/policies/kyc.js';
import { enqueue } from '../../jobs/queue.js';
import type { ApprovalKinds } from '../approvals/registry.js';
import type { ApprovalsService } from '../approvals/service.js';
import { raiseAlert } from '../alerts/service.js';
import type { PoliciesService } from '../policies/service.js';
import { addStatusTime, compareExtraction, riskInputs, slaOf, type Mismatch } from './evidence.js';
import { ProviderRefused, ProviderUnavailable, type KycProviderClient } from './provider-client.js';
import { kycOverridePayload, type KycOverrideInput } from '../../../shared/kyc/schemas.js';
import { restrictClient } from '../clients/restrictions.js';
import { RESTRICTION_KINDS, type RestrictionKind } from '../../../shared/clients/lifecycle.js';
import type { Actor } from '../../core/actor.js';
import type { Mutation, Store } from '../../core/store.js';
import { nextRef } from '../../db/counters.js';
import type { ClientRow, KycCaseRow } from '../../db/schema.js';
import { auditItem } from '../audit/service.js';
import { loadClient, transitionClient } from '../clients/restrictions.js';
import { decodeBase64, DocumentRefused, sniffDocument } from '../documents/sniff.js';
import type { DocumentStore } from '../documents/store.js';
import { grantsInForce } from '../access/grants.js';
import { requireEntity, type AuthContext } from '../../core/auth.js';

const DAY = 86_400_000;

function refuseUpload(message: string, field: string): never {
  throw new DomainError('VALIDATION_FAILED', message, { issues: [{ path: field, message }] });
}

/** The actor of automatic steps: provider results, auto-verification, expiry. */
export const KYC_AUTOMATION: Actor = { id: 'system:kyc', name: 'KYC automation', ip: null, userAgent: null, sessionId: null };

/** The state of a case's enhanced-due-diligence checklist, as stored on the case. */
interface EddState {
  policyRef: string;
  items: Record<string, { by: string; byName: string; at: string; note: string } | undefined>;
}

export class KycService {

  constructor(
    private readonly store: Store,
    readonly documents: DocumentStore,
    private readonly policies: PoliciesService,
    private readonly provider: KycProviderClient | null,
    private readonly approvals: ApprovalsService,
  ) {}

  /** Opens a case inside the caller's mutation (registration, or a re-review). */
  async openCase(m: Mutation, client: Pick<ClientRow, 'id' | 'legal_entity'>, reason: string): Promise<string> {
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

  private async currentCase(m: Mutation, clientId: string): Promise<KycCaseRow | undefined> {
    return m.trx.selectFrom('kyc_cases').selectAll().where('client_id', '=', clientId).orderBy('id', 'desc').limit(1).executeTakeFirst();
  }

  /** A document from the portal: sniffed, stored encrypted, recorded as evidence; a requested one reopens the case. */
  async uploadDocument(actor: Actor, input: UploadDocumentInput): Promise<{ documentId: string }> {
    const today = this.store.now().slice(0, 10);
    const spec = DOCUMENT_TYPES[input.documentType];
    const expiresAt = input.expiresAt ?? null;
    if (input.issuedAt && input.issuedAt > today) refuseUpload(`issuedAt: ${input.issuedAt} is in the future.`, 'issuedAt');
    if (spec.expires) {
      if (!expiresAt) refuseUpload(`expiresAt: a ${spec.label.toLowerCase()} has an expiry date; send it as YYYY-MM-DD.`, 'expiresAt');
      if (expiresAt <= today) refuseUpload(`expiresAt: this ${spec.label.toLowerCase()} expired on ${expiresAt}; upload a valid one.`, 'expiresAt');
    }
    if (input.documentType === 'proof_of_address') {
      // Recency is a condition of receipt; the document itself expires only if it says so.
      if (!input.issuedAt) refuseUpload('issuedAt: give the date the bill or statement was issued (YYYY-MM-DD); it must be under three months old.', 'issuedAt');
      if (addDays(input.issuedAt, PROOF_OF_ADDRESS_VALID_DAYS) <= today) refuseUpload(`issuedAt: a proof of address issued on ${input.issuedAt} is older than ${PROOF_OF_ADDRESS_VALID_DAYS} days; send one from the last three months.`, 'issuedAt');
      if (expiresAt !== null && expiresAt <= today) refuseUpload(`expiresAt: this proof of address expired on ${expiresAt}; upload a valid one.`, 'expiresAt');
    }
    let bytes: Buffer;
    let mime: string;
    try {
      bytes = decodeBase64(input.contentBase64);
      mime = (await sniffDocument(bytes, input.fileName)).mime;
    } catch (error) {
      if (error instanceof DocumentRefused) refuseUpload(error.message, error.code === 'MISLABELLED' || error.code === 'UNSUPPORTED_TYPE' ? 'fileName' : 'contentBase64');
      throw error;
    }
    const client = await this.store.kysely.selectFrom('clients').selectAll().where('id', '=', input.clientId).executeTakeFirst();
    if (!client) throw new DomainError('NOT_FOUND', `Client ${input.clientId} does not exist.`);
    if (client.status === 'closed') throw new DomainError('INVALID_TRANSITION', `Client ${client.id} is closed; it cannot send documents.`);
    // Content-addressed: storing before the transaction leaves at worst an unreferenced file, never a row without its file.
    const sha256 = this.documents.put(bytes);

    return this.store.mutate(actor, async (m) => {
      const kase = await this.currentCase(m, client.id);
      const id = await nextRef(m.trx, 'DOC');
      const previous = await m.trx.selectFrom('documents').select('id').where('client_id', '=', client.id).where('document_type', '=', input.documentType).where('status', 'in', ['received', 'accepted']).execute();
      await m.trx
        .insertInto('documents')
        .values({
          id,
          client_id: client.id,
          legal_entity: client.legal_entity,
          kyc_case_id: kase?.id ?? null,
          document_type: input.documentType,
          file_name: input.fileName,
          mime,
          size: bytes.length,
          sha256,
          source: 'portal',
          issued_at: input.issuedAt ?? null,
          expires_at: expiresAt,
          status: 'received',
          rejection_reason: null,
          received_at: m.now,
          superseded_by: null,
        })
        .execute();
      if (previous.length) await m.trx.updateTable('documents').set({ status: 'superseded', superseded_by: id }).where('id', 'in', previous.map((p) => p.id)).execute();
      m.audit({
        action: 'kyc.document.received',
        targetType: 'document',
        targetId: id,
        clientId: client.id,
        legalEntity: client.legal_entity,
        caseRef: kase?.id,
        after: { documentType: input.documentType, fileName: input.fileName, mime, size: bytes.length, sha256, source: 'portal', issuedAt: input.issuedAt ?? null, expiresAt, supersedes: previous.map((p) => p.id) },
      });
      m.changed('documents', id, client.legal_entity, 'insert');

      let current: ClientRow = client;
      if (client.status === 'registered') current = await transitionClient(m, client, 'pending_review', { reason: 'First documents received', caseRef: kase?.id });
      if (kase?.status === 'pending_documents') {
        const requested = (JSON.parse(kase.requested_json) as DocumentType[]).filter((t) => t !== input.documentType);
        await m.trx.updateTable('kyc_cases').set({ requested_json: JSON.stringify(requested), updated_at: m.now }).where('id', '=', kase.id).execute();
        if (requested.length === 0) {
          await this.setStatus(m, kase, 'open', 'kyc.case.reopened', { reason: 'The requested documents were received' });
          if (current.status === 'pending_documents') await transitionClient(m, current, 'pending_review', { reason: 'Requested documents received', caseRef: kase.id });
        } else {
          m.changed('kyc_cases', kase.id, kase.legal_entity, 'update');
        }
      } else if (kase) {
        await m.trx.updateTable('kyc_cases').set({ updated_at: m.now }).where('id', '=', kase.id).execute();
        m.changed('kyc_cases', kase.id, kase.legal_entity, 'update');
      }
      if (kase && spec.category === 'identity') await this.requestVerification(m, kase, id, input.documentType);
      else if (kase) await this.evaluate(m, kase.id);
      return { documentId: id };
    });
  }

  private async setStatus(m: Mutation, kase: KycCaseRow, to: KycStatus, action: string, extra: { reason?: string; after?: Record<string, unknown>; policyRef?: string }): Promise<void> {
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

  /** Loads the case, checks scope and the machine, and that the caller may act on it now. */
  private async forAction(m: Mutation, auth: AuthContext, caseRef: string, action: KycAction): Promise<{ kase: KycCaseRow; to: KycStatus }> {
    const kase = await m.trx.selectFrom('kyc_cases').selectAll().where('id', '=', caseRef).executeTakeFirst();
    if (!kase) throw new DomainError('NOT_FOUND', `KYC case ${caseRef} does not exist.`);
    requireEntity(auth, action === 'approve' || action === 'reject' ? 'kyc.decide' : 'kyc.review', kase.legal_entity);
    const t = kycTransition(kase.status as KycStatus, action);
    if (!t.ok) throw new DomainError(t.reason, t.message, { status: kase.status, action });
    if (action !== 'assign') {
      const senior = auth.scope('kyc.decideHighRisk').includes(kase.legal_entity);
      if (kase.status === 'escalated' && !senior) {
        throw new DomainError('FORBIDDEN_PERMISSION', `${kase.id} is escalated to the ${kase.escalated_to?.replaceAll('_', ' ') ?? 'senior compliance officer'}; only a senior compliance officer or the MLRO may act on it now.`);
      }
      if (kase.status !== 'escalated' && kase.assignee_id !== auth.user.id && !senior) {
        throw new DomainError('NOT_ASSIGNED', kase.assignee_id ? `${kase.id} is assigned to someone else; ask them, or have it reassigned to you first (kyc.assign).` : `${kase.id} is not assigned; assign it to yourself first (kyc.assign).`);
      }
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
    return this.summary(caseRef);
  }

  async requestDocuments(auth: AuthContext, input: { caseRef: string; documentTypes: DocumentType[]; note: string }): Promise<CaseSummary> {
    await this.store.mutate(auth.actor, async (m) => {
      const { kase, to } = await this.forAction(m, auth, input.caseRef, 'requestDocuments');
      const types = [...new Set(input.documentTypes)];
      await m.trx.updateTable('kyc_cases').set({ requested_json: JSON.stringify(types) }).where('id', '=', kase.id).execute();
      await this.setStatus(m, kase, to, 'kyc.documents_requested', { reason: input.note, after: { documentTypes: types } });
      const client = await loadClient(m, kase.client_id);
      if (client.status === 'pending_review' || client.status === 'registered') {
        const reviewing = client.status === 'registered' ? await transitionClient(m, client, 'pending_review', { reason: 'Under KYC review', caseRef: kase.id }) : client;
        await transitionClient(m, reviewing, 'pending_documents', { reason: `Documents requested: ${types.map((t) => DOCUMENT_TYPES[t].label).join(', ')}`, caseRef: kase.id });
      }
    });
    return this.summary(input.caseRef);
  }

  async escalate(auth: AuthContext, input: { caseRef: string; note: string }): Promise<CaseSummary> {
    await this.store.mutate(auth.actor, async (m) => {
      const { kase, to } = await this.forAction(m, auth, input.caseRef, 'escalate');
      const target = kase.risk_level === 'high' ? 'mlro' : 'senior_compliance_officer';
      await m.trx.updateTable('kyc_cases').set({ escalated_to: target }).where('id', '=', kase.id).execute();
      await this.setStatus(m, kase, to, 'kyc.case.escalated', { reason: input.note, after: { escalatedTo: target } });
    });
    return this.summary(input.caseRef);
  }

  /** What stands between the case and approval: missing or expired documents, screening not done or not cleared. */
  async blockers(db: Mutation['trx'] | Store['kysely'], kase: KycCaseRow, client: ClientRow, today: string): Promise<Array<{ reason: 'KYC_INCOMPLETE' | 'DOCUMENT_EXPIRED'; message: string }>> {
    const docs = await db.selectFrom('documents').selectAll().where('client_id', '=', client.id).where('status', 'in', ['received', 'accepted']).execute();
    const out: Array<{ reason: 'KYC_INCOMPLETE' | 'DOCUMENT_EXPIRED'; message: string }> = [];
    for (const category of REQUIRED_CATEGORIES[client.type]) {
      const ofCategory = docs.filter((d) => DOCUMENT_TYPES[d.document_type as DocumentType].category === category);
      const labels = categoryLabel(category);
      if (ofCategory.length === 0) out.push({ reason: 'KYC_INCOMPLETE', message: `No ${labels} has been received.` });
      else if (ofCategory.every((d) => d.expires_at !== null && d.expires_at <= today)) {
        out.push({ reason: 'DOCUMENT_EXPIRED', message: `The ${labels} expired on ${ofCategory.map((d) => d.expires_at).join(', ')}; request a current one.` });
      }
    }
    const requested = JSON.parse(kase.requested_json) as DocumentType[];
    if (requested.length) out.push({ reason: 'KYC_INCOMPLETE', message: `Requested documents not yet received: ${requested.map((t) => DOCUMENT_TYPES[t].label).join(', ')}.` });
    if (client.screening_status === 'not_screened') out.push({ reason: 'KYC_INCOMPLETE', message: 'The client has not been screened: no sanctions or PEP list is loaded.' });
    if (client.screening_status === 'potential_match') out.push({ reason: 'KYC_INCOMPLETE', message: 'Screening hits are still open; decide them in the screening review first.' });
    if (client.screening_status === 'confirmed_match') out.push({ reason: 'KYC_INCOMPLETE', message: 'The client is a confirmed sanctions match; it cannot be approved.' });
    if (kase.verification_status === 'pending') out.push({ reason: 'KYC_INCOMPLETE', message: 'The KYC provider\u2019s document check is still running.' });
    const edd = await this.eddChecklist(db, kase);
    const open = edd?.filter((i) => !i.done) ?? [];
    if (open.length) out.push({ reason: 'KYC_INCOMPLETE', message: `Enhanced due diligence is incomplete: ${open.map((i) => i.label).join('; ')}.` });
    return out;
  }

  async approve(auth: AuthContext, input: { caseRef: string; note: string; policyBasis: string }): Promise<CaseSummary> {
    await this.store.mutate(auth.actor, async (m) => {
      const { kase, to } = await this.forAction(m, auth, input.caseRef, 'approve');
      const client = await loadClient(m, kase.client_id);
      const blockers = await this.blockers(m.trx, kase, client, m.now.slice(0, 10));
      if (blockers.length) {
        const first = blockers.find((b) => b.reason === 'DOCUMENT_EXPIRED') ?? blockers[0]!;
        throw new DomainError(first.reason, `${kase.id} cannot be approved yet: ${blockers.map((b) => b.message).join(' ')}`, { blockers });
      }
      await m.trx.updateTable('documents').set({ status: 'accepted' }).where('client_id', '=', client.id).where('status', '=', 'received').execute();
      await m.trx.updateTable('kyc_cases').set({ decision: 'approved', decision_note: input.note, policy_basis: input.policyBasis, decided_by: auth.user.id, decided_at: m.now }).where('id', '=', kase.id).execute();
      await this.setStatus(m, kase, to, 'kyc.case.approved', { reason: input.note, after: { decision: 'approved', policyBasis: input.policyBasis } });
      const reviewing = client.status === 'registered' ? await transitionClient(m, client, 'pending_review', { reason: 'Under KYC review', caseRef: kase.id }) : client;
      if (reviewing.status !== 'approved') await transitionClient(m, reviewing, 'approved', { reason: `KYC approved: ${input.policyBasis}`, caseRef: kase.id });
    });
    return this.summary(input.caseRef);
  }

  async reject(auth: AuthContext, input: { caseRef: string; reason: RejectionReason; note: string }): Promise<CaseSummary> {
    await this.store.mutate(auth.actor, async (m) => {
      const { kase, to } = await this.forAction(m, auth, input.caseRef, 'reject');
      await m.trx.updateTable('kyc_cases').set({ decision: 'rejected', decision_reason: input.reason, decision_note: input.note, decided_by: auth.user.id, decided_at: m.now }).where('id', '=', kase.id).execute();
      await this.setStatus(m, kase, to, 'kyc.case.rejected', { reason: `${REJECTION_REASONS[input.reason]}: ${input.note}`, after: { decision: 'rejected', reasonCode: input.reason } });
      const client = await loadClient(m, kase.client_id);
      if (client.status !== 'closed') await transitionClient(m, client, 'closed', { reason: `KYC rejected: ${REJECTION_REASONS[input.reason]}`, caseRef: kase.id });
    });
    return this.summary(input.caseRef);
  }

  private async summary(caseRef: string): Promise<CaseSummary> {
    const row = await this.store.kysely.selectFrom('kyc_cases').selectAll().where('id', '=', caseRef).executeTakeFirstOrThrow();
    return caseSummary(row);
  }

  // ---- risk, re-review, auto-verification ------------------------------------------------------

  private async riskPolicy(db: Mutation['trx'] | Store['kysely']) {
    return this.policies.require<KycRiskPolicy>(db, 'kyc.risk');
  }

  private async reviewPolicy(db: Mutation['trx'] | Store['kysely']) {
    return this.policies.require<KycReviewPolicy>(db, 'kyc.review');
  }

  /**
   * Scores the client against the active `kyc.risk` policy and records it on the client and on the
   * current undecided case; a high score starts the enhanced-due-diligence checklist. Audited when
   * the score or its breakdown changes.
   */
  async assess(m: Mutation, clientId: string): Promise<{ assessment: RiskAssessment; previousLevel: string | null }> {
    const client = await loadClient(m, clientId);
    const policy = await this.riskPolicy(m.trx);
    const assessment = assessRisk(policy.document, policy.ref, await riskInputs(m.trx, client), m.now.slice(0, 10));
    const previousLevel = client.risk_level;
    const kase = await this.currentCase(m, clientId);
    const undecided = kase && !kase.decision;
    const previous = undecided && kase.risk_json ? (JSON.parse(kase.risk_json) as RiskAssessment) : null;
    const same = previous && previous.score === assessment.score && JSON.stringify(previous.factors) === JSON.stringify(assessment.factors) && previous.policyRef === assessment.policyRef;
    if (client.risk_level !== assessment.level) {
      await m.trx.updateTable('clients').set({ risk_level: assessment.level, updated_at: m.now }).where('id', '=', clientId).execute();
      m.changed('clients', clientId, client.legal_entity, 'update');
    }
    if (undecided && !same) {
      const startEdd = assessment.level === 'high' && kase.edd_json === null;
      const edd: EddState | null = startEdd ? { policyRef: policy.ref, items: {} } : kase.edd_json ? (JSON.parse(kase.edd_json) as EddState) : null;
      await m.trx.updateTable('kyc_cases').set({ risk_level: assessment.level, risk_score: assessment.score, risk_json: JSON.stringify(assessment), edd_json: edd ? JSON.stringify(edd) : null, updated_at: m.now }).where('id', '=', kase.id).execute();
      m.changed('kyc_cases', kase.id, kase.legal_entity, 'update');
      if (startEdd) m.audit({ action: 'kyc.edd.required', targetType: 'kyc_case', targetId: kase.id, clientId, legalEntity: kase.legal_entity, caseRef: kase.id, after: { checklist: policy.document.edd.map((i) => i.label) }, reason: `Risk is high (score ${assessment.score})`, policyRef: policy.ref });
    }
    if (!same) {
      m.audit({
        action: 'kyc.risk.assessed',
        targetType: 'client',
        targetId: clientId,
        clientId,
        legalEntity: client.legal_entity,
        caseRef: kase?.id,
        before: previous ? { score: previous.score, level: previous.level } : previousLevel ? { level: previousLevel } : null,
        after: { score: assessment.score, level: assessment.level, factors: assessment.factors, countryListDate: assessment.countryListDate },
        policyRef: policy.ref,
      });
    }
    return { assessment, previousLevel };
  }

  /**
   * FATF lists take effect on their plenary's date, not when the policy is approved. Compares the
   * list in force today with the one last applied (recorded in the audit log as
   * `kyc.country_lists.applied`; none before the first), and re-scores every client
   * whose residence, nationality or a party's is listed differently: an approved client whose risk
   * level moves gets a re-review case. Daily just after midnight UTC, and once at start.
   */
  async applyCountryLists(): Promise<{ listDate: string | null; countries: string[]; rescored: number }> {
    const db = this.store.kysely;
    const today = this.store.now().slice(0, 10);
    const policy = await this.riskPolicy(db);
    const current = countryListOn(policy.document.countryLists, today);
    const last = await db.selectFrom('audit_events').select('after_json').where('action', '=', 'kyc.country_lists.applied').orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const applied = last?.after_json ? (JSON.parse(last.after_json) as { list: CountryList | null }).list : undefined;
    const previous = applied ?? null;
    const countries = countriesChangedBetween(previous, current);
    const listDate = current?.effectiveDate ?? null;
    if (countries.length === 0 && (previous?.effectiveDate ?? null) === listDate) return { listDate, countries, rescored: 0 };
    const clients = countries.length
      ? await db
          .selectFrom('clients')
          .select('id')
          .where('status', '!=', 'closed')
          .where((w) => w.or([w('country', 'in', countries), w('nationality', 'in', countries), w('id', 'in', w.selectFrom('client_parties').select('client_id').where((p) => p.or([p('country', 'in', countries), p('nationality', 'in', countries)])))]))
          .orderBy('id')
          .execute()
      : [];
    // One client per transaction: a run cut short is finished by the next one (a re-score that finds nothing new writes nothing).
    for (const c of clients) await this.store.mutate(KYC_AUTOMATION, (m) => this.onClientChanged(m, c.id, ['countryLists']));
    await this.store.mutate(KYC_AUTOMATION, async (m) => {
      m.audit({
        action: 'kyc.country_lists.applied',
        targetType: 'policy',
        targetId: 'kyc.risk',
        before: { listDate: previous?.effectiveDate ?? null },
        after: { date: today, listDate, list: current, countries, clients: clients.length },
        reason: countries.length ? `FATF lists of ${listDate ?? 'none'} in force: ${countries.join(', ')} listed differently; ${clients.length} client(s) re-scored` : `FATF lists of ${listDate ?? 'none'} in force; no country changed`,
        policyRef: policy.ref,
      });
    });
    return { listDate, countries, rescored: clients.length };
  }

  /**
   * After a change to the client (registration, details, payment method, screening): re-scores, and
   * where the client was already approved and its country, payment method or risk level changed,
   * opens a re-review case. Runs inside the mutation that made the change.
   */
  async onClientChanged(m: Mutation, clientId: string, changes: string[]): Promise<void> {
    const { assessment, previousLevel } = await this.assess(m, clientId);
    const kase = await this.currentCase(m, clientId);
    if (!kase) return;
    const reasons: string[] = [];
    if (changes.includes('country')) reasons.push('country of residence changed');
    if (changes.includes('paymentMethod')) reasons.push('payment method changed');
    if (previousLevel !== null && previousLevel !== assessment.level) reasons.push(`risk changed from ${previousLevel} to ${assessment.level}`);
    if (kase.decision === 'approved' && reasons.length) {
      const client = await loadClient(m, clientId);
      if (client.status === 'closed') return;
      const caseRef = await this.openCase(m, client, `Re-review: ${reasons.join('; ')}`);
      await this.assess(m, clientId);
      m.audit({ action: 'kyc.rereview.opened', targetType: 'kyc_case', targetId: caseRef, clientId, legalEntity: client.legal_entity, caseRef, before: { caseRef: kase.id }, reason: reasons.join('; ') });
      return;
    }
    if (!kase.decision) await this.evaluate(m, kase.id);
  }

  /** Approves a clean, low-risk, provider-verified case where the `kyc.review` policy allows it. Nothing is auto-rejected. */
  async evaluate(m: Mutation, caseRef: string): Promise<boolean> {
    const kase = await m.trx.selectFrom('kyc_cases').selectAll().where('id', '=', caseRef).executeTakeFirstOrThrow();
    if (kase.status !== 'open' || kase.verification_status !== 'verified' || kase.risk_level !== 'low') return false;
    const review = await this.reviewPolicy(m.trx);
    if (!review.document.autoVerify.enabled || !review.document.autoVerify.legalEntities.includes(kase.legal_entity)) return false;
    const client = await loadClient(m, kase.client_id);
    if (client.screening_status !== 'clear') return false;
    if ((await this.blockers(m.trx, kase, client, m.now.slice(0, 10))).length) return false;
    const risk = JSON.parse(kase.risk_json!) as RiskAssessment;
    const basis = `Auto-verification under ${review.ref}: documents verified by the provider, screening clear, risk low (score ${risk.score}, ${risk.policyRef})`;
    await m.trx.updateTable('documents').set({ status: 'accepted' }).where('client_id', '=', client.id).where('status', '=', 'received').execute();
    await m.trx.updateTable('kyc_cases').set({ decision: 'approved', decision_note: 'Approved automatically', policy_basis: basis, decided_by: KYC_AUTOMATION.id, decided_at: m.now }).where('id', '=', kase.id).execute();
    await this.setStatus(m, kase, 'approved', 'kyc.case.auto_verified', { reason: basis, after: { decision: 'approved', policyBasis: basis }, policyRef: review.ref });
    const reviewing = client.status === 'registered' ? await transitionClient(m, client, 'pending_review', { reason: 'Under KYC review', caseRef: kase.id }) : client;
    if (reviewing.status === 'pending_review') await transitionClient(m, reviewing, 'approved', { reason: basis, caseRef: kase.id });
    return true;
  }

  // ---- enhanced due diligence ----------------------------------------------------------------

  async eddChecklist(db: Mutation['trx'] | Store['kysely'], kase: KycCaseRow): Promise<Array<EddItem & { done: boolean; by: string | null; byName: string | null; at: string | null; note: string | null; documentId: string | null }> | null> {
    if (!kase.edd_json) return null;
    const state = JSON.parse(kase.edd_json) as EddState;
    const [type, version] = state.policyRef.split('@') as [string, string];
    const row = await db.selectFrom('policy_versions').select('document_json').where('type', '=', type).where('version', '=', Number(version)).executeTakeFirstOrThrow();
    const items = (JSON.parse(row.document_json) as KycRiskPolicy).edd;
    const docs = await db.selectFrom('documents').select(['id', 'document_type']).where('client_id', '=', kase.client_id).where('status', 'in', ['received', 'accepted']).execute();
    return items.map((item) => {
      const doc = item.evidence === 'document' ? docs.find((d) => d.document_type === item.documentType) : undefined;
      const tick = state.items[item.key];
      return { ...item, done: item.evidence === 'document' ? doc !== undefined : tick !== undefined, by: tick?.by ?? null, byName: tick?.byName ?? null, at: tick?.at ?? null, note: tick?.note ?? null, documentId: doc?.id ?? null };
    });
  }

  async completeEddItem(auth: AuthContext, input: { caseRef: string; item: string; note: string }): Promise<CaseSummary> {
    await this.store.mutate(auth.actor, async (m) => {
      const kase = await m.trx.selectFrom('kyc_cases').selectAll().where('id', '=', input.caseRef).executeTakeFirst();
      if (!kase) throw new DomainError('NOT_FOUND', `KYC case ${input.caseRef} does not exist.`);
      requireEntity(auth, 'kyc.review', kase.legal_entity);
      if (kase.decision) throw new DomainError('INVALID_TRANSITION', `${kase.id} is decided; its checklist is closed.`);
      const checklist = await this.eddChecklist(m.trx, kase);
      if (!checklist) throw new DomainError('INVALID_TRANSITION', `${kase.id} needs no enhanced due diligence (risk is ${kase.risk_level ?? 'not scored'}).`);
      const item = checklist.find((i) => i.key === input.item);
      if (!item) throw new DomainError('VALIDATION_FAILED', `item: "${input.item}" is not on the checklist; it has ${checklist.map((i) => i.key).join(', ')}.`);
      if (item.evidence === 'document') throw new DomainError('INVALID_TRANSITION', `"${item.label}" is complete when the client sends a ${DOCUMENT_TYPES[item.documentType as DocumentType].label.toLowerCase()}; request it (kyc.requestDocuments).`);
      if (item.done) throw new DomainError('ALREADY_DECIDED', `"${item.label}" was completed by ${item.byName} at ${item.at}.`);
      const senior = auth.scope('kyc.decideHighRisk').includes(kase.legal_entity);
      if (item.evidence === 'senior_signoff' && !senior) throw new DomainError('FORBIDDEN_PERMISSION', `"${item.label}" is signed off by a senior compliance officer or the MLRO.`);
      if (item.evidence === 'attestation' && kase.assignee_id !== auth.user.id && !senior) throw new DomainError('NOT_ASSIGNED', `${kase.id} is not assigned to you; its assignee or a senior officer completes the checklist.`);
      const state = JSON.parse(kase.edd_json!) as EddState;
      state.items[item.key] = { by: auth.user.id, byName: auth.user.username, at: m.now, note: input.note };
      await m.trx.updateTable('kyc_cases').set({ edd_json: JSON.stringify(state), updated_at: m.now }).where('id', '=', kase.id).execute();
      m.audit({ action: 'kyc.edd.completed', targetType: 'kyc_case', targetId: kase.id, clientId: kase.client_id, legalEntity: kase.legal_entity, caseRef: kase.id, after: { item: item.key, label: item.label, evidence: item.evidence }, reason: input.note, policyRef: state.policyRef });
      m.changed('kyc_cases', kase.id, kase.legal_entity, 'update');
    });
    return this.summary(input.caseRef);
  }

  // ---- overrides (maker-checker) -------------------------------------------------------------

  registerKinds(kinds: ApprovalKinds): void {
    kinds.register({
      kind: 'kyc.override',
      payload: kycOverridePayload,
      legalEntity: (p) => p.legalEntity,
      excludedApprovers: () => [],
      summary: (p) => `Override ${p.caseRef} (${p.clientId}, risk ${p.riskLevel ?? 'not scored'}): ${p.decision}${p.rejectionReason ? ` (${p.rejectionReason})` : ''}`,
      execute: async (m, p, request) => {
        const kase = await m.trx.selectFrom('kyc_cases').selectAll().where('id', '=', p.caseRef).executeTakeFirstOrThrow();
        const client = await loadClient(m, kase.client_id);
        if (kase.status !== p.statusAtRequest) throw new DomainError('INVALID_TRANSITION', `${kase.id} moved from ${p.statusAtRequest} to ${kase.status} since the override was asked for; ask again.`);
        if (client.screening_status === 'confirmed_match' && p.decision === 'approve') throw new DomainError('INVALID_TRANSITION', `${client.id} is a confirmed sanctions match; no override can approve it.`);
        const users = await m.trx.selectFrom('users').select(['id', 'username']).where('id', 'in', [request.makerId, ...request.approvers]).execute();
        const who = (id: string) => users.find((u) => u.id === id)?.username ?? id;
        const basis = `Override ${request.id} requested by ${who(request.makerId)}, approved by ${request.approvers.map(who).join(', ')}: ${request.reason}`;
        if (p.decision === 'approve') {
          await m.trx.updateTable('documents').set({ status: 'accepted' }).where('client_id', '=', client.id).where('status', '=', 'received').execute();
          await m.trx.updateTable('kyc_cases').set({ decision: 'approved', decision_reason: 'override', decision_note: request.reason, policy_basis: basis, decided_by: request.approvers.at(-1) ?? null, decided_at: m.now }).where('id', '=', kase.id).execute();
          await this.setStatus(m, kase, 'approved', 'kyc.case.overridden', { reason: request.reason, after: { decision: 'approved', overriddenBlockers: p.blockers, approval: request.id, maker: request.makerId, approvers: request.approvers }, policyRef: request.policyRef });
          let c = client;
          if (c.status === 'registered' || c.status === 'pending_documents') c = await transitionClient(m, c, 'pending_review', { reason: 'Under KYC review', caseRef: kase.id });
          if (c.status === 'pending_review') await transitionClient(m, c, 'approved', { reason: basis, caseRef: kase.id });
        } else {
          const code = p.rejectionReason!;
          await m.trx.updateTable('kyc_cases').set({ decision: 'rejected', decision_reason: code, decision_note: request.reason, policy_basis: basis, decided_by: request.approvers.at(-1) ?? null, decided_at: m.now }).where('id', '=', kase.id).execute();
          await this.setStatus(m, kase, 'rejected', 'kyc.case.overridden', { reason: `${REJECTION_REASONS[code]}: ${request.reason}`, after: { decision: 'rejected', reasonCode: code, approval: request.id, maker: request.makerId, approvers: request.approvers }, policyRef: request.policyRef });
          if (client.status !== 'closed') await transitionClient(m, client, 'closed', { reason: `KYC rejected by override: ${REJECTION_REASONS[code]}`, caseRef: kase.id });
        }
      },
    });
  }

  async override(auth: AuthContext, input: KycOverrideInput): Promise<{ approvalId: string }> {
    return this.store.mutate(auth.actor, async (m) => {
      const kase = await m.trx.selectFrom('kyc_cases').selectAll().where('id', '=', input.caseRef).executeTakeFirst();
      if (!kase) throw new DomainError('NOT_FOUND', `KYC case ${input.caseRef} does not exist.`);
      requireEntity(auth, 'kyc.override', kase.legal_entity);
      if (kase.status === 'rejected') throw new DomainError('INVALID_TRANSITION', `${kase.id} was rejected and the client closed; a closed client is not reopened. The client registers again.`);
      if (kase.status === 'approved' && input.decision === 'approve') throw new DomainError('INVALID_TRANSITION', `${kase.id} is already approved.`);
      const client = await loadClient(m, kase.client_id);
      if (input.decision === 'approve' && client.screening_status === 'confirmed_match') throw new DomainError('INVALID_TRANSITION', `${client.id} is a confirmed sanctions match; no override can approve it.`);
      const pending = await m.trx.selectFrom('approval_requests').select('id').where('kind', '=', 'kyc.override').where('status', '=', 'pending').where('payload_json', 'like', `%"caseRef":"${kase.id}"%`).executeTakeFirst();
      if (pending) throw new DomainError('ALREADY_EXISTS', `An override of ${kase.id} is already waiting for approval (${pending.id}).`);
      const blockers = input.decision === 'approve' ? (await this.blockers(m.trx, kase, client, m.now.slice(0, 10))).map((b) => b.message) : [];
      const payload = { caseRef: kase.id, clientId: client.id, legalEntity: kase.legal_entity, decision: input.decision, rejectionReason: input.rejectionReason ?? null, riskLevel: kase.risk_level, statusAtRequest: kase.status as KycStatus, blockers };
      const request = await this.approvals.request(m, { kind: 'kyc.override', payload, reason: input.reason });
      m.audit({ action: 'kyc.override.requested', targetType: 'kyc_case', targetId: kase.id, clientId: client.id, legalEntity: kase.legal_entity, caseRef: kase.id, after: { decision: input.decision, rejectionReason: input.rejectionReason ?? null, approvalId: request.approvalId, blockers }, reason: input.reason });
      return request;
    });
  }

  // ---- provider verification -----------------------------------------------------------------

  private async requestVerification(m: Mutation, kase: KycCaseRow, documentId: string, documentType: string): Promise<void> {
    const id = await nextRef(m.trx, 'CHK');
    const provider = this.provider?.name ?? 'none';
    await m.trx.insertInto('document_checks').values({ id, document_id: documentId, client_id: kase.client_id, legal_entity: kase.legal_entity, kyc_case_id: kase.id, provider, provider_ref: null, status: 'pending', outcome: null, extracted_json: null, checks_json: null, mismatches_json: '[]', attempts: 0, error: null, requested_at: m.now, completed_at: null }).execute();
    await m.trx.updateTable('kyc_cases').set({ verification_status: 'pending', verification_reason: `Provider check ${id} of ${documentType} requested`, updated_at: m.now }).where('id', '=', kase.id).execute();
    await enqueue(m, 'kyc.verifyDocument', { checkId: id }, { maxAttempts: 3 });
    m.audit({ action: 'kyc.verification.requested', targetType: 'document', targetId: documentId, clientId: kase.client_id, legalEntity: kase.legal_entity, caseRef: kase.id, after: { checkId: id, provider } });
  }

  /** The job: sends the document to the provider and records what came back, or sends the case to the manual queue. */
  async runVerification(checkId: string): Promise<void> {
    const check = await this.store.kysely.selectFrom('document_checks').selectAll().where('id', '=', checkId).executeTakeFirst();
    if (!check || check.status !== 'pending') return;
    const document = await this.store.kysely.selectFrom('documents').selectAll().where('id', '=', check.document_id).executeTakeFirstOrThrow();
    let result: Awaited<ReturnType<KycProviderClient['check']>> | null = null;
    let failure: string | null = null;
    if (!this.provider) failure = 'No KYC provider is configured (KYC_PROVIDER_URL); review the document by hand.';
    else {
      try {
        result = await this.provider.check({ reference: document.id, documentType: document.document_type, fileName: document.file_name, content: this.documents.get(document.sha256) });
      } catch (error) {
        if (!(error instanceof ProviderUnavailable) && !(error instanceof ProviderRefused)) throw error;
        failure = `${error.message}; review the document by hand.`;
      }
    }
    await this.store.mutate(KYC_AUTOMATION, async (m) => {
      const kase = check.kyc_case_id ? await m.trx.selectFrom('kyc_cases').selectAll().where('id', '=', check.kyc_case_id).executeTakeFirst() : undefined;
      const client = await loadClient(m, check.client_id);
      const latest = kase ? await m.trx.selectFrom('document_checks').select('id').where('kyc_case_id', '=', kase.id).orderBy('id', 'desc').limit(1).executeTakeFirst() : undefined;
      const isLatest = latest?.id === check.id;
      if (failure || !result) {
        await m.trx.updateTable('document_checks').set({ status: 'manual', error: failure, attempts: check.attempts + 1, completed_at: m.now }).where('id', '=', check.id).execute();
        m.audit({ action: 'kyc.verification.manual', targetType: 'document', targetId: document.id, clientId: client.id, legalEntity: client.legal_entity, caseRef: kase?.id, after: { checkId: check.id, queue: 'manual' }, reason: failure ?? 'no result' });
        if (kase && !kase.decision && isLatest) {
          await m.trx.updateTable('kyc_cases').set({ verification_status: 'manual', verification_reason: failure, updated_at: m.now }).where('id', '=', kase.id).execute();
          m.changed('kyc_cases', kase.id, kase.legal_entity, 'update');
        }
        return;
      }
      const mismatches: Mismatch[] = compareExtraction(result, client, document);
      const outcome = result.result === 'unreadable' ? 'unreadable' : mismatches.length ? 'consider' : 'clear';
      await m.trx
        .updateTable('document_checks')
        .set({ status: 'complete', provider_ref: result.id, outcome, extracted_json: JSON.stringify(result.document), checks_json: JSON.stringify({ mrz: result.document?.mrz ?? null, liveness: result.liveness, faceMatch: result.faceMatch, providerResult: result.result }), mismatches_json: JSON.stringify(mismatches), attempts: check.attempts + 1, completed_at: m.now })
        .where('id', '=', check.id)
        .execute();
      m.audit({
        action: 'kyc.extraction.completed',
        targetType: 'document',
        targetId: document.id,
        clientId: client.id,
        legalEntity: client.legal_entity,
        caseRef: kase?.id,
        after: { checkId: check.id, providerRef: result.id, outcome, extracted: result.document ? { firstName: result.document.firstName, lastName: result.document.lastName, dateOfBirth: result.document.dateOfBirth, documentNumber: result.document.documentNumber, expiryDate: result.document.expiryDate, nationality: result.document.nationality } : null, mrzValid: result.document?.mrz.valid ?? false, checkDigits: result.document?.mrz.checkDigits ?? null, liveness: result.liveness, faceMatch: result.faceMatch, mismatches },
      });
      if (kase && !kase.decision && isLatest) {
        const status = outcome === 'clear' ? 'verified' : 'attention';
        const reason = outcome === 'clear' ? `Provider check ${check.id}: clear` : `Provider check ${check.id}: ${mismatches.map((x) => x.message).join('; ')}`;
        await m.trx.updateTable('kyc_cases').set({ verification_status: status, verification_reason: reason, updated_at: m.now }).where('id', '=', kase.id).execute();
        m.changed('kyc_cases', kase.id, kase.legal_entity, 'update');
        await this.evaluate(m, kase.id);
      }
    });
  }

  /** Sends the current identity document of a case in the manual queue to the provider again. */
  async retryVerification(auth: AuthContext, caseRef: string): Promise<CaseSummary> {
    await this.store.mutate(auth.actor, async (m) => {
      const kase = await m.trx.selectFrom('kyc_cases').selectAll().where('id', '=', caseRef).executeTakeFirst();
      if (!kase) throw new DomainError('NOT_FOUND', `KYC case ${caseRef} does not exist.`);
      requireEntity(auth, 'kyc.review', kase.legal_entity);
      if (kase.decision || kase.verification_status !== 'manual') throw new DomainError('INVALID_TRANSITION', `${kase.id} is not in the manual queue (provider check: ${kase.verification_status}).`);
      const identity = await m.trx.selectFrom('documents').select(['id', 'document_type']).where('client_id', '=', kase.client_id).where('status', 'in', ['received', 'accepted']).where('document_type', 'in', Object.entries(DOCUMENT_TYPES).filter(([, d]) => d.category === 'identity').map(([k]) => k)).orderBy('id', 'desc').executeTakeFirst();
      if (!identity) throw new DomainError('KYC_INCOMPLETE', `${kase.id} has no identity document to check.`);
      await this.requestVerification(m, kase, identity.id, identity.document_type);
      m.changed('kyc_cases', kase.id, kase.legal_entity, 'update');
    });
    return this.summary(caseRef);
  }

  // ---- document expiry -----------------------------------------------------------------------

  /**
   * The daily sweep: a reminder to the client 60 and 30 days (per policy) before a current document
   * expires, one each however often the sweep runs; at expiry, the restriction the policy names for
   * that kind of document (identity: no new positions; proof of address: no withdrawals).
   */
  async sweepDocumentExpiry(): Promise<{ reminders: number; restricted: number }> {
    const today = this.store.now().slice(0, 10);
    const review = await this.reviewPolicy(this.store.kysely);
    const horizon = addDays(today, Math.max(...review.document.documents.reminderDaysBefore));
    const docs = await this.store.kysely
      .selectFrom('documents as d')
      .innerJoin('clients as c', 'c.id', 'd.client_id')
      .select(['d.id', 'd.client_id', 'd.legal_entity', 'd.document_type', 'd.expires_at', 'c.status as client_status', 'c.restrictions_json'])
      .where('d.status', 'in', ['received', 'accepted'])
      .where('d.expires_at', 'is not', null)
      .where('d.expires_at', '<=', horizon)
      .where('c.status', '!=', 'closed')
      .orderBy('d.id')
      .execute();
    let reminders = 0;
    let restricted = 0;
    const leads = [...review.document.documents.reminderDaysBefore].sort((a, b) => a - b);
    for (const doc of docs) {
      const spec = DOCUMENT_TYPES[doc.document_type as DocumentType];
      const daysLeft = Math.round((Date.parse(`${doc.expires_at}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY);
      if (daysLeft > 0) {
        const lead = leads.find((d) => d >= daysLeft);
        if (lead === undefined) continue;
        const exists = await this.store.kysely.selectFrom('notifications').select('id').where('subject_ref', '=', doc.id).where('kind', '=', 'document_expiry_reminder').where('days_before', '=', lead).executeTakeFirst();
        if (exists) continue;
        await this.store.mutate(KYC_AUTOMATION, async (m) => {
          const id = await nextRef(m.trx, 'NTF');
          const title = `Your ${spec.label.toLowerCase()} expires on ${doc.expires_at}`;
          const body = `Please upload a valid ${spec.label.toLowerCase()} before ${doc.expires_at}. After that date your account will be restricted (${spec.category === 'identity' ? 'no new positions' : 'no withdrawals'}) until we receive it.`;
          const inserted = await m.trx.insertInto('notifications').values({ id, client_id: doc.client_id, legal_entity: doc.legal_entity, kind: 'document_expiry_reminder', channel: 'email', subject_ref: doc.id, days_before: lead, due_date: doc.expires_at, title, body, status: 'queued', created_at: m.now }).onConflict((oc) => oc.columns(['subject_ref', 'kind', 'days_before']).doNothing()).executeTakeFirst();
          if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return;
          m.audit({ action: 'client.notification.queued', targetType: 'notification', targetId: id, clientId: doc.client_id, legalEntity: doc.legal_entity, after: { kind: 'document_expiry_reminder', documentId: doc.id, daysBefore: lead, dueDate: doc.expires_at, channel: 'email' } });
          reminders++;
        });
        continue;
      }
      const what = spec.category === 'identity' ? review.document.documents.onExpiry.identity : spec.category === 'address' ? review.document.documents.onExpiry.address : 'none';
      if (what === 'none') continue;
      const kind: RestrictionKind = what === 'trading' ? 'document_expired_identity' : 'document_expired_address';
      if ((JSON.parse(doc.restrictions_json) as string[]).includes(kind)) continue;
      // A newer document of the same category, still valid, means nothing is missing.
      const sameCategory = Object.entries(DOCUMENT_TYPES).filter(([, d]) => d.category === spec.category).map(([k]) => k);
      const valid = await this.store.kysely.selectFrom('documents').select('id').where('client_id', '=', doc.client_id).where('status', 'in', ['received', 'accepted']).where('document_type', 'in', sameCategory).where((w) => w.or([w('expires_at', 'is', null), w('expires_at', '>', today)])).executeTakeFirst();
      if (valid) continue;
      if (doc.client_status !== 'approved' && doc.client_status !== 'restricted') continue;
      await this.store.mutate(KYC_AUTOMATION, async (m) => {
        const client = await loadClient(m, doc.client_id);
        await restrictClient(m, client, kind, { reason: `${spec.label} ${doc.id} expired on ${doc.expires_at}: ${RESTRICTION_KINDS[kind].label.toLowerCase()}`, policyRef: review.ref });
        restricted++;
      });
    }
    return { reminders, restricted };
  }

  // ---- SLA and metrics -----------------------------------------------------------------------

  /** Time in each status across cases, SLA breaches and stuck cases, per legal entity in scope. */
  async metrics(auth: AuthContext) {
    const scope = auth.scope('kyc.read');
    if (scope.length === 0) return { items: [], nextCursor: null };
    const review = await this.reviewPolicy(this.store.kysely);
    const now = this.store.now();
    const rows = await this.store.kysely.selectFrom('kyc_cases').select(['legal_entity', 'status', 'status_changed_at', 'updated_at', 'status_seconds_json', 'verification_status']).where('legal_entity', 'in', scope).execute();
    const by = new Map<string, { legalEntity: string; status: string; cases: number; breached: number; stuck: number; manual: number; currentHoursTotal: number }>();
    const spent = new Map<string, { seconds: number; cases: number }>();
    for (const r of rows) {
      const key = `${r.legal_entity}|${r.status}`;
      const sla = slaOf(r, review.document, now);
      const agg = by.get(key) ?? { legalEntity: r.legal_entity, status: r.status, cases: 0, breached: 0, stuck: 0, manual: 0, currentHoursTotal: 0 };
      agg.cases++;
      if (sla.breached) agg.breached++;
      if (sla.stuck) agg.stuck++;
      if (r.verification_status === 'manual') agg.manual++;
      agg.currentHoursTotal += (Date.parse(now) - Date.parse(r.status_changed_at)) / 3_600_000;
      by.set(key, agg);
      for (const [status, seconds] of Object.entries(JSON.parse(r.status_seconds_json) as Record<string, number>)) {
        const k = `${r.legal_entity}|${status}`;
        const s = spent.get(k) ?? { seconds: 0, cases: 0 };
        s.seconds += seconds;
        s.cases++;
        spent.set(k, s);
      }
    }
    const items = [...by.values()].map((a) => {
      const past = spent.get(`${a.legalEntity}|${a.status}`);
      return { legalEntity: a.legalEntity, status: a.status, cases: a.cases, slaBreached: a.breached, stuck: a.stuck, manualQueue: a.manual, averageHoursInStatusNow: Math.round((a.currentHoursTotal / a.cases) * 10) / 10, averageHoursSpentBefore: past ? Math.round((past.seconds / past.cases / 3600) * 10) / 10 : null };
    });
    items.sort((x, y) => x.legalEntity.localeCompare(y.legalEntity) || x.status.localeCompare(y.status));
    return { items, nextCursor: null, policyRef: review.ref };
  }

  /** Flags stuck cases (no change for the policy's time) with one alert each for the senior compliance officer. */
  async sweepSla(): Promise<{ flagged: number }> {
    const review = await this.reviewPolicy(this.store.kysely);
    const now = this.store.now();
    const cutoff = new Date(Date.parse(now) - review.document.sla.stuckAfterHours * 3_600_000).toISOString();
    const stuck = await this.store.kysely.selectFrom('kyc_cases').selectAll().where('status', 'in', ['open', 'pending_documents', 'escalated']).where('updated_at', '<', cutoff).orderBy('id').execute();
    let flagged = 0;
    for (const kase of stuck) {
      const open = await this.store.kysely.selectFrom('alerts').select('id').where('kind', '=', 'kyc_case_stuck').where('source_ref', '=', kase.id).where('created_at', '>=', kase.updated_at).executeTakeFirst();
      if (open) continue;
      await this.store.mutate(KYC_AUTOMATION, async (m) => {
        const hours = Math.floor((Date.parse(now) - Date.parse(kase.updated_at)) / 3_600_000);
        await raiseAlert(m, { kind: 'kyc_case_stuck', legalEntity: kase.legal_entity, clientId: kase.client_id, severity: 'medium', forRole: 'senior_compliance_officer', summary: `${kase.id} has not moved for ${hours} hours (${kase.status.replace('_', ' ')})`, details: { caseRef: kase.id, status: kase.status, since: kase.updated_at, stuckAfterHours: review.document.sla.stuckAfterHours }, sourceRef: kase.id });
        flagged++;
      });
    }
    return { flagged };
  }

  /** A document's bytes for the reviewer's viewer; reading one is itself audited. */
  async document(auth: AuthContext, documentId: string): Promise<{ documentId: string; mime: string; fileName: string; sha256: string; contentBase64: string }> {
    const doc = await this.store.kysely.selectFrom('documents').selectAll().where('id', '=', documentId).executeTakeFirst();
    if (!doc) throw new DomainError('NOT_FOUND', `Document ${documentId} does not exist.`);
    requireEntity(auth, 'kyc.read', doc.legal_entity);
    if (!auth.scope('clients.pii').includes(doc.legal_entity)) throw new DomainError('FORBIDDEN_PERMISSION', 'Opening a client\u2019s document needs clients.pii in its legal entity.');
    const bytes = this.documents.get(doc.sha256);
    await this.store.mutate(auth.actor, async (m) => {
      m.audit({ action: 'kyc.document.viewed', targetType: 'document', targetId: doc.id, clientId: doc.client_id, legalEntity: doc.legal_entity, caseRef: doc.kyc_case_id ?? undefined, after: { sha256: doc.sha256 } });
    });
    return { documentId: doc.id, mime: doc.mime, fileName: doc.file_name, sha256: doc.sha256, contentBase64: bytes.toString('base64') };
  }

  /** A case with its client's name, country and type and its assignee's username: one queue row. */
  private queueRows() {
    return this.store.kysely
      .selectFrom('kyc_cases as k')
      .innerJoin('clients as c', 'c.id', 'k.client_id')
      .leftJoin('users as u', 'u.id', 'k.assignee_id')
      .selectAll('k')
      .select(['c.display_name', 'c.country', 'c.type as client_type', 'u.username as assignee']);
  }

  /** Rows for the desktop cache's KYC queue (the `kyc` view), masked as kyc.queue masks them. */
  async byIds(auth: AuthContext, ids: string[]): Promise<CacheRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.queueRows()
      .where('k.id', 'in', ids)
      .execute();
    const review = await this.reviewPolicy(this.store.kysely);
    const pii = new Set(auth.scope('clients.pii'));
    const now = this.store.now();
    return rows.map((r) => {
      const summary = { ...caseSummary(r), clientName: pii.has(r.legal_entity) || r.client_type === 'corporate' ? r.display_name : '•••', clientType: r.client_type, country: r.country, assignee: r.assignee ?? null, sla: slaOf(r, review.document, now) };
      return {
        caseRef: r.id,
        status: r.status,
        riskLevel: r.risk_level,
        riskScore: r.risk_score,
        clientName: summary.clientName,
        clientId: r.client_id,
        clientType: r.client_type,
        country: r.country,
        legalEntity: r.legal_entity,
        verification: r.verification_status,
        assignee: summary.assignee,
        slaDueAt: summary.sla.dueAt,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
        _json: JSON.stringify(summary),
      };
    });
  }

  async queue(auth: AuthContext, filter: { status?: KycStatus | undefined; legalEntity?: string | undefined; riskLevel?: string | undefined; assignee?: string | undefined; verification?: string | undefined; cursor?: string | undefined; limit: number }) {
    let scope = auth.scope('kyc.read');
    if (filter.legalEntity) {
      requireEntity(auth, 'kyc.read', filter.legalEntity);
      scope = [filter.legalEntity];
    }
    if (scope.length === 0) return { items: [], nextCursor: null };
    let q = this.queueRows()
      .where('k.legal_entity', 'in', scope)
      .orderBy('k.id', 'desc')
      .limit(filter.limit + 1);
    if (filter.status) q = q.where('k.status', '=', filter.status);
    if (filter.riskLevel) q = q.where('k.risk_level', '=', filter.riskLevel);
    if (filter.assignee) q = q.where('u.username', '=', filter.assignee);
    if (filter.verification) q = q.where('k.verification_status', '=', filter.verification as KycCaseRow['verification_status']);
    if (filter.cursor) q = q.where('k.id', '<', filter.cursor);
    const [rows, review] = await Promise.all([q.execute(), this.reviewPolicy(this.store.kysely)]);
    const pii = new Set(auth.scope('clients.pii'));
    const now = this.store.now();
    const items = rows.slice(0, filter.limit).map((r) => ({ ...caseSummary(r), clientName: pii.has(r.legal_entity) || r.client_type === 'corporate' ? r.display_name : '•••', clientType: r.client_type, country: r.country, assignee: r.assignee ?? null, sla: slaOf(r, review.document, now) }));
    return { items, nextCursor: rows.length > filter.limit ? items.at(-1)!.caseRef : null };
  }

  async get(auth: AuthContext, caseRef: string) {
    const db = this.store.kysely;
    const kase = await db.selectFrom('kyc_cases').selectAll().where('id', '=', caseRef).executeTakeFirst();
    if (!kase) throw new DomainError('NOT_FOUND', `KYC case ${caseRef} does not exist.`);
    requireEntity(auth, 'kyc.read', kase.legal_entity);
    const client = await db.selectFrom('clients').selectAll().where('id', '=', kase.client_id).executeTakeFirstOrThrow();
    const documents = await db.selectFrom('documents').selectAll().where('client_id', '=', kase.client_id).orderBy('id').execute();
    const screening = await db.selectFrom('screening_cases').select(['id', 'status', 'subject_name', 'source', 'entry_key', 'entry_name', 'score', 'decided_by', 'decision_reason']).where('client_id', '=', kase.client_id).orderBy('id').execute();
    const opened = await db.selectFrom('audit_events').select('seq').where('action', '=', 'kyc.case.opened').where('case_ref', '=', kase.id).executeTakeFirst();
    const events = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('client_id', '=', kase.client_id)
      .where('seq', '>=', opened?.seq ?? 0)
      .orderBy('seq')
      .execute();
    const blockers = await this.blockers(db, kase, client, this.store.now().slice(0, 10));
    const checks = await db.selectFrom('document_checks').selectAll().where('client_id', '=', kase.client_id).orderBy('id').execute();
    const review = await this.reviewPolicy(db);
    const pii = auth.scope('clients.pii').includes(kase.legal_entity);
    const senior = auth.scope('kyc.decideHighRisk').includes(kase.legal_entity);
    const mayAct = kase.status === 'escalated' ? senior : kase.assignee_id === auth.user.id || senior;
    const actions = allowedKycActions(kase.status as KycStatus).filter((a) =>
      a === 'assign' ? auth.scope('kyc.review').includes(kase.legal_entity) : mayAct && auth.scope(a === 'approve' || a === 'reject' ? 'kyc.decide' : 'kyc.review').includes(kase.legal_entity),
    );
    return {
      ...caseSummary(kase),
      client: {
        id: client.id,
        type: client.type,
        name: client.type === 'corporate' || pii ? client.display_name : '•••',
        firstName: pii ? client.first_name : '•••',
        lastName: pii ? client.last_name : '•••',
        status: client.status,
        restrictions: JSON.parse(client.restrictions_json) as string[],
        country: client.country,
        nationality: client.nationality,
        dateOfBirth: pii ? client.date_of_birth : '•••',
        email: pii ? client.email : '•••',
        screeningStatus: client.screening_status,
        politicallyExposed: client.pep_declared === 1,
        paymentMethod: client.payment_method,
        sourceOfFunds: client.source_of_funds,
      },
      checks: checks.map((c) => ({
        id: c.id,
        documentId: c.document_id,
        provider: c.provider,
        providerRef: c.provider_ref,
        status: c.status,
        outcome: c.outcome,
        extracted: pii && c.extracted_json ? (JSON.parse(c.extracted_json) as Record<string, unknown>) : null,
        checks: c.checks_json ? (JSON.parse(c.checks_json) as Record<string, unknown>) : null,
        mismatches: (JSON.parse(c.mismatches_json) as Mismatch[]).map((x) => (pii ? x : { ...x, declared: '•••', extracted: '•••' })),
        error: c.error,
        requestedAt: c.requested_at,
        completedAt: c.completed_at,
      })),
      edd: await this.eddChecklist(db, kase),
      sla: slaOf(kase, review.document, this.store.now()),
      statusSeconds: JSON.parse(kase.status_seconds_json) as Record<string, number>,
      documents: documents.map((d) => ({ id: d.id, type: d.document_type, label: DOCUMENT_TYPES[d.document_type as DocumentType].label, fileName: d.file_name, mime: d.mime, size: d.size, sha256: d.sha256, source: d.source, issuedAt: d.issued_at, expiresAt: d.expires_at, status: d.status, receivedAt: d.received_at, supersededBy: d.superseded_by })),
      screening: { status: client.screening_status, hits: screening.map((s) => ({ caseId: s.id, status: s.status, subject: s.subject_name, list: s.source, entryKey: s.entry_key, entryName: s.entry_name, score: s.score, decidedBy: s.decided_by, reason: s.decision_reason })) },
      risk: kase.risk_json ? (JSON.parse(kase.risk_json) as unknown) : null,
      blockers,
      availableActions: actions,
      timeline: events.map(auditItem),
    };
  }
}

function categoryLabel(category: DocumentCategory): string {
  return { identity: 'identity document', address: 'proof of address', corporate: 'certificate of incorporation', edd: 'source of wealth evidence' }[category];
}

export type CaseSummary = ReturnType<typeof caseSummary>;

export function caseSummary(row: KycCaseRow) {
  return {
    caseRef: row.id,
    clientId: row.client_id,
    legalEntity: row.legal_entity,
    status: row.status as KycStatus,
    riskLevel: row.risk_level,
    riskScore: row.risk_score,
    assigneeId: row.assignee_id,
    escalatedTo: row.escalated_to,
    requestedDocuments: JSON.parse(row.requested_json) as DocumentType[],
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
