// Providers' settlement reports (CSV), imported for reconciliation: one row per file (its hash, so
// the same file is not imported twice) and one per line, each naming the provider's transaction.

import type { Kysely } from 'kysely';
import type { Engine } from '../connect.js';

export function settlements(engine: Engine) {
  const bigint = engine === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('psp_settlement_files')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('rows', 'integer', (c) => c.notNull())
        .addColumn('first_at', 'text', (c) => c.notNull())
        .addColumn('last_at', 'text', (c) => c.notNull())
        .addColumn('imported_by', 'text', (c) => c.notNull())
        .addColumn('imported_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('psp_settlement_files_once', ['provider', 'sha256'])
        .execute();
      await db.schema
        .createTable('psp_settlement_rows')
        .addColumn('file_id', 'text', (c) => c.notNull().references('psp_settlement_files.id'))
        .addColumn('line', 'integer', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('reference', 'text')
        .addColumn('provider_tx_id', 'text', (c) => c.notNull())
        .addColumn('amount', bigint, (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('psp_settlement_rows_key', ['file_id', 'line'])
        .execute();
      await db.schema.createIndex('psp_settlement_rows_at').on('psp_settlement_rows').columns(['provider', 'at']).execute();
    },
  };
}
