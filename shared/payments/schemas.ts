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
