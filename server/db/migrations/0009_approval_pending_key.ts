// One pending request per thing asked for: `dedupe_key` names what a request is about (a user's
// role in an entity, a KYC case, a session), as its approval kind defines it, and a partial unique
// index allows one pending request per kind and key. Requests opened before this have none.

import { sql, type Kysely } from 'kysely';

export function approvalPendingKey() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('approval_requests').addColumn('dedupe_key', 'text').execute();
      await sql`create unique index approval_requests_pending_key on approval_requests (kind, dedupe_key) where status = 'pending' and dedupe_key is not null`.execute(db);
    },
  };
}
