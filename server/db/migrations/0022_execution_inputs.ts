// The facts an automated decision was taken on (issue 19): stored with each execution-log row so a
// dry run replays a draft rule over the decisions already taken, for rule types whose decisions
// keep no other record of them (client risk scoring, approval-tier selection, auto-verification).
// Rows written before this column have none and are not replayed.

import type { Kysely } from 'kysely';

export function executionInputs() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('policy_executions').addColumn('inputs_json', 'text').execute();
      await db.schema.createIndex('policy_executions_type_at').on('policy_executions').columns(['policy_type', 'at']).execute();
    },
  };
}
