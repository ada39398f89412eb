// The renderer's only API: named channels with zod-validated inputs, answered by the desktop host
// with `{ ok: true, value } | { ok: false, error }`. The preload exposes exactly this, and the
// headless host serves the same channels to a browser.

import { z } from 'zod';
import type { Reason } from '../errors.js';
import { clientId } from '../clients/schemas.js';
import { screeningCaseDecision, screeningCaseId } from '../screening/schemas.js';
import { kycApproveInput, kycAssignInput, kycCaseRef, kycCompleteEddInput, kycDocumentInput, kycEscalateInput, kycOverrideInput, kycRejectInput, kycRequestDocumentsInput } from '../kyc/schemas.js';
import { filterModelSchema, sortModelSchema } from './grid.js';
import { VIEW_NAMES } from './views.js';
import { alertAcknowledgeInput, alertCloseInput, alertRefInput } from '../alerts/workflow.js';
import { exportRecordInput } from './exports.js';
import { reportInput } from '../reports/schemas.js';
import * as P from '../policies/inputs.js';
import { evidenceClientInput, evidenceExportInput, evidenceOperationInput, evidenceStaffInput } from '../evidence/schemas.js';
import { createUserInput, grantInput, resetInput, roleInput, statusInput } from '../access/schemas.js';
import { clientAccountsInput, escalateInput, interventionApproveInput, interventionRefInput, interventionRejectInput, linkInput, requestInterventionInput } from '../platform/schemas.js';
import { depositRef, exceptionRefInput, resolveExceptionInput, withdrawalApproveInput, withdrawalReasonInput, withdrawalRef, withdrawalResolveInput } from '../payments/schemas.js';

const reasonText = z.string().trim().min(3).max(1000);

export const CHANNELS = {
  'session.current': z.object({}).strict(),
  'session.login': z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256), totp: z.string().regex(/^\d{6}$/).optional() }).strict(),
  'session.enrolMfa': z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }).strict(),
  'session.confirmMfa': z.object({ enrolmentId: z.uuid(), totp: z.string().regex(/^\d{6}$/) }).strict(),
  'session.logout': z.object({}).strict(),
  'session.changePassword': z.object({ currentPassword: z.string().min(1).max(256), newPassword: z.string().min(1).max(256) }).strict(),
  /** Idle lock: ends the server session but keeps the (encrypted, closed) cache for the same user. */
  'session.lock': z.object({}).strict(),
  'cache.query': z
    .object({
      view: z.enum(VIEW_NAMES as [string, ...string[]]),
      filterModel: filterModelSchema,
      /** The queue tab's filter, ANDed with the user's column filters. */
      scope: filterModelSchema.optional(),
      sortModel: sortModelSchema,
      quickFilter: z.string().max(200).optional(),
      startRow: z.number().int().min(0),
      endRow: z.number().int().min(1),
    })
    .strict()
    .refine((q) => q.endRow > q.startRow && q.endRow - q.startRow <= 1000, { message: 'endRow must be after startRow, at most 1000 rows apart' }),
  /** The values a text column of a cached view holds, for its checkbox filter. */
  'cache.distinct': z.object({ view: z.enum(VIEW_NAMES as [string, ...string[]]), column: z.string().min(1).max(64) }).strict(),
  'cache.count': z.object({ view: z.enum(VIEW_NAMES as [string, ...string[]]), filterModel: filterModelSchema.optional(), scope: filterModelSchema.optional(), quickFilter: z.string().max(200).optional() }).strict(),
  'sync.status': z.object({}).strict(),
  'approvals.get': z.object({ id: z.string().regex(/^APR-\d{6,}$/) }).strict(),
  'approvals.approve': z.object({ id: z.string().regex(/^APR-\d{6,}$/), reason: reasonText.optional() }).strict(),
  'approvals.reject': z.object({ id: z.string().regex(/^APR-\d{6,}$/), reason: reasonText }).strict(),
  'export.record': exportRecordInput,
  'access.users': z.object({}).strict(),
  'access.entities': z.object({}).strict(),
  'access.createUser': createUserInput.strict(),
  'access.grantRole': grantInput.strict(),
  'access.revokeRole': roleInput.strict(),
  'access.resetPassword': resetInput.strict(),
  'access.resetMfa': resetInput.strict(),
  'access.setUserStatus': statusInput.strict(),
  'access.collectTemporaryPassword': z.object({ approvalId: z.string().regex(/^APR-\d{6,}$/) }).strict(),
  'clients.search': z.object({ query: z.string().trim().min(2, 'type at least two characters').max(200) }).strict(),
  'clients.overview': z.object({ clientId: z.string().regex(/^CL-\d{6,}$/, 'must be a client reference like CL-000001') }).strict(),
  'alerts.get': alertRefInput,
  'alerts.assignToMe': alertRefInput,
  'alerts.acknowledge': alertAcknowledgeInput,
  'alerts.close': alertCloseInput,
  'screening.get': z.object({ caseId: screeningCaseId }).strict(),
  'screening.decide': screeningCaseDecision,
  'clients.timeline': z.object({ clientId }).strict(),
  'kyc.get': z.object({ caseRef: kycCaseRef }).strict(),
  'kyc.document': kycDocumentInput,
  /** assigns the case to the signed-in user (the host knows who that is) */
  'kyc.assignToMe': kycAssignInput.pick({ caseRef: true }),
  'kyc.requestDocuments': kycRequestDocumentsInput,
  'kyc.escalate': kycEscalateInput,
  'kyc.approve': kycApproveInput,
  'kyc.reject': kycRejectInput,
  'kyc.completeEddItem': kycCompleteEddInput,
  'kyc.override': kycOverrideInput,
  'withdrawals.get': z.object({ ref: withdrawalRef }).strict(),
  'withdrawals.approve': withdrawalApproveInput,
  'withdrawals.reject': withdrawalReasonInput,
  'withdrawals.hold': withdrawalReasonInput,
  'withdrawals.release': withdrawalReasonInput,
  'withdrawals.resolve': withdrawalResolveInput,
  /** a client's withdrawals and deposits, newest first, for the client page */
  'withdrawals.ofClient': z.object({ clientId }).strict(),
  'deposits.ofClient': z.object({ clientId }).strict(),
  'deposits.get': z.object({ ref: depositRef }).strict(),
  'ledger.balance': z.object({ clientId }).strict(),
  'reconciliation.takeException': exceptionRefInput,
  'reconciliation.resolveException': resolveExceptionInput,
  'platform.status': z.object({}).strict(),
  'platform.accounts': clientAccountsInput,
  'interventions.reasonCodes': z.object({}).strict(),
  'interventions.get': interventionRefInput,
  'interventions.request': requestInterventionInput,
  'interventions.approve': interventionApproveInput,
  'interventions.reject': interventionRejectInput,
  'interventions.execute': interventionRefInput,
  'interventions.link': linkInput,
  'interventions.escalate': escalateInput,
  /** a client's interventions, newest first, for the client page */
  'interventions.ofClient': z.object({ clientId }).strict(),
  'evidence.client': evidenceClientInput,
  'evidence.staff': evidenceStaffInput,
  'evidence.operation': evidenceOperationInput,
  'evidence.export': evidenceExportInput,
  'reports.get': reportInput,
  'policies.list': z.object({ type: P.policyType.optional() }).strict(),
  'policies.get': P.policyGetInput.strict(),
  'policies.diff': P.diffInput,
  'policies.dryRun': P.dryRunInput,
  'policies.propose': P.proposeInput,
  'policies.promote': P.promoteInput,
  'policies.rollback': P.rollbackInput,
  'policies.changes': P.changesInput,
  'policies.change': P.changeInput,
  'policies.review': P.reviewInput,
  'policies.executions': P.executionsInput,
  'policies.canaryReport': P.canaryReportInput,
  'policies.remediations': P.remediationsInput,
  'policies.closeRemediation': P.closeRemediationInput,
  'policies.exportVersion': P.exportVersionInput,
  'policies.importVersion': P.importVersionInput,
  'policies.snapshots': z.object({}).strict(),
  'policies.snapshot': P.snapshotInput,
} as const;

export type Channel = keyof typeof CHANNELS;
export type ChannelInput<C extends Channel> = z.input<(typeof CHANNELS)[C]>;

/**
 * The desktop host's own reasons beside the server's closed set: it failed itself (`HOST_ERROR`),
 * the renderer could not reach it (`HOST_UNREACHABLE`), or the headless host refused a request
 * from another origin (`FORBIDDEN`).
 */
export const HOST_REASONS = ['HOST_ERROR', 'HOST_UNREACHABLE', 'FORBIDDEN'] as const;

export interface HostError {
  reason: Reason | (typeof HOST_REASONS)[number];
  message: string;
}

export type HostResult<T> = { ok: true; value: T } | { ok: false; error: HostError };

/** Events the host pushes to the renderer. */
export type HostEvent =
  | { type: 'sync'; status: { state: string; rowsReceived: number; lastSyncAt: string | null; lastError: string | null; notice: string | null } }
  | { type: 'changed'; views: string[] }
  | { type: 'session'; state: 'signedIn' | 'signedOut' | 'locked'; message?: string };

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && Object.hasOwn(CHANNELS, value);
}

/** The object the preload (or the headless bridge) exposes as `window.fxbo`. */
export interface DesktopApi {
  invoke(channel: Channel, input: unknown): Promise<HostResult<unknown>>;
  onEvent(listener: (event: HostEvent) => void): () => void;
}
