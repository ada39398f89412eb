// `policies.monitors` (issue 19): what the back office watches in itself after a rule changes:
// time in KYC states, stuck queues, rejection and exception levels, payout totals. Each monitor
// names a metric (per legal entity), its bounds, who is alerted, the rule types it watches and
// whether a breach soon after a change of one of them proposes rolling that change back.

import { z } from 'zod';
import { ROLES } from '../access/permissions.js';

export const MONITOR_METRICS = {
  'kyc.oldestWaitingHours': 'Hours the longest-waiting open KYC case has been in its state',
  'withdrawals.overdue': 'Withdrawals waiting for approval or on hold past their SLA',
  'withdrawals.rejectedShare24h': 'Share of the last 24 hours\u2019 withdrawal decisions that were rejections (at least 5 decisions)',
  'payments.openExceptions': 'Open payment exceptions',
  'payouts.paidBase24h': 'Withdrawals paid in the last 24 hours, in minor units of the entity\u2019s base currency',
} as const;
export type MonitorMetric = keyof typeof MONITOR_METRICS;

export const monitorSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]{2,39}$/, 'a short id such as "withdrawals_overdue"'),
    label: z.string().min(3).max(120),
    metric: z.enum(Object.keys(MONITOR_METRICS) as [MonitorMetric, ...MonitorMetric[]]),
    above: z.number().min(0).optional(),
    below: z.number().min(0).optional(),
    severity: z.enum(['low', 'medium', 'high']),
    forRole: z.enum(ROLES),
    /** rule types whose recent change this monitor may be telling about */
    watches: z.array(z.string().regex(/^[a-z]+\.[A-Za-z]+$/)).max(10),
    /** a breach within `lookbackHours` of a change of a watched type opens a rollback request of it */
    proposeRollback: z.boolean(),
    lookbackHours: z.number().int().min(1).max(24 * 30),
  })
  .strict()
  .refine((m) => m.above !== undefined || m.below !== undefined, { message: 'give above, below or both' });

export const monitorsSchema = z
  .object({ monitors: z.array(monitorSchema).max(50) })
  .strict()
  .refine((p) => new Set(p.monitors.map((m) => m.id)).size === p.monitors.length, { message: 'monitor ids must be unique', path: ['monitors'] });

export type Monitor = z.infer<typeof monitorSchema>;
export type MonitorsPolicy = z.infer<typeof monitorsSchema>;

export const DEFAULT_MONITORS: MonitorsPolicy = {
  monitors: [
    { id: 'kyc_waiting', label: 'A KYC case has waited more than 5 days in its state', metric: 'kyc.oldestWaitingHours', above: 120, severity: 'medium', forRole: 'senior_compliance_officer', watches: ['kyc.review', 'kyc.risk', 'screening.thresholds'], proposeRollback: false, lookbackHours: 72 },
    { id: 'withdrawals_overdue', label: 'More than 10 withdrawals past their SLA', metric: 'withdrawals.overdue', above: 10, severity: 'medium', forRole: 'finance_manager', watches: ['payments.withdrawalTiers'], proposeRollback: false, lookbackHours: 72 },
    { id: 'withdrawal_rejections', label: 'Over half of the day\u2019s withdrawal decisions were rejections', metric: 'withdrawals.rejectedShare24h', above: 0.5, severity: 'high', forRole: 'finance_manager', watches: ['payments.withdrawalTiers'], proposeRollback: true, lookbackHours: 72 },
    { id: 'exceptions_open', label: 'More than 50 payment exceptions open', metric: 'payments.openExceptions', above: 50, severity: 'medium', forRole: 'finance_manager', watches: ['payments.deposits'], proposeRollback: false, lookbackHours: 72 },
    { id: 'payouts_total', label: 'Payouts of the last 24 hours above 500,000 in the base currency', metric: 'payouts.paidBase24h', above: 50_000_000, severity: 'high', forRole: 'finance_manager', watches: ['payments.withdrawalTiers'], proposeRollback: true, lookbackHours: 48 },
  ],
};

/** The bound a value breaks, if any. */
export function breach(m: Monitor, value: number | null): { bound: 'above' | 'below'; limit: number } | null {
  if (value === null) return null;
  if (m.above !== undefined && value > m.above) return { bound: 'above', limit: m.above };
  if (m.below !== undefined && value < m.below) return { bound: 'below', limit: m.below };
  return null;
}

/** A reading's outcome, as the execution log and a dry run name it. */
export function monitorOutcome(broken: ReturnType<typeof breach>): string {
  return broken ? `breach (${broken.bound} ${broken.limit}): alert` : 'within bounds';
}

/** A logged reading of one monitor decided again under a draft: by the draft's monitor of the same id, where it measures the same metric. */
export function replayReading(draft: MonitorsPolicy, reading: { monitor: string; metric: string; value: number | null }): string {
  const m = draft.monitors.find((x) => x.id === reading.monitor);
  if (!m) return 'no such monitor';
  if (m.metric !== reading.metric) return `measures ${m.metric} instead`;
  return monitorOutcome(breach(m, reading.value));
}
