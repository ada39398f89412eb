// The batch command-line tools as a compliance analyst runs them, on real and messy files:
// `npm run lists -- import` with several files of several lists at once, and `npm run screen` on a
// customer file with impossible dates, unreadable nationalities and rows it must stop at.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../testing/harness.js';
import { runTool } from '../testing/processes.js';
import { dataFile, SHARED_DATA_MISSING, sharedDataPresent } from '../testing/shared-data.js';

function sdnRow(id: number, name: string, type = 'individual'): string {
  return `${id},"${name}","${type}","RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- `;
}

/** A small OFAC SDN CSV set in a folder: sdn.csv with its alt.csv. */
function ofacSet(dir: string, rows: string[], aliases: string[] = []): string[] {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'sdn.csv'), `${rows.join('\r\n')}\r\n\u001a`);
  writeFileSync(join(dir, 'alt.csv'), `${aliases.join('\r\n')}\r\n\u001a`);
  return [join(dir, 'sdn.csv'), join(dir, 'alt.csv')];
}

describe('npm run lists -- import with several files', () => {
  it('imports every list named, the files of one OFAC set together, each reported on its own line', () => {
    const dir = tempDir('fxbo-lists-');
    const set = ofacSet(join(dir, 'ofac'), [sdnRow(36, 'AEROCARIBBEAN AIRLINES', '-0- '), sdnRow(173, 'ANGLO-CARIBBEAN CO., LTD.', '-0- '), sdnRow(306, 'BANCO NACIONAL DE CUBA', '-0- ')], ['36,12,"aka","AERO-CARIBBEAN",-0- ']);
    const uk = join(dir, 'targets.simple.csv');
    writeFileSync(uk, '"id","schema","name","aliases","birth_date","countries","addresses","identifiers","sanctions","phones","emails","program_ids","dataset","first_seen","last_seen","last_change"\n"NK-test1","Person","Ivan Testov","","1970-02-01","ru","","","","","","","Test dataset","2025-10-06T14:15:21","2026-03-13T05:41:01","2026-02-05T14:54:48"\n');
    const r = runTool('server/cli/lists.ts', ['import', set[1]!, uk, set[0]!, '--data-dir', join(dir, 'data')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').filter((l) => !l.startsWith('  '));
    expect(lines[0]).toBe('2 lists to import: alt.csv + sdn.csv; targets.simple.csv.');
    expect(lines[1]).toMatch(/^alt\.csv \+ sdn\.csv: imported us_ofac_sdn as LST-000001: 3 entries \(first version\)\.$/);
    expect(lines[2]).toMatch(/^targets\.simple\.csv: imported \w+ as LST-000002: 1 entries/);
    const versions = runTool('server/cli/lists.ts', ['versions', '--data-dir', join(dir, 'data')]);
    expect(versions.stdout.trim().split('\n')).toHaveLength(2);

    // Again, with a changed OFAC set: the unchanged list says so, the changed one loads.
    ofacSet(join(dir, 'ofac'), [sdnRow(36, 'AEROCARIBBEAN AIRLINES', '-0- '), sdnRow(173, 'ANGLO-CARIBBEAN CO., LTD.', '-0- '), sdnRow(306, 'BANCO NACIONAL DE CUBA', '-0- '), sdnRow(48754, 'BUTRYM, Natallia')]);
    const again = runTool('server/cli/lists.ts', ['import', ...set, uk, '--data-dir', join(dir, 'data')]);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/sdn\.csv \+ alt\.csv: imported us_ofac_sdn as LST-000003: 4 entries; against LST-000001: 1 added, 0 removed, 1 changed\./);
    expect(again.stderr).toMatch(/^targets\.simple\.csv: not imported, unchanged: .* is already the current version/m);
  });

  it('refuses, by name and before importing anything, a file that belongs to no list', () => {
    const dir = tempDir('fxbo-lists-');
    const set = ofacSet(join(dir, 'ofac'), [sdnRow(36, 'AEROCARIBBEAN AIRLINES', '-0- ')]);
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'Downloaded from the Treasury site on Monday.\n');
    const lone = ofacSet(join(dir, 'other'), [sdnRow(1, 'X')]);
    const cases: Array<[string[], RegExp]> = [
      [[...set, notes], /Refused \(UNKNOWN_FORMAT\): .*notes\.txt: not a list format/],
      [[set[0]!, lone[1]!], /Refused \(MISSING_FILE\): .*other\/alt\.csv: this file belongs to the OFAC SDN CSV set .* but sdn\.csv from the same folder was not named/],
      [[set[0]!, set[0]!], /sdn\.csv is named twice/],
    ];
    for (const [files, message] of cases) {
      const r = runTool('server/cli/lists.ts', ['import', ...files, '--data-dir', join(dir, 'data')]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain('Nothing was imported');
    }
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it.skipIf(!sharedDataPresent)('loads real lists of three formats in one command', () => {
    const dir = tempDir('fxbo-lists-');
    const files = ['add.csv', 'alt.csv', 'sdn.csv', 'sdn_comments.csv'].map((f) => dataFile('sanctions', 'ofac', 'set_2021-07', f));
    const r = runTool('server/cli/lists.ts', ['import', ...files, dataFile('sanctions', 'un', 'un_consolidated_2026-02-27.xml'), dataFile('sanctions', 'uk', 'ofsi_conlist_2025-04-10.xlsx'), '--data-dir', dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^add\.csv \+ alt\.csv \+ sdn\.csv \+ sdn_comments\.csv: imported us_ofac_sdn as LST-000001/m);
    expect(r.stdout).toMatch(/^un_consolidated_2026-02-27\.xml: imported un_sc as LST-000002/m);
    expect(r.stdout).toMatch(/^ofsi_conlist_2025-04-10\.xlsx: imported gb_ofsi as LST-000003/m);
  });
  if (!sharedDataPresent) it.skip(`real lists in one command ${SHARED_DATA_MISSING}`, () => undefined);
});

describe('npm run screen on a messy customer file', () => {
  const dir = tempDir('fxbo-screen-');
  const data = join(dir, 'data');
  const load = () => runTool('server/cli/lists.ts', ['import', ...ofacSet(join(dir, 'ofac'), [sdnRow(48754, 'BUTRYM, Natallia'), sdnRow(35096, 'PUTIN, Vladimir Vladimirovich')]), '--data-dir', data]);

  it('screens every row it can read, lists unreadable values in the rejects file, and says so', () => {
    expect(load().status).toBe(0);
    const input = join(dir, 'customers.csv');
    writeFileSync(input, '\uFEFFID,Name,Schema,Birth_Date,Nationality\r\nc1,Natalia Butrym,Person,1974-01-32,Belarus\r\nc2,Vladimir Putin,Person,07/08/1952,RUS\r\nc3,Jane Roe,Person,1969-7-16,GB\r\n');
    const r = runTool('server/cli/screen.ts', ['--data-dir', data, '--input', input, '--output', join(dir, 'hits.csv')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Screened 3 rows against 2 list entries .* 2 hits for 2 customers/);
    expect(r.stdout).toContain(`2 row(s) screened without a birth_date or nationality that could not be read; each is listed with the reason in ${join(dir, 'hits.csv.rejects.csv')}`);
    expect(readFileSync(join(dir, 'hits.csv'), 'utf8')).toMatch(/^c1,us_ofac_sdn,48754,/m);
    expect(readFileSync(join(dir, 'hits.csv.rejects.csv'), 'utf8')).toContain('2,c1,birth_date,1974-01-32,1974-01-32 is not a real date');
  });

  it('stops at an impossible date with --strict, with the line, without crashing or leaving files', () => {
    const input = join(dir, 'strict.csv');
    writeFileSync(input, `id,name,schema,birth_date,nationality\n${Array.from({ length: 3000 }, (_, i) => `s${i},Customer ${i},Person,1980-01-01,DE`).join('\n')}\ns-bad,Someone,Person,1974-01-32,\n`);
    const out = join(dir, 'strict-hits.csv');
    const r = runTool('server/cli/screen.ts', ['--data-dir', data, '--input', input, '--output', out, '--strict']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('Stopped: line 3002: birth_date 1974-01-32 is not a real date (1974-01 has no day 32) (id s-bad). No output was written.\n');
    expect(readdirSync(dir).filter((f) => f.startsWith('strict-hits'))).toEqual([]);
  });

  it('names a workbook given in place of a CSV file', () => {
    const input = join(dir, 'customers.xlsx');
    writeFileSync(input, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]));
    const r = runTool('server/cli/screen.ts', ['--data-dir', data, '--input', input, '--output', join(dir, 'x.csv')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/spreadsheet workbook \(XLSX or another ZIP file\), not CSV; save it as "CSV UTF-8"/);
  });
});
