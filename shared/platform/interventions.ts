// The MT5 intervention case (INT-…): its types, its state machine and its labels, for the server
// (which refuses the rest with INVALID_TRANSITION) and the desktop (which offers only these).
//
// pending_approval -> approved (every approval slot of its tier filled) -> executing -> executed | failed
// pending_approval | approved -> rejected
// `executing` is also where a case waits while MT5 cannot be reached or an outcome is unclear: the
// connector settles it, never a person guessing.

export const INTERVENTION_TYPES = ['balance_correction', 'credit_in', 'credit_out', 'reactivate', 'disable_trading', 'enable_trading', 'change_group', 'change_leverage', 'reset_permissions'] as const;
export type InterventionType = (typeof INTERVENTION_TYPES)[number];

/** Types that move money on MT5 (a deal with the case reference in its comment); the others change the account. */
export const MONEY_TYPES = ['balance_correction', 'credit_in', 'credit_out'] as const satisfies readonly InterventionType[];
export type MoneyType = (typeof MONEY_TYPES)[number];

export function isMoneyType(type: InterventionType): type is MoneyType {
  return (MONEY_TYPES as readonly string[]).includes(type);
}

export const INTERVENTION_TYPE_LABELS: Record<InterventionType, string> = {
  balance_correction: 'Balance correction',
  credit_in: 'Credit in',
  credit_out: 'Credit out',
  reactivate: 'Reactivate account',
  disable_trading: 'Disable trading',
  enable_trading: 'Enable trading',
  change_group: 'Change group',
  change_leverage: 'Change leverage',
  reset_permissions: 'Reset permissions',
};

export const INTERVENTION_STATUSES = ['pending_approval', 'approved', 'executing', 'executed', 'failed', 'rejected'] as const;
export type InterventionStatus = (typeof INTERVENTION_STATUSES)[number];

export const INTERVENTION_STATUS_LABELS: Record<InterventionStatus, string> = {
  pending_approval: 'Pending approval',
  approved: 'Approved, to execute',
  executing: 'Executing on MT5',
  executed: 'Executed',
  failed: 'Failed on MT5',
  rejected: 'Rejected',
};

export const INTERVENTION_ACTIONS = ['approve', 'reject', 'execute'] as const;
export type InterventionAction = (typeof INTERVENTION_ACTIONS)[number];

const ALLOWED: Record<InterventionStatus, readonly InterventionAction[]> = {
  pending_approval: ['approve', 'reject'],
  approved: ['execute', 'reject'],
  executing: [],
  executed: [],
  failed: [],
  rejected: [],
};

export function interventionActions(status: InterventionStatus): readonly InterventionAction[] {
  return ALLOWED[status];
}

export function canIntervention(status: InterventionStatus, action: InterventionAction): boolean {
  return ALLOWED[status].includes(action);
}

export function isOpenIntervention(status: InterventionStatus): boolean {
  return status === 'pending_approval' || status === 'approved' || status === 'executing';
}

/** An account's state on MT5 as the case records it before and after execution. */
export interface AccountState {
  group: string;
  leverage: number;
  rights: number;
  /** decimal strings in the account currency */
  balance: string;
  credit: string;
}

/** Manager operations found on MT5 with no case: what a dealing manager does with each. */
export const UNLINKED_STATUSES = ['unlinked', 'linked', 'escalated'] as const;
export type UnlinkedStatus = (typeof UNLINKED_STATUSES)[number];

export const UNLINKED_KINDS = ['balance', 'credit', 'charge', 'correction', 'bonus', 'group', 'leverage', 'rights'] as const;
export type UnlinkedKind = (typeof UNLINKED_KINDS)[number];

export const UNLINKED_KIND_LABELS: Record<UnlinkedKind, string> = {
  balance: 'Balance deal',
  credit: 'Credit deal',
  charge: 'Charge deal',
  correction: 'Correction deal',
  bonus: 'Bonus deal',
  group: 'Group changed',
  leverage: 'Leverage changed',
  rights: 'Rights changed',
};
