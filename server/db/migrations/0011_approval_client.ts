// An approval request about a client (a KYC override) names the client, so that every event of
// the request (requested, approved, executed, failed, expired, cancelled) is in the client's
// history. Requests made before carry none.

import type { Kysely } from 'kysely';

export function approvalClient() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('approval_requests').addColumn('client_id', 'text').execute();
      await db.schema.createIndex('approval_requests_client').on('approval_requests').column('client_id').execute();
    },
  };
}
