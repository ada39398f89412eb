// The UN Security Council consolidated list (CONSOLIDATED_LIST XML):
// individuals and entities in separate sections, dates of birth EXACT,
// APPROXIMATELY or BETWEEN, and many empty elements.
import { ListImportError, uniqueNames, unique, type ListEntry, type ParsedList, type PartialDate } from '../model.js';
import { countryCode, parseBirthDate } from '../parse-helpers.js';
import { asArray, parseXml, text } from '../xml.js';
import type { ListFile } from '../files.js';

type Node = Record<string, unknown>;

function dateOfBirth(node: Node): PartialDate | undefined {
  const type = text(node.TYPE_OF_DATE);
  if (type === 'BETWEEN') {
    const from = Number(text(node.FROM_YEAR));
    const to = Number(text(node.TO_YEAR));
    if (Number.isInteger(from) && Number.isInteger(to) && to >= from) return { year: from, toYear: to };
    return undefined;
  }
  const date = parseBirthDate(text(node.DATE) ?? text(node.YEAR));
  if (date === undefined) return undefined;
  return type === 'APPROXIMATELY' ? { ...date, approximate: true } : date;
}

function values(node: unknown): string[] {
  return asArray((node as Node | undefined)?.VALUE).map((v) => text(v)).filter((v): v is string => v !== undefined);
}

export function importUnXml(files: readonly ListFile[]): ParsedList {
  const file = files[0]!;
  const doc = parseXml(file, ['INDIVIDUAL', 'ENTITY', 'INDIVIDUAL_ALIAS', 'ENTITY_ALIAS', 'INDIVIDUAL_DATE_OF_BIRTH', 'INDIVIDUAL_DOCUMENT', 'INDIVIDUAL_ADDRESS', 'ENTITY_ADDRESS', 'VALUE']);
  const root = doc.CONSOLIDATED_LIST as Node | undefined;
  if (root === undefined) throw new ListImportError('MALFORMED', `${file.name}: no CONSOLIDATED_LIST element`);
  const generated = text(root.dateGenerated);
  const entries: ListEntry[] = [];

  for (const item of asArray((root.INDIVIDUALS as Node | undefined)?.INDIVIDUAL) as Node[]) {
    const parts = [item.FIRST_NAME, item.SECOND_NAME, item.THIRD_NAME, item.FOURTH_NAME].map(text).filter(Boolean);
    const aliases = (asArray(item.INDIVIDUAL_ALIAS) as Node[]).map((alias) => text(alias.ALIAS_NAME));
    const documents = asArray(item.INDIVIDUAL_DOCUMENT) as Node[];
    entries.push({
      key: text(item.DATAID) ?? '',
      schema: 'Person',
      names: uniqueNames([parts.join(' '), text(item.NAME_ORIGINAL_SCRIPT), ...aliases]),
      birthDates: (asArray(item.INDIVIDUAL_DATE_OF_BIRTH) as Node[]).map(dateOfBirth).filter((d): d is PartialDate => d !== undefined),
      nationalities: unique(values(item.NATIONALITY).map(countryCode)),
      countries: unique((asArray(item.INDIVIDUAL_ADDRESS) as Node[]).map((a) => countryCode(text(a.COUNTRY)))),
      identifiers: documents
        .filter((d) => text(d.NUMBER) !== undefined)
        .map((d) => {
          const country = countryCode(text(d.ISSUING_COUNTRY) ?? text(d.COUNTRY_OF_ISSUE));
          return { type: text(d.TYPE_OF_DOCUMENT) ?? 'document', value: text(d.NUMBER)!, ...(country === undefined ? {} : { country }) };
        }),
      topics: ['sanction'],
      programs: unique([text(item.UN_LIST_TYPE), text(item.REFERENCE_NUMBER)]),
      ...(text(item.COMMENTS1) === undefined ? {} : { remarks: text(item.COMMENTS1)! }),
      ...(text(item.LISTED_ON) === undefined ? {} : { listedOn: text(item.LISTED_ON)! }),
    });
  }
  for (const item of asArray((root.ENTITIES as Node | undefined)?.ENTITY) as Node[]) {
    // Entities sometimes list two names in one field, separated by " ; ".
    const primary = (text(item.FIRST_NAME) ?? '').split(/\s;\s/u);
    const aliases = (asArray(item.ENTITY_ALIAS) as Node[]).map((alias) => text(alias.ALIAS_NAME));
    entries.push({
      key: text(item.DATAID) ?? '',
      schema: 'Organization',
      names: uniqueNames([...primary, text(item.NAME_ORIGINAL_SCRIPT), ...aliases]),
      birthDates: [],
      nationalities: [],
      countries: unique((asArray(item.ENTITY_ADDRESS) as Node[]).map((a) => countryCode(text(a.COUNTRY)))),
      identifiers: [],
      topics: ['sanction'],
      programs: unique([text(item.UN_LIST_TYPE), text(item.REFERENCE_NUMBER)]),
      ...(text(item.COMMENTS1) === undefined ? {} : { remarks: text(item.COMMENTS1)! }),
      ...(text(item.LISTED_ON) === undefined ? {} : { listedOn: text(item.LISTED_ON)! }),
    });
  }
  return { source: 'un_sc', format: 'un_xml', publishedAt: generated?.slice(0, 10) ?? null, entries, nonCommercial: false };
}
