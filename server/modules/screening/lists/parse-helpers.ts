// Countries and dates as sanctions lists write them.
import countries from 'i18n-iso-countries';
import en from 'i18n-iso-countries/langs/en.json' with { type: 'json' };
import type { PartialDate } from './model.js';

countries.registerLocale(en);

function key(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z ]+/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
}

/** Older and list-specific country names the ISO short names do not cover. */
const COUNTRY_ALIASES: Record<string, string> = {
  'korea north': 'KP', 'north korea': 'KP', 'democratic people s republic of korea': 'KP', 'korea dprk': 'KP',
  'korea south': 'KR', 'south korea': 'KR', 'republic of korea': 'KR', burma: 'MM', syria: 'SY',
  'libyan arab jamahiriya': 'LY', 'iran islamic republic of': 'IR', 'russia': 'RU', 'macedonia': 'MK',
  'ivory coast': 'CI', 'cote d ivoire': 'CI', 'congo democratic republic of the': 'CD', 'democratic republic of the congo': 'CD',
  'congo republic of the': 'CG', 'republic of the congo': 'CG', 'palestinian territories': 'PS', 'west bank': 'PS', gaza: 'PS',
  'gaza strip': 'PS', 'united states of america': 'US', usa: 'US', 'u s a': 'US', 'uk': 'GB', 'great britain': 'GB',
  'united kingdom of great britain and northern ireland': 'GB', 'viet nam': 'VN', laos: 'LA', 'lao people s democratic republic': 'LA',
  'bolivia plurinational state of': 'BO', 'venezuela bolivarian republic of': 'VE', 'tanzania united republic of': 'TZ',
  'moldova republic of': 'MD', 'the gambia': 'GM', 'the bahamas': 'BS', 'kosovo': 'XK', 'crimea': 'UA', 'region crimea': 'UA',
  'turkiye': 'TR', 'czech republic': 'CZ', 'swaziland': 'SZ', 'east timor': 'TL', 'cape verde': 'CV', 'vatican': 'VA',
  'holy see': 'VA', 'brunei': 'BN', 'micronesia': 'FM', 'st kitts and nevis': 'KN', 'st lucia': 'LC',
  'st vincent and the grenadines': 'VC', 'netherlands antilles': 'CW', 'serbia and montenegro': 'RS', 'yugoslavia': 'RS',
  'ussr': 'RU', 'soviet union': 'RU', 'zaire': 'CD',
};

/** Nationalities as adjectives (the UK list writes "Tunisian"), for the countries lists name most. */
const DEMONYMS: Record<string, string> = {
  afghan: 'AF', algerian: 'DZ', american: 'US', belarusian: 'BY', british: 'GB', burmese: 'MM', chinese: 'CN',
  congolese: 'CD', cuban: 'CU', egyptian: 'EG', eritrean: 'ER', ethiopian: 'ET', french: 'FR', german: 'DE', indian: 'IN',
  indonesian: 'ID', iranian: 'IR', iraqi: 'IQ', jordanian: 'JO', kenyan: 'KE', kuwaiti: 'KW', lebanese: 'LB', libyan: 'LY',
  malian: 'ML', mauritanian: 'MR', moroccan: 'MA', nigerian: 'NG', 'north korean': 'KP', pakistani: 'PK', palestinian: 'PS',
  philippine: 'PH', filipino: 'PH', qatari: 'QA', russian: 'RU', saudi: 'SA', 'saudi arabian': 'SA', somali: 'SO',
  sudanese: 'SD', 'south sudanese': 'SS', syrian: 'SY', tunisian: 'TN', turkish: 'TR', ukrainian: 'UA', uzbek: 'UZ',
  venezuelan: 'VE', yemeni: 'YE', zimbabwean: 'ZW', bahraini: 'BH', emirati: 'AE', kazakh: 'KZ', kyrgyz: 'KG', tajik: 'TJ',
  turkmen: 'TM', azerbaijani: 'AZ', georgian: 'GE', armenian: 'AM', serbian: 'RS', bosnian: 'BA', spanish: 'ES', italian: 'IT',
  belgian: 'BE', dutch: 'NL', swedish: 'SE', danish: 'DK', norwegian: 'NO', canadian: 'CA', australian: 'AU', nicaraguan: 'NI',
  haitian: 'HT', colombian: 'CO', mexican: 'MX', guinean: 'GN', ivorian: 'CI', 'central african': 'CF', rwandan: 'RW',
  ugandan: 'UG', burundian: 'BI', chadian: 'TD', nigerien: 'NE', senegalese: 'SN', gambian: 'GM', ghanaian: 'GH',
};

const BY_NAME = (() => {
  const map = new Map<string, string>();
  for (const [code, names] of Object.entries(countries.getNames('en', { select: 'all' }))) {
    for (const name of names) map.set(key(name), code);
  }
  for (const [name, code] of Object.entries(COUNTRY_ALIASES)) map.set(key(name), code);
  for (const [name, code] of Object.entries(DEMONYMS)) map.set(key(name), code);
  return map;
})();

/** The ISO 3166 alpha-2 code for a country name, code or nationality, or undefined. */
export function countryCode(text: string | undefined | null): string | undefined {
  if (text === undefined || text === null) return undefined;
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (/^[A-Za-z]{2}$/u.test(trimmed)) {
    const code = trimmed.toUpperCase();
    return countries.isValid(code) || code === 'XK' ? code : undefined;
  }
  if (/^[A-Za-z]{3}$/u.test(trimmed)) {
    const code = countries.alpha3ToAlpha2(trimmed.toUpperCase());
    if (code !== undefined) return code;
  }
  return BY_NAME.get(key(trimmed));
}

/** Country codes in a list field such as "(1) Libya (2) Tunisia" or "Iran; Iraq". */
export function countryCodes(text: string | undefined | null): string[] {
  if (text === undefined || text === null) return [];
  // "and" separates countries only where the whole is not one (Bosnia and Herzegovina, Trinidad and Tobago).
  const parts = text
    .split(/\(\d+\)|[;,/]/u)
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .flatMap((part) => (countryCode(part) === undefined ? part.split(/\band\b/u).map((p) => p.trim()) : [part]));
  const out = new Set<string>();
  for (const part of parts) {
    const code = countryCode(part);
    if (code !== undefined) out.add(code);
  }
  return [...out];
}

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};

function validDate(year: number, month?: number, day?: number): PartialDate | undefined {
  if (!Number.isInteger(year) || year < 1850 || year > 2100) return undefined;
  if (month === undefined || month === 0) return { year };
  if (month < 1 || month > 12) return { year };
  if (day === undefined || day === 0 || day > 31) return { year, month };
  return { year, month, day };
}

/**
 * Parses one date of birth as lists write it: "1948-12-10", "10 Dec 1948",
 * "Dec 1948", "1948", "circa 1950", "1960 to 1962", "10/12/1948" (day
 * first, as the UK and EU write it), "00/00/1980" (year only).
 */
export function parseBirthDate(text: string | undefined | null): PartialDate | undefined {
  if (text === undefined || text === null) return undefined;
  let value = text.trim().toLowerCase();
  if (value === '') return undefined;
  let approximate = false;
  if (/^(circa|c\.|approximately|approx\.?|about)\s*/u.test(value)) {
    approximate = true;
    value = value.replace(/^(circa|c\.|approximately|approx\.?|about)\s*/u, '');
  }
  const mark = (date: PartialDate | undefined): PartialDate | undefined =>
    date === undefined ? undefined : approximate ? { ...date, approximate } : date;
  let m = /^(\d{4})\s*(?:to|-|–)\s*(\d{4})$/u.exec(value);
  if (m !== null) {
    const from = Number(m[1]);
    const to = Number(m[2]);
    if (to >= from && to - from <= 30) return mark(validDate(from) === undefined ? undefined : { year: from, toYear: to });
    return undefined;
  }
  m = /^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?/u.exec(value);
  if (m !== null) return mark(validDate(Number(m[1]), Number(m[2]), m[3] === undefined ? undefined : Number(m[3])));
  m = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/u.exec(value);
  if (m !== null) return mark(validDate(Number(m[3]), Number(m[2]), Number(m[1])));
  m = /^(?:(\d{1,2})\s+)?([a-z]{3})[a-z]*\.?\s+(\d{4})$/u.exec(value);
  if (m !== null && MONTHS[m[2]!] !== undefined) {
    return mark(validDate(Number(m[3]), MONTHS[m[2]!], m[1] === undefined ? undefined : Number(m[1])));
  }
  m = /^(\d{4})$/u.exec(value);
  if (m !== null) return mark(validDate(Number(m[1])));
  return undefined;
}

/** US lists (OFAC, BIS) write dates MM/DD/YYYY; this gives yyyy-mm-dd, or undefined. */
export function usDateToIso(value: string | undefined | null): string | undefined {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/u.exec(value?.trim() ?? '');
  return m === null ? undefined : `${m[3]}-${m[1]}-${m[2]}`;
}
