// KYC cases: opened on registration, fed by the client's documents, worked by compliance officers
// (assign, request documents, escalate, approve, reject) through the case machine in shared/kyc.
// Every step is an audit event carrying the case reference, so the evidence trail is the hash chain
// itself; kyc.get reads it back beside the documents and the screening hits.

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
import type { Actor } from '../../core/actor.js';
import type { Mutation, Store } from '../../core/store.js';
import { nextRef } from '../../db/counters.js';
import type { ClientRow, KycCaseRow } from '../../db/schema.js';
import { requireEntity } from '../../trpc.js';
import type { AuthContext } from '../access/service.js';
import { auditItem } from '../audit/service.js';
import { loadClient, transitionClient } from '../clients/restrictions.js';
import { decodeBase64, DocumentRefused, sniffDocument } from '../documents/sniff.js';
import type { DocumentStore } from '../documents/store.js';

const DAY = 86_400_000;

function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

function refuseUpload(message: string, field: string): never {
  throw new DomainError('VALIDATION_FAILED', message, { issues: [{ path: field, message }] });
}

export class KycService {
  constructor(
    private readonly store: Store,
    private readonly documents: DocumentStore,
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
    let expiresAt = input.expiresAt ?? null;
    if (input.issuedAt && input.issuedAt > today) refuseUpload(`issuedAt: ${input.issuedAt} is in the future.`, 'issuedAt');
    if (spec.expires) {
      if (!expiresAt) refuseUpload(`expiresAt: a ${spec.label.toLowerCase()} has an expiry date; send it as YYYY-MM-DD.`, 'expiresAt');
      if (expiresAt <= today) refuseUpload(`expiresAt: this ${spec.label.toLowerCase()} expired on ${expiresAt}; upload a valid one.`, 'expiresAt');
    }
    if (input.documentType === 'proof_of_address') {
      if (!input.issuedAt) refuseUpload('issuedAt: give the date the bill or statement was issued (YYYY-MM-DD); it must be under three months old.', 'issuedAt');
      const until = addDays(input.issuedAt, PROOF_OF_ADDRESS_VALID_DAYS);
      if (until <= today) refuseUpload(`issuedAt: a proof of address issued on ${input.issuedAt} is older than ${PROOF_OF_ADDRESS_VALID_DAYS} days; send one from the last three months.`, 'issuedAt');
      expiresAt = expiresAt && expiresAt < until ? expiresAt : until;
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
      return { documentId: id };
    });
  }

  private async setStatus(m: Mutation, kase: KycCaseRow, to: KycStatus, action: string, extra: { reason?: string; after?: Record<string, unknown>; policyRef?: string }): Promise<void> {
    await m.trx.updateTable('kyc_cases').set({ status: to, status_changed_at: m.now, updated_at: m.now }).where('id', '=', kase.id).execute();
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
      const grants = await m.trx.selectFrom('role_grants').select('role').where('user_id', '=', userId).where('legal_entity', '=', kase.legal_entity).where('revoked_at', 'is', null).execute();
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

  async queue(auth: AuthContext, filter: { status?: KycStatus | undefined; legalEntity?: string | undefined; riskLevel?: string | undefined; assignee?: string | undefined; cursor?: string | undefined; limit: number }) {
    let scope = auth.scope('kyc.read');
    if (filter.legalEntity) {
      requireEntity(auth, 'kyc.read', filter.legalEntity);
      scope = [filter.legalEntity];
    }
    if (scope.length === 0) return { items: [], nextCursor: null };
    let q = this.store.kysely
      .selectFrom('kyc_cases as k')
      .innerJoin('clients as c', 'c.id', 'k.client_id')
      .leftJoin('users as u', 'u.id', 'k.assignee_id')
      .selectAll('k')
      .select(['c.display_name', 'c.country', 'c.type as client_type', 'u.username as assignee'])
      .where('k.legal_entity', 'in', scope)
      .orderBy('k.id', 'desc')
      .limit(filter.limit + 1);
    if (filter.status) q = q.where('k.status', '=', filter.status);
    if (filter.riskLevel) q = q.where('k.risk_level', '=', filter.riskLevel);
    if (filter.assignee) q = q.where('u.username', '=', filter.assignee);
    if (filter.cursor) q = q.where('k.id', '<', filter.cursor);
    const rows = await q.execute();
    const pii = new Set(auth.scope('clients.pii'));
    const items = rows.slice(0, filter.limit).map((r) => ({ ...caseSummary(r), clientName: pii.has(r.legal_entity) || r.client_type === 'corporate' ? r.display_name : '•••', country: r.country, assignee: r.assignee ?? null }));
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
    const senior = auth.scope('kyc.decideHighRisk').includes(kase.legal_entity);
    const mayAct = kase.status === 'escalated' ? senior : kase.assignee_id === auth.user.id || senior;
    const actions = allowedKycActions(kase.status as KycStatus).filter((a) =>
      a === 'assign' ? auth.scope('kyc.review').includes(kase.legal_entity) : mayAct && auth.scope(a === 'approve' || a === 'reject' ? 'kyc.decide' : 'kyc.review').includes(kase.legal_entity),
    );
    return {
      ...caseSummary(kase),
      client: { id: client.id, type: client.type, name: client.display_name, status: client.status, country: client.country, nationality: client.nationality, dateOfBirth: client.date_of_birth, email: client.email, screeningStatus: client.screening_status },
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
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    statusChangedAt: row.status_changed_at,
  };
}
