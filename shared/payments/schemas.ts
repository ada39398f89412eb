// The wire inputs of payments, shared by the server's procedures and the clients that call them.

import { z } from 'zod';
import { clientId } from '../clients/schemas.js';
import { PAYMENT_METHODS } from '../policies/kyc.js';
import { RESOLUTIONS } from './withdrawals.js';

const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code in capitals, like EUR');
const amount = z.string().regex(/^\d{1,15}(\.\d{1,4})?$/, 'must be a decimal string above zero, like "1250.00"');
const provider = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'must be a payment provider name, like stripe');

export const initiateDepositInput = z.object({ clientId, amount, currency, method: z.enum(PAYMENT_METHODS), provider }).strict();

const destination = z
  .object({
    accountHolder: z.string().trim().min(2, 'must name the account holder').max(140),
    account: z.string().trim().min(4, 'must be the account: an IBAN, a card token or a wallet id').max(64),
  })
  .strict();

export const requestWithdrawalInput = z.object({ clientId, amount, currency, method: z.enum(PAYMENT_METHODS), provider, destination }).strict();

export const depositRef = z.string().regex(/^DEP-\d{6,}$/, 'must be a deposit reference like DEP-000123');

export const withdrawalRef = z.string().regex(/^WD-\d{6,}$/, 'must be a withdrawal reference like WD-000123');
const reason = z.string().trim().min(3, 'must say why').max(2000);

export const withdrawalApproveInput = z.object({ ref: withdrawalRef, reason: z.string().trim().max(2000).optional() }).strict();
export const withdrawalReasonInput = z.object({ ref: withdrawalRef, reason }).strict();
export const withdrawalResolveInput = z.object({ ref: withdrawalRef, resolution: z.enum(RESOLUTIONS), reason }).strict();

export const fxRateInput = z
  .object({
    base: currency,
    quote: currency,
    rate: z.string().regex(/^\d{1,12}(\.\d{1,12})?$/, 'must be a positive decimal number, like "1.0845"'),
    source: z.string().trim().min(2).max(200),
    asOf: z.iso.datetime({ precision: 3, message: 'must be an ISO 8601 UTC time with milliseconds' }),
  })
  .strict();

/** How a payment exception is closed: the code says what was done, the note says why. */
export const EXCEPTION_RESOLUTIONS = ['corrected_in_ledger', 'provider_corrected', 'refunded_to_payer', 'accepted_after_review', 'chargeback_accepted', 'chargeback_won', 'duplicate_confirmed', 'outcome_confirmed', 'no_action_needed'] as const;

const exceptionRef = z.string().regex(/^PEX-\d{6,}$/, 'must be a payment exception reference like PEX-000123');
const isoTime = z.iso.datetime({ precision: 3, message: 'must be an ISO 8601 UTC time with milliseconds' });

export const reconciliationRunInput = z.object({ provider: provider.optional(), from: isoTime, to: isoTime }).strict();
export const settlementImportInput = z.object({ provider, fileName: z.string().trim().min(1).max(200), contentBase64: z.base64().max(20 * 1024 * 1024) }).strict();
export const exceptionsInput = z
  .object({ status: z.enum(['open', 'resolved']).optional(), kind: z.string().max(40).optional(), legalEntity: z.string().min(1).max(40).optional(), cursor: z.string().max(40).optional(), limit: z.number().int().min(1).max(500).default(100) })
  .strict();
export const exceptionRefInput = z.object({ ref: exceptionRef }).strict();
export const resolveExceptionInput = z.object({ ref: exceptionRef, resolutionCode: z.enum(EXCEPTION_RESOLUTIONS), note: z.string().trim().min(3, 'must say what was done').max(2000) }).strict();
