// The optional fields of a batch screening row as customers' files write them. A value that cannot
// be read comes back with the reason, so the row is screened on the rest and the value reported;
// nothing is guessed (07/08/1969 could be either day first or month first).

import type { PartialDate } from './lists/model.js';
import { countryCode } from './lists/parse-helpers.js';

export type Read<T> = { ok: true; value: T | undefined } | { ok: false; why: string };

function realDate(year: number, month: number | undefined, day: number | undefined, value: string): Read<PartialDate> {
  if (year < 1850 || year > 2100) return { ok: false, why: `year ${year} is not a plausible year of birth` };
  if (month !== undefined && (month < 1 || month > 12)) return { ok: false, why: `there is no month ${month}` };
  if (day !== undefined && (day < 1 || day > new Date(Date.UTC(year, month!, 0)).getUTCDate())) {
    return { ok: false, why: `${value} is not a real date (${year}-${String(month).padStart(2, '0')} has no day ${day})` };
  }
  return { ok: true, value: { year, ...(month === undefined ? {} : { month }), ...(day === undefined ? {} : { day }) } };
}

/**
 * A date of birth: year first (`1969-07-16`, `1969-7-16`, `1969/7/16`, `1969-07`, `1969`, with a
 * midnight time as spreadsheets export it), or day and month in either order where only one order
 * is possible (`16/07/1969`, `07/16/1969`). Both orders possible (`07/08/1969`) is refused.
 */
export function readBirthDate(raw: string): Read<PartialDate> {
  const value = raw.trim().replace(/[T ]00:00(:00(\.0+)?)?Z?$/u, '');
  if (value === '') return { ok: true, value: undefined };
  const yearFirst = /^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?$/u.exec(value);
  if (yearFirst !== null) {
    return realDate(Number(yearFirst[1]), yearFirst[2] === undefined ? undefined : Number(yearFirst[2]), yearFirst[3] === undefined ? undefined : Number(yearFirst[3]), value);
  }
  const yearLast = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/u.exec(value);
  if (yearLast !== null) {
    const [a, b, year] = [Number(yearLast[1]), Number(yearLast[2]), Number(yearLast[3])];
    if (a > 12 && b <= 12) return realDate(year, b, a, value);
    if (b > 12 && a <= 12) return realDate(year, a, b, value);
    if (a === b) return realDate(year, a, b, value);
    if (a <= 12 && b <= 12) return { ok: false, why: `${value} is ambiguous: day ${a} of month ${b}, or month ${a} day ${b}; write it as YYYY-MM-DD` };
    return { ok: false, why: `${value} has no month (${a} and ${b} are both above 12)` };
  }
  return { ok: false, why: `${value} is not a date; write it as YYYY-MM-DD, YYYY-MM or YYYY` };
}

/** A nationality: ISO 3166 alpha-2 or alpha-3 code, or the country's English name. */
export function readNationality(raw: string): Read<string> {
  const value = raw.trim();
  if (value === '') return { ok: true, value: undefined };
  const code = countryCode(value);
  return code === undefined ? { ok: false, why: `"${value}" is not a country (an ISO 3166 code such as DE or DEU, or its English name)` } : { ok: true, value: code };
}
