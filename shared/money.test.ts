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

describe('conversion at a recorded rate', () => {
  it('converts in integers, rounding half away from zero to the target currency', async () => {
    const { convert } = await import('./money.js');
    expect(convert({ minor: 1_000_000n, currency: 'USD' }, 'EUR', '0.9215')).toEqual({ minor: 921_500n, currency: 'EUR' });
    expect(convert({ minor: 1_234_567n, currency: 'EUR' }, 'JPY', '163.25')).toEqual({ minor: 2_015_431n, currency: 'JPY' });
    expect(convert({ minor: 100n, currency: 'JPY' }, 'KWD', '0.00205')).toEqual({ minor: 205n, currency: 'KWD' });
    expect(convert({ minor: 1n, currency: 'EUR' }, 'USD', '1.5')).toEqual({ minor: 2n, currency: 'USD' });
    expect(() => convert({ minor: 1n, currency: 'EUR' }, 'USD', '0')).toThrow(/not a positive decimal/);
    expect(() => convert({ minor: 1n, currency: 'EUR' }, 'USD', '-1.2')).toThrow(/not a positive decimal/);
  });
});
