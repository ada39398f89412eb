// The KYC provider's document check: requested when an identity document arrives (a queued job),
// run against the provider, recorded with what it extracted and how that compares with the client,
// and retried by hand from the manual queue. A clear result may auto-verify the case.

import { DomainError } from '../../../shared/errors.js';
import { typesOfCategory } from '../../../shared/kyc/machine.js';
import { requireEntity, type AuthContext } from '../../core/auth.js';
import type { Mutation, Store } from '../../core/store.js';
import { nextRef } from '../../db/counters.js';
import type { KycCaseRow } from '../../db/schema.js';
import { enqueue } from '../../jobs/queue.js';
import { loadClient } from '../clients/restrictions.js';
import type { DocumentStore } from '../documents/store.js';
import { KYC_AUTOMATION, loadCase, summaryOf, type CaseSummary } from './case-record.js';
import { compareExtraction, type Mismatch } from './evidence.js';
import { ProviderRefused, ProviderUnavailable, type KycProviderClient } from './provider-client.js';
import type { KycRisk } from './risk.js';

export class KycVerification {
  constructor(
    private readonly store: Store,
    private readonly documents: DocumentStore,
    private readonly provider: KycProviderClient | null,
    private readonly risk: KycRisk,
  ) {}

  async requestVerification(m: Mutation, kase: KycCaseRow, documentId: string, documentType: string): Promise<void> {
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
        await this.risk.autoVerify(m, kase.id);
      }
    });
  }

  /** Sends the current identity document of a case in the manual queue to the provider again. */
  async retryVerification(auth: AuthContext, caseRef: string): Promise<CaseSummary> {
    await this.store.mutate(auth.actor, async (m) => {
      const kase = await loadCase(m.trx, caseRef);
      requireEntity(auth, 'kyc.review', kase.legal_entity);
      if (kase.decision || kase.verification_status !== 'manual') throw new DomainError('INVALID_TRANSITION', `${kase.id} is not in the manual queue (provider check: ${kase.verification_status}).`);
      const identity = await m.trx.selectFrom('documents').select(['id', 'document_type']).where('client_id', '=', kase.client_id).where('status', 'in', ['received', 'accepted']).where('document_type', 'in', typesOfCategory('identity')).orderBy('id', 'desc').executeTakeFirst();
      if (!identity) throw new DomainError('KYC_INCOMPLETE', `${kase.id} has no identity document to check.`);
      await this.requestVerification(m, kase, identity.id, identity.document_type);
      m.changed('kyc_cases', kase.id, kase.legal_entity, 'update');
    });
    return summaryOf(this.store.kysely, caseRef);
  }
}
