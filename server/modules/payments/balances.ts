// A client's balances as the desktop and scripts read them (`ledger.balance`): per currency, what
// is available, pending and held, as decimal strings beside the ISO 4217 code. Only for a client in
// a legal entity where the reader holds `ledger.read`.

import type { Kysely } from 'kysely';
import { formatAmount } from '../../../shared/money.js';
import { requireEntity, type AuthContext } from '../../core/auth.js';
import { DomainError } from '../../../shared/errors.js';
import type { Database } from '../../db/schema.js';
import { clientBalances } from './ledger.js';

export interface BalanceView {
  currency: string;
  available: string;
  pending: string;
  held: string;
}

export async function balanceOf(db: Kysely<Database>, auth: AuthContext, clientId: string): Promise<{ items: BalanceView[] }> {
  const client = await db.selectFrom('clients').select('legal_entity').where('id', '=', clientId).executeTakeFirst();
  if (!client) throw new DomainError('NOT_FOUND', `Client ${clientId} does not exist.`);
  requireEntity(auth, 'ledger.read', client.legal_entity);
  const items = (await clientBalances(db, clientId)).map((b) => ({
    currency: b.currency,
    available: formatAmount({ minor: b.available, currency: b.currency }),
    pending: formatAmount({ minor: b.pending, currency: b.currency }),
    held: formatAmount({ minor: b.held, currency: b.currency }),
  }));
  return { items };
}
