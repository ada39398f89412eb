// The client page: one client with everything about them an officer or an auditor asks for first:
// status, restrictions and what they may do, the KYC cases, the screening cases, the alerts, the
// approval requests about them and their documents. Each section needs its own read permission in
// the client's entity; a section the caller may not read is null, not empty. The full history is
// `clients.timeline`.

import { DomainError } from '../../../shared/errors.js';
import { flagsOf } from '../../../shared/clients/flags.js';
import { DOCUMENT_TYPES } from '../../../shared/kyc/machine.js';
import type { AuthContext } from '../../core/auth.js';
import { requireEntity } from '../../core/auth.js';
import type { Store } from '../../core/store.js';
import { clientView } from './service.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';

export class ClientOverview {
  constructor(private readonly store: Store) {}

  async overview(auth: AuthContext, clientId: string) {
    const db = this.store.kysely;
    const row = await db.selectFrom('clients').selectAll().where('id', '=', clientId).executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', `Client ${clientId} does not exist.`);
    requireEntity(auth, 'clients.read', row.legal_entity);
    const may = (permission: Parameters<AuthContext['scope']>[0]) => auth.scope(permission).includes(row.legal_entity);
    const parties = await db.selectFrom('client_parties').selectAll().where('client_id', '=', clientId).orderBy('created_at').execute();
    const client = clientView(row, parties, { pii: may('clients.pii') });
    const latest = may('kyc.status') ? await db.selectFrom('kyc_cases').select(['id', 'status', 'requested_json']).where('client_id', '=', clientId).orderBy('id', 'desc').executeTakeFirst() : undefined;
    return {
      client,
      /** The latest KYC case's status and the documents it waits for: what support tells a caller. */
      kycStatus: latest
        ? { caseRef: latest.id, status: latest.status, waitingFor: readJson(JSON_COLUMNS.documentTypes, latest.requested_json, `kyc_cases.requested_json of ${latest.id}`).map((t) => DOCUMENT_TYPES[t].label) }
        : null,
      flags: flagsOf({ clientStatus: row.status, screeningStatus: row.screening_status, riskLevel: row.risk_level }),
      kycCases: may('kyc.read')
        ? (await db.selectFrom('kyc_cases as k').leftJoin('users as u', 'u.id', 'k.assignee_id').select(['k.id', 'k.status', 'k.risk_level', 'k.opened_reason', 'k.decision', 'k.created_at', 'k.decided_at', 'u.username as assignee']).where('k.client_id', '=', clientId).orderBy('k.id', 'desc').execute()).map((k) => ({
            caseRef: k.id,
            status: k.status,
            riskLevel: k.risk_level,
            openedReason: k.opened_reason,
            decision: k.decision,
            assignee: k.assignee,
            createdAt: k.created_at,
            decidedAt: k.decided_at,
          }))
        : null,
      screeningCases: may('screening.read')
        ? (await db.selectFrom('screening_cases').select(['id', 'status', 'source', 'entry_key', 'score', 'created_at', 'decided_at', 'decided_by']).where('client_id', '=', clientId).orderBy('id', 'desc').execute()).map((s) => ({
            caseId: s.id,
            status: s.status,
            list: s.source,
            entryKey: s.entry_key,
            score: s.score,
            createdAt: s.created_at,
            decidedAt: s.decided_at,
            decidedBy: s.decided_by,
          }))
        : null,
      alerts: may('alerts.read')
        ? (await db.selectFrom('alerts').select(['id', 'kind', 'severity', 'status', 'for_role', 'created_at', 'closed_at']).where('client_id', '=', clientId).orderBy('id', 'desc').execute()).map((a) => ({
            id: a.id,
            kind: a.kind,
            severity: a.severity,
            status: a.status,
            forRole: a.for_role,
            createdAt: a.created_at,
            closedAt: a.closed_at,
          }))
        : null,
      approvals: may('approvals.read')
        ? (await db.selectFrom('approval_requests').select(['id', 'kind', 'status', 'created_at', 'decided_at']).where('client_id', '=', clientId).orderBy('id', 'desc').execute()).map((a) => ({ id: a.id, kind: a.kind, status: a.status, createdAt: a.created_at, decidedAt: a.decided_at }))
        : null,
      documents: may('kyc.read')
        ? (await db.selectFrom('documents').select(['id', 'document_type', 'status', 'issued_at', 'expires_at', 'received_at']).where('client_id', '=', clientId).orderBy('id', 'desc').execute()).map((d) => ({
            documentId: d.id,
            documentType: d.document_type,
            label: DOCUMENT_TYPES[d.document_type].label,
            status: d.status,
            issuedAt: d.issued_at,
            expiresAt: d.expires_at,
            receivedAt: d.received_at,
          }))
        : null,
    };
  }
}
