// Daily report snapshots (issue 18): one row per legal entity and UTC day, the day's figures as
// taken once, so that a number shown for a past day never changes. Append-only like the audit log:
// UPDATE and DELETE are refused by triggers; a day is stored once (primary key), the first writer
// wins. `stocks` says whether the end-of-day counts (cases waiting, documents expiring) were taken
// at the day's end; a day computed later holds its flows (counted from the audit log) only.

import type { Kysely } from 'kysely';
import type { Engine } from '../connect.js';
import { appendOnly } from './0001_core.js';

export function reportSnapshots(engine: Engine) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('report_snapshots')
        .addColumn('legal_entity', 'text', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('computed_at', 'text', (c) => c.notNull())
        .addColumn('stocks', 'integer', (c) => c.notNull())
        .addColumn('facts_json', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('report_snapshots_pk', ['legal_entity', 'day'])
        .execute();
      await appendOnly(db, engine, ['report_snapshots']);
    },
  };
}
