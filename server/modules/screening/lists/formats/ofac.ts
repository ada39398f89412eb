// OFAC: the legacy CSV set (sdn.csv with add.csv, alt.csv, sdn_comments.csv,
// or the cons_* files of the non-SDN list) and the sdnList XML. Column
// meanings are in OFAC's cons_dat_spec.txt: no header, "-0-" is null.
import { parse } from 'csv-parse/sync';
import type { EntitySchema } from '../../matching/normalize.js';
import { ListImportError, uniqueNames, unique, type Identifier, type ListEntry, type ParsedList, type PartialDate } from '../model.js';
import { countryCode, parseBirthDate, usDateToIso } from '../parse-helpers.js';
import { parseXml, asArray, text } from '../xml.js';
import type { ListFile } from '../files.js';

const NULL = /^-0-\s*$/u;

function value(field: string | undefined): string | undefined {
  if (field === undefined) return undefined;
  const trimmed = field.trim();
  return trimmed === '' || NULL.test(trimmed) ? undefined : trimmed;
}

function rows(file: ListFile, columns: number): string[][] {
  // The files end with a Ctrl-Z (0x1A) byte, a DOS end-of-file mark.
  const eof = file.bytes.lastIndexOf(0x1a);
  const bytes = eof >= 0 && file.bytes.subarray(eof + 1).toString('latin1').trim() === '' ? file.bytes.subarray(0, eof) : file.bytes;
  const content = bytes.toString('latin1');
  try {
    const records = parse(content, { relax_column_count: true, skip_empty_lines: true, relax_quotes: true }) as string[][];
    for (const [i, record] of records.entries()) {
      if (record.length < columns) {
        throw new ListImportError('TRUNCATED', `${file.name}: row ${i + 1} has ${record.length} of ${columns} columns; the file looks cut short`);
      }
    }
    return records;
  } catch (error) {
    if (error instanceof ListImportError) throw error;
    throw new ListImportError('MALFORMED', `${file.name}: not a valid OFAC CSV file (${(error as Error).message})`);
  }
}

function schemaOf(sdnType: string | undefined): EntitySchema {
  switch (sdnType?.toLowerCase()) {
    case 'individual':
      return 'Person';
    case 'vessel':
      return 'Vessel';
    case 'aircraft':
      return 'Organization';
    default:
      return 'Company';
  }
}

/** OFAC writes "LAST, First" for people; the matcher reads either order. */
function displayName(name: string): string {
  return name.replace(/\s+/gu, ' ').trim();
}

interface RemarkFacts {
  aliases: string[];
  birthDates: PartialDate[];
  nationalities: string[];
  identifiers: Identifier[];
}

const ID_TYPES = ['Passport', 'National ID No.', 'Cedula No.', 'Tax ID No.', 'SSN', 'Registration ID', 'D-U-N-S Number', 'Identification Number', 'NIT #', 'RFC', 'C.U.R.P.', 'Vessel Registration Identification', 'IMO', 'Business Registration Number', 'Public Security and Immigration No.', 'Driver\'s License No.', 'Residency Number', 'Kenyan ID No.', 'Bosnian Personal ID No.', 'Personal ID Card', 'UK Company Number', 'Company Number', 'Citizen\'s Card Number', 'Matricula Mercantil No'];

/** The facts OFAC keeps in free text: dates of birth, nationality, documents, aliases. */
export function parseRemarks(remarks: string | undefined): RemarkFacts {
  const facts: RemarkFacts = { aliases: [], birthDates: [], nationalities: [], identifiers: [] };
  if (remarks === undefined) return facts;
  for (const raw of remarks.split(';')) {
    const part = raw.trim().replace(/\.$/u, '');
    let m = /^(?:alt\.\s+)?DOB\s+(.+)$/iu.exec(part);
    if (m !== null) {
      const date = parseBirthDate(m[1]);
      if (date !== undefined) facts.birthDates.push(date);
      continue;
    }
    m = /^(?:alt\.\s+)?(?:nationality|citizen)\s+(.+)$/iu.exec(part);
    if (m !== null) {
      const code = countryCode(m[1]);
      if (code !== undefined) facts.nationalities.push(code);
      continue;
    }
    m = /^(?:a\.k\.a\.|f\.k\.a\.|n\.k\.a\.)\s+'(.+)'$/iu.exec(part);
    if (m !== null) {
      facts.aliases.push(m[1]!);
      continue;
    }
    for (const type of ID_TYPES) {
      const prefix = new RegExp(`^(?:alt\\.\\s+)?${type.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')}\\s+([^\\s(]+)(?:\\s*\\(([^)]+)\\))?`, 'iu');
      m = prefix.exec(part);
      if (m !== null) {
        const country = countryCode(m[2]);
        facts.identifiers.push({ type, value: m[1]!, ...(country === undefined ? {} : { country }) });
        break;
      }
    }
  }
  return facts;
}

function find(files: readonly ListFile[], ...names: string[]): ListFile | undefined {
  return files.find((file) => names.includes(file.name.toLowerCase().replace(/^.*[\\/]/u, '')));
}

export function importOfacCsv(files: readonly ListFile[]): ParsedList {
  const main = find(files, 'sdn.csv', 'cons_prim.csv');
  if (main === undefined) throw new ListImportError('MISSING_FILE', 'an OFAC CSV set needs sdn.csv or cons_prim.csv');
  const consolidated = main.name.toLowerCase().endsWith('cons_prim.csv');
  const prefix = consolidated ? 'cons_' : '';
  const alt = find(files, `${prefix}alt.csv`);
  const add = find(files, `${prefix}add.csv`);
  const comments = find(files, consolidated ? 'cons_comments.csv' : 'sdn_comments.csv');

  const aliases = new Map<string, string[]>();
  if (alt !== undefined) {
    for (const row of rows(alt, 4)) {
      const name = value(row[3]);
      if (name !== undefined) aliases.set(row[0]!.trim(), [...(aliases.get(row[0]!.trim()) ?? []), name]);
    }
  }
  const addressCountries = new Map<string, string[]>();
  if (add !== undefined) {
    for (const row of rows(add, 5)) {
      const code = countryCode(value(row[4]));
      if (code !== undefined) addressCountries.set(row[0]!.trim(), [...(addressCountries.get(row[0]!.trim()) ?? []), code]);
    }
  }
  const overflow = new Map<string, string>();
  if (comments !== undefined) for (const row of rows(comments, 2)) overflow.set(row[0]!.trim(), value(row[1]) ?? '');

  const entries: ListEntry[] = [];
  for (const row of rows(main, 12)) {
    const key = row[0]!.trim();
    if (!/^\d+$/u.test(key)) throw new ListImportError('MALFORMED', `${main.name}: "${key.slice(0, 40)}" is not an OFAC entity number`);
    const name = value(row[1]);
    if (name === undefined) continue;
    const remarks = [value(row[11]), overflow.get(key)].filter((part) => part !== undefined && part !== '').join('');
    const facts = parseRemarks(remarks);
    const schema = schemaOf(value(row[2]));
    const vesselFlag = countryCode(value(row[9]));
    entries.push({
      key,
      schema,
      names: uniqueNames([displayName(name), ...(aliases.get(key) ?? []), ...facts.aliases]),
      birthDates: facts.birthDates,
      nationalities: unique(facts.nationalities),
      countries: unique([...(addressCountries.get(key) ?? []), vesselFlag]),
      identifiers: facts.identifiers,
      topics: ['sanction'],
      programs: (value(row[3]) ?? '').split(/\]\s*\[|[\][]/u).map((p) => p.trim()).filter((p) => p !== ''),
      ...(remarks === '' ? {} : { remarks }),
    });
  }
  return { source: consolidated ? 'us_ofac_cons' : 'us_ofac_sdn', format: 'ofac_csv', publishedAt: null, entries, nonCommercial: false };
}

type XmlNode = Record<string, unknown>;

export function importOfacXml(files: readonly ListFile[]): ParsedList {
  const file = files[0]!;
  const doc = parseXml(file, ['sdnEntry', 'aka', 'address', 'id', 'dateOfBirthItem', 'nationality', 'citizenship', 'program']);
  const root = doc.sdnList as XmlNode | undefined;
  if (root === undefined) throw new ListImportError('MALFORMED', `${file.name}: no sdnList element`);
  const info = root.publshInformation as XmlNode | undefined;
  const published = text(info?.Publish_Date);
  const declared = Number(text(info?.Record_Count) ?? NaN);
  const items = asArray(root.sdnEntry) as XmlNode[];
  if (Number.isFinite(declared) && declared !== items.length) {
    throw new ListImportError('TRUNCATED', `${file.name}: the file declares ${declared} records but holds ${items.length}`);
  }
  const entries: ListEntry[] = items.map((item) => {
    const person = text(item.sdnType) === 'Individual';
    const full = (node: XmlNode): string => [text(node.firstName), text(node.lastName)].filter(Boolean).join(' ');
    const akas = asArray((item.akaList as XmlNode | undefined)?.aka) as XmlNode[];
    const ids = asArray((item.idList as XmlNode | undefined)?.id) as XmlNode[];
    const dobs = asArray((item.dateOfBirthList as XmlNode | undefined)?.dateOfBirthItem) as XmlNode[];
    const nats = asArray((item.nationalityList as XmlNode | undefined)?.nationality) as XmlNode[];
    const cits = asArray((item.citizenshipList as XmlNode | undefined)?.citizenship) as XmlNode[];
    const addresses = asArray((item.addressList as XmlNode | undefined)?.address) as XmlNode[];
    const sdnType = text(item.sdnType)?.toLowerCase();
    const schema: EntitySchema = person ? 'Person' : sdnType === 'vessel' ? 'Vessel' : 'Company';
    return {
      key: text(item.uid) ?? '',
      schema,
      names: uniqueNames([full(item), ...akas.map(full)]),
      birthDates: dobs.map((dob) => parseBirthDate(text(dob.dateOfBirth))).filter((d): d is PartialDate => d !== undefined),
      nationalities: unique([...nats, ...cits].map((n) => countryCode(text(n.country)))),
      countries: unique(addresses.map((a) => countryCode(text(a.country)))),
      identifiers: ids
        .filter((id) => !/additional sanctions|for more information|website|email|phone/iu.test(text(id.idType) ?? ''))
        .map((id) => ({ type: text(id.idType) ?? 'id', value: text(id.idNumber) ?? '', ...(countryCode(text(id.idCountry)) === undefined ? {} : { country: countryCode(text(id.idCountry))! }) }))
        .filter((id) => id.value !== ''),
      topics: ['sanction'],
      programs: asArray((item.programList as XmlNode | undefined)?.program).map((p) => String(p)),
      ...(text(item.remarks) === undefined ? {} : { remarks: text(item.remarks)! }),
    };
  });
  const consolidated = /consolidated|cons/iu.test(file.name);
  return { source: consolidated ? 'us_ofac_cons' : 'us_ofac_sdn', format: 'ofac_xml', publishedAt: usDateToIso(published) ?? null, entries, nonCommercial: false };
}


