// The wire inputs of payments, shared by the server's procedures and the clients that call them.

import { z } from 'zod';
import { clientId } from '../clients/schemas.js';
import { PAYMENT_METHODS } from '../policies/kyc.js';

const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code in capitals, like EUR');
const amount = z.string().regex(/^\d{1,15}(\.\d{1,4})?$/, 'must be a decimal string above zero, like "1250.00"');
const provider = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'must be a payment provider name, like stripe');

export const initiateDepositInput = z.object({ clientId, amount, currency, method: z.enum(PAYMENT_METHODS), provider }).strict();
