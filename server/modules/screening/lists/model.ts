// What every list importer produces: one shape for entries of every list, so
// that the matcher, the diff and the review pane never see a list's format.
import type { EntitySchema } from '../matching/normalize.js';

/** A date of birth as lists give it: a day, a month, a year, or a range of years. */
export interface PartialDate {
  readonly year: number;
  readonly month?: number;
  readonly day?: number;
  /** a range ("1960 to 1962", UN BETWEEN): year is its start */
  readonly toYear?: number;
  /** "circa", "approximately" */
  readonly approximate?: boolean;
}

export interface Identifier {
  readonly type: string;
  readonly value: string;
  readonly country?: string;
}

export interface ListEntry {
  /** the list's own stable key (OFAC ent_num, UN DATAID, OFSI Group ID, …) */
  readonly key: string;
  readonly schema: EntitySchema;
  /** the primary name first, then every alias the list gives */
  readonly names: readonly string[];
  readonly birthDates: readonly PartialDate[];
  /** ISO 3166 alpha-2 codes */
  readonly nationalities: readonly string[];
  /** countries of address or registration, ISO 3166 alpha-2 */
  readonly countries: readonly string[];
  readonly identifiers: readonly Identifier[];
  readonly programs: readonly string[];
  /** what the entry is: "sanction", "role.pep", "crime", … (FollowTheMoney topics); official sanctions lists are "sanction" */
  readonly topics: readonly string[];
  readonly remarks?: string;
  readonly listedOn?: string;
}

export const LIST_FORMATS = [
  'ofac_csv',
  'ofac_xml',
  'un_xml',
  'eu_fsf_xml',
  'eu_legacy_xml',
  'uk_conlist_csv',
  'uk_conlist_xlsx',
  'bis_dpl',
  'trade_csl',
  'ftm_json',
  'os_targets_csv',
] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];

export interface ParsedList {
  /** which list this is, e.g. us_ofac_sdn; versions of one source are diffed against each other */
  readonly source: string;
  readonly format: ListFormat;
  /** the publication date the file states, ISO yyyy-mm-dd, when it states one */
  readonly publishedAt: string | null;
  readonly entries: readonly ListEntry[];
  /** data that may not be used in production (OpenSanctions: CC BY-NC) */
  readonly nonCommercial: boolean;
}

export type ListRefusal =
  | 'EMPTY_FILE'
  | 'HTML_NOT_A_LIST'
  | 'MALFORMED'
  | 'TRUNCATED'
  | 'UNKNOWN_FORMAT'
  | 'NO_ENTRIES'
  | 'TOO_MANY_REMOVED'
  | 'MISSING_FILE';

/** A list file refused, with the reason an operator can act on. */
export class ListImportError extends Error {
  constructor(
    readonly reason: ListRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'ListImportError';
  }
}

/** Deduplicates names, keeping the first spelling of each and dropping blanks. */
export function uniqueNames(names: ReadonlyArray<string | undefined | null>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of names) {
    const name = raw?.replace(/\s+/gu, ' ').trim();
    if (name === undefined || name === '' || seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    out.push(name);
  }
  return out;
}

export function unique<T>(values: ReadonlyArray<T | undefined | null>): T[] {
  return [...new Set(values.filter((value): value is T => value !== undefined && value !== null && value !== ''))];
}
