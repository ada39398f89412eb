// One test per migration, on both engines: each brings an empty database (or one holding rows the
// earlier migrations made) to what the migration promises — tables, constraints, triggers,
// indexes, and defaults for rows that existed before it.

import { sql, type Kysely } from 'kysely';
import { expect, it } from 'vitest';
import type { ApprovalStatus } from '../../shared/approvals/machine.js';
import { createStorage, describeEachEngine } from '../testing/harness.js';
import { openDatabase, type Db, type Engine } from './connect.js';
import { migrate } from './migrate.js';
import type { Database } from './schema.js';

const AT = '2026-01-01T00:00:00.000Z';

/** A fresh database migrated up to `upTo`, closed and dropped after `test`. */
async function atMigration(engine: Engine, upTo: string, test: (db: Db) => Promise<void>): Promise<void> {
  const storage = await createStorage(engine);
  const db = openDatabase(storage);
  try {
    await migrate(db, { upTo });
    await test(db);
  } finally {
    await db.close();
    await storage.drop();
  }
}

/** The names of a table's indexes, as the engine's catalogue lists them. */
async function indexesOf(db: Kysely<Database>, engine: Engine, table: string): Promise<string[]> {
  const rows =
    engine === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = ${table}`.execute(db)
      : await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = ${table} and schemaname = current_schema()`.execute(db);
  return rows.rows.map((r) => r.name);
}

const aUser = (k: Kysely<Database>) => sql`insert into users (id, username, display_name, password_hash, failed_attempts, status, must_change_password, is_demo, created_at, created_by) values ('USR-000001', 'ana', 'Ana', 'x', 0, 'active', 0, 0, ${AT}, 'system')`.execute(k);
const anEntity = (k: Kysely<Database>) => sql`insert into legal_entities (id, name, regulator, jurisdiction, created_at) values ('eu', 'EU', 'CySEC', 'CY', ${AT})`.execute(k);
const aClient = (k: Kysely<Database>, id: string, externalId: string) =>
  sql`insert into clients (id, external_id, legal_entity, type, first_name, last_name, display_name, email, country, account_type, status, restrictions_json, screening_status, is_demo, created_at, updated_at, status_changed_at)
      values (${id}, ${externalId}, 'eu', 'individual', 'Ana', 'Pop', 'Ana Pop', 'a@example.com', 'CY', 'standard', 'registered', '[]', 'not_screened', 0, ${AT}, ${AT}, ${AT})`.execute(k);
const aCase = (k: Kysely<Database>, id: string, clientId: string) =>
  sql`insert into kyc_cases (id, client_id, legal_entity, status, requested_json, opened_reason, created_at, updated_at, status_changed_at) values (${id}, ${clientId}, 'eu', 'open', '[]', 'onboarding', ${AT}, ${AT}, ${AT})`.execute(k);

describeEachEngine('each migration', (engine) => {
  it('0001_core: the audit tables refuse UPDATE and DELETE through triggers', () =>
    atMigration(engine, '0001_core', async (db) => {
      await db.kysely.insertInto('audit_events').values({ seq: 1, at: AT, actor_id: 'system', actor_name: 'system', ip: null, user_agent: null, session_id: null, action: 'x', target_type: null, target_id: null, client_id: null, legal_entity: null, before_json: null, after_json: null, reason: null, approvers_json: null, case_ref: null, policy_ref: null, prev_hash: '0', hash: '1' }).execute();
      await expect(db.kysely.updateTable('audit_events').set({ action: 'y' }).execute()).rejects.toThrow(/append-only: UPDATE refused/);
      await expect(db.kysely.deleteFrom('audit_events').execute()).rejects.toThrow(/append-only: DELETE refused/);
      if (engine === 'sqlite') {
        const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db.kysely);
        expect(fk.rows[0]?.foreign_keys).toBe(1);
        const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db.kysely);
        expect(mode.rows[0]?.journal_mode).toBe('wal');
      }
    }));

  it('0002_screening_lists: list versions and their changes are append-only; the entries as they stand are not', () =>
    atMigration(engine, '0002_screening_lists', async (db) => {
      const k = db.kysely;
      await k.insertInto('screening_list_versions').values({ id: 'LV-1', source: 'us_ofac_sdn', format: 'ofac_csv', published_at: null, file_hash: 'h', files_json: '[]', entry_count: 1, name_count: 1, added: 1, removed: 0, changed: 0, previous_version: null, non_commercial: 0, imported_at: AT, imported_by: 'system' }).execute();
      await k.insertInto('screening_list_changes').values({ version_id: 'LV-1', entry_key: '36', op: 'added', name: 'A', before_hash: null, after_hash: 'x' }).execute();
      await k.insertInto('screening_entries').values({ source: 'us_ofac_sdn', entry_key: '36', schema: 'Company', primary_name: 'A', data_json: '{}', hash: 'x', version_id: 'LV-1' }).execute();
      await expect(k.updateTable('screening_list_versions').set({ entry_count: 2 }).execute()).rejects.toThrow(/append-only: UPDATE refused/);
      await expect(k.deleteFrom('screening_list_changes').execute()).rejects.toThrow(/append-only: DELETE refused/);
      await k.updateTable('screening_entries').set({ hash: 'y' }).execute();
      await expect(k.insertInto('screening_list_changes').values({ version_id: 'LV-1', entry_key: '36', op: 'changed', name: 'A', before_hash: 'x', after_hash: 'y' }).execute()).rejects.toThrow(/unique|UNIQUE|duplicate/i);
    }));

  it('0003_clients_screening: one client per external id; screening suppressions cannot be edited or removed', () =>
    atMigration(engine, '0003_clients_screening', async (db) => {
      const k = db.kysely;
      await anEntity(k);
      await aClient(k, 'CL-000001', 'ext-1');
      await expect(aClient(k, 'CL-000002', 'ext-1')).rejects.toThrow(/unique|UNIQUE|duplicate/i);
      await k.insertInto('screening_suppressions').values({ id: 'SUP-1', client_id: 'CL-000001', party_id: '', source: 'us_ofac_sdn', entry_key: '36', entry_hash: 'x', case_id: 'SCR-1', reason: 'false positive', created_by: 'USR-000001', created_at: AT }).execute();
      await expect(k.updateTable('screening_suppressions').set({ reason: 'changed' }).execute()).rejects.toThrow(/append-only: UPDATE refused/);
      await expect(k.deleteFrom('screening_suppressions').execute()).rejects.toThrow(/append-only: DELETE refused/);
      expect(await indexesOf(k, engine, 'screening_cases')).toEqual(expect.arrayContaining(['screening_cases_subject', 'screening_cases_queue']));
    }));

  it('0004_kyc: a case belongs to an existing client; cases and documents are indexed for the queue and the expiry sweep', () =>
    atMigration(engine, '0004_kyc', async (db) => {
      const k = db.kysely;
      await anEntity(k);
      await expect(aCase(k, 'KYC-000001', 'CL-404')).rejects.toThrow(/foreign key|FOREIGN KEY/i);
      await aClient(k, 'CL-000001', 'ext-1');
      await aCase(k, 'KYC-000001', 'CL-000001');
      expect(await indexesOf(k, engine, 'kyc_cases')).toEqual(expect.arrayContaining(['kyc_cases_queue', 'kyc_cases_client']));
      expect(await indexesOf(k, engine, 'documents')).toEqual(expect.arrayContaining(['documents_client', 'documents_expiry']));
    }));

  it('0005_kyc_risk: clients and cases that existed before get the new columns’ defaults; a reminder is sent once', async () => {
    await atMigration(engine, '0004_kyc', async (db) => {
      const k = db.kysely;
      await anEntity(k);
      await aClient(k, 'CL-000001', 'ext-1');
      await aCase(k, 'KYC-000001', 'CL-000001');
      await migrate(db, { upTo: '0005_kyc_risk' });
      expect(await k.selectFrom('clients').select(['pep_declared', 'payment_method', 'source_of_funds']).execute()).toEqual([{ pep_declared: 0, payment_method: null, source_of_funds: null }]);
      expect(await k.selectFrom('kyc_cases').select(['verification_status', 'status_seconds_json', 'edd_json']).execute()).toEqual([{ verification_status: 'not_started', status_seconds_json: '{}', edd_json: null }]);
      expect(await indexesOf(k, engine, 'notifications')).toContain('notifications_once');
      expect(await indexesOf(k, engine, 'jobs')).toContain('jobs_due');
    });
  });

  it('0006_kyc_queue_indexes: the KYC grid’s status and risk orderings have their indexes', () =>
    atMigration(engine, '0006_kyc_queue_indexes', async (db) => {
      expect(await indexesOf(db.kysely, engine, 'kyc_cases')).toEqual(expect.arrayContaining(['kyc_cases_status_id', 'kyc_cases_risk_id']));
    }));

  it('0007_audit_event_mac: events written before it keep their rows and hashes, with no MAC', async () => {
    await atMigration(engine, '0006_kyc_queue_indexes', async (db) => {
      const k = db.kysely;
      await k.insertInto('audit_events').values({ seq: 1, at: AT, actor_id: 'system', actor_name: 'system', ip: null, user_agent: null, session_id: null, action: 'x', target_type: null, target_id: null, client_id: null, legal_entity: null, before_json: null, after_json: null, reason: null, approvers_json: null, case_ref: null, policy_ref: null, prev_hash: '0', hash: '1' }).execute();
      await migrate(db, { upTo: '0007_audit_event_mac' });
      expect(await k.selectFrom('audit_events').select(['seq', 'hash', 'mac', 'mac_key_id']).execute()).toEqual([{ seq: 1, hash: '1', mac: null, mac_key_id: null }]);
      await expect(k.updateTable('audit_events').set({ mac: 'forged' }).execute()).rejects.toThrow(/append-only: UPDATE refused/);
    });
  });

  it('0008_access_temporary: existing grants and users keep their rows, with no end date and no temporary password', () =>
    atMigration(engine, '0007_audit_event_mac', async (db) => {
      await aUser(db.kysely);
      await anEntity(db.kysely);
      await sql`insert into role_grants (id, user_id, role, legal_entity, granted_at, requested_by, approved_by, reason) values ('GRT-000001', 'USR-000001', 'dealer', 'eu', ${AT}, 'system', '[]', 'seed')`.execute(db.kysely);
      await migrate(db, { upTo: '0008_access_temporary' });
      expect(await db.kysely.selectFrom('role_grants').select(['id', 'ends_at', 'cover_for', 'lapsed_at']).execute()).toEqual([{ id: 'GRT-000001', ends_at: null, cover_for: null, lapsed_at: null }]);
      expect(await db.kysely.selectFrom('users').select(['id', 'password_expires_at', 'password_handover_approval']).execute()).toEqual([{ id: 'USR-000001', password_expires_at: null, password_handover_approval: null }]);
    }));

  it('0009_approval_pending_key: one pending request per kind and key, any number decided, old requests without a key', () =>
    atMigration(engine, '0009_approval_pending_key', async (db) => {
      await aUser(db.kysely);
      await anEntity(db.kysely);
      const request = (id: string, status: ApprovalStatus, key: string | null) => ({
        id, kind: 'access.grantRole', payload_json: '{}', summary: 's', maker_id: 'USR-000001', legal_entity: 'eu', tier_name: 't', required_roles_json: '[]', required_count: 1, excluded_json: '[]',
        policy_type: 'approvals.tiers', policy_version: 1, status, reason: 'r', created_at: AT, expires_at: '2026-01-02T00:00:00.000Z', decided_at: null, executed_at: null, failure_reason: null, dedupe_key: key,
      });
      await db.kysely.insertInto('approval_requests').values([request('APR-000001', 'executed', 'k'), request('APR-000002', 'rejected', 'k'), request('APR-000003', 'pending', 'k'), request('APR-000004', 'pending', null), request('APR-000005', 'pending', null)]).execute();
      await expect(db.kysely.insertInto('approval_requests').values(request('APR-000006', 'pending', 'k')).execute()).rejects.toThrow(/unique|UNIQUE/);
    }));

  it('0010_alert_work: alerts raised before it stay open and unassigned, with no closure recorded', () =>
    atMigration(engine, '0009_approval_pending_key', async (db) => {
      const k = db.kysely;
      await anEntity(k);
      await sql`insert into alerts (id, kind, legal_entity, client_id, severity, status, for_role, summary, details_json, source_ref, created_at, updated_at) values ('ALR-000001', 'sanctions_match', 'eu', null, 'critical', 'open', 'mlro', 's', '{}', null, ${AT}, ${AT})`.execute(k);
      await migrate(db, { upTo: '0010_alert_work' });
      expect(await k.selectFrom('alerts').select(['id', 'status', 'assignee_id', 'acknowledged_at', 'closed_at', 'close_reason', 'sar_decision']).execute()).toEqual([
        { id: 'ALR-000001', status: 'open', assignee_id: null, acknowledged_at: null, closed_at: null, close_reason: null, sar_decision: null },
      ]);
      expect(await indexesOf(k, engine, 'alerts')).toContain('alerts_assignee');
    }));

  it('0011_approval_client: requests made before it keep their rows and name no client', () =>
    atMigration(engine, '0010_alert_work', async (db) => {
      const k = db.kysely;
      await aUser(k);
      await anEntity(k);
      await sql`insert into approval_requests (id, kind, payload_json, summary, maker_id, legal_entity, tier_name, required_roles_json, required_count, excluded_json, policy_type, policy_version, status, reason, created_at, expires_at) values ('APR-000001', 'kyc.override', '{}', 's', 'USR-000001', 'eu', 't', '[]', 1, '[]', 'approvals.tiers', 1, 'pending', 'r', ${AT}, ${AT})`.execute(k);
      await migrate(db, { upTo: '0011_approval_client' });
      expect(await k.selectFrom('approval_requests').select(['id', 'client_id']).execute()).toEqual([{ id: 'APR-000001', client_id: null }]);
      expect(await indexesOf(k, engine, 'approval_requests')).toContain('approval_requests_client');
    }));

  it('0012_ledger: refuses an unbalanced seal, entries in a sealed posting or another currency, and any change or deletion of entries and postings', () =>
    atMigration(engine, '0012_ledger', async (db) => {
      const k = db.kysely;
      const account = (id: string, currency: string) => sql`insert into ledger_accounts (id, legal_entity, owner_type, owner_id, kind, currency, created_at) values (${id}, 'eu', 'client', 'CL-1', ${id.endsWith('h') ? 'held' : 'available'}, ${currency}, ${AT})`.execute(k);
      await account('a', 'EUR');
      await account('h', 'EUR');
      await account('u', 'USD');
      const posting = (id: string) => sql`insert into ledger_postings (id, kind, reference, memo, actor_id, created_at) values (${id}, 'test', 'R', 'm', 'system', ${AT})`.execute(k);
      const entry = (postingId: string, accountId: string, currency: string, amount: string) => sql`insert into ledger_entries (posting_id, account_id, currency, amount) values (${postingId}, ${accountId}, ${currency}, ${amount})`.execute(k);
      const seal = (id: string) => sql`update ledger_postings set sealed = 1 where id = ${id}`.execute(k);

      await posting('P1');
      await entry('P1', 'a', 'EUR', '-2500');
      await entry('P1', 'h', 'EUR', '2400');
      await expect(seal('P1')).rejects.toThrow(/unbalanced/);
      await expect(entry('P1', 'u', 'EUR', '100')).rejects.toThrow(/another currency|is not in EUR/);
      await entry('P1', 'h', 'EUR', '100');
      await seal('P1');
      await expect(entry('P1', 'h', 'EUR', '1')).rejects.toThrow(/sealed/);
      await expect(sql`update ledger_postings set memo = 'changed' where id = 'P1'`.execute(k)).rejects.toThrow(/only sealing/);
      await expect(sql`delete from ledger_postings where id = 'P1'`.execute(k)).rejects.toThrow(/never deleted/);
      await expect(sql`update ledger_entries set amount = 1`.execute(k)).rejects.toThrow(/append-only/);
      await expect(sql`delete from ledger_entries`.execute(k)).rejects.toThrow(/append-only/);
      await expect(entry('P1', 'a', 'EUR', '0')).rejects.toThrow();
      await posting('P2');
      await entry('P2', 'a', 'EUR', '5');
      await expect(seal('P2')).rejects.toThrow(/unbalanced/);
      expect(await indexesOf(k, engine, 'ledger_entries')).toEqual(expect.arrayContaining(['ledger_entries_posting', 'ledger_entries_account']));
    }));

  it('0013_deposits: a provider event is stored once per event id and applied once per business key; a deposit needs its client and a positive amount', () =>
    atMigration(engine, '0013_deposits', async (db) => {
      const k = db.kysely;
      await anEntity(k);
      await aClient(k, 'CL-000001', 'EXT-1');
      const deposit = (ref: string, clientId: string, amount: string, tx: string | null) =>
        sql`insert into deposits (ref, client_id, legal_entity, provider, method, amount, currency, provider_reference, provider_tx_id, status, created_at, updated_at) values (${ref}, ${clientId}, 'eu', 'simpay', 'card', ${amount}, 'EUR', ${`PR-${ref}`}, ${tx}, 'pending', ${AT}, ${AT})`.execute(k);
      await deposit('DEP-000001', 'CL-000001', '10000', 'tx-1');
      await expect(deposit('DEP-000002', 'CL-000001', '10000', 'tx-1')).rejects.toThrow(/unique|UNIQUE/);
      await expect(deposit('DEP-000003', 'CL-000001', '0', 'tx-3')).rejects.toThrow(/check|CHECK/);
      await expect(deposit('DEP-000004', 'CL-404', '100', 'tx-4')).rejects.toThrow(/foreign|FOREIGN/);
      const event = (eventId: string) => sql`insert into psp_events (provider, event_id, kind, body, received_at, status) values ('simpay', ${eventId}, 'deposit.succeeded', '{}', ${AT}, 'received')`.execute(k);
      await event('evt-1');
      await expect(event('evt-1')).rejects.toThrow(/unique|UNIQUE/);
      await event('evt-2');
      const effect = (eventId: string) => sql`insert into psp_effects (provider, provider_tx_id, kind, event_id, subject_ref, at) values ('simpay', 'tx-1', 'deposit.succeeded', ${eventId}, 'DEP-000001', ${AT})`.execute(k);
      await effect('evt-1');
      await expect(effect('evt-2')).rejects.toThrow(/unique|UNIQUE|duplicate/);
      await expect(sql`insert into payment_exceptions (ref, kind, summary, details_json, status, sla_due_at, created_at) values ('PEX-000001', 'k', 's', '{}', 'pending', ${AT}, ${AT})`.execute(k)).rejects.toThrow(/check|CHECK/);
      expect(await indexesOf(k, engine, 'psp_events')).toEqual(expect.arrayContaining(['psp_events_status', 'psp_events_reference', 'psp_events_tx']));
    }));

  it('0014_withdrawals: one payout idempotency key, one approval per person, a known status', () =>
    atMigration(engine, '0014_withdrawals', async (db) => {
      const k = db.kysely;
      await anEntity(k);
      await aClient(k, 'CL-000001', 'EXT-1');
      const withdrawal = (ref: string, status: string, key: string | null) =>
        sql`insert into withdrawals (ref, client_id, legal_entity, provider, method, amount, currency, base_currency, destination_json, status, checks_json, tier_json, policy_ref, first_withdrawal, requested_by, idempotency_key, hold_posting, sla_due_at, created_at, updated_at)
            values (${ref}, 'CL-000001', 'eu', 'simpay', 'bank_transfer', '5000', 'EUR', 'EUR', '{}', ${status}, '[]', '{}', 'payments.withdrawalTiers@1', 1, 'USR-000001', ${key}, ${`PST-${ref}`}, ${AT}, ${AT}, ${AT})`.execute(k);
      await withdrawal('WD-000001', 'pending_approval', 'key-1');
      await withdrawal('WD-000002', 'pending_approval', null);
      await withdrawal('WD-000003', 'pending_approval', null);
      await expect(withdrawal('WD-000004', 'approved', 'key-1')).rejects.toThrow(/unique|UNIQUE/);
      await expect(withdrawal('WD-000005', 'refunded', null)).rejects.toThrow(/check|CHECK/);
      const approval = (ref: string) => sql`insert into withdrawal_approvals (withdrawal_ref, user_id, roles_json, despite_failed_checks, at) values (${ref}, 'USR-000001', '[]', 0, ${AT})`.execute(k);
      await approval('WD-000001');
      await expect(approval('WD-000001')).rejects.toThrow(/unique|UNIQUE|duplicate/);
      await expect(approval('WD-999999')).rejects.toThrow(/foreign|FOREIGN/);
      expect(await indexesOf(k, engine, 'withdrawals')).toEqual(expect.arrayContaining(['withdrawals_queue', 'withdrawals_status_ref', 'withdrawals_client']));
      expect(await indexesOf(k, engine, 'fx_rates')).toContain('fx_rates_pair');
    }));

  it('0015_settlements: a settlement file is imported once per provider and hash, each line once', () =>
    atMigration(engine, '0015_settlements', async (db) => {
      const k = db.kysely;
      const file = (id: string, sha: string) => sql`insert into psp_settlement_files (id, provider, file_name, sha256, rows, first_at, last_at, imported_by, imported_at) values (${id}, 'simpay', 'f.csv', ${sha}, 1, ${AT}, ${AT}, 'USR-000001', ${AT})`.execute(k);
      await file('SET-1', 'aa');
      await expect(file('SET-2', 'aa')).rejects.toThrow(/unique|UNIQUE/);
      const line = (fileId: string, n: number) => sql`insert into psp_settlement_rows (file_id, line, provider, at, type, provider_tx_id, amount, currency) values (${fileId}, ${n}, 'simpay', ${AT}, 'deposit', 'tx-1', '100', 'EUR')`.execute(k);
      await line('SET-1', 2);
      await expect(line('SET-1', 2)).rejects.toThrow(/unique|UNIQUE|duplicate/);
      await expect(line('SET-9', 3)).rejects.toThrow(/foreign|FOREIGN/);
      expect(await indexesOf(k, engine, 'psp_settlement_rows')).toContain('psp_settlement_rows_at');
    }));

  it('0016_platform_operations: one operation per reference, a reference MT5 keeps whole, a deal action MT5 accepts, never zero', () =>
    atMigration(engine, '0016_platform_operations', async (db) => {
      const k = db.kysely;
      const op = (id: string, reference: string, action: number, amount: string) =>
        sql`insert into platform_operations (id, reference, login, action, amount, currency, status, next_attempt_at, requested_by, created_at, updated_at) values (${id}, ${reference}, 500001, ${action}, ${amount}, 'EUR', 'pending', ${AT}, 'system', ${AT}, ${AT})`.execute(k);
      await op('MTO-000001', 'INT-000001', 2, '100');
      await expect(op('MTO-000002', 'INT-000001', 2, '100')).rejects.toThrow(/unique|UNIQUE/);
      await expect(op('MTO-000003', 'X'.repeat(32), 2, '100')).rejects.toThrow(/check|CHECK/);
      await expect(op('MTO-000004', 'INT-000004', 7, '100')).rejects.toThrow(/check|CHECK/);
      await expect(op('MTO-000005', 'INT-000005', 3, '0')).rejects.toThrow(/check|CHECK/);
      expect(await indexesOf(k, engine, 'platform_operations')).toEqual(expect.arrayContaining(['platform_operations_due', 'platform_operations_login']));
    }));
});
