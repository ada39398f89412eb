// The five reports (issue 18) and what each shows: headline figures, daily series and breakdowns,
// each a metric of facts.ts summed over the days and the filters. A metric is filtered only by the
// dimensions it has: a country filter leaves out what is not about a client (administrator actions)
// and the report says so (null, shown as "—").

export type Dim = 'a' | 'c' | 's' | 'k';

export interface Metric {
  label: string;
  /** flows are counted from the day's events; stocks are end-of-day counts */
  kind: 'flow' | 'stock';
  dims: readonly Dim[];
}

const CLIENT: Dim[] = ['a', 'c', 's'];

export const METRICS = {
  registrations: { label: 'Registrations', kind: 'flow', dims: ['a', 'c', 's'] },
  clients_approved: { label: 'Clients approved', kind: 'flow', dims: CLIENT },
  clients_rejected: { label: 'Clients rejected', kind: 'flow', dims: CLIENT },
  clients_closed: { label: 'Accounts closed', kind: 'flow', dims: CLIENT },
  documents_requested: { label: 'Documents requested', kind: 'flow', dims: CLIENT },
  pending_documents: { label: 'Cases waiting for documents', kind: 'stock', dims: ['a', 'c'] },
  kyc_decided: { label: 'KYC decisions', kind: 'flow', dims: [...CLIENT, 'k'] },
  kyc_time_to_decision: { label: 'KYC case opened to decision', kind: 'flow', dims: [...CLIENT, 'k'] },
  kyc_escalated: { label: 'KYC escalations', kind: 'flow', dims: CLIENT },
  kyc_open: { label: 'Open KYC cases by state', kind: 'stock', dims: ['a', 'c', 'k'] },
  kyc_stuck: { label: 'KYC cases unmoved for 7 days', kind: 'stock', dims: ['a', 'c', 'k'] },
  edd_required: { label: 'EDD tasks opened', kind: 'flow', dims: CLIENT },
  edd_completed: { label: 'EDD tasks completed', kind: 'flow', dims: CLIENT },
  screening_hits: { label: 'Screening hits', kind: 'flow', dims: CLIENT },
  screening_decided: { label: 'Screening dispositions', kind: 'flow', dims: [...CLIENT, 'k'] },
  alerts_raised: { label: 'Alerts raised', kind: 'flow', dims: [...CLIENT, 'k'] },
  high_risk_clients: { label: 'High-risk clients', kind: 'stock', dims: ['a', 'c'] },
  documents_valid: { label: 'Accepted documents', kind: 'stock', dims: ['a', 'c'] },
  documents_expiring: { label: 'Documents expiring within 30 days', kind: 'stock', dims: ['a', 'c'] },
  deposits_initiated: { label: 'Deposits initiated', kind: 'flow', dims: [...CLIENT, 'k'] },
  deposits_credited: { label: 'Deposits credited', kind: 'flow', dims: [...CLIENT, 'k'] },
  deposits_failed: { label: 'Deposits failed', kind: 'flow', dims: [...CLIENT, 'k'] },
  deposits_refunded: { label: 'Refunds', kind: 'flow', dims: [...CLIENT, 'k'] },
  deposits_charged_back: { label: 'Chargebacks', kind: 'flow', dims: [...CLIENT, 'k'] },
  withdrawals_requested: { label: 'Withdrawals requested', kind: 'flow', dims: [...CLIENT, 'k'] },
  withdrawals_paid: { label: 'Withdrawals paid', kind: 'flow', dims: [...CLIENT, 'k'] },
  withdrawals_failed: { label: 'Withdrawals failed', kind: 'flow', dims: [...CLIENT, 'k'] },
  withdrawals_rejected: { label: 'Withdrawals rejected', kind: 'flow', dims: [...CLIENT, 'k'] },
  withdrawal_processing: { label: 'Withdrawal request to paid', kind: 'flow', dims: [...CLIENT, 'k'] },
  withdrawals_waiting: { label: 'Withdrawals waiting', kind: 'stock', dims: ['k'] },
  admin_actions: { label: 'Administrator actions', kind: 'flow', dims: ['s', 'k'] },
  sensitive_changes: { label: 'Sensitive changes', kind: 'flow', dims: ['s', 'k'] },
  abnormal_sign_ins: { label: 'Abnormal sign-ins', kind: 'flow', dims: ['s', 'k'] },
  role_changes: { label: 'Role changes', kind: 'flow', dims: ['s', 'k'] },
  interventions_requested: { label: 'Interventions requested', kind: 'flow', dims: [...CLIENT, 'k'] },
  interventions_executed: { label: 'Interventions executed', kind: 'flow', dims: [...CLIENT, 'k'] },
  interventions_rejected: { label: 'Interventions rejected', kind: 'flow', dims: [...CLIENT, 'k'] },
  interventions_failed: { label: 'Interventions failed on MT5', kind: 'flow', dims: [...CLIENT, 'k'] },
  manager_ops_found: { label: 'MT5 operations with no case found', kind: 'flow', dims: ['a', 'c'] },
  manager_ops_linked: { label: 'Linked to a case', kind: 'flow', dims: CLIENT },
  manager_ops_escalated: { label: 'Escalated', kind: 'flow', dims: CLIENT },
} as const satisfies Record<string, Metric>;

export type MetricId = keyof typeof METRICS;

/** A headline figure: a metric's total over the period (a stock: its latest end-of-day count), or a ratio of two. */
export type Kpi = { id: string; label: string; metric: MetricId } | { id: string; label: string; ratio: [MetricId, MetricId[]] };

export interface ReportDefinition {
  title: string;
  kpis: Kpi[];
  series: MetricId[];
  /** a metric split by one dimension over the period; `order` gives buckets their natural order */
  breakdowns: Array<{ id: string; label: string; metric: MetricId; by: Dim; order?: string[] }>;
}

const DURATIONS = ['under 1 h', '1-4 h', '4-24 h', '1-3 days', 'over 3 days'];

export const REPORTS = {
  accounts: {
    title: 'Accounts',
    kpis: [
      { id: 'registrations', label: 'Registrations', metric: 'registrations' },
      { id: 'approved', label: 'Clients approved', metric: 'clients_approved' },
      { id: 'approvalRate', label: 'Approval rate', ratio: ['clients_approved', ['clients_approved', 'clients_rejected']] },
      { id: 'pendingDocuments', label: 'Waiting for documents', metric: 'pending_documents' },
      { id: 'closures', label: 'Accounts closed', metric: 'clients_closed' },
    ],
    series: ['registrations', 'clients_approved', 'clients_rejected', 'clients_closed', 'pending_documents'],
    breakdowns: [
      { id: 'byCountry', label: 'Registrations by country', metric: 'registrations', by: 'c' },
      { id: 'byAccountType', label: 'Registrations by account type', metric: 'registrations', by: 'a' },
      { id: 'decisionsByStaff', label: 'KYC decisions by officer', metric: 'kyc_decided', by: 's' },
    ],
  },
  payments: {
    title: 'Payments',
    kpis: [
      { id: 'credited', label: 'Deposits credited', metric: 'deposits_credited' },
      { id: 'successRate', label: 'Deposit success rate', ratio: ['deposits_credited', ['deposits_credited', 'deposits_failed']] },
      { id: 'paid', label: 'Withdrawals paid', metric: 'withdrawals_paid' },
      { id: 'failures', label: 'Withdrawals failed', metric: 'withdrawals_failed' },
      { id: 'refunds', label: 'Refunds', metric: 'deposits_refunded' },
      { id: 'chargebacks', label: 'Chargebacks', metric: 'deposits_charged_back' },
    ],
    series: ['deposits_initiated', 'deposits_credited', 'deposits_failed', 'withdrawals_requested', 'withdrawals_paid'],
    breakdowns: [
      { id: 'processing', label: 'Withdrawal request to paid', metric: 'withdrawal_processing', by: 'k', order: DURATIONS },
      { id: 'creditedByProvider', label: 'Deposits credited by provider', metric: 'deposits_credited', by: 'k' },
      { id: 'failedByProvider', label: 'Deposits failed by provider', metric: 'deposits_failed', by: 'k' },
      { id: 'chargebacksByProvider', label: 'Chargebacks by provider', metric: 'deposits_charged_back', by: 'k' },
    ],
  },
  compliance: {
    title: 'Compliance',
    kpis: [
      { id: 'highRisk', label: 'High-risk clients', metric: 'high_risk_clients' },
      { id: 'expiryRatio', label: 'Documents expiring within 30 days', ratio: ['documents_expiring', ['documents_valid']] },
      { id: 'hits', label: 'Screening hits', metric: 'screening_hits' },
      { id: 'edd', label: 'EDD tasks opened', metric: 'edd_required' },
      { id: 'stuck', label: 'KYC cases unmoved for 7 days', metric: 'kyc_stuck' },
    ],
    series: ['screening_hits', 'screening_decided', 'kyc_decided', 'edd_required', 'edd_completed'],
    breakdowns: [
      { id: 'dispositions', label: 'Screening dispositions', metric: 'screening_decided', by: 'k' },
      { id: 'openByState', label: 'Open KYC cases by state (latest day)', metric: 'kyc_open', by: 'k' },
      { id: 'timeToDecision', label: 'KYC case opened to decision', metric: 'kyc_time_to_decision', by: 'k', order: DURATIONS },
      { id: 'stuckByState', label: 'Cases unmoved for 7 days, by state', metric: 'kyc_stuck', by: 'k' },
    ],
  },
  permissions: {
    title: 'Permissions',
    kpis: [
      { id: 'admin', label: 'Administrator actions', metric: 'admin_actions' },
      { id: 'sensitive', label: 'Sensitive changes', metric: 'sensitive_changes' },
      { id: 'abnormal', label: 'Abnormal sign-ins', metric: 'abnormal_sign_ins' },
      { id: 'roles', label: 'Role changes', metric: 'role_changes' },
    ],
    series: ['admin_actions', 'sensitive_changes', 'abnormal_sign_ins', 'role_changes'],
    breakdowns: [
      { id: 'sensitiveByKind', label: 'Sensitive changes by kind', metric: 'sensitive_changes', by: 'k' },
      { id: 'abnormalByStaff', label: 'Abnormal sign-ins by account', metric: 'abnormal_sign_ins', by: 's' },
      { id: 'adminByStaff', label: 'Administrator actions by administrator', metric: 'admin_actions', by: 's' },
      { id: 'rolesByKind', label: 'Role changes', metric: 'role_changes', by: 'k' },
    ],
  },
  dealing: {
    title: 'Dealing',
    kpis: [
      { id: 'requested', label: 'Interventions requested', metric: 'interventions_requested' },
      { id: 'executed', label: 'Interventions executed', metric: 'interventions_executed' },
      { id: 'rejected', label: 'Rejected', metric: 'interventions_rejected' },
      { id: 'unlinked', label: 'MT5 operations with no case', metric: 'manager_ops_found' },
      { id: 'linked', label: 'Linked to a case', metric: 'manager_ops_linked' },
    ],
    series: ['interventions_requested', 'interventions_executed', 'interventions_rejected', 'manager_ops_found', 'manager_ops_linked'],
    breakdowns: [
      { id: 'byType', label: 'Interventions executed by type', metric: 'interventions_executed', by: 'k' },
      { id: 'byDealer', label: 'Interventions executed by dealer', metric: 'interventions_executed', by: 's' },
      { id: 'requestedBy', label: 'Interventions requested by', metric: 'interventions_requested', by: 's' },
    ],
  },
} as const satisfies Record<string, ReportDefinition>;

export type ReportId = keyof typeof REPORTS;
export const REPORT_IDS = Object.keys(REPORTS) as [ReportId, ...ReportId[]];
