// Documents from the client portal: checked for what they claim to be (dates, type, content),
// stored encrypted and content-addressed, recorded as evidence; a requested document reopens the
// case, an identity document goes to the provider's check.

import { DomainError } from '../../../shared/errors.js';
import { DOCUMENT_TYPES, PROOF_OF_ADDRESS_VALID_DAYS } from '../../../shared/kyc/machine.js';
import type { UploadDocumentInput } from '../../../shared/kyc/schemas.js';
import { addDays, dateOf } from '../../../shared/time.js';
import type { Actor } from '../../core/actor.js';
import type { Store } from '../../core/store.js';
import { nextRef } from '../../db/counters.js';
import type { ClientRow } from '../../db/schema.js';
import { transitionClient } from '../clients/restrictions.js';
import { decodeBase64, DocumentRefused, sniffDocument } from '../documents/sniff.js';
import type { DocumentStore } from '../documents/store.js';
import { currentCase, setStatus } from './case-record.js';
import type { KycRisk } from './risk.js';
import type { KycVerification } from './verification.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';

function refuseUpload(message: string, field: string): never {
  throw new DomainError('VALIDATION_FAILED', message, { issues: [{ path: field, message }] });
}

export class KycIntake {
  constructor(
    private readonly store: Store,
    private readonly documents: DocumentStore,
    private readonly verification: KycVerification,
    private readonly risk: KycRisk,
  ) {}

  /** A document from the portal: sniffed, stored encrypted, recorded as evidence; a requested one reopens the case. */
  async uploadDocument(actor: Actor, input: UploadDocumentInput): Promise<{ documentId: string }> {
    const today = dateOf(this.store.now());
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
      const kase = await currentCase(m, client.id);
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
        const requested = readJson(JSON_COLUMNS.documentTypes, kase.requested_json, `kyc_cases.requested_json of ${kase.id}`).filter((t) => t !== input.documentType);
        await m.trx.updateTable('kyc_cases').set({ requested_json: JSON.stringify(requested), updated_at: m.now }).where('id', '=', kase.id).execute();
        if (requested.length === 0) {
          await setStatus(m, kase, 'open', 'kyc.case.reopened', { reason: 'The requested documents were received' });
          if (current.status === 'pending_documents') await transitionClient(m, current, 'pending_review', { reason: 'Requested documents received', caseRef: kase.id });
        } else {
          m.changed('kyc_cases', kase.id, kase.legal_entity, 'update');
        }
      } else if (kase) {
        await m.trx.updateTable('kyc_cases').set({ updated_at: m.now }).where('id', '=', kase.id).execute();
        m.changed('kyc_cases', kase.id, kase.legal_entity, 'update');
      }
      if (kase && spec.category === 'identity') await this.verification.requestVerification(m, kase, id, input.documentType);
      else if (kase) await this.risk.autoVerify(m, kase.id);
      return { documentId: id };
    });
  }
}
