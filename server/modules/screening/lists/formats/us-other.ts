// Other US lists: the BIS Denied Persons List (tab-separated dpl.txt with
// quoted fields) and trade.gov's Consolidated Screening List CSV (2019
// layout, and the newer one with a leading _id column).
import { parse } from 'csv-parse/sync';
import type { EntitySchema } from '../../matching/normalize.js';
import { ListImportError, uniqueNames, unique, type ListEntry, type ParsedList, type PartialDate } from '../model.js';
import { countryCode, countryCodes, parseBirthDate, usDateToIso } from '../parse-helpers.js';
import { sha256, type ListFile } from '../files.js';

function records(file: ListFile, delimiter: string): Array<Record<string, string>> {
  try {
    return parse(file.bytes.toString('utf8').replace(/^\uFEFF/u, ''), { columns: true, delimiter, relax_column_count: true, skip_empty_lines: true, relax_quotes: true, trim: true }) as Array<Record<string, string>>;
  } catch (error) {
    throw new ListImportError('MALFORMED', `${file.name}: not a valid ${delimiter === '\t' ? 'tab-separated' : 'CSV'} file (${(error as Error).message})`);
  }
}

/** The DPL has no key; name and address together identify a row. */
function syntheticKey(...parts: string[]): string {
  return sha256([{ name: 'k', bytes: Buffer.from(parts.join('\u0001').toLowerCase()) }]).slice(0, 16);
}

export function importBisDpl(files: readonly ListFile[]): ParsedList {
  const file = files[0]!;
  const entries: ListEntry[] = records(file, '\t').map((row) => {
    const name = row.Name ?? '';
    const country = countryCode(row.Country);
    return {
      key: syntheticKey(name, row.Street_Address ?? '', row.City ?? '', row.Effective_Date ?? ''),
      // The DPL does not say; most denied persons are people, some firms ("... INC.", "LTD").
      schema: /\b(inc|ltd|llc|corp|co|company|gmbh|limited|s\.?a\.?|trading|industries|group)\b\.?/iu.test(name) ? 'Company' : 'Person',
      names: uniqueNames([name]),
      birthDates: [],
      nationalities: [],
      countries: country === undefined ? [] : [country],
      identifiers: [],
      topics: ['sanction'],
      programs: ['DPL'],
      ...(usDateToIso(row.Effective_Date) === undefined ? {} : { listedOn: usDateToIso(row.Effective_Date)! }),
      ...(row.Action ? { remarks: `${row.Action}; ${row.FR_Citation ?? ''}`.trim() } : {}),
    };
  });
  return { source: 'us_bis_dpl', format: 'bis_dpl', publishedAt: null, entries, nonCommercial: false };
}

function cslSchema(type: string | undefined, name: string): EntitySchema {
  switch ((type ?? '').toLowerCase()) {
    case 'individual':
      return 'Person';
    case 'vessel':
      return 'Vessel';
    case 'entity':
      return 'Company';
    default:
      return /\b(inc|ltd|llc|corp|company|limited|gmbh)\b/iu.test(name) ? 'Company' : 'Organization';
  }
}

export function importTradeCsl(files: readonly ListFile[]): ParsedList {
  const file = files[0]!;
  const entries: ListEntry[] = records(file, ',').map((row) => {
    const name = row.name ?? '';
    const key = row._id || row.entity_number || syntheticKey(row.source ?? '', name, row.addresses ?? '');
    return {
      key: `${row.source ?? ''}#${key}`,
      schema: cslSchema(row.type, name),
      names: uniqueNames([name.replace(/;\s*and any successor.*$/iu, ''), ...(row.alt_names ?? '').split(';')]),
      birthDates: (row.dates_of_birth ?? '').split(';').map((d) => parseBirthDate(d)).filter((d): d is PartialDate => d !== undefined),
      nationalities: unique([...countryCodes(row.nationalities), ...countryCodes(row.citizenships)]),
      countries: unique((row.addresses ?? '').split(';').map((address) => countryCode(address.split(',').pop()))),
      identifiers: [],
      topics: ['sanction'],
      programs: unique([row.source, ...(row.programs ?? '').split(';').map((p) => p.trim())]),
      ...(row.remarks ? { remarks: row.remarks } : {}),
      ...(row.start_date ? { listedOn: row.start_date } : {}),
    };
  });
  return { source: 'us_trade_csl', format: 'trade_csl', publishedAt: null, entries, nonCommercial: false };
}
