// `npm run lists -- import FILE... --data-dir DIR [--format F]`: loads every
// list named as a new version (the files of one OFAC CSV set together, every
// other file on its own; format detected from the files, or named), prints each
// one's diff against its previous version, re-screens every client against the
// entries it added or changed (opening review cases), and refuses bad files
// with the reason. Every file is read and checked before anything is imported:
// one bad file imports nothing. A list the import itself refuses (unchanged,
// or too many removals for the policy) is reported and the others still load.
// `npm run lists -- versions --data-dir DIR [--source S]` lists the versions;
// `npm run lists -- diff VERSION --data-dir DIR` prints one version's changes.

import { userInfo } from 'node:os';
import { createServer } from '../app.js';
import type { Actor } from '../core/actor.js';
import { DomainError } from '../../shared/errors.js';
import { ListImportError, LIST_FORMATS } from '../modules/screening/lists/model.js';
import { groupListFiles, isListFormat, readListFiles } from '../modules/screening/lists/read.js';
import { parseFlags, storageConfig } from './args.js';

const USAGE = [
  'npm run lists -- import FILE... --data-dir DIR [--format F] [--database-url URL]',
  '       npm run lists -- versions --data-dir DIR [--source S]',
  '       npm run lists -- diff VERSION --data-dir DIR [--op added|removed|changed]',
  `Formats: ${LIST_FORMATS.join(', ')}`,
].join('\n');

const { values, positionals } = parseFlags(
  {
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    format: { type: 'string' },
    source: { type: 'string' },
    op: { type: 'string' },
  },
  USAGE,
);
const [command, ...args] = positionals;
function usage(message: string): never {
  console.error(`${message}\n\nUsage: ${USAGE}`);
  process.exit(2);
}
if (command === undefined || !['import', 'versions', 'diff'].includes(command)) usage(command === undefined ? 'Name a command.' : `Unknown command "${command}".`);
if (values.format !== undefined && !isListFormat(values.format)) usage(`--format must be one of ${LIST_FORMATS.join(', ')}, not "${values.format}"`);
if (values.op !== undefined && !['added', 'removed', 'changed'].includes(values.op)) usage(`--op must be added, removed or changed, not "${values.op}"`);
if (command === 'import' && args.length === 0) usage('Name at least one list file to import.');
if (command === 'diff' && args.length !== 1) usage('Name one list version, e.g. LST-000002.');

const actor: Actor = { id: 'cli:lists', name: `lists command (${userInfo().username})`, ip: null, userAgent: 'npm run lists', sessionId: null };

const config = storageConfig(values);

// Read and check every file before opening the database: a bad file changes nothing.
const lists: Array<Awaited<ReturnType<typeof readListFiles>>> = [];
if (command === 'import') {
  try {
    for (const group of groupListFiles(args)) lists.push(await readListFiles(group, values.format as (typeof LIST_FORMATS)[number] | undefined));
  } catch (error) {
    if (error instanceof ListImportError) {
      console.error(`Refused (${error.reason}): ${error.message}\nNothing was imported; the previous versions stay active.`);
      process.exit(1);
    }
    throw error;
  }
}

const server = await createServer(config);
try {
  const versions = server.services.lists;
  if (command === 'import') {
    if (lists.length > 1) console.log(`${lists.length} lists to import: ${lists.map((l) => l.files.join(' + ')).join('; ')}.`);
    for (const list of lists) {
      try {
        const { import: result, rescreen } = await server.services.screening.importList(actor, list);
        console.log(
          `${list.files.join(' + ')}: imported ${result.source} as ${result.versionId}: ${result.entries} entries` +
            (result.publishedAt ? `, published ${result.publishedAt}` : '') +
            (result.previousVersion ? `; against ${result.previousVersion}: ${result.added} added, ${result.removed} removed, ${result.changed} changed.` : ' (first version).'),
        );
        console.log(
          `  Re-screened ${rescreen.subjects.toLocaleString()} clients and related parties against the ${rescreen.entriesScreened.toLocaleString()} added or changed entries: ` +
            `${rescreen.hits} hit(s), ${rescreen.opened.length} review case(s) opened${rescreen.opened.length ? ` (${rescreen.opened.slice(0, 10).join(', ')}${rescreen.opened.length > 10 ? ', …' : ''})` : ''}, ` +
            `${rescreen.suppressed} suppressed by earlier false-positive decisions, ${rescreen.alreadyOpen} already under review.`,
        );
        if (list.nonCommercial) console.log('  Note: OpenSanctions data is CC BY-NC 4.0: for tests and development only, never production data.');
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const unchanged = error.reason === 'ALREADY_EXISTS';
        console.error(`${list.files.join(' + ')}: ${unchanged ? 'not imported, unchanged' : `refused (${error.reason})`}: ${error.message}`);
        if (!unchanged) process.exitCode = 1;
      }
    }
  } else if (command === 'versions') {
    const rows = await versions.versions(values.source);
    if (rows.length === 0) console.log('No list versions yet.');
    for (const v of rows) {
      console.log(`${v.current ? '*' : ' '} ${v.id}  ${v.source.padEnd(24)} ${String(v.entries).padStart(6)} entries  +${v.added} -${v.removed} ~${v.changed}  published ${v.publishedAt ?? 'n/a'}  imported ${v.importedAt}  ${v.fileHash.slice(0, 12)}`);
    }
  } else if (command === 'diff') {
    const rows = await versions.diff(args[0]!, values.op as 'added' | 'removed' | 'changed' | undefined);
    for (const row of rows) console.log(`${row.op.padEnd(8)} ${row.key.padEnd(12)} ${row.name}`);
    console.log(`${rows.length} changes.`);
  }
} catch (error) {
  if (error instanceof DomainError) {
    console.error(`${error.reason === 'LIST_REFUSED' ? 'Refused' : 'Not imported'} (${error.reason}): ${error.message}`);
    process.exitCode = 1;
  } else throw error;
} finally {
  await server.close();
}
