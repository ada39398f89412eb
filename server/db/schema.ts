// The database as kysely sees it. Times are ISO 8601 UTC text on both engines (sortable, and the
// audit hash covers exactly the stored text); booleans are 0/1 integers; JSON is text.

import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { ApprovalStatus } from '../../shared/approvals/machine.js';
import type { ScreeningListVersionTable, ScreeningListChangeTable, ScreeningEntryTable, AccountTypeTable, ClientTable, ClientPartyTable, ScreeningCaseTable, ScreeningSuppressionTable, AlertTable, KycCaseTable, DocumentCheckTable, NotificationTable, JobTable, DocumentTable } from './schema-clients.js';

export type { ScreeningListVersionTable, ScreeningListChangeTable, ScreeningEntryTable, AccountTypeTable, ClientTable, ClientPartyTable, ScreeningCaseTable, ScreeningSuppressionTable, AlertTable, KycCaseTable, DocumentCheckTable, NotificationTable, JobTable, DocumentTable };

export interface LegalEntityTable {
  id: string;
  name: string;
  regulator: string;
  jurisdiction: string;
  created_at: string;
}

export interface UserTable {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  totp_secret_enc: string | null;
  totp_enrolled_at: string | null;
  last_totp_step: number | null;
  failed_attempts: number;
  locked_until: string | null;
  status: 'active' | 'disabled';
  must_change_password: number;
  is_demo: number;
  created_at: string;
  created_by: string;
  last_login_at: string | null;
  /** A temporary password stops working at this time; null for a password the user chose. */
  password_expires_at: string | null;
  /** The password reset whose maker has yet to collect the temporary password. */
  password_handover_approval: string | null;
}

export interface MfaEnrolmentTable {
  id: string;
  user_id: string;
  secret_enc: string;
  created_at: string;
  expires_at: string;
  consumed_at: string | null;
}

export interface RoleGrantTable {
  id: string;
  user_id: string;
  role: string;
  legal_entity: string;
  granted_at: string;
  requested_by: string;
  approved_by: string;
  approval_id: string | null;
  reason: string;
  revoked_at: string | null;
  revoke_requested_by: string | null;
  revoke_approved_by: string | null;
  revoke_approval_id: string | null;
  revoke_reason: string | null;
  /** The grant lapses by itself at this time (UTC); null for a grant without an end date. */
  ends_at: string | null;
  /** The user whose absence this grant covers, for grants made as cover. */
  cover_for: string | null;
  /** When the grant lapsed at its end date (then `revoked_at` is set too). */
  lapsed_at: string | null;
}

export interface SessionTable {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
  revoke_reason: string | null;
  ip: string | null;
  user_agent: string | null;
}

export interface AuditEventTable {
  seq: number;
  at: string;
  actor_id: string;
  actor_name: string;
  ip: string | null;
  user_agent: string | null;
  session_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  client_id: string | null;
  legal_entity: string | null;
  before_json: string | null;
  after_json: string | null;
  reason: string | null;
  approvers_json: string | null;
  case_ref: string | null;
  policy_ref: string | null;
  prev_hash: string;
  hash: string;
  /** HMAC-SHA256 of seq and hash under a key outside the database; null only before migration 0007 */
  mac: string | null;
  mac_key_id: string | null;
}

export interface AuditCheckpointTable {
  seq: number;
  hash: string;
  at: string;
  key_id: string;
  signature: string;
}

export interface ChangeFeedTable {
  seq: Generated<number>;
  at: string;
  table_name: string;
  row_id: string;
  legal_entity: string | null;
  op: 'insert' | 'update' | 'delete';
}

export interface ApprovalRequestTable {
  id: string;
  kind: string;
  payload_json: string;
  summary: string;
  maker_id: string;
  legal_entity: string | null;
  tier_name: string;
  required_roles_json: string;
  required_count: number;
  excluded_json: string;
  policy_type: string;
  policy_version: number;
  status: ApprovalStatus;
  reason: string;
  created_at: string;
  expires_at: string;
  decided_at: string | null;
  executed_at: string | null;
  failure_reason: string | null;
  /** What the request is about, as its kind defines it: one pending request per kind and key. */
  dedupe_key: string | null;
  /** the client the request is about, when it is about one (0011) */
  client_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ApprovalVoteTable {
  approval_id: string;
  user_id: string;
  /** 1 for the first decision on the request, 2 for the next: the order the checkers acted in. */
  ordinal: number;
  decision: 'approve' | 'reject' | 'cancel';
  role: string | null;
  reason: string | null;
  at: string;
}

export interface PolicyVersionTable {
  type: string;
  version: number;
  document_json: string;
  document_hash: string;
  proposed_by: string;
  proposed_at: string;
  reason: string;
  based_on_version: number | null;
}

export interface PolicyActivationTable {
  id: Generated<number>;
  type: string;
  version: number;
  activated_at: string;
  approval_id: string | null;
  activated_by: string;
}

export interface CounterTable {
  name: string;
  value: number;
}

/** Ledger amounts are written as decimal strings of minor units and read back with `cast(… as text)` (0012). */
export interface LedgerAccountTable {
  id: string;
  legal_entity: string;
  owner_type: 'client' | 'provider' | 'fees' | 'fx';
  owner_id: string;
  kind: 'available' | 'pending' | 'held' | 'clearing' | 'fees' | 'fx';
  currency: string;
  balance: ColumnType<string | number, string | undefined, string>;
  created_at: string;
}

export interface LedgerPostingTable {
  id: string;
  kind: string;
  reference: string;
  memo: string;
  corrects: string | null;
  actor_id: string;
  created_at: string;
  sealed: ColumnType<number, number | undefined, number>;
}

export interface LedgerEntryTable {
  id: Generated<number>;
  posting_id: string;
  account_id: string;
  currency: string;
  amount: ColumnType<string | number, string, never>;
}

/** Deposits (0013): amounts in minor units, written as decimal strings and read with `cast(… as text)`. */
export interface DepositTable {
  ref: string;
  client_id: string;
  legal_entity: string;
  provider: string;
  method: string;
  amount: ColumnType<string | number, string, never>;
  currency: string;
  provider_reference: string;
  provider_tx_id: string | null;
  status: 'initiated' | 'pending' | 'credited' | 'failed' | 'refunded' | 'charged_back';
  failure_code: string | null;
  payer_name: string | null;
  flags_json: ColumnType<string, string | undefined, string>;
  refunded: ColumnType<string | number, string | undefined, string>;
  platform_step: 'awaiting_connector' | 'credited' | 'failed' | null;
  created_at: string;
  updated_at: string;
  credited_at: string | null;
  last_polled_at: string | null;
}

/** A provider's event as received (0013): the raw body kept, what it says read out beside it. */
export interface PspEventTable {
  id: Generated<number>;
  provider: string;
  event_id: string;
  kind: string;
  reference: string | null;
  provider_tx_id: string | null;
  effect_key: string | null;
  amount: ColumnType<string | number | null, string | null, never>;
  amount_is_total: number;
  currency: string | null;
  failure_code: string | null;
  payer_name: string | null;
  body: ColumnType<string, string, never>;
  received_at: string;
  status: 'received' | 'applied' | 'parked' | 'duplicate' | 'ignored';
  status_reason: string | null;
  subject_ref: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  applied_at: string | null;
  exception_ref: string | null;
}

export interface PspEffectTable {
  provider: string;
  provider_tx_id: string;
  kind: string;
  event_id: string;
  subject_ref: string;
  at: string;
}

export interface PaymentExceptionTable {
  ref: string;
  kind: string;
  legal_entity: string | null;
  client_id: string | null;
  subject_ref: string | null;
  provider: string | null;
  summary: string;
  details_json: string;
  status: 'open' | 'resolved';
  owner_id: string | null;
  sla_due_at: string;
  resolution_code: string | null;
  resolution_note: string | null;
  resolved_by: string | null;
  resolved_at: string | null;
  created_at: string;
}

export interface Database {
  deposits: DepositTable;
  psp_events: PspEventTable;
  psp_effects: PspEffectTable;
  payment_exceptions: PaymentExceptionTable;
  ledger_accounts: LedgerAccountTable;
  ledger_postings: LedgerPostingTable;
  ledger_entries: LedgerEntryTable;
  legal_entities: LegalEntityTable;
  users: UserTable;
  mfa_enrolments: MfaEnrolmentTable;
  role_grants: RoleGrantTable;
  sessions: SessionTable;
  audit_events: AuditEventTable;
  audit_checkpoints: AuditCheckpointTable;
  change_feed: ChangeFeedTable;
  approval_requests: ApprovalRequestTable;
  approval_votes: ApprovalVoteTable;
  policy_versions: PolicyVersionTable;
  policy_activations: PolicyActivationTable;
  counters: CounterTable;
  screening_list_versions: ScreeningListVersionTable;
  screening_list_changes: ScreeningListChangeTable;
  screening_entries: ScreeningEntryTable;
  account_types: AccountTypeTable;
  clients: ClientTable;
  client_parties: ClientPartyTable;
  screening_cases: ScreeningCaseTable;
  screening_suppressions: ScreeningSuppressionTable;
  alerts: AlertTable;
  kyc_cases: KycCaseTable;
  documents: DocumentTable;
  document_checks: DocumentCheckTable;
  notifications: NotificationTable;
  jobs: JobTable;
}

export type UserRow = Selectable<UserTable>;
export type RoleGrantRow = Selectable<RoleGrantTable>;
export type SessionRow = Selectable<SessionTable>;
export type AuditEventRow = Selectable<AuditEventTable>;
export type AuditEventInsert = Insertable<AuditEventTable>;
export type ApprovalRequestRow = Selectable<ApprovalRequestTable>;
export type ClientRow = Selectable<ClientTable>;
export type ClientPartyRow = Selectable<ClientPartyTable>;
export type ScreeningCaseRow = Selectable<ScreeningCaseTable>;
export type KycCaseRow = Selectable<KycCaseTable>;
export type DocumentRow = Selectable<DocumentTable>;
export type DocumentCheckRow = Selectable<DocumentCheckTable>;
export type JobRow = Selectable<JobTable>;
