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
