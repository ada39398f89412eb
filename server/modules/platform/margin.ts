// A client's free margin on MT5 for a withdrawal's check ("open positions keep their margin"): the
// account in the withdrawal's currency, its trade state from `user/account/get`. An account MT5
// holds no trade state for (idle since the last restart, retcode 13; MT5-WEBAPI §4.3) has no
// margin in use: its balance is all free. What cannot be read is said, never guessed.

import { parseAmount } from '../../../shared/money.js';
import type { Store } from '../../core/store.js';
import type { PlatformMargin } from '../payments/withdrawal-checks.js';
import { readUser } from '../../platform/accounts.js';
import { Mt5Refused, Mt5Unclear, Mt5Unreachable } from '../../platform/session.js';
import type { Mt5Link } from '../../platform/link.js';

export async function marginOf(store: Store, mt5: Mt5Link | null, clientId: string, currency: string): Promise<PlatformMargin> {
  if (!mt5) return { read: false, why: 'no trading platform connected: margin not checked' };
  const accounts = await store.kysely.selectFrom('mt5_accounts').select(['login', 'currency']).where('client_id', '=', clientId).where('status', '=', 'active').where('login', 'is not', null).execute();
  const account = accounts.find((a) => a.currency === currency);
  if (!account) return { read: false, why: accounts.length ? `no MT5 account in ${currency}: margin not checked` : 'the client has no MT5 account: no positions to keep' };
  const login = Number(account.login);
  const minor = (text: unknown) => parseAmount(Number(text ?? 0).toFixed(2), currency).minor;
  try {
    try {
      const a = await mt5.session.call<Record<string, string>>('/api/user/account/get', { login });
      return { read: true, login, marginFree: minor(a.MarginFree), margin: minor(a.Margin), equity: minor(a.Equity) };
    } catch (error) {
      if (!(error instanceof Mt5Refused && error.retcode === 13)) throw error;
      const u = await readUser(mt5.session, login);
      const balance = parseAmount(u.balance, currency).minor;
      return { read: true, login, marginFree: balance, margin: 0n, equity: balance + parseAmount(u.credit, currency).minor };
    }
  } catch (error) {
    if (error instanceof Mt5Refused || error instanceof Mt5Unclear || error instanceof Mt5Unreachable) return { read: false, why: `MT5 could not be asked (${error.message}): margin not checked` };
    throw error;
  }
}
