// A grid export as the server records it: which view, how many rows, which columns, under which
// filters, the file's SHA-256 and whether client names were in it. The desktop builds the file
// from its cache; the record is made before the file is handed over, so no export goes unaudited.

import { z } from 'zod';
import type { Permission } from '../access/permissions.js';
import { VIEW_NAMES, type ViewName } from './views.js';

/** What can be exported: each cached view's grid, and the reports (daily figures). */
export type ExportView = ViewName | 'reports';
const EXPORT_VIEWS: [ExportView, ...ExportView[]] = ['reports', ...VIEW_NAMES];

/** What reading each cached view (or the reports) needs: exporting it needs the same. */
export const VIEW_PERMISSIONS: Record<ExportView, Permission> = {
  reports: 'reports.read',
  audit: 'audit.read',
  approvals: 'approvals.read',
  grants: 'access.read',
  screening: 'screening.read',
  kyc: 'kyc.read',
  alerts: 'alerts.read',
  withdrawals: 'withdrawals.read',
  deposits: 'deposits.read',
  exceptions: 'payments.exceptions',
  interventions: 'platform.read',
  managerOps: 'platform.read',
};

/** Exports stop here: a larger extract is a report, not a grid export. */
export const EXPORT_ROW_LIMIT = 100_000;

export const exportRecordInput = z
  .object({
    view: z.enum(EXPORT_VIEWS),
    format: z.enum(['csv', 'xlsx']),
    rows: z.number().int().min(0).max(EXPORT_ROW_LIMIT),
    columns: z.array(z.string().min(1).max(100)).min(1).max(60),
    /** the tab, column filters and quick filter in force, in words */
    filters: z.string().max(2000),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be the file’s SHA-256 in hex'),
    /** client names are in the file (only for holders of clients.exportPii) */
    piiIncluded: z.boolean(),
  })
  .strict();

export type ExportRecord = z.infer<typeof exportRecordInput>;
