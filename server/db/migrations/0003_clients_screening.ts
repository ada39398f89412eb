// Clients and their screening: account types per legal entity; clients with their lifecycle
// status and restrictions; the people behind a corporate client (directors, shareholders, ultimate
// beneficial owners); screening review cases (one per client or party and list entry); versioned
// suppressions (a false positive holds only for the entry as it stood when decided); and alerts
// for the MLRO. Suppressions are append-only: lifting one is a new row, never an edit.

import type { Kysely } from 'kysely';
import type { Engine } from '../connect.js';
import { appendOnly } from './0001_core.js';

export function clientsScreening(engine: Engine) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('account_types')
        .addColumn('legal_entity', 'text', (c) => c.notNull().references('legal_entities.id'))
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('client_types_json', 'text', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('account_types_pk', ['legal_entity', 'code'])
        .execute();

      await db.schema
        .createTable('clients')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('external_id', 'text', (c) => c.notNull().unique())
        .addColumn('legal_entity', 'text', (c) => c.notNull().references('legal_entities.id'))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('first_name', 'text')
        .addColumn('last_name', 'text')
        .addColumn('company_name', 'text')
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('phone', 'text')
        .addColumn('country', 'text', (c) => c.notNull())
        .addColumn('nationality', 'text')
        .addColumn('date_of_birth', 'text')
        .addColumn('account_type', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('restrictions_json', 'text', (c) => c.notNull())
        .addColumn('screening_status', 'text', (c) => c.notNull())
        .addColumn('risk_level', 'text')
        .addColumn('is_demo', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('status_changed_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('clients_entity_status').on('clients').columns(['legal_entity', 'status']).execute();

      await db.schema
        .createTable('client_parties')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id'))
        .addColumn('roles_json', 'text', (c) => c.notNull())
        .addColumn('first_name', 'text', (c) => c.notNull())
        .addColumn('last_name', 'text', (c) => c.notNull())
        .addColumn('date_of_birth', 'text')
        .addColumn('nationality', 'text')
        .addColumn('country', 'text')
        .addColumn('ownership_bp', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('client_parties_client').on('client_parties').column('client_id').execute();

      await db.schema
        .createTable('screening_cases')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id'))
        .addColumn('party_id', 'text', (c) => c.notNull())
        .addColumn('legal_entity', 'text', (c) => c.notNull())
        .addColumn('subject_name', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('entry_key', 'text', (c) => c.notNull())
        .addColumn('entry_name', 'text', (c) => c.notNull())
        .addColumn('entry_hash', 'text', (c) => c.notNull())
        .addColumn('list_version_id', 'text', (c) => c.notNull())
        .addColumn('score', 'real', (c) => c.notNull())
        .addColumn('hit_json', 'text', (c) => c.notNull())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('previous_case_id', 'text')
        .addColumn('policy_ref', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'text')
        .addColumn('decision_reason', 'text')
        .execute();
      await db.schema.createIndex('screening_cases_subject').on('screening_cases').columns(['client_id', 'party_id', 'source', 'entry_key']).execute();
      await db.schema.createIndex('screening_cases_queue').on('screening_cases').columns(['status', 'legal_entity', 'created_at']).execute();

      await db.schema
        .createTable('screening_suppressions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('party_id', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('entry_key', 'text', (c) => c.notNull())
        .addColumn('entry_hash', 'text', (c) => c.notNull())
        .addColumn('case_id', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('screening_suppressions_subject').on('screening_suppressions').columns(['client_id', 'party_id', 'source', 'entry_key']).execute();

      await db.schema
        .createTable('alerts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('legal_entity', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text')
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('for_role', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('details_json', 'text', (c) => c.notNull())
        .addColumn('source_ref', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('alerts_queue').on('alerts').columns(['status', 'legal_entity', 'created_at']).execute();

      await appendOnly(db, engine, ['screening_suppressions']);
    },
  };
}
