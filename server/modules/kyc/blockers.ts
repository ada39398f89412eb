// What stands between a KYC case and its approval, and the enhanced-due-diligence checklist: reads
// shared by the decisions, overrides, auto-verification and the case pane.

import { DOCUMENT_TYPES, REQUIRED_CATEGORIES, type DocumentCategory, type DocumentType } from '../../../shared/kyc/machine.js';
import type { EddItem, KycRiskPolicy } from '../../../shared/policies/kyc.js';
import type { Mutation, Store } from '../../core/store.js';
import type { ClientRow, KycCaseRow } from '../../db/schema.js';
import type { EddState } from './case-record.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';

type Reader = Mutation['trx'] | Store['kysely'];

export type Blocker = { reason: 'KYC_INCOMPLETE' | 'DOCUMENT_EXPIRED'; message: string };

/** What stands between the case and approval: missing or expired documents, screening not done or not cleared. */
export async function blockers(db: Reader, kase: KycCaseRow, client: ClientRow, today: string): Promise<Blocker[]> {
  const docs = await db.selectFrom('documents').selectAll().where('client_id', '=', client.id).where('status', 'in', ['received', 'accepted']).execute();
  const out: Blocker[] = [];
  for (const category of REQUIRED_CATEGORIES[client.type]) {
    const ofCategory = docs.filter((d) => DOCUMENT_TYPES[d.document_type as DocumentType].category === category);
    const labels = categoryLabel(category);
    if (ofCategory.length === 0) out.push({ reason: 'KYC_INCOMPLETE', message: `No ${labels} has been received.` });
    else if (ofCategory.every((d) => d.expires_at !== null && d.expires_at <= today)) {
      out.push({ reason: 'DOCUMENT_EXPIRED', message: `The ${labels} expired on ${ofCategory.map((d) => d.expires_at).join(', ')}; request a current one.` });
    }
  }
  const requested = readJson(JSON_COLUMNS.documentTypes, kase.requested_json, `kyc_cases.requested_json of ${kase.id}`);
  if (requested.length) out.push({ reason: 'KYC_INCOMPLETE', message: `Requested documents not yet received: ${requested.map((t) => DOCUMENT_TYPES[t].label).join(', ')}.` });
  if (client.screening_status === 'not_screened') out.push({ reason: 'KYC_INCOMPLETE', message: 'The client has not been screened: no sanctions or PEP list is loaded.' });
  if (client.screening_status === 'potential_match') out.push({ reason: 'KYC_INCOMPLETE', message: 'Screening hits are still open; decide them in the screening review first.' });
  if (client.screening_status === 'confirmed_match') out.push({ reason: 'KYC_INCOMPLETE', message: 'The client is a confirmed sanctions match; it cannot be approved.' });
  if (kase.verification_status === 'pending') out.push({ reason: 'KYC_INCOMPLETE', message: 'The KYC provider\u2019s document check is still running.' });
  const edd = await eddChecklist(db, kase);
  const open = edd?.filter((i) => !i.done) ?? [];
  if (open.length) out.push({ reason: 'KYC_INCOMPLETE', message: `Enhanced due diligence is incomplete: ${open.map((i) => i.label).join('; ')}.` });
  return out;
}

export async function eddChecklist(db: Reader, kase: KycCaseRow): Promise<Array<EddItem & { done: boolean; by: string | null; byName: string | null; at: string | null; note: string | null; documentId: string | null }> | null> {
  if (!kase.edd_json) return null;
  const state = readJson(JSON_COLUMNS.edd, kase.edd_json, `kyc_cases.edd_json of ${kase.id}`) as EddState;
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

function categoryLabel(category: DocumentCategory): string {
  return { identity: 'identity document', address: 'proof of address', corporate: 'certificate of incorporation', edd: 'source of wealth evidence' }[category];
}
