// The client side of the database as kysely sees it: screening lists, clients and their parties,
// screening cases and suppressions, alerts, KYC cases, documents and their checks, notifications
// and the job queue. Same conventions as schema.ts, which composes these into `Database`.

import type { ClientStatus } from '../../shared/clients/lifecycle.js';
import type { DocumentType, KycStatus } from '../../shared/kyc/machine.js';
import type { ColumnType, Generated } from 'kysely';
import type { AlertCloseReason, AlertStatus, SarDecision } from '../../shared/alerts/workflow.js';

export interface ScreeningListVersionTable {
  id: string;
  source: string;
  format: string;
  published_at: string | null;
  file_hash: string;
  files_json: string;
  entry_count: number;
  name_count: number;
  added: number;
  removed: number;
  changed: number;
  previous_version: string | null;
  non_commercial: number;
  imported_at: string;
  imported_by: string;
}

export interface ScreeningListChangeTable {
  version_id: string;
  entry_key: string;
  op: 'added' | 'removed' | 'changed';
  name: string;
  before_hash: string | null;
  after_hash: string | null;
}

export interface ScreeningEntryTable {
  source: string;
  entry_key: string;
  schema: string;
  primary_name: string;
  data_json: string;
  hash: string;
  version_id: string;
}

export interface AccountTypeTable {
  legal_entity: string;
  code: string;
  name: string;
  client_types_json: string;
  active: number;
  created_at: string;
}

export interface ClientTable {
  id: string;
  external_id: string;
  legal_entity: string;
  type: 'individual' | 'corporate';
  first_name: string | null;
  last_name: string | null;
  company_name: string | null;
  display_name: string;
  email: string;
  phone: string | null;
  country: string;
  nationality: string | null;
  date_of_birth: string | null;
  account_type: string;
  status: ClientStatus;
  restrictions_json: string;
  screening_status: 'not_screened' | 'clear' | 'potential_match' | 'confirmed_match';
  risk_level: string | null;
  is_demo: number;
  pep_declared: number;
  payment_method: string | null;
  source_of_funds: string | null;
  created_at: string;
  updated_at: string;
  status_changed_at: string;
}

export interface ClientPartyTable {
  id: string;
  client_id: string;
  roles_json: string;
  first_name: string;
  last_name: string;
  date_of_birth: string | null;
  nationality: string | null;
  country: string | null;
  ownership_bp: number | null;
  created_at: string;
}

export interface ScreeningCaseTable {
  id: string;
  client_id: string;
  /** '' when the subject is the client itself */
  party_id: string;
  legal_entity: string;
  subject_name: string;
  source: string;
  entry_key: string;
  entry_name: string;
  entry_hash: string;
  list_version_id: string;
  score: number;
  hit_json: string;
  trigger: 'registration' | 'client_change' | 'list_update' | 'manual';
  status: 'open' | 'true_match' | 'false_positive';
  previous_case_id: string | null;
  policy_ref: string;
  created_at: string;
  updated_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
}

export interface ScreeningSuppressionTable {
  id: string;
  client_id: string;
  party_id: string;
  source: string;
  entry_key: string;
  entry_hash: string;
  case_id: string;
  reason: string;
  created_by: string;
  created_at: string;
}

export interface AlertTable {
  id: string;
  kind: string;
  legal_entity: string;
  client_id: string | null;
  severity: 'low' | 'medium' | 'high' | 'critical';
  status: AlertStatus;
  for_role: string;
  summary: string;
  details_json: string;
  source_ref: string | null;
  created_at: string;
  updated_at: string;
  assignee_id: ColumnType<string | null, string | null | undefined, string | null>;
  acknowledged_at: ColumnType<string | null, string | null | undefined, string | null>;
  acknowledged_by: ColumnType<string | null, string | null | undefined, string | null>;
  closed_at: ColumnType<string | null, string | null | undefined, string | null>;
  closed_by: ColumnType<string | null, string | null | undefined, string | null>;
  close_reason: ColumnType<AlertCloseReason | null, AlertCloseReason | null | undefined, AlertCloseReason | null>;
  close_note: ColumnType<string | null, string | null | undefined, string | null>;
  sar_decision: ColumnType<SarDecision | null, SarDecision | null | undefined, SarDecision | null>;
  sar_reason: ColumnType<string | null, string | null | undefined, string | null>;
  sar_reference: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface KycCaseTable {
  id: string;
  client_id: string;
  legal_entity: string;
  status: KycStatus;
  risk_level: string | null;
  risk_score: number | null;
  risk_json: string | null;
  assignee_id: string | null;
  escalated_to: string | null;
  requested_json: string;
  decision: string | null;
  decision_reason: string | null;
  decision_note: string | null;
  policy_basis: string | null;
  decided_by: string | null;
  decided_at: string | null;
  opened_reason: string;
  created_at: string;
  updated_at: string;
  status_changed_at: string;
  /** null when the case needs no enhanced due diligence; else the checklist's state */
  edd_json: string | null;
  verification_status: 'not_started' | 'pending' | 'verified' | 'attention' | 'manual';
  verification_reason: string | null;
  /** seconds spent in each status before the current one */
  status_seconds_json: string;
}

export interface DocumentCheckTable {
  id: string;
  document_id: string;
  client_id: string;
  legal_entity: string;
  kyc_case_id: string | null;
  provider: string;
  provider_ref: string | null;
  status: 'pending' | 'complete' | 'manual';
  outcome: 'clear' | 'consider' | 'unreadable' | null;
  extracted_json: string | null;
  checks_json: string | null;
  mismatches_json: string;
  attempts: number;
  error: string | null;
  requested_at: string;
  completed_at: string | null;
}

export interface NotificationTable {
  id: string;
  client_id: string;
  legal_entity: string;
  kind: string;
  channel: 'email';
  subject_ref: string;
  days_before: number | null;
  due_date: string | null;
  title: string;
  body: string;
  status: 'queued' | 'sent';
  created_at: string;
}

export interface JobTable {
  id: Generated<number>;
  kind: string;
  payload_json: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  run_after: string;
  attempts: number;
  max_attempts: number;
  lease_until: string | null;
  last_error: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface DocumentTable {
  id: string;
  client_id: string;
  legal_entity: string;
  kyc_case_id: string | null;
  document_type: DocumentType;
  file_name: string;
  mime: string;
  size: number;
  sha256: string;
  source: string;
  issued_at: string | null;
  expires_at: string | null;
  status: 'received' | 'accepted' | 'rejected' | 'superseded';
  rejection_reason: string | null;
  received_at: string;
  superseded_by: string | null;
}
