// The EU Financial Sanctions Files: the current XML format 1.1 (root
// <export>, written from its XSD, fsf_export_schema_1_1.xsd) and the legacy
// 1.0 global.xml (<WHOLE>/<ENTITY>) that was discontinued.
import type { EntitySchema } from '../../matching/normalize.js';
import { ListImportError, uniqueNames, unique, type ListEntry, type ParsedList, type PartialDate } from '../model.js';
import { countryCode, parseBirthDate } from '../parse-helpers.js';
import { asArray, parseXml, text } from '../xml.js';
import type { ListFile } from '../files.js';

type Node = Record<string, unknown>;

function subjectSchema(code: string | undefined): EntitySchema {
  return code === 'person' ? 'Person' : 'Organization';
}

function fsfBirthDate(node: Node): PartialDate | undefined {
  const circa = text(node.circa) === 'true';
  const from = Number(text(node.yearRangeFrom));
  const to = Number(text(node.yearRangeTo));
  if (Number.isInteger(from) && from > 0 && Number.isInteger(to) && to >= from) return { year: from, toYear: to, ...(circa ? { approximate: true } : {}) };
  const date =
    parseBirthDate(text(node.birthdate)) ??
    (text(node.year) === undefined
      ? undefined
      : parseBirthDate([text(node.year), text(node.monthOfYear)?.padStart(2, '0'), text(node.dayOfMonth)?.padStart(2, '0')].filter(Boolean).join('-')));
  return date === undefined ? undefined : circa ? { ...date, approximate: true } : date;
}

export function importEuFsfXml(files: readonly ListFile[]): ParsedList {
  const file = files[0]!;
  const doc = parseXml(file, ['sanctionEntity', 'nameAlias', 'citizenship', 'birthdate', 'address', 'identification', 'regulation']);
  const root = doc.export as Node | undefined;
  if (root === undefined) throw new ListImportError('MALFORMED', `${file.name}: no <export> root element (EU FSF format 1.1)`);
  const entries: ListEntry[] = (asArray(root.sanctionEntity) as Node[]).map((item) => {
    const subject = item.subjectType as Node | undefined;
    const aliases = asArray(item.nameAlias) as Node[];
    const names = aliases.map((alias) => text(alias.wholeName) ?? [text(alias.firstName), text(alias.middleName), text(alias.lastName)].filter(Boolean).join(' '));
    const regulations = asArray(item.regulation) as Node[];
    return {
      key: text(item.logicalId) ?? text(item.euReferenceNumber) ?? '',
      schema: subjectSchema(text(subject?.code)),
      names: uniqueNames(names),
      birthDates: (asArray(item.birthdate) as Node[]).map(fsfBirthDate).filter((d): d is PartialDate => d !== undefined),
      nationalities: unique((asArray(item.citizenship) as Node[]).map((c) => countryCode(text(c.countryIso2Code)) ?? countryCode(text(c.countryDescription)))),
      countries: unique((asArray(item.address) as Node[]).map((a) => countryCode(text(a.countryIso2Code)) ?? countryCode(text(a.countryDescription)))),
      identifiers: (asArray(item.identification) as Node[])
        .filter((id) => text(id.number) !== undefined)
        .map((id) => {
          const country = countryCode(text(id.countryIso2Code));
          return { type: text(id.identificationTypeDescription) ?? text(id.identificationTypeCode) ?? 'id', value: text(id.number)!, ...(country === undefined ? {} : { country }) };
        }),
      topics: ['sanction'],
      programs: unique(regulations.map((r) => text(r.programme))),
      ...(text(item.remark) === undefined ? {} : { remarks: text(item.remark)! }),
      ...(text(item.designationDate) === undefined ? {} : { listedOn: text(item.designationDate)! }),
    };
  });
  return { source: 'eu_fsf', format: 'eu_fsf_xml', publishedAt: text(root.generationDate)?.slice(0, 10) ?? null, entries, nonCommercial: false };
}

export function importEuLegacyXml(files: readonly ListFile[]): ParsedList {
  const file = files[0]!;
  const doc = parseXml(file, ['ENTITY', 'NAME', 'BIRTH', 'PASSPORT', 'CITIZEN', 'ADDRESS']);
  const root = doc.WHOLE as Node | undefined;
  if (root === undefined) throw new ListImportError('MALFORMED', `${file.name}: no <WHOLE> root element (EU legacy format 1.0)`);
  const dated = /^(\d{2})\/(\d{2})\/(\d{4})$/u.exec(text(root.Date) ?? '');
  const entries: ListEntry[] = (asArray(root.ENTITY) as Node[]).map((item) => {
    const names = (asArray(item.NAME) as Node[]).map((n) => text(n.WHOLENAME) ?? [text(n.FIRSTNAME), text(n.MIDDLENAME), text(n.LASTNAME)].filter(Boolean).join(' '));
    return {
      key: text(item.Id) ?? '',
      schema: text(item.Type) === 'P' ? 'Person' : 'Organization',
      names: uniqueNames(names),
      birthDates: (asArray(item.BIRTH) as Node[]).map((b) => parseBirthDate(text(b.DATE))).filter((d): d is PartialDate => d !== undefined),
      nationalities: unique((asArray(item.CITIZEN) as Node[]).map((c) => countryCode(text(c.COUNTRY)))),
      countries: unique((asArray(item.ADDRESS) as Node[]).map((a) => countryCode(text(a.COUNTRY)))),
      identifiers: (asArray(item.PASSPORT) as Node[])
        .filter((p) => text(p.NUMBER) !== undefined)
        .map((p) => {
          const country = countryCode(text(p.COUNTRY));
          return { type: 'Passport', value: text(p.NUMBER)!, ...(country === undefined ? {} : { country }) };
        }),
      topics: ['sanction'],
      programs: unique([text(item.programme)]),
      ...(text(item.remark) === undefined ? {} : { remarks: text(item.remark)! }),
      ...(text(item.reg_date) === undefined ? {} : { listedOn: text(item.reg_date)! }),
    };
  });
  return { source: 'eu_fsf', format: 'eu_legacy_xml', publishedAt: dated === null ? null : `${dated[3]}-${dated[2]}-${dated[1]}`, entries, nonCommercial: false };
}
