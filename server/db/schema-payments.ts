// The payments side of the database as kysely sees it: the ledger, deposits and provider events,
// payment exceptions, withdrawals and their approvals, FX rates; and the platform side: MT5
// operations, accounts, interventions and manager operations found with no case. Same conventions as schema.ts,
// which composes these into `Database`.

import type { ColumnType, Generated } from 'kysely';
import type { InterventionStatus, InterventionType, UnlinkedKind, UnlinkedStatus } from '../../shared/platform/interventions.js';

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

/** What a deposit and a withdrawal both are: a client's payment through a provider, the amount in minor units written as a decimal string and read with `cast(… as text)`. */
interface ClientPaymentColumns {
  ref: string;
  client_id: string;
  legal_entity: string;
  provider: string;
  method: string;
  amount: ColumnType<string | number, string, never>;
  currency: string;
}

/** Deposits (0013). */
export interface DepositTable extends ClientPaymentColumns {
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

/** Withdrawals (0014). */
export interface WithdrawalTable extends ClientPaymentColumns {
  base_amount: ColumnType<string | number | null, string | null, never>;
  base_currency: string;
  fx_json: string | null;
  destination_json: string;
  status: 'requested' | 'pending_approval' | 'approved' | 'submitted' | 'paid' | 'rejected' | 'failed' | 'on_hold' | 'needs_assistance';
  status_reason: string | null;
  checks_json: string;
  flags_json: string;
  tier_json: string;
  policy_ref: string;
  risk_level: string | null;
  first_withdrawal: number;
  requested_by: string;
  idempotency_key: string | null;
  provider_tx_id: string | null;
  failure_code: string | null;
  hold_posting: string;
  settle_posting: string | null;
  sla_due_at: string;
  submit_attempts: ColumnType<number, number | undefined, number>;
  created_at: string;
  updated_at: string;
}

export interface WithdrawalApprovalTable {
  withdrawal_ref: string;
  user_id: string;
  roles_json: string;
  reason: string | null;
  despite_failed_checks: number;
  at: string;
}

export interface FxRateTable {
  id: Generated<number>;
  base: string;
  quote: string;
  rate: string;
  source: string;
  as_of: string;
  recorded_by: string;
  recorded_at: string;
}

export interface PspSettlementFileTable {
  id: string;
  provider: string;
  file_name: string;
  sha256: string;
  rows: number;
  first_at: string;
  last_at: string;
  imported_by: string;
  imported_at: string;
}

export interface PspSettlementRowTable {
  file_id: string;
  line: number;
  provider: string;
  at: string;
  type: 'payment' | 'refund' | 'chargeback' | 'payout' | 'payout_return';
  reference: string | null;
  provider_tx_id: string;
  amount: ColumnType<string | number, string, never>;
  currency: string;
}

/** MT5 operations that move money, recorded before they are sent (0016); amounts in signed minor units. */
export interface PlatformOperationTable {
  id: string;
  reference: string;
  login: ColumnType<string | number, string | number, never>;
  action: number;
  amount: ColumnType<string | number, string, never>;
  currency: string;
  legal_entity: string | null;
  client_id: string | null;
  status: 'pending' | 'sending' | 'unclear' | 'done' | 'failed';
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: string;
  claimed_by: string | null;
  claimed_until: string | null;
  sent_at: string | null;
  deal_ticket: string | null;
  retcode: number | null;
  message: string | null;
  requested_by: string;
  created_at: string;
  updated_at: string;
}

export interface Mt5AccountTable {
  id: string;
  client_id: string;
  legal_entity: string;
  account_type: string;
  mt5_group: string;
  leverage: number;
  currency: string;
  login: ColumnType<string | number | null, number | null | undefined, number | null>;
  rights: number;
  initial_password_enc: string | null;
  pushed_access: 'trading_disabled' | 'disabled' | 'trading_was_disabled' | 'was_disabled' | null;
  status: 'provisioning' | 'active' | 'failed' | 'closed';
  status_reason: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: string | null;
  policy_ref: string;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface InterventionTable {
  ref: string;
  type: InterventionType;
  login: ColumnType<string | number, number, never>;
  client_id: string;
  legal_entity: string;
  amount: ColumnType<string | number | null, string | null, never>;
  currency: string | null;
  base_amount: ColumnType<string | number | null, string | null, never>;
  base_currency: string | null;
  value: string | null;
  reason_code: string;
  reason_label: string;
  note: string;
  status: InterventionStatus;
  status_reason: string | null;
  tier_json: string;
  policy_ref: string;
  requested_by: string;
  rejected_by: string | null;
  executed_by: string | null;
  operation_id: string | null;
  deal_ticket: string | null;
  deal_json: string | null;
  before_json: string | null;
  after_json: string | null;
  retcode: number | null;
  message: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: string | null;
  sla_due_at: string;
  created_at: string;
  updated_at: string;
  executed_at: string | null;
}

export interface InterventionApprovalTable {
  case_ref: string;
  user_id: string;
  roles_json: string;
  reason: string | null;
  at: string;
}

export interface PlatformManagerOpTable {
  id: string;
  kind: UnlinkedKind;
  deal_ticket: string | null;
  login: ColumnType<string | number, number, never>;
  client_id: string | null;
  legal_entity: string | null;
  amount: ColumnType<string | number | null, string | null, never>;
  currency: string | null;
  before_value: string | null;
  after_value: string | null;
  dealer: string | null;
  at: string;
  comment: string;
  status: UnlinkedStatus;
  case_ref: string | null;
  reason: string | null;
  decided_by: string | null;
  decided_at: string | null;
  alert_id: string | null;
  found_at: string;
}

export interface PlatformScanStateTable {
  name: string;
  cursor: string;
  updated_at: string;
}
