// Enhanced due diligence: a high-risk case's checklist (from the `kyc.risk` policy version that
// started it), completed item by item by the assignee or a senior officer, each with a note.

import { DomainError } from '../../../shared/errors.js';
import { DOCUMENT_TYPES, type DocumentType } from '../../../shared/kyc/machine.js';
import { mayActOnCase } from '../../../shared/kyc/who.js';
import { requireEntity, type AuthContext } from '../../core/auth.js';
import type { Store } from '../../core/store.js';
import { eddChecklist } from './blockers.js';
import { loadCase, summaryOf, type CaseSummary, type EddState } from './case-record.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';

export class KycEdd {
  constructor(private readonly store: Store) {}

  async completeEddItem(auth: AuthContext, input: { caseRef: string; item: string; note: string }): Promise<CaseSummary> {
    await this.store.mutate(auth.actor, async (m) => {
      const kase = await loadCase(m.trx, input.caseRef);
      requireEntity(auth, 'kyc.review', kase.legal_entity);
      if (kase.decision) throw new DomainError('INVALID_TRANSITION', `${kase.id} is decided; its checklist is closed.`);
      const checklist = await eddChecklist(m.trx, kase);
      if (!checklist) throw new DomainError('INVALID_TRANSITION', `${kase.id} needs no enhanced due diligence (risk is ${kase.risk_level ?? 'not scored'}).`);
      const item = checklist.find((i) => i.key === input.item);
      if (!item) throw new DomainError('VALIDATION_FAILED', `item: "${input.item}" is not on the checklist; it has ${checklist.map((i) => i.key).join(', ')}.`);
      if (item.evidence === 'document') throw new DomainError('INVALID_TRANSITION', `"${item.label}" is complete when the client sends a ${DOCUMENT_TYPES[item.documentType as DocumentType].label.toLowerCase()}; request it (kyc.requestDocuments).`);
      if (item.done) throw new DomainError('ALREADY_DECIDED', `"${item.label}" was completed by ${item.byName} at ${item.at}.`);
      const senior = auth.scope('kyc.decideHighRisk').includes(kase.legal_entity);
      if (item.evidence === 'senior_signoff' && !senior) throw new DomainError('FORBIDDEN_PERMISSION', `"${item.label}" is signed off by a senior compliance officer or the MLRO.`);
      if (item.evidence === 'attestation' && !mayActOnCase({ id: kase.id, status: 'open', assigneeId: kase.assignee_id, escalatedTo: null }, { userId: auth.user.id, senior }).ok) {
        throw new DomainError('NOT_ASSIGNED', `${kase.id} is not assigned to you; its assignee or a senior officer completes the checklist.`);
      }
      const state = readJson(JSON_COLUMNS.edd, kase.edd_json!, `kyc_cases.edd_json of ${kase.id}`) as EddState;
      state.items[item.key] = { by: auth.user.id, byName: auth.user.username, at: m.now, note: input.note };
      await m.trx.updateTable('kyc_cases').set({ edd_json: JSON.stringify(state), updated_at: m.now }).where('id', '=', kase.id).execute();
      m.audit({ action: 'kyc.edd.completed', targetType: 'kyc_case', targetId: kase.id, clientId: kase.client_id, legalEntity: kase.legal_entity, caseRef: kase.id, after: { item: item.key, label: item.label, evidence: item.evidence }, reason: input.note, policyRef: state.policyRef });
      m.changed('kyc_cases', kase.id, kase.legal_entity, 'update');
    });
    return summaryOf(this.store.kysely, input.caseRef);
  }
}
