import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCREENING_THRESHOLDS as policy } from '../../../shared/policies/screening.js';
import { tempDir } from '../../testing/harness.js';
import { BatchInputError, screenFile } from './batch.js';
import { ListMatcher } from './matching/matcher.js';

const matcher = new ListMatcher([
  { source: 'us_ofac_sdn', key: '35096', schema: 'Person', names: ['PUTIN, Vladimir Vladimirovich'], birthDates: [{ year: 1952, month: 10, day: 7 }], nationalities: ['RU'], countries: [], identifiers: [], programs: [], topics: ['sanction'] },
]);

describe('batch screening of a customer file', () => {
  it('writes one row per hit with its reasons', async () => {
    const dir = tempDir();
    const input = join(dir, 'customers.csv');
    const output = join(dir, 'hits.csv');
    writeFileSync(input, 'id,name,schema,birth_date,nationality\nc1,Vladimir Putin,Person,1952-10-07,RU\nc2,"Smith, John",Person,,\n');
    const summary = await screenFile(matcher, policy, input, output);
    expect(summary).toMatchObject({ rows: 2, hits: 1, subjectsWithHits: 1 });
    const lines = readFileSync(output, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('id,list,entry_id,entry_name,score,reasons');
    expect(lines[1]).toMatch(/^c1,us_ofac_sdn,35096,"PUTIN, Vladimir Vladimirovich",1\.0000,".*same date of birth/u);
  });

  it.each([
    ['c1,Someone,Human,,', /line 2: schema "Human" must be one of Person, Company, Organization, Vessel/u],
    ['c1,Someone,Person,1990-13,', /line 2: birth_date "1990-13" has no month 13/u],
    ['c1,Someone,Person,,Russia', /line 2: nationality "Russia" is not an ISO 3166 alpha-2 country code/u],
    [',Someone,Person,,', /line 2: id is empty/u],
  ])('stops at a bad row (%s), names it, and writes nothing', async (row, message) => {
    const dir = tempDir();
    const input = join(dir, 'customers.csv');
    const output = join(dir, 'hits.csv');
    writeFileSync(input, `id,name,schema,birth_date,nationality\n${row}\n`);
    const error = await screenFile(matcher, policy, input, output).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchInputError);
    expect((error as Error).message).toMatch(message);
    expect(existsSync(output)).toBe(false);
    expect(existsSync(`${output}.partial`)).toBe(false);
  });

  it('refuses a file without the expected columns', async () => {
    const dir = tempDir();
    const input = join(dir, 'customers.csv');
    writeFileSync(input, 'customer,full_name\n1,Someone\n');
    await expect(screenFile(matcher, policy, input, join(dir, 'out.csv'))).rejects.toThrow(/no id, name, schema, birth_date, nationality column/u);
  });
});
