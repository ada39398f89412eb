// `npm run ledger:verify -- --data-dir DIR` (or `--database-url URL`): folds every ledger entry
// and compares the sums with the stored balances, and each currency with zero. Exit 0 and a
// summary when they agree; exit 1 naming the first account that differs; exit 2 on bad usage.

import { openDatabase } from '../db/connect.js';
import { appliedMigrations } from '../db/migrate.js';
import { verifyLedger } from '../modules/payments/ledger.js';
import { parseFlags, verifiedDatabase } from './args.js';

const USAGE = 'npm run ledger:verify -- --data-dir DIR | --database-url URL [--json]';
const { values } = parseFlags({ 'data-dir': { type: 'string' }, 'database-url': { type: 'string' }, json: { type: 'boolean' } }, USAGE);
const { dataDir, databaseUrl } = verifiedDatabase(values, USAGE);

const db = openDatabase({ dataDir: dataDir ?? '.', databaseUrl });
try {
  if (!(await appliedMigrations(db)).includes('0012_ledger')) {
    console.error('This database has no ledger yet (migration 0012_ledger not applied): nothing to verify.');
    process.exitCode = 2;
  } else {
    const result = await verifyLedger(db.kysely);
    if (values.json) console.log(JSON.stringify(result));
    else if (result.ok) console.log(`Ledger intact: ${result.postings} postings, ${result.entries} entries; the balances of ${result.accounts} accounts agree with their entries and every currency sums to zero.`);
    else console.log(`LEDGER DIFFERS${result.accountId ? ` at account ${result.accountId}` : ''}: ${result.problem}.`);
    process.exitCode = result.ok ? 0 : 1;
  }
} finally {
  await db.close();
}
