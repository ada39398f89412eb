// Core schema: legal entities, staff access, the audit log with its checkpoints, the change feed,
// approvals and policies. The audit tables and policy versions are append-only in the database
// itself: UPDATE and DELETE (and TRUNCATE on PostgreSQL) are refused by triggers.

import { sql, type Kysely } from 'kysely';
import type { Engine } from '../connect.js';

const APPEND_ONLY = ['audit_events', 'audit_checkpoints', 'policy_versions'] as const;

export function core(engine: Engine) {
  const bigint = engine === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('legal_entities')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('regulator', 'text', (c) => c.notNull())
        .addColumn('jurisdiction', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('totp_secret_enc', 'text')
        .addColumn('totp_enrolled_at', 'text')
        .addColumn('last_totp_step', bigint)
        .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'text')
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'disabled')`))
        .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('is_demo', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('last_login_at', 'text')
        .execute();

      await db.schema
        .createTable('mfa_enrolments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('secret_enc', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('consumed_at', 'text')
        .execute();

      await db.schema
        .createTable('role_grants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('legal_entity', 'text', (c) => c.notNull().references('legal_entities.id'))
        .addColumn('granted_at', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('approved_by', 'text', (c) => c.notNull())
        .addColumn('approval_id', 'text')
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addColumn('revoke_requested_by', 'text')
        .addColumn('revoke_approved_by', 'text')
        .addColumn('revoke_approval_id', 'text')
        .addColumn('revoke_reason', 'text')
        .execute();
      await sql`create unique index role_grants_active on role_grants (user_id, role, legal_entity) where revoked_at is null`.execute(db);
      await db.schema.createIndex('role_grants_user').on('role_grants').columns(['user_id']).execute();
      await db.schema.createIndex('role_grants_period').on('role_grants').columns(['granted_at', 'revoked_at']).execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addColumn('revoked_by', 'text')
        .addColumn('revoke_reason', 'text')
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').columns(['user_id', 'revoked_at']).execute();

      await db.schema
        .createTable('audit_events')
        .addColumn('seq', bigint, (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text', (c) => c.notNull())
        .addColumn('actor_name', 'text', (c) => c.notNull())
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .addColumn('session_id', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target_type', 'text')
        .addColumn('target_id', 'text')
        .addColumn('client_id', 'text')
        .addColumn('legal_entity', 'text')
        .addColumn('before_json', 'text')
        .addColumn('after_json', 'text')
        .addColumn('reason', 'text')
        .addColumn('approvers_json', 'text')
        .addColumn('case_ref', 'text')
        .addColumn('policy_ref', 'text')
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      // Every search filter has an index ending in seq, so that cursor paging is a range scan.
      for (const [name, cols] of [
        ['audit_actor', ['actor_id', 'seq']],
        ['audit_client', ['client_id', 'seq']],
        ['audit_entity', ['legal_entity', 'seq']],
        ['audit_action', ['action', 'seq']],
        ['audit_target', ['target_type', 'target_id', 'seq']],
        ['audit_case', ['case_ref', 'seq']],
        ['audit_at', ['at']],
      ] as const) {
        await db.schema.createIndex(name).on('audit_events').columns([...cols]).execute();
      }

      await db.schema
        .createTable('audit_checkpoints')
        .addColumn('seq', bigint, (c) => c.primaryKey())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('signature', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('change_feed')
        .addColumn('seq', engine === 'postgres' ? 'bigserial' : 'integer', (c) =>
          engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('table_name', 'text', (c) => c.notNull())
        .addColumn('row_id', 'text', (c) => c.notNull())
        .addColumn('legal_entity', 'text')
        .addColumn('op', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('approval_requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('payload_json', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('maker_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('legal_entity', 'text', (c) => c.references('legal_entities.id'))
        .addColumn('tier_name', 'text', (c) => c.notNull())
        .addColumn('required_roles_json', 'text', (c) => c.notNull())
        .addColumn('required_count', 'integer', (c) => c.notNull())
        .addColumn('excluded_json', 'text', (c) => c.notNull())
        .addColumn('policy_type', 'text', (c) => c.notNull())
        .addColumn('policy_version', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('decided_at', 'text')
        .addColumn('executed_at', 'text')
        .addColumn('failure_reason', 'text')
        .execute();
      await db.schema.createIndex('approvals_status').on('approval_requests').columns(['status', 'created_at']).execute();
      await db.schema.createIndex('approvals_kind').on('approval_requests').columns(['kind', 'status']).execute();

      await db.schema
        .createTable('approval_votes')
        .addColumn('approval_id', 'text', (c) => c.notNull().references('approval_requests.id'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('ordinal', 'integer', (c) => c.notNull())
        .addColumn('decision', 'text', (c) => c.notNull())
        .addColumn('role', 'text')
        .addColumn('reason', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('approval_votes_pk', ['approval_id', 'user_id'])
        .execute();

      await db.schema
        .createTable('policy_versions')
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('document_json', 'text', (c) => c.notNull())
        .addColumn('document_hash', 'text', (c) => c.notNull())
        .addColumn('proposed_by', 'text', (c) => c.notNull())
        .addColumn('proposed_at', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('based_on_version', 'integer')
        .addPrimaryKeyConstraint('policy_versions_pk', ['type', 'version'])
        .execute();

      await db.schema
        .createTable('policy_activations')
        .addColumn('id', engine === 'postgres' ? 'bigserial' : 'integer', (c) =>
          engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('activated_at', 'text', (c) => c.notNull())
        .addColumn('approval_id', 'text')
        .addColumn('activated_by', 'text', (c) => c.notNull())
        .addForeignKeyConstraint('policy_activations_version', ['type', 'version'], 'policy_versions', ['type', 'version'])
        .execute();
      await db.schema.createIndex('policy_activations_type').on('policy_activations').columns(['type', 'id']).execute();

      await db.schema
        .createTable('counters')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', bigint, (c) => c.notNull())
        .execute();

      await appendOnly(db, engine, APPEND_ONLY);
    },
  };
}

export async function appendOnly(db: Kysely<unknown>, engine: Engine, tables: readonly string[]): Promise<void> {
  if (engine === 'postgres') {
    await sql`
      create or replace function refuse_change() returns trigger language plpgsql as $$
      begin
        raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = 'insufficient_privilege';
      end $$`.execute(db);
    for (const table of tables) {
      const t = sql.id(table);
      await sql`create trigger ${sql.id(`${table}_append_only`)} before update or delete on ${t} for each row execute function refuse_change()`.execute(db);
      await sql`create trigger ${sql.id(`${table}_no_truncate`)} before truncate on ${t} for each statement execute function refuse_change()`.execute(db);
    }
    return;
  }
  for (const table of tables) {
    const t = sql.id(table);
    await sql`create trigger ${sql.id(`${table}_no_update`)} before update on ${t} begin select raise(abort, ${sql.lit(`${table} is append-only: UPDATE refused`)}); end`.execute(db);
    await sql`create trigger ${sql.id(`${table}_no_delete`)} before delete on ${t} begin select raise(abort, ${sql.lit(`${table} is append-only: DELETE refused`)}); end`.execute(db);
  }
}
