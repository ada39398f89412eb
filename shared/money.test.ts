import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAmount, isCurrency, parseAmount, parsePositiveAmount } from './money.js';

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
    expect(() => parseAmount('10', 'XYZ')).toThrow(/"XYZ" is not a known ISO 4217 currency/);
    expect(() => parsePositiveAmount('0.00', 'EUR')).toThrow(/"0.00" must be more than zero/);
    expect(() => parsePositiveAmount('-5', 'EUR')).toThrow(/must be more than zero/);
    expect(() => parsePositiveAmount('ten', 'EUR')).toThrow(/not a decimal number/);
  });

  it('knows the ISO 4217 currencies', () => {
    for (const code of ['EUR', 'USD', 'GBP', 'JPY', 'KWD', 'CHF', 'AUD']) expect(isCurrency(code)).toBe(true);
    for (const code of ['XYZ', 'eur', 'EURO', '']) expect(isCurrency(code)).toBe(false);
  });

  it('formats back what it parsed', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.constantFrom('USD', 'JPY', 'KWD', 'EUR'), (minor, currency) => {
        expect(parseAmount(formatAmount({ minor, currency }), currency)).toEqual({ minor, currency });
      }),
    );
  });
});
