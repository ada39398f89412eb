import { sql } from 'kysely';
import type { ApprovalStatus } from '../../shared/approvals/machine.js';
import { expect, it } from 'vitest';
import { createStorage, describeEachEngine } from '../testing/harness.js';
import { openDatabase } from './connect.js';
import { appliedMigrations, migrate, MIGRATIONS, SchemaTooNewError } from './migrate.js';

describeEachEngine('migrations', (engine) => {
  it('apply every numbered migration in order on an empty database, once', async () => {
    const storage = await createStorage(engine);
    const db = openDatabase(storage);
    try {
      const first = await migrate(db);
      expect(first.applied).toEqual(MIGRATIONS.map(([name]) => name));
      expect((await migrate(db)).applied).toEqual([]);
      expect(await appliedMigrations(db)).toEqual(MIGRATIONS.map(([name]) => name));
      const tables = (await db.kysely.introspection.getTables()).map((t) => t.name);
      for (const table of ['users', 'role_grants', 'sessions', 'audit_events', 'audit_checkpoints', 'change_feed', 'approval_requests', 'approval_votes', 'policy_versions', 'policy_activations', 'legal_entities', 'counters']) {
        expect(tables).toContain(table);
      }
    } finally {
      await db.close();
      await storage.drop();
    }
  });

  it('0001_core: the audit tables refuse UPDATE and DELETE through triggers', async () => {
    const storage = await createStorage(engine);
    const db = openDatabase(storage);
    try {
      await migrate(db, { upTo: '0001_core' });
      await db.kysely.insertInto('audit_events').values({ seq: 1, at: '2026-01-01T00:00:00.000Z', actor_id: 'system', actor_name: 'system', ip: null, user_agent: null, session_id: null, action: 'x', target_type: null, target_id: null, client_id: null, legal_entity: null, before_json: null, after_json: null, reason: null, approvers_json: null, case_ref: null, policy_ref: null, prev_hash: '0', hash: '1' }).execute();
      await expect(db.kysely.updateTable('audit_events').set({ action: 'y' }).execute()).rejects.toThrow(/append-only: UPDATE refused/);
      await expect(db.kysely.deleteFrom('audit_events').execute()).rejects.toThrow(/append-only: DELETE refused/);
      if (engine === 'sqlite') {
        const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db.kysely);
        expect(fk.rows[0]?.foreign_keys).toBe(1);
        const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db.kysely);
        expect(mode.rows[0]?.journal_mode).toBe('wal');
      }
    } finally {
      await db.close();
      await storage.drop();
    }
  });

  it('0008_access_temporary: existing grants and users keep their rows, with no end date and no temporary password', async () => {
    const storage = await createStorage(engine);
    const db = openDatabase(storage);
    try {
      await migrate(db, { upTo: '0007_audit_event_mac' });
      const at = '2026-01-01T00:00:00.000Z';
      await sql`insert into users (id, username, display_name, password_hash, failed_attempts, status, must_change_password, is_demo, created_at, created_by) values ('USR-000001', 'ana', 'Ana', 'x', 0, 'active', 0, 0, ${at}, 'system')`.execute(db.kysely);
      await sql`insert into legal_entities (id, name, regulator, jurisdiction, created_at) values ('eu', 'EU', 'CySEC', 'CY', ${at})`.execute(db.kysely);
      await sql`insert into role_grants (id, user_id, role, legal_entity, granted_at, requested_by, approved_by, reason) values ('GRT-000001', 'USR-000001', 'dealer', 'eu', ${at}, 'system', '[]', 'seed')`.execute(db.kysely);
      await migrate(db, { upTo: '0008_access_temporary' });
      expect(await db.kysely.selectFrom('role_grants').select(['id', 'ends_at', 'cover_for', 'lapsed_at']).execute()).toEqual([{ id: 'GRT-000001', ends_at: null, cover_for: null, lapsed_at: null }]);
      expect(await db.kysely.selectFrom('users').select(['id', 'password_expires_at', 'password_handover_approval']).execute()).toEqual([{ id: 'USR-000001', password_expires_at: null, password_handover_approval: null }]);
    } finally {
      await db.close();
      await storage.drop();
    }
  });

  it('0009_approval_pending_key: one pending request per kind and key, any number decided, old requests without a key', async () => {
    const storage = await createStorage(engine);
    const db = openDatabase(storage);
    try {
      await migrate(db, { upTo: '0009_approval_pending_key' });
      const at = '2026-01-01T00:00:00.000Z';
      await sql`insert into users (id, username, display_name, password_hash, failed_attempts, status, must_change_password, is_demo, created_at, created_by) values ('USR-000001', 'ana', 'Ana', 'x', 0, 'active', 0, 0, ${at}, 'system')`.execute(db.kysely);
      await sql`insert into legal_entities (id, name, regulator, jurisdiction, created_at) values ('eu', 'EU', 'CySEC', 'CY', ${at})`.execute(db.kysely);
      const request = (id: string, status: ApprovalStatus, key: string | null) => ({
        id, kind: 'access.grantRole', payload_json: '{}', summary: 's', maker_id: 'USR-000001', legal_entity: 'eu', tier_name: 't', required_roles_json: '[]', required_count: 1, excluded_json: '[]',
        policy_type: 'approvals.tiers', policy_version: 1, status, reason: 'r', created_at: '2026-01-01T00:00:00.000Z', expires_at: '2026-01-02T00:00:00.000Z', decided_at: null, executed_at: null, failure_reason: null, dedupe_key: key,
      });
      await db.kysely.insertInto('approval_requests').values([request('APR-000001', 'executed', 'k'), request('APR-000002', 'rejected', 'k'), request('APR-000003', 'pending', 'k'), request('APR-000004', 'pending', null), request('APR-000005', 'pending', null)]).execute();
      await expect(db.kysely.insertInto('approval_requests').values(request('APR-000006', 'pending', 'k')).execute()).rejects.toThrow(/unique|UNIQUE/);
    } finally {
      await db.close();
      await storage.drop();
    }
  });

  it('refuse to run against a schema newer than this build', async () => {
    const storage = await createStorage(engine);
    const db = openDatabase(storage);
    try {
      await migrate(db);
      await sql`insert into kysely_migration (name, timestamp) values ('0999_from_the_future', '2030-01-01T00:00:00.000Z')`.execute(db.kysely);
      const error = await migrate(db).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SchemaTooNewError);
      expect((error as Error).message).toMatch(/newer than this server.*0999_from_the_future/);
    } finally {
      await db.close();
      await storage.drop();
    }
  });
});
