// How an alert is worked: assigned, acknowledged (someone is on it), and closed with a reason code,
// a note and the record that a suspicious-activity report was considered, filed or not, with the
// reason. One rule for the server (which enforces it) and the alert pane (which offers only it).

import { z } from 'zod';

export const ALERT_STATUSES = ['open', 'acknowledged', 'closed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export const ALERT_STATUS_LABELS: Record<AlertStatus, string> = { open: 'Open', acknowledged: 'Acknowledged', closed: 'Closed' };

export const ALERT_CLOSE_REASONS = {
  action_taken: 'Resolved: action taken (client restricted, account closed, case decided)',
  no_action_needed: 'Reviewed: no further action needed',
  false_positive: 'False positive: the alert does not concern this client',
  duplicate: 'Duplicate of another alert',
  reported: 'Reported to the financial intelligence unit',
} as const;
export type AlertCloseReason = keyof typeof ALERT_CLOSE_REASONS;

export const SAR_DECISIONS = {
  filed: 'A suspicious-activity report was filed',
  not_filed: 'A report was considered and not filed',
} as const;
export type SarDecision = keyof typeof SAR_DECISIONS;

export const alertId = z.string().regex(/^ALR-\d{6,}$/, 'must be an alert reference like ALR-000001');
const text = (min: number, message: string) => z.string().trim().min(min, message).max(2000);

export const alertRefInput = z.object({ id: alertId }).strict();
export const alertAcknowledgeInput = z.object({ id: alertId, note: z.string().trim().max(2000).optional() }).strict();
export const alertCloseInput = z
  .object({
    id: alertId,
    reasonCode: z.enum(Object.keys(ALERT_CLOSE_REASONS) as [AlertCloseReason, ...AlertCloseReason[]]),
    note: text(10, 'say what was done and what settled it (at least 10 characters)'),
    sar: z
      .object({
        decision: z.enum(Object.keys(SAR_DECISIONS) as [SarDecision, ...SarDecision[]]),
        reason: text(10, 'give the reason for filing or not filing (at least 10 characters)'),
        /** the FIU's reference of a filed report */
        reference: z.string().trim().min(1).max(100).optional(),
      })
      .strict()
      .refine((s) => s.decision !== 'filed' || s.reference !== undefined, { path: ['reference'], message: 'give the reference of the filed report' }),
  })
  .strict()
  .refine((c) => c.reasonCode !== 'reported' || c.sar.decision === 'filed', { path: ['sar', 'decision'], message: 'an alert closed as reported needs the filed report' });

export type AlertCloseInput = z.infer<typeof alertCloseInput>;

export type AlertAction = 'assign' | 'acknowledge' | 'close';

export interface AlertActor {
  userId: string;
  /** Holds alerts.manage in the alert's entity. */
  manages: boolean;
  /** Holds the role the alert was raised for (the MLRO for a sanctions match) in its entity. */
  holdsRole: boolean;
}

/**
 * What this person may do with the alert now: anyone who works alerts in its entity may take it
 * and acknowledge it; only a holder of the role it was raised for closes it. A closed alert stays
 * closed (a new problem raises a new alert).
 */
export function alertActions(alert: { status: AlertStatus; assigneeId: string | null }, who: AlertActor): AlertAction[] {
  if (!who.manages || alert.status === 'closed') return [];
  const out: AlertAction[] = [];
  if (alert.assigneeId !== who.userId) out.push('assign');
  if (alert.status === 'open') out.push('acknowledge');
  if (who.holdsRole) out.push('close');
  return out;
}
