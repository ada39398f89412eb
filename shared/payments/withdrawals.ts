// The withdrawal's state machine: which action each status allows, for the server (which refuses
// the rest with INVALID_TRANSITION) and the desktop (which offers only these).

export const WITHDRAWAL_STATUSES = ['requested', 'pending_approval', 'approved', 'submitted', 'paid', 'rejected', 'failed', 'on_hold', 'needs_assistance'] as const;
export type WithdrawalStatus = (typeof WITHDRAWAL_STATUSES)[number];

export const WITHDRAWAL_ACTIONS = ['approve', 'reject', 'hold', 'release', 'resolve'] as const;
export type WithdrawalAction = (typeof WITHDRAWAL_ACTIONS)[number];

const ALLOWED: Record<WithdrawalStatus, readonly WithdrawalAction[]> = {
  requested: [],
  pending_approval: ['approve', 'reject', 'hold'],
  on_hold: ['release', 'reject'],
  approved: [],
  submitted: [],
  needs_assistance: ['resolve'],
  paid: [],
  rejected: [],
  failed: [],
};

export const WITHDRAWAL_STATUS_LABELS: Record<WithdrawalStatus, string> = {
  requested: 'Requested',
  pending_approval: 'Pending approval',
  approved: 'Approved',
  submitted: 'Submitted',
  paid: 'Paid',
  rejected: 'Rejected',
  failed: 'Failed',
  on_hold: 'On hold',
  needs_assistance: 'Needs assistance',
};

export function withdrawalActions(status: WithdrawalStatus): readonly WithdrawalAction[] {
  return ALLOWED[status];
}

export function canWithdrawal(status: WithdrawalStatus, action: WithdrawalAction): boolean {
  return ALLOWED[status].includes(action);
}

/** The funds are still held (not yet paid out or returned). */
export function holdsFunds(status: WithdrawalStatus): boolean {
  return status === 'requested' || status === 'pending_approval' || status === 'on_hold' || status === 'approved' || status === 'submitted' || status === 'needs_assistance';
}

/** How a person resolves a withdrawal whose payout outcome is unknown. */
export const RESOLUTIONS = ['ask_provider', 'paid', 'failed'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export interface WithdrawalCheck {
  code: string;
  label: string;
  outcome: 'passed' | 'failed' | 'not_available';
  /** A failed blocking check cannot be approved past; a failed review check can, with a reason and one more approver. */
  blocking: boolean;
  detail: string;
  data: Record<string, unknown>;
}
