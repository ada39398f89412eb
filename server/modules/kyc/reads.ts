// Reading KYC cases: the queue (server-paged, and the rows of the desktop cache), one case with its
// client, documents, provider checks, screening hits, risk, checklist, blockers, the actions the
// reader may take and its timeline; and a document's bytes for the viewer (itself audited).

import { DomainError } from '../../../shared/errors.js';
import type { CacheRow } from '../../../shared/desktop/views.js';
import { allowedKycActions, DOCUMENT_TYPES, type KycStatus } from '../../../shared/kyc/machine.js';
import { mayActOnCase } from '../../../shared/kyc/who.js';
import { requireEntity, type AuthContext } from '../../core/auth.js';
import type { Store } from '../../core/store.js';
import type { KycCaseRow } from '../../db/schema.js';
import { auditItem } from '../audit/service.js';
import type { DocumentStore } from '../documents/store.js';
import { blockers, eddChecklist } from './blockers.js';
import { caseSummary, loadCase } from './case-record.js';
import { slaOf } from './evidence.js';
import type { KycRisk } from './risk.js';

import { dateOf } from '../../../shared/time.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';
import { extractedDocument, mismatches, riskAssessment, storedChecks } from './codecs.js';
import { flagsOf, flagText } from '../../../shared/clients/flags.js';

/** The client's name as the reader may see it in a case: a company's always, a person's with clients.pii in the entity. */
function clientNameFor(pii: ReadonlySet<string>, r: { legal_entity: string; client_type: string; display_name: string }): string {
  return pii.has(r.legal_entity) || r.client_type === 'corporate' ? r.display_name : '•••';
}

export class KycReads {
  constructor(
    private readonly store: Store,
    private readonly documents: DocumentStore,
    private readonly risk: KycRisk,
  ) {}

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
      .select(['c.display_name', 'c.country', 'c.type as client_type', 'c.status as client_status', 'c.screening_status', 'u.username as assignee']);
  }

  /** Rows for the desktop cache's KYC queue (the `kyc` view), masked as kyc.queue masks them. */
  async byIds(auth: AuthContext, ids: string[]): Promise<CacheRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.queueRows()
      .where('k.id', 'in', ids)
      .execute();
    const review = await this.risk.reviewPolicy(this.store.kysely);
    const pii = new Set(auth.scope('clients.pii'));
    const now = this.store.now();
    return rows.map((r) => {
      const flags = flagText(flagsOf({ clientStatus: r.client_status, screeningStatus: r.screening_status, riskLevel: r.risk_level, caseStatus: r.status }));
      const summary = { ...caseSummary(r), clientName: clientNameFor(pii, r), clientType: r.client_type, country: r.country, assignee: r.assignee ?? null, flags, sla: slaOf(r, review.document, now, r.client_status) };
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
        flags,
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
    const [rows, review] = await Promise.all([q.execute(), this.risk.reviewPolicy(this.store.kysely)]);
    const pii = new Set(auth.scope('clients.pii'));
    const now = this.store.now();
    const items = rows.slice(0, filter.limit).map((r) => ({ ...caseSummary(r), clientName: clientNameFor(pii, r), clientType: r.client_type, country: r.country, assignee: r.assignee ?? null, sla: slaOf(r, review.document, now, r.client_status) }));
    return { items, nextCursor: rows.length > filter.limit ? items.at(-1)!.caseRef : null };
  }

  async get(auth: AuthContext, caseRef: string) {
    const db = this.store.kysely;
    const kase = await loadCase(db, caseRef);
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
    const found = await blockers(db, kase, client, dateOf(this.store.now()));
    const checks = await db.selectFrom('document_checks').selectAll().where('client_id', '=', kase.client_id).orderBy('id').execute();
    const review = await this.risk.reviewPolicy(db);
    const pii = auth.scope('clients.pii').includes(kase.legal_entity);
    const senior = auth.scope('kyc.decideHighRisk').includes(kase.legal_entity);
    const mayAct = mayActOnCase({ id: kase.id, status: kase.status, assigneeId: kase.assignee_id, escalatedTo: kase.escalated_to }, { userId: auth.user.id, senior }).ok;
    const actions = allowedKycActions(kase.status).filter((a) =>
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
        restrictions: readJson(JSON_COLUMNS.restrictions, client.restrictions_json, `clients.restrictions_json of ${client.id}`),
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
        extracted: pii && c.extracted_json ? readJson(extractedDocument, c.extracted_json, `document_checks.extracted_json of ${c.id}`) : null,
        checks: c.checks_json ? readJson(storedChecks, c.checks_json, `document_checks.checks_json of ${c.id}`) : null,
        mismatches: readJson(mismatches, c.mismatches_json, `document_checks.mismatches_json of ${c.id}`).map((x) => (pii ? x : { ...x, declared: '•••', extracted: '•••' })),
        error: c.error,
        requestedAt: c.requested_at,
        completedAt: c.completed_at,
      })),
      edd: await eddChecklist(db, kase),
      sla: slaOf(kase, review.document, this.store.now(), client.status),
      flags: flagsOf({ clientStatus: client.status, screeningStatus: client.screening_status, riskLevel: kase.risk_level, caseStatus: kase.status }),
      statusSeconds: readJson(JSON_COLUMNS.statusSeconds, kase.status_seconds_json, `kyc_cases.status_seconds_json of ${kase.id}`),
      documents: documents.map((d) => ({ id: d.id, type: d.document_type, label: DOCUMENT_TYPES[d.document_type].label, fileName: d.file_name, mime: d.mime, size: d.size, sha256: d.sha256, source: d.source, issuedAt: d.issued_at, expiresAt: d.expires_at, status: d.status, receivedAt: d.received_at, supersededBy: d.superseded_by })),
      screening: { status: client.screening_status, hits: screening.map((s) => ({ caseId: s.id, status: s.status, subject: s.subject_name, list: s.source, entryKey: s.entry_key, entryName: s.entry_name, score: s.score, decidedBy: s.decided_by, reason: s.decision_reason })) },
      risk: kase.risk_json ? readJson(riskAssessment, kase.risk_json, `kyc_cases.risk_json of ${kase.id}`) : null,
      blockers: found,
      availableActions: actions,
      timeline: events.map(auditItem),
    };
  }
}
