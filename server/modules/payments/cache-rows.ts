// What the desktop cache's rows of deposits and withdrawals share: the client's name and flags
// joined in, and the columns every payment row has (reference, status, amount as a number for the
// grid's filters, currency, client, entity, flags).

import { flagsOf, flagText } from '../../../shared/clients/flags.js';
import type { ClientTable } from '../../db/schema-clients.js';

/** The client columns to select beside a payment (from `clients as c`). */
export const CLIENT_COLUMNS = ['c.display_name as client_name', 'c.status as client_status', 'c.screening_status as client_screening', 'c.risk_level as client_risk'] as const;

interface ClientFacts {
  client_name: string;
  client_status: ClientTable['status'];
  client_screening: ClientTable['screening_status'];
  client_risk: ClientTable['risk_level'];
}

/** The client's flags in words, as every grid shows them. */
export function clientFlags(r: ClientFacts): string {
  return flagText(flagsOf({ clientStatus: r.client_status, screeningStatus: r.client_screening, riskLevel: r.client_risk }));
}

/** The columns a cached payment row always has. */
export function paymentRow(v: { ref: string; status: string; amount: string; currency: string; clientId: string; legalEntity: string }, r: ClientFacts) {
  return { ref: v.ref, status: v.status, amount: Number(v.amount), currency: v.currency, clientId: v.clientId, clientName: r.client_name, legalEntity: v.legalEntity, flags: clientFlags(r) };
}
