// KYC, second part: the client's declared risk facts (PEP, payment method, source of funds); the
// case's risk, enhanced due diligence, provider verification and time in each status; the
// provider's document checks; client notifications (document expiry reminders); and the durable
// job queue the server's background work runs from.

import type { Kysely } from 'kysely';
import type { Engine } from '../connect.js';

export function kycRisk(engine: Engine) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('clients').addColumn('pep_declared', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('clients').addColumn('payment_method', 'text').execute();
      await db.schema.alterTable('clients').addColumn('source_of_funds', 'text').execute();

      await db.schema.alterTable('kyc_cases').addColumn('edd_json', 'text').execute();
      await db.schema.alterTable('kyc_cases').addColumn('verification_status', 'text', (c) => c.notNull().defaultTo('not_started')).execute();
      await db.schema.alterTable('kyc_cases').addColumn('verification_reason', 'text').execute();
      await db.schema.alterTable('kyc_cases').addColumn('status_seconds_json', 'text', (c) => c.notNull().defaultTo('{}')).execute();
      await db.schema.createIndex('kyc_cases_verification').on('kyc_cases').columns(['verification_status', 'status']).execute();

      await db.schema
        .createTable('document_checks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('document_id', 'text', (c) => c.notNull().references('documents.id'))
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('legal_entity', 'text', (c) => c.notNull())
        .addColumn('kyc_case_id', 'text')
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('provider_ref', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text')
        .addColumn('extracted_json', 'text')
        .addColumn('checks_json', 'text')
        .addColumn('mismatches_json', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error', 'text')
        .addColumn('requested_at', 'text', (c) => c.notNull())
        .addColumn('completed_at', 'text')
        .execute();
      await db.schema.createIndex('document_checks_document').on('document_checks').column('document_id').execute();
      await db.schema.createIndex('document_checks_case').on('document_checks').column('kyc_case_id').execute();

      await db.schema
        .createTable('notifications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('legal_entity', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('subject_ref', 'text', (c) => c.notNull())
        .addColumn('days_before', 'integer')
        .addColumn('due_date', 'text')
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      // One reminder per document, kind and lead time, however often the job runs.
      await db.schema.createIndex('notifications_once').on('notifications').columns(['subject_ref', 'kind', 'days_before']).unique().execute();
      await db.schema.createIndex('notifications_client').on('notifications').column('client_id').execute();

      await db.schema
        .createTable('jobs')
        .addColumn('id', engine === 'postgres' ? 'bigserial' : 'integer', (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('payload_json', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('run_after', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('lease_until', 'text')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .execute();
      await db.schema.createIndex('jobs_due').on('jobs').columns(['status', 'run_after']).execute();
    },
  };
}
