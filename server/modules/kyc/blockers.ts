// What stands between a KYC case and its approval (the rule is shared/kyc/blockers.ts) and the
// enhanced-due-diligence checklist, read from a case's rows for the decisions, overrides,
// auto-verification and the case view.

import { approvalBlockers, type Blocker } from '../../../shared/kyc/blockers.js';
import type { EddItem } from '../../../shared/policies/kyc.js';
import type { Mutation, Store } from '../../core/store.js';
import type { ClientRow, KycCaseRow } from '../../db/schema.js';
import type { EddState } from './case-record.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';
import { POLICY_TYPES } from '../../../shared/policies/types.js';

type Reader = Mutation['trx'] | Store['kysely'];

export type { Blocker } from '../../../shared/kyc/blockers.js';

/** What stands between the case and approval (shared/kyc/blockers.ts), over the case's rows. */
export async function blockers(db: Reader, kase: KycCaseRow, client: ClientRow, today: string): Promise<Blocker[]> {
  const docs = await db.selectFrom('documents').select(['document_type', 'status', 'expires_at']).where('client_id', '=', client.id).execute();
  return approvalBlockers(
    {
      clientType: client.type,
      documents: docs.map((d) => ({ type: d.document_type, status: d.status, expiresAt: d.expires_at })),
      requested: readJson(JSON_COLUMNS.documentTypes, kase.requested_json, `kyc_cases.requested_json of ${kase.id}`),
      screeningStatus: client.screening_status,
      verificationStatus: kase.verification_status,
      edd: await eddChecklist(db, kase),
    },
    today,
  );
}

export async function eddChecklist(db: Reader, kase: KycCaseRow): Promise<Array<EddItem & { done: boolean; by: string | null; byName: string | null; at: string | null; note: string | null; documentId: string | null }> | null> {
  if (!kase.edd_json) return null;
  const state = readJson(JSON_COLUMNS.edd, kase.edd_json, `kyc_cases.edd_json of ${kase.id}`) as EddState;
  const [type, version] = state.policyRef.split('@') as [string, string];
  const row = await db.selectFrom('policy_versions').select('document_json').where('type', '=', type).where('version', '=', Number(version)).executeTakeFirstOrThrow();
  const items = readJson(POLICY_TYPES['kyc.risk'].schema, row.document_json, `policy_versions.document_json of ${state.policyRef}`).edd;
  const docs = await db.selectFrom('documents').select(['id', 'document_type']).where('client_id', '=', kase.client_id).where('status', 'in', ['received', 'accepted']).execute();
  return items.map((item) => {
    const doc = item.evidence === 'document' ? docs.find((d) => d.document_type === item.documentType) : undefined;
    const tick = state.items[item.key];
    return { ...item, done: item.evidence === 'document' ? doc !== undefined : tick !== undefined, by: tick?.by ?? null, byName: tick?.byName ?? null, at: tick?.at ?? null, note: tick?.note ?? null, documentId: doc?.id ?? null };
  });
}
