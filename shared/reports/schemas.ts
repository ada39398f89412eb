// The input of reports.get (issue 18), shared by the server's router and the desktop host.

import { z } from 'zod';

export const REPORT_NAMES = ['accounts', 'payments', 'compliance', 'permissions', 'dealing'] as const;
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a UTC date like 2026-11-30');
const text = z.string().trim().min(1).max(64);

export const reportInput = z
  .object({
    report: z.enum(REPORT_NAMES),
    /** the first day; 29 days before `to` when not given */
    from: day.optional(),
    /** the last day; today (UTC, the server's) when not given */
    to: day.optional(),
    legalEntity: text.optional(),
    accountType: text.optional(),
    country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166 country code like CY').optional(),
    staff: text.optional(),
  })
  .strict();
export type ReportRequest = z.infer<typeof reportInput>;
