import { describe, expect, it } from 'vitest';
import { checkTotp, totpCode } from './totp.js';

// RFC 6238 appendix B, SHA-1 seed "12345678901234567890" (base32 below); the RFC lists 8 digits,
// a 6-digit code is their last six.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const VECTORS: Array<[number, string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(VECTORS)('at %i s gives the RFC code', (seconds, code) => {
    expect(totpCode(RFC_SECRET, new Date(seconds * 1000))).toBe(code.slice(-6));
  });

  it('accepts the current step and one either side, nothing further', () => {
    const at = new Date(1234567890 * 1000);
    const code = totpCode(RFC_SECRET, at);
    expect(checkTotp(RFC_SECRET, code, new Date(at.getTime() + 30_000), null).ok).toBe(true);
    expect(checkTotp(RFC_SECRET, code, new Date(at.getTime() - 30_000), null).ok).toBe(true);
    expect(checkTotp(RFC_SECRET, code, new Date(at.getTime() + 90_000), null).ok).toBe(false);
  });

  it('accepts a code once: the same or an earlier step is a replay', () => {
    const at = new Date(1234567890 * 1000);
    const first = checkTotp(RFC_SECRET, totpCode(RFC_SECRET, at), at, null);
    expect(first.ok).toBe(true);
    const step = (first as { step: number }).step;
    expect(checkTotp(RFC_SECRET, totpCode(RFC_SECRET, at), at, step)).toEqual({ ok: false, replayed: true });
    const next = new Date(at.getTime() + 30_000);
    expect(checkTotp(RFC_SECRET, totpCode(RFC_SECRET, next), next, step).ok).toBe(true);
  });

  it('refuses anything but six digits', () => {
    expect(checkTotp(RFC_SECRET, '12345', new Date(), null)).toEqual({ ok: false, replayed: false });
    expect(checkTotp(RFC_SECRET, 'abcdef', new Date(), null)).toEqual({ ok: false, replayed: false });
  });
});
