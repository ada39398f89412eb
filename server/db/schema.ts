// The database as kysely sees it. Times are ISO 8601 UTC text on both engines (sortable, and the
// audit hash covers exactly the stored text); booleans are 0/1 integers; JSON is text.

import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { ApprovalStatus } from '../../shared/approvals/machine.js';
import type { ScreeningListVersionTable, ScreeningListChangeTable, ScreeningEntryTable, AccountTypeTable, ClientTable, ClientPartyTable, ScreeningCaseTable, ScreeningSuppressionTable, AlertTable, KycCaseTable, DocumentCheckTable, NotificationTable, JobTable, DocumentTable } from './schema-clients.js';
import type { PolicyChangeTable, PolicyExecutionTable, PolicyRemediationTable, PolicyReleaseSnapshotTable } from './schema-policies.js';
import type { LedgerAccountTable, LedgerPostingTable, LedgerEntryTable, DepositTable, PspEventTable, PspEffectTable, PaymentExceptionTable, WithdrawalTable, WithdrawalApprovalTable, FxRateTable, PspSettlementFileTable, PspSettlementRowTable, PlatformOperationTable, Mt5AccountTable, InterventionTable, InterventionApprovalTable, PlatformManagerOpTable, PlatformScanStateTable } from './schema-payments.js';

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
  /** Format 2 (0018): the segment's first event and the Merkle root over its event hashes; null in format 1. */
  first_seq: number | null;
  root: string | null;
}

/** One legal entity's figures for one UTC day, taken once (0019). */
export interface ReportSnapshotTable {
  legal_entity: string;
  day: string;
  version: number;
  computed_at: string;
  stocks: number;
  facts_json: string;
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
  /** a rule change's approval chain, JSON [{ name, roles }] (0021); null: any required_count holders of the roles */
  chain_json: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ApprovalVoteTable {
  approval_id: string;
  user_id: string;
  /** 1 for the first decision on the request, 2 for the next: the order the checkers acted in. */
  ordinal: number;
  decision: 'approve' | 'reject' | 'cancel' | 'needs_changes';
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
  /** a canary's segment, JSON (0021); null: in force for everyone, ending any canary before it */
  segment_json: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface CounterTable {
  name: string;
  value: number;
}

export interface Database {
  policy_changes: PolicyChangeTable;
  policy_executions: PolicyExecutionTable;
  policy_remediations: PolicyRemediationTable;
  policy_release_snapshots: PolicyReleaseSnapshotTable;
  platform_operations: PlatformOperationTable;
  mt5_accounts: Mt5AccountTable;
  interventions: InterventionTable;
  intervention_approvals: InterventionApprovalTable;
  platform_manager_ops: PlatformManagerOpTable;
  platform_scan_state: PlatformScanStateTable;
  withdrawals: WithdrawalTable;
  withdrawal_approvals: WithdrawalApprovalTable;
  fx_rates: FxRateTable;
  psp_settlement_files: PspSettlementFileTable;
  psp_settlement_rows: PspSettlementRowTable;
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
  report_snapshots: ReportSnapshotTable;
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
