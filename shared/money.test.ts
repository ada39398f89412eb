import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAmount, parseAmount } from './money.js';

describe('money', () => {
  it('parses decimal strings into minor units by the currency', () => {
    expect(parseAmount('1250.00', 'EUR')).toEqual({ minor: 125000n, currency: 'EUR' });
    expect(parseAmount('1250', 'JPY')).toEqual({ minor: 1250n, currency: 'JPY' });
    expect(parseAmount('1.234', 'KWD')).toEqual({ minor: 1234n, currency: 'KWD' });
    expect(parseAmount('-3.5', 'USD')).toEqual({ minor: -350n, currency: 'USD' });
  });

  it('refuses what is not an amount of that currency, saying why', () => {
    expect(() => parseAmount('1.005', 'USD')).toThrow(/more than 2 decimals for USD/);
    expect(() => parseAmount('1e3', 'USD')).toThrow(/not a decimal number/);
    expect(() => parseAmount('10', 'usd')).toThrow(/not an ISO 4217 code/);
  });

  it('formats back what it parsed', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.constantFrom('USD', 'JPY', 'KWD', 'EUR'), (minor, currency) => {
        expect(parseAmount(formatAmount({ minor, currency }), currency)).toEqual({ minor, currency });
      }),
    );
  });
});
