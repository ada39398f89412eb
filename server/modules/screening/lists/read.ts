// Reads list files into a ParsedList: checks each file, detects or takes the
// format, runs its importer and checks the result holds entries with keys.
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { ListImportError, LIST_FORMATS, type ListEntry, type ListFormat, type ParsedList } from './model.js';
import { checkFile, detectFormat, sha256, type ListFile } from './files.js';
import { importOfacCsv, importOfacXml } from './formats/ofac.js';
import { importUnXml } from './formats/un.js';
import { importEuFsfXml, importEuLegacyXml } from './formats/eu.js';
import { importUkCsv, importUkXlsx } from './formats/uk.js';
import { importBisDpl, importTradeCsl } from './formats/us-other.js';
import { importFtmJson, importOsTargetsCsv } from './formats/opensanctions.js';

const IMPORTERS: Record<ListFormat, (files: readonly ListFile[]) => ParsedList | Promise<ParsedList>> = {
  ofac_csv: importOfacCsv,
  ofac_xml: importOfacXml,
  un_xml: importUnXml,
  eu_fsf_xml: importEuFsfXml,
  eu_legacy_xml: importEuLegacyXml,
  uk_conlist_csv: importUkCsv,
  uk_conlist_xlsx: importUkXlsx,
  bis_dpl: importBisDpl,
  trade_csl: importTradeCsl,
  ftm_json: importFtmJson,
  os_targets_csv: importOsTargetsCsv,
};

export interface ReadList extends ParsedList {
  readonly fileHash: string;
  readonly files: readonly string[];
}

export function isListFormat(value: string): value is ListFormat {
  return (LIST_FORMATS as readonly string[]).includes(value);
}

/** Keys must be unique within a version; rows that share one (the DPL has none of its own) are told apart by order. */
function distinctKeys(entries: readonly ListEntry[]): ListEntry[] {
  const seen = new Map<string, number>();
  return entries.map((entry) => {
    const count = seen.get(entry.key) ?? 0;
    seen.set(entry.key, count + 1);
    return count === 0 ? entry : { ...entry, key: `${entry.key}~${count + 1}` };
  });
}

export async function parseListFiles(files: readonly ListFile[], format?: ListFormat): Promise<ReadList> {
  if (files.length === 0) throw new ListImportError('MISSING_FILE', 'no list files given');
  for (const file of files) checkFile(file);
  const chosen = format ?? detectFormat(files);
  const parsed = await IMPORTERS[chosen](files);
  if (parsed.entries.length === 0) {
    throw new ListImportError('NO_ENTRIES', `${files.map((f) => basename(f.name)).join(', ')}: read as ${chosen}, but holds no entries`);
  }
  const unnamed = parsed.entries.find((entry) => entry.key === '' || entry.names.length === 0);
  if (unnamed !== undefined) {
    throw new ListImportError('MALFORMED', `${files[0]!.name}: an entry has no ${unnamed.key === '' ? 'key' : `name (key ${unnamed.key})`}`);
  }
  return { ...parsed, entries: distinctKeys(parsed.entries), fileHash: sha256(files), files: files.map((f) => basename(f.name)) };
}

export async function readListFiles(paths: readonly string[], format?: ListFormat): Promise<ReadList> {
  const files: ListFile[] = [];
  for (const path of paths) {
    try {
      files.push({ name: path, bytes: await readFile(path) });
    } catch (error) {
      throw new ListImportError('MISSING_FILE', `${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  return parseListFiles(files, format);
}

/** The files of OFAC's legacy CSV sets: each set is one list, given together from one folder. */
const OFAC_SETS = [
  { main: 'sdn.csv', members: ['sdn.csv', 'alt.csv', 'add.csv', 'sdn_comments.csv'], label: 'the OFAC SDN CSV set (sdn.csv with alt.csv, add.csv, sdn_comments.csv)' },
  { main: 'cons_prim.csv', members: ['cons_prim.csv', 'cons_alt.csv', 'cons_add.csv', 'cons_comments.csv'], label: 'the OFAC consolidated CSV set (cons_prim.csv with cons_alt.csv, cons_add.csv, cons_comments.csv)' },
] as const;

/**
 * Splits the files named on a command line into lists: the files of one OFAC CSV set in one folder
 * form one list, every other file is a list of its own. A set member without its main file belongs
 * to no list and is refused by name; so is a file named twice. Order follows the command line.
 */
export function groupListFiles(paths: readonly string[]): string[][] {
  const groups: string[][] = [];
  const setOf = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const path of paths) {
    const key = resolve(path);
    if (seen.has(key)) throw new ListImportError('MALFORMED', `${path} is named twice; name each file once`);
    seen.add(key);
    const name = basename(path).toLowerCase();
    const set = OFAC_SETS.find((s) => (s.members as readonly string[]).includes(name));
    if (set === undefined) {
      groups.push([path]);
      continue;
    }
    const id = `${set.main}|${dirname(key)}`;
    let group = setOf.get(id);
    if (group === undefined) {
      group = [];
      setOf.set(id, group);
      groups.push(group);
    }
    if (group.some((p) => basename(p).toLowerCase() === name)) throw new ListImportError('MALFORMED', `${path}: two files named ${name} in one folder`);
    group.push(path);
  }
  for (const group of setOf.values()) {
    const names = group.map((p) => basename(p).toLowerCase());
    const set = OFAC_SETS.find((s) => (s.members as readonly string[]).includes(names[0]!))!;
    if (!names.includes(set.main)) {
      throw new ListImportError('MISSING_FILE', `${group.join(', ')}: ${group.length === 1 ? 'this file belongs' : 'these files belong'} to ${set.label}, but ${set.main} from the same folder was not named; give them together`);
    }
  }
  return groups;
}
