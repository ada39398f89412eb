// Reading and changing MT5 accounts through a session (MT5-WEBAPI §4.3): numbers arrive as strings,
// `rights` is the full bitmask (read, modify, write back), and user/update is read back because
// MT5 ignores invalid values silently.

import { formatAmount, parseAmount } from '../../shared/money.js';
import type { AccountState } from '../../shared/platform/interventions.js';
import { USER_RIGHTS } from './webapi.js';
import type { Mt5Session } from './session.js';

export interface Mt5User extends AccountState {
  login: number;
  name: string;
  currency: string;
  currencyDigits: number;
}

export interface Mt5Group {
  group: string;
  currency: string;
  currencyDigits: number;
  /** absent where the server does not say */
  leverageMax: number | null;
}

type Raw = Record<string, string | number | undefined>;

function toDecimal(value: string | number | undefined, currency: string, digits: number): string {
  const text = String(value ?? '0');
  try {
    return formatAmount(parseAmount(text, currency));
  } catch {
    // A float written with more digits than the currency has (e.g. 0.30000000000000004): round to the currency's digits.
    return Number(text).toFixed(digits);
  }
}

export async function readGroup(session: Mt5Session, name: string): Promise<Mt5Group> {
  const g = await session.call<Raw>('/api/group/get', { group: name });
  return { group: String(g.Group), currency: String(g.Currency), currencyDigits: Number(g.CurrencyDigits ?? 2), leverageMax: g.LeverageMax === undefined ? null : Number(g.LeverageMax) };
}

export async function readUser(session: Mt5Session, login: number): Promise<Mt5User> {
  const u = await session.call<Raw>('/api/user/get', { login });
  const group = await readGroup(session, String(u.Group));
  return {
    login: Number(u.Login),
    name: String(u.Name ?? ''),
    group: group.group,
    leverage: Number(u.Leverage),
    rights: Number(u.Rights),
    balance: toDecimal(u.Balance, group.currency, group.currencyDigits),
    credit: toDecimal(u.Credit, group.currency, group.currencyDigits),
    currency: group.currency,
    currencyDigits: group.currencyDigits,
  };
}

/** The fields `user/update` is given for a change, computed from the account as it is now. */
export interface AccountChange {
  group?: string;
  leverage?: number;
  rights?: number;
}

export function withRight(rights: number, bit: keyof typeof USER_RIGHTS, on: boolean): number {
  return on ? rights | USER_RIGHTS[bit] : rights & ~USER_RIGHTS[bit];
}

/** Whether the account is in the changed state already. */
export function reached(state: Pick<AccountState, 'group' | 'leverage' | 'rights'>, change: AccountChange): boolean {
  return (change.group === undefined || state.group.toLowerCase() === change.group.toLowerCase()) && (change.leverage === undefined || state.leverage === change.leverage) && (change.rights === undefined || state.rights === change.rights);
}

export async function updateUser(session: Mt5Session, login: number, change: AccountChange): Promise<void> {
  await session.call('/api/user/update', { login, ...(change.group !== undefined ? { group: change.group } : {}), ...(change.leverage !== undefined ? { leverage: change.leverage } : {}), ...(change.rights !== undefined ? { rights: change.rights } : {}) });
}
