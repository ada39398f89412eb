// Sanctions and PEP lists: each import is a version with its file hash and
// counts; the entries of each list as they stand now; and, per version, the
// entries it added, removed or changed (by the list's stable key), which the
// incremental re-screen and the version's diff view read. Versions and their
// changes are append-only.

import type { Kysely } from 'kysely';
import type { Engine } from '../connect.js';
import { appendOnly } from './0001_core.js';

export function screeningLists(engine: Engine) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('screening_list_versions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('published_at', 'text')
        .addColumn('file_hash', 'text', (c) => c.notNull())
        .addColumn('files_json', 'text', (c) => c.notNull())
        .addColumn('entry_count', 'integer', (c) => c.notNull())
        .addColumn('name_count', 'integer', (c) => c.notNull())
        .addColumn('added', 'integer', (c) => c.notNull())
        .addColumn('removed', 'integer', (c) => c.notNull())
        .addColumn('changed', 'integer', (c) => c.notNull())
        .addColumn('previous_version', 'text')
        .addColumn('non_commercial', 'integer', (c) => c.notNull())
        .addColumn('imported_at', 'text', (c) => c.notNull())
        .addColumn('imported_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('screening_list_versions_source').on('screening_list_versions').columns(['source', 'imported_at']).execute();

      await db.schema
        .createTable('screening_list_changes')
        .addColumn('version_id', 'text', (c) => c.notNull().references('screening_list_versions.id'))
        .addColumn('entry_key', 'text', (c) => c.notNull())
        .addColumn('op', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('before_hash', 'text')
        .addColumn('after_hash', 'text')
        .addPrimaryKeyConstraint('screening_list_changes_pk', ['version_id', 'entry_key'])
        .execute();

      await db.schema
        .createTable('screening_entries')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('entry_key', 'text', (c) => c.notNull())
        .addColumn('schema', 'text', (c) => c.notNull())
        .addColumn('primary_name', 'text', (c) => c.notNull())
        .addColumn('data_json', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('version_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('screening_entries_pk', ['source', 'entry_key'])
        .execute();

      await appendOnly(db, engine, ['screening_list_versions', 'screening_list_changes']);
    },
  };
}
