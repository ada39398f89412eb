import { sql } from 'kysely';
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
