// Money is an integer amount of minor units with an ISO 4217 code; decimal strings on the wire.
// The one place that parses and formats amounts. Never floating point.

const MINOR_UNITS: Record<string, number> = {
  BHD: 3, BIF: 0, CLP: 0, DJF: 0, GNF: 0, IQD: 3, ISK: 0, JOD: 3, JPY: 0, KMF: 0, KRW: 0, KWD: 3,
  LYD: 3, OMR: 3, PYG: 0, RWF: 0, TND: 3, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
};

export interface Money {
  readonly minor: bigint;
  readonly currency: string;
}

/** ISO 4217 codes in use, as the runtime's ICU data knows them (Node and Chromium alike). */
const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

export function isCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && CURRENCIES.has(code);
}

export function minorUnitsOf(currency: string): number {
  if (!/^[A-Z]{3}$/.test(currency)) throw new RangeError(`currency "${currency}" is not an ISO 4217 code`);
  if (!CURRENCIES.has(currency)) throw new RangeError(`currency "${currency}" is not a known ISO 4217 currency`);
  return MINOR_UNITS[currency] ?? 2;
}

/** Parses a decimal string ("1250.00", "-3.5") into minor units, refusing more decimals than the currency has. */
export function parseAmount(text: string, currency: string): Money {
  const digits = minorUnitsOf(currency);
  const match = /^(-)?(\d{1,18})(?:\.(\d+))?$/.exec(text);
  if (!match) throw new RangeError(`amount "${text}" is not a decimal number like "1250.00"`);
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > digits) {
    throw new RangeError(`amount "${text}" has more than ${digits} decimals for ${currency}`);
  }
  const minor = BigInt(whole! + fraction.padEnd(digits, '0'));
  return { minor: sign ? -minor : minor, currency };
}

/** A payment's amount: a decimal string above zero in the currency's minor units. */
export function parsePositiveAmount(text: string, currency: string): Money {
  const money = parseAmount(text, currency);
  if (money.minor <= 0n) throw new RangeError(`amount "${text}" must be more than zero`);
  return money;
}

export function formatAmount(money: Money): string {
  const digits = minorUnitsOf(money.currency);
  const negative = money.minor < 0n;
  const abs = (negative ? -money.minor : money.minor).toString().padStart(digits + 1, '0');
  const whole = digits === 0 ? abs : abs.slice(0, -digits);
  const fraction = digits === 0 ? '' : `.${abs.slice(-digits)}`;
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/**
 * Converts at a rate given as a decimal string (1 unit of `money.currency` = `rate` units of `to`),
 * in integers throughout, rounding half away from zero to the target's minor units.
 */
export function convert(money: Money, to: string, rate: string): Money {
  const m = /^(\d{1,12})(?:\.(\d{1,12}))?$/.exec(rate);
  if (!m || /^0*(\.0*)?$/.test(rate)) throw new RangeError(`rate "${rate}" is not a positive decimal number`);
  const fraction = m[2] ?? '';
  const numerator = BigInt(m[1]! + fraction) * 10n ** BigInt(minorUnitsOf(to));
  const denominator = 10n ** BigInt(fraction.length + minorUnitsOf(money.currency));
  const abs = money.minor < 0n ? -money.minor : money.minor;
  const scaled = (abs * numerator * 2n + denominator) / (denominator * 2n);
  return { minor: money.minor < 0n ? -scaled : scaled, currency: to };
}
