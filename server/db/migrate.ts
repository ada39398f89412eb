// Versioned migrations, run on start. A database whose schema is newer than this build (it has
// migrations this build does not know) is refused with a clear message instead of being touched.

import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Db, Engine } from './connect.js';
import { core } from './migrations/0001_core.js';
import { screeningLists } from './migrations/0002_screening_lists.js';
import { clientsScreening } from './migrations/0003_clients_screening.js';
import { kyc } from './migrations/0004_kyc.js';
import { kycRisk } from './migrations/0005_kyc_risk.js';
import { kycQueueIndexes } from './migrations/0006_kyc_queue_indexes.js';
import { auditEventMac } from './migrations/0007_audit_event_mac.js';
import { accessTemporary } from './migrations/0008_access_temporary.js';
import { approvalPendingKey } from './migrations/0009_approval_pending_key.js';
import { alertWork } from './migrations/0010_alert_work.js';
import { approvalClient } from './migrations/0011_approval_client.js';
import { ledger } from './migrations/0012_ledger.js';
import { deposits } from './migrations/0013_deposits.js';
import { withdrawals } from './migrations/0014_withdrawals.js';
import { settlements } from './migrations/0015_settlements.js';
import { platformOperations } from './migrations/0016_platform_operations.js';
import { interventions } from './migrations/0017_interventions.js';
import { checkpointRoots } from './migrations/0018_checkpoint_roots.js';
import { reportSnapshots } from './migrations/0019_report_snapshots.js';
import { postingNumbers } from './migrations/0020_posting_numbers.js';
import { changeControl } from './migrations/0021_change_control.js';
import { executionInputs } from './migrations/0022_execution_inputs.js';

type MigrationFactory = (engine: Engine) => Migration;

/** Numbered, in order. Never edit or renumber one that has shipped; add a new one. */
export const MIGRATIONS: ReadonlyArray<readonly [string, MigrationFactory]> = [
  ['0001_core', core],
  ['0002_screening_lists', screeningLists],
  ['0003_clients_screening', clientsScreening],
  ['0004_kyc', kyc],
  ['0005_kyc_risk', kycRisk],
  ['0006_kyc_queue_indexes', kycQueueIndexes],
  ['0007_audit_event_mac', auditEventMac],
  ['0008_access_temporary', accessTemporary],
  ['0009_approval_pending_key', approvalPendingKey],
  ['0010_alert_work', alertWork],
  ['0011_approval_client', approvalClient],
  ['0012_ledger', ledger],
  ['0013_deposits', deposits],
  ['0014_withdrawals', withdrawals],
  ['0015_settlements', settlements],
  ['0016_platform_operations', platformOperations],
  ['0017_interventions', interventions],
  ['0018_checkpoint_roots', checkpointRoots],
  ['0019_report_snapshots', reportSnapshots],
  ['0020_posting_numbers', postingNumbers],
  ['0021_change_control', changeControl],
  ['0022_execution_inputs', executionInputs],
];

export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError';
}

function provider(engine: Engine, upTo?: string): MigrationProvider {
  return {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, make] of MIGRATIONS) {
        out[name] = make(engine);
        if (name === upTo) break;
      }
      return out;
    },
  };
}

export async function appliedMigrations(db: Db): Promise<string[]> {
  const tables = await db.kysely.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === 'kysely_migration')) return [];
  const rows = await db.kysely
    .withoutPlugins()
    // kysely's own bookkeeping table is not part of our typed schema
    .selectFrom('kysely_migration' as never)
    .select('name' as never)
    .orderBy('name' as never)
    .execute();
  return rows.map((r) => (r as { name: string }).name);
}

export async function migrate(db: Db, opts: { upTo?: string } = {}): Promise<{ applied: string[] }> {
  const known = new Set(MIGRATIONS.map(([name]) => name));
  const unknown = (await appliedMigrations(db)).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new SchemaTooNewError(
      `The database schema is newer than this server: it has migration(s) ${unknown.join(', ')} that this build does not know. ` +
        'Run the server version that wrote them, or a newer one.',
    );
  }
  const migrator = new Migrator({ db: db.kysely, provider: provider(db.engine, opts.upTo) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`Migration ${failed ?? '(unknown)'} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
