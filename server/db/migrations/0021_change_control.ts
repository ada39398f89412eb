// Change control of rules (issue 19, decision 0031). An approval request may carry an approval chain
// (named slots). A policy activation may be limited to a segment (a canary); one without a segment
// is the version in force for everyone and ends any canary before it. Change requests (purpose,
// segments, edge cases, plans, the dry run submitted with them) and release snapshots never change;
// the execution log records each automated decision with the policy version that made it; a rollback
// opens a remediation task per decision taken under the version it replaces.

import type { Kysely } from 'kysely';
import type { Engine } from '../connect.js';
import { appendOnly } from './0001_core.js';

export function changeControl(engine: Engine) {
  const serial = engine === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('approval_requests').addColumn('chain_json', 'text').execute();
      await db.schema.alterTable('policy_activations').addColumn('segment_json', 'text').execute();
      await db.schema
        .createTable('policy_changes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('approval_id', 'text', (c) => c.notNull().unique())
        .addColumn('tier', 'integer', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('details_json', 'text', (c) => c.notNull())
        .addColumn('segment_json', 'text')
        .addColumn('dry_run_json', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('policy_changes_type').on('policy_changes').columns(['type', 'version']).execute();
      await db.schema
        .createTable('policy_executions')
        .addColumn('id', serial, (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('policy_type', 'text', (c) => c.notNull())
        .addColumn('policy_version', 'integer', (c) => c.notNull())
        .addColumn('canary', 'integer', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('subject_type', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('legal_entity', 'text')
        .addColumn('client_id', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('conditions_json', 'text', (c) => c.notNull())
        .addColumn('actions_json', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('policy_executions_version').on('policy_executions').columns(['policy_type', 'policy_version', 'at']).execute();
      await db.schema.createIndex('policy_executions_subject').on('policy_executions').columns(['subject_id']).execute();
      await db.schema.createIndex('policy_executions_client').on('policy_executions').columns(['client_id']).execute();
      await db.schema
        .createTable('policy_remediations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('rollback_approval_id', 'text', (c) => c.notNull())
        .addColumn('policy_type', 'text', (c) => c.notNull())
        .addColumn('bad_version', 'integer', (c) => c.notNull())
        .addColumn('execution_id', engine === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull())
        .addColumn('subject_type', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('legal_entity', 'text')
        .addColumn('decided_at', 'text', (c) => c.notNull())
        .addColumn('task', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('closed_by', 'text')
        .addColumn('closed_at', 'text')
        .addColumn('close_reason', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('policy_remediations_once', ['rollback_approval_id', 'execution_id'])
        .execute();
      await db.schema.createIndex('policy_remediations_status').on('policy_remediations').columns(['status', 'policy_type']).execute();
      await db.schema
        .createTable('policy_release_snapshots')
        .addColumn('id', serial, (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('approval_id', 'text', (c) => c.notNull())
        .addColumn('taken_at', 'text', (c) => c.notNull())
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('content_hash', 'text', (c) => c.notNull())
        .execute();
      await appendOnly(db, engine, ['policy_changes', 'policy_executions', 'policy_release_snapshots']);
    },
  };
}
