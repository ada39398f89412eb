// RFC 6238 TOTP (SHA-1, 6 digits, 30 s) through otplib. A code is accepted once: the caller keeps
// the last accepted time step and passes it back, and codes at or before it are refused.

import { generateSecret, generateSync, generateURI, verifySync } from 'otplib';

export const TOTP_ISSUER = 'FX Back Office';

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function totpUri(secret: string, username: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: username, secret });
}

export function totpCode(secret: string, at: Date): string {
  return generateSync({ secret, epoch: Math.floor(at.getTime() / 1000) });
}

export type TotpCheck = { ok: true; step: number } | { ok: false; replayed: boolean };

/** Accepts the current step and one either side (clock drift), never a step already used. */
export function checkTotp(secret: string, code: string, at: Date, lastStep: number | null): TotpCheck {
  if (!/^\d{6}$/.test(code)) return { ok: false, replayed: false };
  const epoch = Math.floor(at.getTime() / 1000);
  const result = verifySync({ secret, token: code, epoch, epochTolerance: 30 });
  if (!result.valid) return { ok: false, replayed: false };
  const step = (result as { timeStep: number }).timeStep;
  if (lastStep !== null && step <= lastStep) return { ok: false, replayed: true };
  return { ok: true, step };
}
