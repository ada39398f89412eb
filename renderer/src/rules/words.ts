// How the Rules view names policy types, change statuses and times.

export const TYPE_LABELS: Record<string, string> = {
  'approvals.tiers': 'Approval tiers',
  'screening.thresholds': 'Screening thresholds',
  'kyc.risk': 'KYC risk scoring',
  'kyc.review': 'KYC review',
  'payments.deposits': 'Deposits',
  'payments.withdrawalTiers': 'Withdrawal tiers',
  'platform.interventionTiers': 'MT5 intervention tiers',
  'platform.accounts': 'MT5 account types',
  'policies.changeControl': 'Change control',
  'policies.monitors': 'Monitors',
};

export const STATUS_WORDS: Record<string, string> = { pending: 'Waiting for approvals', executed: 'Released', rejected: 'Rejected', needs_changes: 'Needs changes', expired: 'Expired', cancelled: 'Withdrawn', failed: 'Failed', approved: 'Approved' };

export const time = (iso: string | null | undefined) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '—');
