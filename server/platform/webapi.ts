// The MT5 Web API's protocol pieces that both sides need (../shared/MT5-WEBAPI.md): the
// challenge-response hashes of the sign-in, the return codes with their texts, the deal actions
// `/api/trade/balance` accepts, the user rights bits, and the comment limit.

import { createHash } from 'node:crypto';

/** `PH = MD5(MD5(UTF-16LE(password)) ‖ "WebAPI")`, raw bytes (MT5-WEBAPI §2, steps 1-3). */
export function passwordHash(password: string): Buffer {
  const h1 = createHash('md5').update(Buffer.from(password, 'utf16le')).digest();
  return createHash('md5').update(Buffer.concat([h1, Buffer.from('WebAPI', 'ascii')])).digest();
}

/** `lowercase_hex(MD5(PH ‖ R))` over raw bytes: the answer to a random (`srv_rand` or `cli_rand`) given as hex. */
export function randAnswer(passwordHashBytes: Buffer, randHex: string): string {
  return createHash('md5').update(Buffer.concat([passwordHashBytes, Buffer.from(randHex, 'hex')])).digest('hex');
}

/** Return codes used here, with the texts the simulator writes after the number (clients compare only the number). */
export const RETCODES = {
  0: 'Done',
  3: 'Invalid parameters',
  8: 'Not enough permissions',
  9: 'Operation timed out',
  10: 'No connection',
  11: 'Service is not available',
  12: 'Too frequent requests',
  13: 'Not found',
  15: 'Server shutdown in progress',
  1001: 'Invalid account',
  1008: 'Server not authenticated',
  3004: 'Account already exists',
  3006: 'Invalid account password',
  4005: 'Money limit reached',
  10019: 'No money',
} as const;

export type Retcode = keyof typeof RETCODES;

export function retcodeText(code: Retcode): string {
  return `${code} ${RETCODES[code]}`;
}

/** The number before the first space of a `retcode` (MT5-WEBAPI §1, as the official sample parses it). */
export function retcodeOf(text: unknown): number {
  const n = Number.parseInt(String(text ?? '').split(' ')[0] ?? '', 10);
  return Number.isFinite(n) ? n : -1;
}

/** Deal actions `/api/trade/balance` accepts (MT5-WEBAPI §4.1, §6). */
export const BALANCE_ACTIONS = { balance: 2, credit: 3, charge: 4, correction: 5, bonus: 6 } as const;
export type BalanceActionName = keyof typeof BALANCE_ACTIONS;

/** User rights bits (MT5-WEBAPI §6). */
export const USER_RIGHTS = { ENABLED: 0x1, PASSWORD: 0x2, TRADE_DISABLED: 0x4, TRAILING: 0x20, EXPERT: 0x40, REPORTS: 0x100 } as const;
export const DEFAULT_RIGHTS = 0x163;

/** A deal comment keeps at most 31 characters (32 with the terminator); longer is cut silently by MT5. */
export const COMMENT_MAX = 31;

/** Amounts above this in one balance operation are refused with 4005. */
export const MONEY_LIMIT = 1_000_000_000;
