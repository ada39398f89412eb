// The KYC queue pages newest case first (by id) under filters on status and risk level. Indexes
// that lead with the filter and end with the id let both engines read the first page in order and
// stop after it, instead of sorting every open case (benchmark: 200k cases, bench/kyc.ts).

import type { Kysely } from 'kysely';

export function kycQueueIndexes() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createIndex('kyc_cases_status_id').on('kyc_cases').columns(['status', 'id']).execute();
      await db.schema.createIndex('kyc_cases_risk_id').on('kyc_cases').columns(['risk_level', 'id']).execute();
    },
  };
}
