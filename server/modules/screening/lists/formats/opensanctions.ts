// OpenSanctions exports: FollowTheMoney entities as JSON lines
// (entities.ftm.json) and the targets.simple.csv table. Their data is
// licensed CC BY-NC 4.0: importing is allowed, shipping or seeding it as
// production data is not, so every version from here is marked non-commercial.
import { parse } from 'csv-parse/sync';
import type { EntitySchema } from '../../matching/normalize.js';
import { ListImportError, uniqueNames, unique, type Identifier, type ListEntry, type ParsedList, type PartialDate } from '../model.js';
import { countryCode, parseBirthDate } from '../parse-helpers.js';
import type { ListFile } from '../files.js';

const TARGET_SCHEMAS: Record<string, EntitySchema> = {
  Person: 'Person',
  Company: 'Company',
  Organization: 'Organization',
  LegalEntity: 'Company',
  PublicBody: 'Organization',
  Vessel: 'Vessel',
  Airplane: 'Organization',
};

const ID_PROPERTIES = ['idNumber', 'passportNumber', 'innCode', 'ogrnCode', 'registrationNumber', 'taxNumber', 'imoNumber', 'leiCode', 'swiftBic', 'vatCode'];

interface FtmEntity {
  id: string;
  schema: string;
  properties: Record<string, string[] | undefined>;
  datasets?: string[];
  target?: boolean;
  first_seen?: string;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/gu, '_').replace(/^_|_$/gu, '');
}

function topicsFor(entity: FtmEntity): string[] {
  const topics = entity.properties.topics ?? [];
  if (topics.length > 0) return topics;
  // PEP datasets (wd_persons, wd_peps, …) do not always tag their people.
  return (entity.datasets ?? []).some((d) => /pep|wd_persons/u.test(d)) ? ['role.pep'] : ['sanction'];
}

function fromEntity(entity: FtmEntity): ListEntry | undefined {
  const schema = TARGET_SCHEMAS[entity.schema];
  if (schema === undefined) return undefined;
  const p = entity.properties;
  const identifiers: Identifier[] = ID_PROPERTIES.flatMap((prop) => (p[prop] ?? []).map((value) => ({ type: prop, value })));
  return {
    key: entity.id,
    schema,
    names: uniqueNames([...(p.name ?? []), ...(p.alias ?? []), ...(p.previousName ?? []), ...(p.weakAlias ?? [])]),
    birthDates: (p.birthDate ?? [])
      .map((d) => parseBirthDate(d))
      .filter((d): d is PartialDate => d !== undefined),
    nationalities: unique([...(p.nationality ?? []), ...(p.citizenship ?? [])].map(countryCode)),
    countries: unique([...(p.country ?? []), ...(p.jurisdiction ?? []), ...(p.flag ?? [])].map(countryCode)),
    identifiers,
    programs: unique([...(p.program ?? []), ...(entity.datasets ?? [])]),
    topics: topicsFor(entity),
    ...((p.notes ?? []).length > 0 ? { remarks: p.notes!.join(' ') } : {}),
    ...(entity.first_seen ? { listedOn: entity.first_seen.slice(0, 10) } : {}),
  };
}

export function importFtmJson(files: readonly ListFile[]): ParsedList {
  const entries: ListEntry[] = [];
  let dataset: string | undefined;
  let latest = '';
  for (const file of files) {
    const lines = file.bytes.toString('utf8').split('\n');
    for (const [i, line] of lines.entries()) {
      if (line.trim() === '') continue;
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        const last = i >= lines.length - 2;
        throw new ListImportError(last ? 'TRUNCATED' : 'MALFORMED', `${file.name}: line ${i + 1} is not a JSON object${last ? '; the file looks cut short' : ''}`);
      }
      if ('op' in record) {
        throw new ListImportError('UNKNOWN_FORMAT', `${file.name}: this is an OpenSanctions delta (ADD/MOD/DEL operations), not a full export; import entities.ftm.json`);
      }
      const entity = record as unknown as FtmEntity;
      if (typeof entity.id !== 'string' || typeof entity.schema !== 'string' || typeof entity.properties !== 'object') {
        throw new ListImportError('MALFORMED', `${file.name}: line ${i + 1} is not a FollowTheMoney entity (id, schema, properties)`);
      }
      dataset ??= entity.datasets?.[0];
      const changed = (record.last_change as string | undefined) ?? '';
      if (changed > latest) latest = changed;
      const entry = fromEntity(entity);
      if (entry !== undefined && entry.names.length > 0) entries.push(entry);
    }
  }
  return { source: `opensanctions_${slug(dataset ?? 'default')}`, format: 'ftm_json', publishedAt: latest === '' ? null : latest.slice(0, 10), entries, nonCommercial: true };
}

export function importOsTargetsCsv(files: readonly ListFile[]): ParsedList {
  const file = files[0]!;
  let rows: Array<Record<string, string>>;
  try {
    rows = parse(file.bytes.toString('utf8').replace(/^\uFEFF/u, ''), { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
  } catch (error) {
    throw new ListImportError('MALFORMED', `${file.name}: not a valid targets.simple.csv (${(error as Error).message})`);
  }
  let latest = '';
  const entries: ListEntry[] = [];
  for (const row of rows) {
    const schema = TARGET_SCHEMAS[row.schema ?? ''];
    if (schema === undefined) continue;
    if ((row.last_change ?? '') > latest) latest = row.last_change!;
    const split = (value: string | undefined): string[] => (value ?? '').split(';').map((v) => v.trim()).filter((v) => v !== '');
    entries.push({
      key: row.id ?? '',
      schema,
      names: uniqueNames([row.name, ...split(row.aliases)]),
      birthDates: split(row.birth_date).map((d) => parseBirthDate(d)).filter((d): d is PartialDate => d !== undefined),
      nationalities: schema === 'Person' ? unique(split(row.countries).map(countryCode)) : [],
      countries: unique(split(row.countries).map(countryCode)),
      identifiers: split(row.identifiers).map((value) => ({ type: 'id', value })),
      programs: unique([...split(row.program_ids), row.dataset]),
      topics: /pep/iu.test(row.dataset ?? '') ? ['role.pep'] : ['sanction'],
      ...(row.first_seen ? { listedOn: row.first_seen.slice(0, 10) } : {}),
    });
  }
  const dataset = rows[0]?.dataset ?? 'default';
  return { source: `opensanctions_${slug(dataset)}`, format: 'os_targets_csv', publishedAt: latest === '' ? null : latest.slice(0, 10), entries, nonCommercial: true };
}
