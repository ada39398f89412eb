// A list file as read from disk, and the checks every file passes before an
// importer sees it: not empty, not a web page, and a format we know.
import { createHash } from 'node:crypto';
import { ListImportError, LIST_FORMATS, type ListFormat } from './model.js';

export interface ListFile {
  /** the file name as given, for messages */
  readonly name: string;
  readonly bytes: Buffer;
}

export function sha256(files: readonly ListFile[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
    hash.update(file.name.replace(/^.*[\\/]/u, ''));
    hash.update('\0');
    hash.update(file.bytes);
  }
  return hash.digest('hex');
}

function head(file: ListFile, length = 4096): string {
  return file.bytes.subarray(0, length).toString('utf8').replace(/^\uFEFF/u, '');
}

/** Refuses what is plainly not a list: empty files and HTML pages served in a list's place. */
export function checkFile(file: ListFile): void {
  if (file.bytes.length === 0 || file.bytes.toString('utf8').trim() === '') {
    throw new ListImportError('EMPTY_FILE', `${file.name}: the file is empty`);
  }
  const start = head(file).trimStart().slice(0, 512).toLowerCase();
  if (start.startsWith('<!doctype html') || start.startsWith('<html') || /<(head|body|script)[\s>]/u.test(start)) {
    throw new ListImportError('HTML_NOT_A_LIST', `${file.name}: this is a web page (HTML), not a sanctions list; the download probably returned the site's page instead of the file`);
  }
}

const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** Names the format of a set of files from their names and first bytes. */
export function detectFormat(files: readonly ListFile[]): ListFormat {
  const base = (file: ListFile): string => file.name.toLowerCase().replace(/^.*[\\/]/u, '');
  if (files.some((file) => ['sdn.csv', 'cons_prim.csv'].includes(base(file)))) return 'ofac_csv';
  const file = files[0]!;
  if (file.bytes.subarray(0, 4).equals(ZIP)) return 'uk_conlist_xlsx';
  const start = head(file);
  if (/<sdnList[\s>]/u.test(start)) return 'ofac_xml';
  if (/<CONSOLIDATED_LIST[\s>]/u.test(start)) return 'un_xml';
  if (/<export[\s>][^>]*fsd|<export\s[^>]*xmlns="http:\/\/eu\.europa\.ec\/fpi\/fsd\/export"/u.test(start) || /<sanctionEntity[\s>]/u.test(start)) return 'eu_fsf_xml';
  if (/<WHOLE[\s>]/u.test(start)) return 'eu_legacy_xml';
  const firstLine = start.split(/\r?\n/u)[0] ?? '';
  if (/^"?Last Updated"?,/u.test(firstLine)) return 'uk_conlist_csv';
  if (/^"Name"\t"Street_Address"/u.test(firstLine)) return 'bis_dpl';
  if (/^(_id,)?source,entity_number,type,programs,name/u.test(firstLine.replace(/"/gu, ''))) return 'trade_csl';
  if (/^"?id"?,"?schema"?,"?name"?,"?aliases"?/u.test(firstLine)) return 'os_targets_csv';
  if (/^\{.*"schema"\s*:/u.test(firstLine) || /^\{"op"\s*:/u.test(firstLine)) return 'ftm_json';
  if (/^\d+,"[^"]*",/u.test(firstLine)) return 'ofac_csv';
  throw new ListImportError('UNKNOWN_FORMAT', `${file.name}: not a list format this importer knows; name it with --format (${LIST_FORMATS.join(', ')})`);
}
