// Alerts are worked, not only read: who has taken one, when it was acknowledged, and how it was
// closed (a reason code, a note, and whether a suspicious-activity report was filed, with the
// reason and the report's reference). Alerts raised before keep their rows, open and unassigned.

import type { Kysely } from 'kysely';

export function alertWork() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      for (const column of ['assignee_id', 'acknowledged_at', 'acknowledged_by', 'closed_at', 'closed_by', 'close_reason', 'close_note', 'sar_decision', 'sar_reason', 'sar_reference']) {
        await db.schema.alterTable('alerts').addColumn(column, 'text').execute();
      }
      await db.schema.createIndex('alerts_assignee').on('alerts').columns(['assignee_id', 'status']).execute();
    },
  };
}
