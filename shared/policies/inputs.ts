// Inputs of the policies procedures (server router and desktop channels share them).

import { z } from 'zod';
import { isoTime, reason } from '../access/schemas.js';
import { changeDetailsSchema } from './change-request.js';
import { segmentSchema } from './segment.js';

export const policyType = z.string().min(1).max(64);
export const policyVersion = z.number().int().positive();
export const changeId = z.string().regex(/^CHG-\d{6,}$/, 'a change reference like CHG-000123');
const approvalId = z.string().regex(/^APR-\d{6,}$/, 'an approval reference like APR-000123');
const window = z.object({ from: isoTime, to: isoTime }).strict();
const limit = z.number().int().min(1).max(1000).default(200);

export const policyGetInput = z.object({ type: policyType, version: policyVersion.optional() });
export const proposeInput = z.object({ type: policyType, document: z.unknown(), reason, change: changeDetailsSchema, dryRun: window.optional(), canary: segmentSchema.optional() }).strict();
export const diffInput = z.object({ type: policyType, version: policyVersion.optional(), document: z.unknown().optional() }).strict();
export const dryRunInput = z.object({ type: policyType, document: z.unknown(), from: isoTime.optional(), to: isoTime.optional(), days: z.number().int().min(1).max(366).optional() }).strict();
export const canaryInput = z.object({ type: policyType, version: policyVersion, segment: segmentSchema, reason: reason.optional() }).strict();
export const promoteInput = z.object({ type: policyType, version: policyVersion, reason }).strict();
export const rollbackInput = z.object({ type: policyType, toVersion: z.union([policyVersion, z.string().min(3).max(80)]), reason }).strict();
export const changesInput = z.object({ type: policyType.optional(), cursor: changeId.optional(), limit }).strict();
export const changeInput = z.object({ id: changeId }).strict();
export const reviewInput = z.object({ id: changeId, answer: z.enum(['approve', 'reject', 'needsChanges']), reason }).strict();
export const executionsInput = z
  .object({ type: policyType.optional(), version: policyVersion.optional(), subjectId: z.string().min(1).max(64).optional(), clientId: z.string().min(1).max(64).optional(), from: isoTime.optional(), to: isoTime.optional(), cursor: z.number().int().positive().optional(), limit })
  .strict();
export const canaryReportInput = z.object({ type: policyType }).strict();
export const remediationsInput = z.object({ type: policyType.optional(), status: z.enum(['open', 'closed']).optional(), rollbackId: approvalId.optional(), cursor: z.string().max(20).optional(), limit }).strict();
export const exportVersionInput = z.object({ type: policyType, version: policyVersion }).strict();
export const importVersionInput = proposeInput.pick({ reason: true, change: true, dryRun: true }).extend({ content: z.string().min(2).max(1_000_000) }).strict();
export const snapshotInput = z.object({ id: z.number().int().positive() }).strict();
export const closeRemediationInput = z.object({ id: z.string().regex(/^REM-\d{6,}$/, 'a remediation reference like REM-000123'), reason }).strict();
