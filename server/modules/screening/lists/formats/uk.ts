// HM Treasury / OFSI Consolidated List (ConList), CSV and XLSX: a
// "Last Updated" preamble row, then a header row, then one row per name
// variation; the rows of one target share a Group ID.
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import type { EntitySchema } from '../../matching/normalize.js';
import { ListImportError, uniqueNames, unique, type Identifier, type ListEntry, type ParsedList, type PartialDate } from '../model.js';
import { countryCodes, parseBirthDate } from '../parse-helpers.js';
import type { ListFile } from '../files.js';

type Row = Record<string, string>;

function schemaOf(groupType: string): EntitySchema {
  const type = groupType.toLowerCase();
  if (type === 'individual') return 'Person';
  if (type === 'ship') return 'Vessel';
  return 'Organization';
}

/** "dd/mm/yyyy", where the UK writes 00 for an unknown day or month. */
function ukDate(value: string | undefined): string | undefined {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/u.exec(value?.trim() ?? '');
  if (m === null) return undefined;
  return [m[3], m[2] === '00' ? undefined : m[2], m[1] === '00' || m[2] === '00' ? undefined : m[1]].filter(Boolean).join('-');
}

function toEntries(file: ListFile, preamble: readonly string[], header: readonly string[], rows: readonly (readonly string[])[]): ParsedList {
  if (!/^last updated$/iu.test(preamble[0]?.trim() ?? '')) {
    throw new ListImportError('MALFORMED', `${file.name}: the first row should be the "Last Updated" line of the OFSI ConList`);
  }
  for (const needed of ['Name 6', 'Group ID', 'Group Type']) {
    if (!header.includes(needed)) throw new ListImportError('MALFORMED', `${file.name}: the header row has no "${needed}" column`);
  }
  const groups = new Map<string, Row[]>();
  for (const [i, values] of rows.entries()) {
    const row: Row = {};
    header.forEach((name, index) => {
      row[name] = (values[index] ?? '').trim();
    });
    const id = row['Group ID']!;
    if (id === '') {
      if (values.every((v) => v.trim() === '')) continue;
      throw new ListImportError('TRUNCATED', `${file.name}: row ${i + 3} has no Group ID; the file looks cut short or damaged`);
    }
    groups.set(id, [...(groups.get(id) ?? []), row]);
  }
  const entries: ListEntry[] = [];
  for (const [id, group] of groups) {
    // The primary name first, then the aliases.
    group.sort((a, b) => Number(/alias/iu.test(a['Alias Type'] ?? '')) - Number(/alias/iu.test(b['Alias Type'] ?? '')));
    const first = group[0]!;
    const schema = schemaOf(first['Group Type'] ?? '');
    const names = group.flatMap((row) => {
      const parts = ['Name 1', 'Name 2', 'Name 3', 'Name 4', 'Name 5', 'Name 6'].map((k) => row[k]).filter((v) => v !== undefined && v !== '');
      return [parts.join(' '), row['Name Non-Latin Script']];
    });
    const births = group.flatMap((row) => (row.DOB ?? '').split(/\(\d+\)/u)).map((value) => parseBirthDate(ukDate(value) ?? value));
    const identifiers: Identifier[] = [];
    for (const row of group) {
      const passport = row['Passport Number'] ?? row['Passport Details'];
      if (passport !== undefined && passport !== '') identifiers.push({ type: 'Passport', value: passport.split(/[,\s]/u)[0]! });
      const national = row['National Identification Number'] ?? row['NI Number'];
      if (national !== undefined && national !== '') identifiers.push({ type: 'National ID', value: national.split(/[,\s]/u)[0]! });
    }
    entries.push({
      key: id,
      schema,
      names: uniqueNames(names),
      birthDates: births.filter((d): d is PartialDate => d !== undefined),
      nationalities: unique(group.flatMap((row) => countryCodes(row.Nationality))),
      countries: unique(group.flatMap((row) => countryCodes(row.Country))),
      identifiers: identifiers.filter((idn, i) => identifiers.findIndex((o) => o.value === idn.value) === i),
      topics: ['sanction'],
      programs: unique(group.map((row) => row.Regime)),
      ...(first['Other Information'] ? { remarks: first['Other Information'] } : {}),
      ...(ukDate(first['Listed On']) === undefined ? {} : { listedOn: ukDate(first['Listed On'])! }),
    });
  }
  return { source: 'gb_ofsi', format: file.name.toLowerCase().endsWith('.xlsx') ? 'uk_conlist_xlsx' : 'uk_conlist_csv', publishedAt: ukDate(preamble[1]) ?? null, entries, nonCommercial: false };
}

export function importUkCsv(files: readonly ListFile[]): ParsedList {
  const file = files[0]!;
  let records: string[][];
  try {
    records = parse(file.bytes.toString('utf8').replace(/^\uFEFF/u, ''), { relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (error) {
    throw new ListImportError('MALFORMED', `${file.name}: not a valid CSV file (${(error as Error).message})`);
  }
  if (records.length < 2) throw new ListImportError('NO_ENTRIES', `${file.name}: no header or rows after the "Last Updated" line`);
  return toEntries(file, records[0]!, records[1]!, records.slice(2));
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    return `${String(value.getUTCDate()).padStart(2, '0')}/${String(value.getUTCMonth() + 1).padStart(2, '0')}/${value.getUTCFullYear()}`;
  }
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('');
    if ('text' in value) return String(value.text);
    if ('result' in value) return String(value.result ?? '');
    return '';
  }
  return String(value);
}

export async function importUkXlsx(files: readonly ListFile[]): Promise<ParsedList> {
  const file = files[0]!;
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(file.bytes as unknown as ArrayBuffer);
  } catch (error) {
    throw new ListImportError('MALFORMED', `${file.name}: not a readable XLSX workbook (${(error as Error).message})`);
  }
  const sheet = workbook.worksheets[0];
  if (sheet === undefined) throw new ListImportError('NO_ENTRIES', `${file.name}: the workbook has no sheets`);
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const values = row.values as ExcelJS.CellValue[];
    rows.push(values.slice(1).map(cellText));
  });
  if (rows.length < 2) throw new ListImportError('NO_ENTRIES', `${file.name}: no header or rows after the "Last Updated" line`);
  return toEntries(file, rows[0]!, rows[1]!, rows.slice(2));
}
