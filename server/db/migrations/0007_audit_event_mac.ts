// Each audit event carries a MAC under a key the database never holds (server/modules/audit/mac.ts):
// `mac` and the `mac_key_id` that made it. Events written before this migration have neither; the
// first event written after it, `audit.mac.enabled`, marks where every later event must carry one.

import type { Kysely } from 'kysely';

export function auditEventMac() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('audit_events').addColumn('mac', 'text').execute();
      await db.schema.alterTable('audit_events').addColumn('mac_key_id', 'text').execute();
    },
  };
}
