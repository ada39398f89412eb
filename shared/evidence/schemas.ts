// The inputs of the evidence procedures (issue 18), shared by the server's router and the desktop host.

import { z } from 'zod';
import { isoTime } from '../access/schemas.js';
import { clientId } from '../clients/schemas.js';

export const staffSubject = z.string().trim().min(1, 'name the staff member by id or username').max(64);
export const operationRef = z.string().trim().min(5, 'an intervention (INT-…) or an MT5 manager operation (MOP-…)').max(31);

export const evidenceClientInput = z.object({ clientId }).strict();
export const evidenceStaffInput = z.object({ userId: staffSubject, from: isoTime.optional(), to: isoTime.optional() }).strict();
export const evidenceOperationInput = z.object({ caseRef: operationRef }).strict();
/** Whose evidence pack: a client, a staff member or an MT5 operation. */
export const evidenceSubject = z.union([z.object({ clientId }).strict(), z.object({ userId: staffSubject }).strict(), z.object({ caseRef: operationRef }).strict()]);
export type EvidenceSubject = z.infer<typeof evidenceSubject>;
export const evidenceExportInput = z.object({ subject: evidenceSubject }).strict();
