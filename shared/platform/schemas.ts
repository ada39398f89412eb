// The wire inputs of the platform module (MT5 accounts, interventions, manager operations), shared by
// the server's procedures and the clients that call them.

import { z } from 'zod';
import { clientId } from '../clients/schemas.js';
import { INTERVENTION_STATUSES, INTERVENTION_TYPES, UNLINKED_STATUSES } from './interventions.js';

export const caseRef = z.string().regex(/^INT-\d{6,}$/, 'must be an intervention reference like INT-000123');
export const managerOpId = z.string().regex(/^MOP-\d{6,}$/, 'must be a manager operation reference like MOP-000123');
const login = z.number().int().positive('must be an MT5 login (a positive whole number)').max(2 ** 53 - 1);
const reason = (min: number, what: string) => z.string().trim().min(min, `must say ${what} (at least ${min} characters)`).max(2000);
const when = z.iso.datetime({ message: 'must be an ISO 8601 UTC time' });

export const requestInterventionInput = z
  .object({
    type: z.enum(INTERVENTION_TYPES),
    login,
    /** money types: a decimal string in the account's currency (a balance correction may be negative) */
    amount: z.string().regex(/^-?\d{1,15}(\.\d{1,4})?$/, 'must be a decimal string like "250.00" (negative only for a balance correction that takes money away)').optional(),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code in capitals, like EUR').optional(),
    /** change_group: the MT5 group; change_leverage: the leverage N of 1:N */
    value: z.string().trim().min(1).max(63).optional(),
    reasonCode: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'must be a reason code from the catalog, like trade_dispute'),
    note: reason(10, 'what happened and why this is the remedy'),
    clientId: clientId.optional(),
  })
  .strict();

export const interventionApproveInput = z.object({ caseRef, reason: z.string().trim().max(2000).optional() }).strict();
export const interventionRejectInput = z.object({ caseRef, reason: reason(3, 'why') }).strict();
export const interventionRefInput = z.object({ caseRef }).strict();
export const interventionQueueInput = z
  .object({
    status: z.enum(INTERVENTION_STATUSES).optional(),
    legalEntity: z.string().min(1).max(40).optional(),
    clientId: clientId.optional(),
    login: login.optional(),
    cursor: z.string().max(40).optional(),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .strict();

export const unlinkedInput = z.object({ from: when.optional(), to: when.optional(), status: z.enum(UNLINKED_STATUSES).optional(), legalEntity: z.string().min(1).max(40).optional() }).strict();
export const linkInput = z.object({ dealId: managerOpId, caseRef, reason: reason(10, 'how the case explains the operation') }).strict();
export const escalateInput = z.object({ dealId: managerOpId, reason: reason(10, 'why nobody can explain it') }).strict();
export const clientAccountsInput = z.object({ clientId }).strict();
