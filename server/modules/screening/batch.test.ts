import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_SCREENING_THRESHOLDS as policy } from '../../../shared/policies/screening.js';
import { tempDir } from '../../testing/harness.js';
import { BatchInputError, screenFile } from './batch.js';
import { readBirthDate, readNationality } from './batch-fields.js';
import type { MatchableEntry } from './matching/matcher.js';

const entries: MatchableEntry[] = [
  { source: 'us_ofac_sdn', key: '35096', schema: 'Person', names: ['PUTIN, Vladimir Vladimirovich'], birthDates: [{ year: 1952, month: 10, day: 7 }], nationalities: ['RU'], countries: [], identifiers: [], programs: [], topics: ['sanction'] },
  { source: 'us_ofac_sdn', key: '48754', schema: 'Person', names: ['BUTRYM, Natallia'], birthDates: [{ year: 1994, month: 12, day: 14 }], nationalities: ['BY'], countries: [], identifiers: [], programs: [], topics: ['sanction'] },
];

const HEADER = 'id,name,schema,birth_date,nationality';

function files(rows: string, header = HEADER): { dir: string; input: string; output: string } {
  const dir = tempDir();
  const input = join(dir, 'customers.csv');
  writeFileSync(input, `${header}\n${rows}`);
  return { dir, input, output: join(dir, 'hits.csv') };
}

describe('reading a birth date as customers write it', () => {
  it.each([
    ['1969-07-16', { year: 1969, month: 7, day: 16 }],
    ['1969-7-16', { year: 1969, month: 7, day: 16 }],
    ['1969/7/6', { year: 1969, month: 7, day: 6 }],
    ['1969-07', { year: 1969, month: 7 }],
    ['1969', { year: 1969 }],
    [' 1969-07-16 00:00:00 ', { year: 1969, month: 7, day: 16 }],
    ['1969-07-16T00:00:00Z', { year: 1969, month: 7, day: 16 }],
    ['16/07/1969', { year: 1969, month: 7, day: 16 }],
    ['07/16/1969', { year: 1969, month: 7, day: 16 }],
    ['16.07.1969', { year: 1969, month: 7, day: 16 }],
    ['08/08/1969', { year: 1969, month: 8, day: 8 }],
    ['', undefined],
  ])('%s', (text, value) => {
    expect(readBirthDate(text)).toEqual({ ok: true, value });
  });

  it.each([
    ['07/08/1969', /ambiguous: day 7 of month 8, or month 7 day 8/],
    ['1974-01-32', /not a real date \(1974-01 has no day 32\)/],
    ['1990-02-30', /not a real date/],
    ['1990-13', /there is no month 13/],
    ['31/31/1990', /no month/],
    ['0199-01-01', /not a plausible year/],
    ['July 1969', /not a date; write it as YYYY-MM-DD/],
  ])('refuses %s with the reason', (text, why) => {
    const read = readBirthDate(text);
    expect(read.ok).toBe(false);
    expect(read.ok ? '' : read.why).toMatch(why);
  });

  it('never throws and never guesses between two readings, whatever the text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const read = readBirthDate(text);
        if (read.ok && read.value?.day !== undefined) expect(read.value.month).toBeDefined();
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), (a, b) => {
        fc.pre(a !== b);
        expect(readBirthDate(`${String(a).padStart(2, '0')}/${String(b).padStart(2, '0')}/1980`).ok).toBe(false);
      }),
    );
  });

  it('reads a nationality as a code of two or three letters or an English country name', () => {
    expect(readNationality('de')).toEqual({ ok: true, value: 'DE' });
    expect(readNationality('DEU')).toEqual({ ok: true, value: 'DE' });
    expect(readNationality('Germany')).toEqual({ ok: true, value: 'DE' });
    expect(readNationality('Narnia')).toMatchObject({ ok: false, why: expect.stringMatching(/"Narnia" is not a country/) });
  });
});

describe('batch screening of a customer file', () => {
  it('writes one row per hit with its reasons, in the input order, on worker threads', async () => {
    const rows = Array.from({ length: 900 }, (_, i) => (i % 300 === 7 ? `c${i},Vladimir Putin,Person,1952-10-07,RU` : `c${i},Customer Number${i},Person,1980-01-01,DE`));
    const { input, output } = files(`${rows.join('\n')}\n`);
    const summary = await screenFile(entries, policy, input, output, { workers: 2 });
    expect(summary).toMatchObject({ rows: 900, hits: 3, subjectsWithHits: 3, rowsWithRejects: 0, workers: 2 });
    const lines = readFileSync(output, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('id,list,entry_id,entry_name,score,reasons');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['c7', 'c307', 'c607']);
    expect(lines[1]).toMatch(/^c7,us_ofac_sdn,35096,"PUTIN, Vladimir Vladimirovich",1\.0000,".*same date of birth/u);
    expect(readFileSync(`${output}.rejects.csv`, 'utf8')).toBe('line,id,field,value,why\n');
  });

  it('takes headers in any case, order and spacing', async () => {
    const { input, output } = files('RU, 1952-10-07 ,Vladimir Putin,PERSON,c1\n', 'Nationality, Birth_Date ,Name,Schema,ID');
    expect(await screenFile(entries, policy, input, output, { workers: 1 })).toMatchObject({ rows: 1, hits: 1 });
  });

  it('screens a row whose birth date or nationality cannot be read on the rest, and lists the value in the rejects file', async () => {
    const { input, output, dir } = files('c1,Natalia Butrym,Person,07/08/1994,Belarus\nc2,"Smith, John",Person,1974-01-32,Atlantis\nc3,Jane Roe,Person,1980-5-1,GB\n');
    const rejects = join(dir, 'bad-values.csv');
    const summary = await screenFile(entries, policy, input, output, { rejects, workers: 1 });
    expect(summary).toMatchObject({ rows: 3, hits: 1, rowsWithRejects: 2, rejectsFile: rejects });
    expect(readFileSync(output, 'utf8')).toMatch(/^c1,us_ofac_sdn,48754,/mu);
    expect(readFileSync(rejects, 'utf8').trim().split('\n')).toEqual([
      'line,id,field,value,why',
      '2,c1,birth_date,07/08/1994,"07/08/1994 is ambiguous: day 7 of month 8, or month 7 day 8; write it as YYYY-MM-DD"',
      '3,c2,birth_date,1974-01-32,1974-01-32 is not a real date (1974-01 has no day 32)',
      '3,c2,nationality,Atlantis,"""Atlantis"" is not a country (an ISO 3166 code such as DE or DEU, or its English name)"',
    ]);
  });

  it('with strict, stops at the first unreadable value instead', async () => {
    const { input, output } = files('c1,Jane Roe,Person,1980-01-01,GB\nc2,"Smith, John",Person,1974-01-32,\n');
    await expect(screenFile(entries, policy, input, output, { strict: true, workers: 1 })).rejects.toThrow(/line 3: birth_date 1974-01-32 is not a real date .*\(id c2\)/u);
    expect(existsSync(output)).toBe(false);
  });

  it.each([
    ['c1,Someone,Human,,', /line 2: schema "Human" must be one of Person, Company, Organization, Vessel/u],
    [',Someone,Person,,', /line 2: id is empty/u],
    ['c1,,Person,,', /line 2: name is empty \(id c1\)/u],
    ['c1,"A\nB",Person,,\nc2,,Person,,', /line 4: name is empty \(id c2\)/u],
    ['c1,"unclosed,Person,,\nc2,B,Person,,', /not a valid CSV file \(Quote Not Closed/u],
    ['c1,A,Person,,,extra', /not a valid CSV file \(Invalid Record Length/u],
  ])('stops at a row it cannot screen (%s), names the line, and writes nothing', async (row, message) => {
    const { input, output, dir } = files(`${row}\n`);
    const error = await screenFile(entries, policy, input, output, { workers: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchInputError);
    expect((error as Error).message).toMatch(message);
    expect(readdirSync(dir)).toEqual(['customers.csv']);
  });

  it('refuses what is not the expected CSV by saying what it is, leaving nothing behind', async () => {
    const dir = tempDir();
    const cases: Array<[string, Buffer | string, RegExp]> = [
      ['no-columns.csv', 'customer,full_name\n1,Someone\n', /the header has no id, name, schema, birth_date, nationality column/u],
      ['header-only.csv', `${HEADER}\n`, /no rows; expected a header/u],
      ['book.xlsx', Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), /spreadsheet workbook \(XLSX/u],
      ['scan.pdf', '%PDF-1.7\n', /this is a PDF/u],
      ['blob.bin', Buffer.from([0x41, 0x00, 0x42]), /binary file/u],
      ['package.json', '{\n  "name": "x"\n}\n', /not a valid CSV file|the header has no/u],
    ];
    for (const [name, bytes, message] of cases) {
      writeFileSync(join(dir, name), bytes);
      await expect(screenFile(entries, policy, join(dir, name), join(dir, `${name}.hits.csv`), { workers: 1 })).rejects.toThrow(message);
    }
    await expect(screenFile(entries, policy, join(dir, 'missing.csv'), join(dir, 'out.csv'), { workers: 1 })).rejects.toThrow(/missing\.csv: cannot be read \(ENOENT\)/u);
    expect(readdirSync(dir).filter((f) => f.includes('hits') || f.includes('out'))).toEqual([]);
  });

  it('never crashes on arbitrary input: it screens or stops with a BatchInputError', async () => {
    const dir = tempDir();
    const cell = fc.oneof(fc.string(), fc.constantFrom('1974-01-32', '07/08/1969', '"', '""', '\n', 'Person', 'RU', ''));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { maxLength: 6 }), async (rows) => {
        const input = join(dir, 'fuzz.csv');
        writeFileSync(input, `${HEADER}\n${rows.map((r) => r.join(',')).join('\n')}\n`);
        const result = await screenFile(entries, policy, input, join(dir, 'fuzz-out.csv'), { workers: 1 }).then(
          () => 'screened',
          (e: unknown) => (e instanceof BatchInputError ? 'stopped' : e),
        );
        expect(['screened', 'stopped']).toContain(result);
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});
