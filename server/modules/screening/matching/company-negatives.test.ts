// Real company names that are on no list (SEC EDGAR registrants, test/fixtures/company-names),
// screened as companies against the OFAC SDN and UN lists: no more than 1% may hit. The full
// figure against every list is in `npm run bench -- --only screening`.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DEFAULT_SCREENING_THRESHOLDS as policy } from '../../../../shared/policies/screening.js';
import { dataFile, SHARED_DATA_MISSING, sharedDataPresent } from '../../../testing/shared-data.js';
import { readListFiles } from '../lists/read.js';
import { ListMatcher, type MatchableEntry } from './matcher.js';

const NEGATIVE_SET = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'company-names', 'sec-edgar-registrants.txt');

it.skipIf(!sharedDataPresent)('hits at most 1% of 1,238 real company names that are on no list', async () => {
  const entries: MatchableEntry[] = [];
  for (const file of [['sanctions', 'ofac', 'sdn_2024-05-03', 'sdn.csv'], ['sanctions', 'un', 'un_consolidated_2026-02-27.xml']]) {
    const list = await readListFiles([dataFile(...file)]);
    entries.push(...list.entries.map((e) => ({ ...e, source: list.source })));
  }
  const matcher = new ListMatcher(entries);
  const names = readFileSync(NEGATIVE_SET, 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  expect(names.length).toBeGreaterThanOrEqual(1000);
  const hit = names.filter((name) => matcher.search({ name, schema: 'Company' }, policy).length > 0);
  expect(hit.length / names.length, `false hits: ${hit.join('; ')}`).toBeLessThanOrEqual(0.01);
}, 60_000);

if (!sharedDataPresent) it.skip(`company false hits against the real lists ${SHARED_DATA_MISSING}`, () => undefined);
