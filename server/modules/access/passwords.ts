// Staff password hashing (argon2id) and the minimum a password must meet.

import { hash, verify } from '@node-rs/argon2';
import { DomainError } from '../../../shared/errors.js';

// argon2id (the library's default algorithm) at OWASP's baseline: 19 MiB, 2 iterations, 1 lane.
const PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, PARAMS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

// Spent on unknown usernames so that a failed sign-in takes as long whether or not the user exists.
let dummy: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hashPassword('timing-equaliser-not-a-password');
  await verifyPassword(await dummy, password);
}

export function assertPasswordStrength(password: string, username: string): void {
  const problems: string[] = [];
  if (password.length < 12) problems.push('at least 12 characters');
  if (password.length > 256) problems.push('at most 256 characters');
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
  if (classes < 3) problems.push('three of: lower case, upper case, digits, symbols');
  if (username && password.toLowerCase().includes(username.toLowerCase())) problems.push('not containing the username');
  if (problems.length > 0) throw new DomainError('PASSWORD_TOO_WEAK', `The password must have ${problems.join('; ')}.`);
}
