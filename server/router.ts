// The app router: one router per domain. Its type is the desktop host's only view of the server.

import { accessRouter, authRouter } from './modules/access/router.js';
import { alertsRouter } from './modules/alerts/router.js';
import { depositsRouter, fxRouter, ledgerRouter, reconciliationRouter, withdrawalsRouter } from './modules/payments/router.js';
import { approvalsRouter } from './modules/approvals/router.js';
import { auditRouter } from './modules/audit/router.js';
import { clientsRouter } from './modules/clients/router.js';
import { kycRouter } from './modules/kyc/router.js';
import { policiesRouter } from './modules/policies/router.js';
import { portalRouter } from './modules/portal/router.js';
import { interventionsRouter, platformRouter } from './modules/platform/router.js';
import { reportsRouter } from './modules/reports/router.js';
import { evidenceRouter } from './modules/evidence/router.js';
import { screeningRouter } from './modules/screening/router.js';
import { syncRouter } from './modules/sync/router.js';
import { router } from './trpc.js';

export const appRouter = router({
  auth: authRouter,
  access: accessRouter,
  approvals: approvalsRouter,
  audit: auditRouter,
  policies: policiesRouter,
  portal: portalRouter,
  clients: clientsRouter,
  kyc: kycRouter,
  screening: screeningRouter,
  alerts: alertsRouter,
  ledger: ledgerRouter,
  deposits: depositsRouter,
  withdrawals: withdrawalsRouter,
  fx: fxRouter,
  reconciliation: reconciliationRouter,
  platform: platformRouter,
  interventions: interventionsRouter,
  evidence: evidenceRouter,
  reports: reportsRouter,
  sync: syncRouter,
});

export type AppRouter = typeof appRouter;
