// Payment exceptions and deposits in words: the kinds of exception, how one is resolved, and the
// states of a deposit, shared by the server's answers and the desktop's grids.

import type { EXCEPTION_RESOLUTIONS } from './schemas.js';

export const EXCEPTION_KINDS = {
  parked_event: 'A provider event could not be applied',
  amount_mismatch: 'A provider event disagrees with the deposit',
  third_party_payer: 'Paid by someone other than the client',
  repeated_failures: 'Repeated failed payments',
  chargeback: 'Chargeback',
  second_payment: 'A second payment for one deposit',
  missing_in_ledger: 'At the provider, not in the ledger',
  missing_at_provider: 'In the ledger, not at the provider',
  amount_differs: 'Amounts differ between ledger and provider',
  duplicate: 'Recorded twice',
  payout_unknown: 'A payout whose outcome is unknown',
  paid_after_release: 'Paid out after the funds were returned',
  withdrawal_overdue: 'A withdrawal waiting past its SLA',
  overdue_deposit: 'A deposit the provider has not reported',
  mt5_credit_failed: 'A deposit in the ledger that could not be credited on MT5',
  mt5_missing_deal: 'Done in the back office, no deal on MT5',
  mt5_duplicate_deal: 'Applied on MT5 more than once',
  mt5_amount_differs: 'The MT5 deal differs from the back office',
  mt5_unknown_deal: 'An MT5 deal carries a reference nothing of ours made',
} as const;

export type ExceptionKind = keyof typeof EXCEPTION_KINDS;

export const EXCEPTION_RESOLUTION_LABELS: Record<(typeof EXCEPTION_RESOLUTIONS)[number], string> = {
  corrected_in_ledger: 'Corrected in the ledger',
  provider_corrected: 'Corrected by the provider',
  refunded_to_payer: 'Refunded to the payer',
  accepted_after_review: 'Accepted after review',
  chargeback_accepted: 'Chargeback accepted',
  chargeback_won: 'Chargeback won',
  duplicate_confirmed: 'Duplicate confirmed',
  outcome_confirmed: 'Outcome confirmed with the provider',
  no_action_needed: 'No action needed',
};

export const EXCEPTION_STATUS_LABELS = { open: 'Open', resolved: 'Resolved' } as const;

export const DEPOSIT_STATUS_LABELS = {
  initiated: 'Initiated',
  pending: 'Pending',
  credited: 'Credited',
  failed: 'Failed',
  refunded: 'Refunded',
  charged_back: 'Charged back',
} as const;

export const PLATFORM_STEP_LABELS = {
  awaiting_connector: 'Waiting for the MT5 connector',
  credited: 'Credited in MT5',
  failed: 'MT5 credit failed',
} as const;
