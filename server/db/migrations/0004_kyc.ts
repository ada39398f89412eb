// KYC: the case opened on registration (one current case per client; a re-review opens another)
// and the documents a client sends, each stored encrypted and content-addressed, its metadata here.
// The case's evidence trail is the audit log (every step carries the case reference).

import type { Kysely } from 'kysely';
import type { Engine } from '../connect.js';

export function kyc(_engine: Engine) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('kyc_cases')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id'))
        .addColumn('legal_entity', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('risk_level', 'text')
        .addColumn('risk_score', 'integer')
        .addColumn('risk_json', 'text')
        .addColumn('assignee_id', 'text')
        .addColumn('escalated_to', 'text')
        .addColumn('requested_json', 'text', (c) => c.notNull())
        .addColumn('decision', 'text')
        .addColumn('decision_reason', 'text')
        .addColumn('decision_note', 'text')
        .addColumn('policy_basis', 'text')
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'text')
        .addColumn('opened_reason', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('status_changed_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('kyc_cases_queue').on('kyc_cases').columns(['status', 'legal_entity', 'created_at']).execute();
      await db.schema.createIndex('kyc_cases_client').on('kyc_cases').column('client_id').execute();

      await db.schema
        .createTable('documents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id'))
        .addColumn('legal_entity', 'text', (c) => c.notNull())
        .addColumn('kyc_case_id', 'text')
        .addColumn('document_type', 'text', (c) => c.notNull())
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('mime', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('issued_at', 'text')
        .addColumn('expires_at', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('rejection_reason', 'text')
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('superseded_by', 'text')
        .execute();
      await db.schema.createIndex('documents_client').on('documents').columns(['client_id', 'document_type']).execute();
      await db.schema.createIndex('documents_expiry').on('documents').columns(['status', 'expires_at']).execute();
    },
  };
}
