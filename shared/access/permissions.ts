// The permission catalog: every permission the product knows, what each role holds, and which
// permission every server procedure needs. The server enforces it; the UI only reads it to hide
// what the server would refuse anyway. A procedure missing from PROCEDURES fails CI.

export const PERMISSIONS = {
  'access.read': 'See staff users, their role grants and the access review',
  'access.manage': 'Create staff users; request role grants, revocations, status changes and MFA or password resets',
  'sessions.manage': 'See other staff members\u2019 sessions and request that one be ended',
  'approvals.read': 'See approval requests in one\u2019s legal entities',
  'approvals.decide': 'Approve or reject approval requests whose required roles one holds',
  'audit.read': 'Search the audit log',
  'audit.verify': 'Verify the audit hash chain and its signed checkpoints',
  'audit.manageKeys': 'Request a rotation of the key that signs audit checkpoints',
  'policies.read': 'Read policy documents and their versions',
  'policies.propose': 'Propose a new policy version (publishing needs approval)',
  'policies.remediate': 'Work the remediation tasks a policy rollback opens: close each with a reason',
  'entities.read': 'See the legal entities',
  'clients.read': 'See client records (masked PII unless clients.pii is held too)',
  'clients.pii': 'See client personal data unmasked',
  'clients.exportPii': 'Export client personal data',
  'kyc.read': 'See KYC cases and their evidence',
  'kyc.status': 'See the status of KYC cases only',
  'kyc.review': 'Work KYC cases: assign, request documents, escalate',
  'kyc.decide': 'Approve or reject KYC cases',
  'kyc.decideHighRisk': 'Decide escalated and high-risk KYC cases',
  'kyc.override': 'Request an override of a KYC outcome (maker-checker)',
  'screening.read': 'See sanctions and PEP list versions, their changes and screening review cases',
  'screening.review': 'Decide sanctions and PEP screening hits',
  'alerts.read': 'See compliance and risk alerts',
  'alerts.manage': 'Work compliance and risk alerts',
  'withdrawals.read': 'See withdrawals and their checks',
  'withdrawals.decide': 'Approve, reject or hold withdrawals within one\u2019s tier',
  'deposits.read': 'See deposits',
  'ledger.read': 'See client balances and the ledger',
  'banking.edit': 'Change client banking details',
  'reconciliation.run': 'Run reconciliation between ledger, PSPs and MT5',
  'payments.exceptions': 'Work payment exceptions: take them, resolve them with a code',
  'platform.read': 'See MT5 accounts and manager operations',
  'interventions.request': 'Request an MT5 intervention',
  'interventions.decide': 'Approve or reject MT5 interventions',
  'interventions.execute': 'Execute an approved MT5 intervention',
  'interventions.link': 'Link an MT5 manager operation to a case',
  'ib.read': 'See introducing brokers and their clients (masked)',
  'ib.manage': 'Manage introducing brokers and their commissions',
  'reports.read': 'Run regulatory and management reports',
  'evidence.read': 'Open the evidence of a client, a staff member or an MT5 operation: every audited event with its place in the chain',
  'settings.manage': 'Change system settings',
} as const;

export type Permission = keyof typeof PERMISSIONS;

export const ROLES = [
  'support',
  'compliance_officer',
  'senior_compliance_officer',
  'mlro',
  'finance_officer',
  'finance_manager',
  'dealer',
  'dealing_manager',
  'risk_officer',
  'ib_manager',
  'administrator',
  'auditor',
] as const;

export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  support: 'Support',
  compliance_officer: 'Compliance officer',
  senior_compliance_officer: 'Senior compliance officer',
  mlro: 'MLRO',
  finance_officer: 'Finance officer',
  finance_manager: 'Finance manager',
  dealer: 'Dealer',
  dealing_manager: 'Dealing manager',
  risk_officer: 'Risk officer',
  ib_manager: 'IB manager',
  administrator: 'Administrator',
  auditor: 'Auditor',
};

const READ_EVERYTHING: Permission[] = [
  'access.read', 'approvals.read', 'audit.read', 'audit.verify', 'policies.read', 'entities.read',
  'clients.read', 'clients.pii', 'kyc.read', 'kyc.status', 'screening.read', 'alerts.read', 'withdrawals.read',
  'deposits.read', 'ledger.read', 'platform.read', 'ib.read', 'reports.read', 'evidence.read',
];

const COMPLIANCE_BASE: Permission[] = [
  'entities.read', 'clients.read', 'clients.pii', 'kyc.read', 'kyc.status', 'kyc.review', 'kyc.decide',
  'screening.read', 'screening.review', 'alerts.read', 'alerts.manage', 'audit.read', 'approvals.read', 'policies.read',
  'deposits.read', 'withdrawals.read', 'ledger.read',
];

/**
 * Least privilege. Payments roles hold nothing that changes a KYC outcome; dealers hold nothing
 * that edits banking details; the administrator runs users and settings without routine access to
 * client PII; the auditor reads everything and changes nothing, exports no PII.
 */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  support: ['entities.read', 'clients.read', 'kyc.status'],
  // Compliance signs off large and high-risk withdrawals (the tiers' compliance slots); the tiers, not the permission, decide which.
  compliance_officer: [...COMPLIANCE_BASE, 'approvals.decide', 'kyc.override', 'withdrawals.decide', 'evidence.read', 'policies.remediate'],
  senior_compliance_officer: [
    ...COMPLIANCE_BASE, 'approvals.decide', 'kyc.decideHighRisk', 'kyc.override', 'access.read',
    'policies.propose', 'reports.read', 'withdrawals.decide', 'evidence.read', 'policies.remediate',
  ],
  mlro: [
    ...COMPLIANCE_BASE, 'approvals.decide', 'kyc.decideHighRisk', 'kyc.override', 'access.read',
    'policies.propose', 'reports.read', 'clients.exportPii', 'audit.verify', 'audit.manageKeys', 'platform.read',
    'withdrawals.decide', 'interventions.decide', 'evidence.read', 'policies.remediate',
  ],
  finance_officer: [
    'entities.read', 'clients.read', 'clients.pii', 'kyc.status', 'withdrawals.read', 'withdrawals.decide',
    'deposits.read', 'ledger.read', 'banking.edit', 'approvals.read', 'approvals.decide', 'policies.read',
    'payments.exceptions', 'policies.remediate',
  ],
  finance_manager: [
    'entities.read', 'clients.read', 'clients.pii', 'kyc.status', 'withdrawals.read', 'withdrawals.decide',
    'deposits.read', 'ledger.read', 'banking.edit', 'reconciliation.run', 'approvals.read', 'approvals.decide',
    'policies.read', 'policies.propose', 'reports.read', 'payments.exceptions', 'platform.read', 'interventions.decide', 'policies.remediate',
  ],
  dealer: [
    'entities.read', 'clients.read', 'kyc.status', 'platform.read', 'interventions.request',
    'interventions.execute', 'interventions.link', 'approvals.read', 'ledger.read',
  ],
  dealing_manager: [
    'entities.read', 'clients.read', 'kyc.status', 'platform.read', 'interventions.request',
    'interventions.decide', 'interventions.execute', 'interventions.link', 'approvals.read',
    'approvals.decide', 'ledger.read', 'policies.read', 'reports.read', 'policies.remediate',
  ],
  risk_officer: [
    'entities.read', 'clients.read', 'kyc.status', 'platform.read', 'alerts.read', 'alerts.manage',
    'ledger.read', 'deposits.read', 'withdrawals.read', 'approvals.read', 'approvals.decide',
    'policies.read', 'reports.read', 'policies.remediate',
  ],
  ib_manager: ['entities.read', 'clients.read', 'kyc.status', 'ib.read', 'ib.manage'],
  administrator: [
    'entities.read', 'access.read', 'access.manage', 'sessions.manage', 'approvals.read', 'approvals.decide',
    'audit.verify', 'audit.manageKeys', 'policies.read', 'policies.propose', 'settings.manage',
  ],
  auditor: READ_EVERYTHING,
};

/**
 * Every server procedure and the permission it needs. `authenticated` means any signed-in staff
 * member (their own session and profile); `public` means no staff session (sign-in itself);
 * `portal` means the client portal's service key (header X-Portal-Key), no staff session.
 */
export type ProcedureGuard = Permission | 'authenticated' | 'public' | 'portal';

export const PROCEDURES = {
  'auth.login': 'public',
  'auth.enrolMfa': 'public',
  'auth.confirmMfa': 'public',
  'auth.logout': 'authenticated',
  'auth.me': 'authenticated',
  'auth.sessions': 'authenticated',
  'auth.revokeSession': 'authenticated',
  'auth.changePassword': 'authenticated',
  'access.entities': 'entities.read',
  'access.users': 'access.read',
  'access.createUser': 'access.manage',
  'access.grantRole': 'access.manage',
  'access.revokeRole': 'access.manage',
  'access.resetMfa': 'access.manage',
  'access.resetPassword': 'access.manage',
  'access.setUserStatus': 'access.manage',
  'access.collectTemporaryPassword': 'access.manage',
  'access.userSessions': 'sessions.manage',
  'access.revokeUserSession': 'sessions.manage',
  'access.review': 'access.read',
  'approvals.list': 'approvals.read',
  'approvals.get': 'approvals.read',
  'approvals.approve': 'approvals.decide',
  'approvals.reject': 'approvals.decide',
  'approvals.cancel': 'authenticated',
  'audit.search': 'audit.read',
  'audit.verify': 'audit.verify',
  'audit.signingKey': 'audit.verify',
  'audit.recordExport': 'authenticated',
  'audit.rotateSigningKey': 'audit.manageKeys',
  'policies.types': 'policies.read',
  'policies.list': 'policies.read',
  'policies.get': 'policies.read',
  'policies.propose': 'policies.propose',
  'policies.republish': 'policies.propose',
  'policies.dryRun': 'policies.read',
  'policies.diff': 'policies.read',
  'policies.exportVersion': 'policies.propose',
  'policies.importVersion': 'policies.propose',
  'policies.canary': 'policies.propose',
  'policies.promote': 'policies.propose',
  'policies.rollback': 'policies.propose',
  'policies.changes': 'policies.read',
  'policies.change': 'policies.read',
  'policies.review': 'approvals.decide',
  'policies.executions': 'policies.read',
  'policies.canaryReport': 'policies.read',
  'policies.remediations': 'policies.read',
  'policies.closeRemediation': 'policies.remediate',
  'policies.snapshots': 'policies.read',
  'policies.snapshot': 'policies.read',
  'portal.registerClient': 'portal',
  'portal.updateClient': 'portal',
  'portal.uploadDocument': 'portal',
  'portal.initiateDeposit': 'portal',
  'portal.requestWithdrawal': 'portal',
  'portal.mt5Credentials': 'portal',
  'kyc.queue': 'kyc.read',
  'kyc.get': 'kyc.read',
  'kyc.assign': 'kyc.review',
  'kyc.requestDocuments': 'kyc.review',
  'kyc.escalate': 'kyc.review',
  'kyc.approve': 'kyc.decide',
  'kyc.reject': 'kyc.decide',
  'kyc.override': 'kyc.override',
  'kyc.document': 'kyc.read',
  'kyc.metrics': 'kyc.read',
  'kyc.completeEddItem': 'kyc.review',
  'kyc.retryVerification': 'kyc.review',
  'clients.get': 'clients.read',
  'clients.timeline': 'clients.read',
  'clients.search': 'clients.read',
  'clients.overview': 'clients.read',
  'screening.cases': 'screening.read',
  'screening.get': 'screening.read',
  'screening.decide': 'screening.review',
  'screening.listVersions': 'screening.read',
  'screening.listDiff': 'screening.read',
  'alerts.list': 'alerts.read',
  'alerts.get': 'alerts.read',
  'ledger.balance': 'ledger.read',
  'deposits.list': 'deposits.read',
  'deposits.get': 'deposits.read',
  'withdrawals.queue': 'withdrawals.read',
  'withdrawals.get': 'withdrawals.read',
  'withdrawals.request': 'withdrawals.decide',
  'withdrawals.approve': 'withdrawals.decide',
  'withdrawals.reject': 'withdrawals.decide',
  'withdrawals.hold': 'withdrawals.decide',
  'withdrawals.release': 'withdrawals.decide',
  'withdrawals.resolve': 'withdrawals.decide',
  'fx.rates': 'ledger.read',
  'fx.record': 'reconciliation.run',
  'reconciliation.run': 'reconciliation.run',
  'reconciliation.importSettlement': 'reconciliation.run',
  'reconciliation.exceptions': 'deposits.read',
  'reconciliation.takeException': 'payments.exceptions',
  'reconciliation.resolveException': 'payments.exceptions',
  'platform.status': 'platform.read',
  'platform.accounts': 'platform.read',
  'interventions.reasonCodes': 'platform.read',
  'interventions.request': 'interventions.request',
  'interventions.approve': 'interventions.decide',
  'interventions.reject': 'interventions.decide',
  'interventions.execute': 'interventions.execute',
  'interventions.get': 'platform.read',
  'interventions.queue': 'platform.read',
  'interventions.unlinked': 'platform.read',
  'interventions.link': 'interventions.link',
  'interventions.escalate': 'interventions.link',
  'evidence.client': 'evidence.read',
  'evidence.staff': 'access.read',
  'evidence.operation': 'evidence.read',
  'evidence.export': 'evidence.read',
  'reports.get': 'reports.read',
  'alerts.assignToMe': 'alerts.manage',
  'alerts.acknowledge': 'alerts.manage',
  'alerts.close': 'alerts.manage',
  'sync.pull': 'authenticated',
  'sync.onChange': 'authenticated',
} as const satisfies Record<string, ProcedureGuard>;

export type ProcedurePath = keyof typeof PROCEDURES;

export function permissionsOf(roles: Iterable<Role>): Set<Permission> {
  const out = new Set<Permission>();
  for (const role of roles) for (const p of ROLE_PERMISSIONS[role]) out.add(p);
  return out;
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** A role code as people read it; a code this build does not know is shown in words. */
export function roleLabel(code: string): string {
  return isRole(code) ? ROLE_LABELS[code] : code.replaceAll('_', ' ');
}
