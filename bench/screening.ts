// Screening benchmarks: accuracy on the labelled name-pair and entity sets
// beside the reference run (by name alone, and as screened, where a company
// hit resting on an acronym, short or generic words is capped without
// evidence), false hits on real company names (a negative set from the SEC's
// EDGAR register, in test/fixtures), organisation aliases found from their
// other names, the speed of one search against every loaded list, batch
// screening of a synthetic customer file through `npm run screen`'s own code
// on every core, and the incremental re-screen after a list update. Reads
// ../shared/data; says so and skips when absent.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { Faker, de, en, es, fr, it, pl, ru, tr, uk } from '@faker-js/faker';
import { parse } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_SCREENING_THRESHOLDS, weakOrganisationNameCap } from '../shared/policies/screening.js';
import { screenFile } from '../server/modules/screening/batch.js';
import { compareNames } from '../server/modules/screening/matching/compare.js';
import { ListMatcher, prepareEntry, prepareSubject, scoreEntry, type MatchableEntry, type Subject } from '../server/modules/screening/matching/matcher.js';
import { isOrganisation, normaliseName, type EntitySchema } from '../server/modules/screening/matching/normalize.js';
import { SubjectIndex } from '../server/modules/screening/matching/subject-index.js';
import { readListFiles } from '../server/modules/screening/lists/read.js';

export const DATA = join(import.meta.dirname, '..', '..', 'shared', 'data');
const policy = DEFAULT_SCREENING_THRESHOLDS;

export interface Confusion {
  pairs: number;
  precision: number;
  recall: number;
  f1: number;
}

function confusion(results: ReadonlyArray<{ predicted: boolean; actual: boolean }>): Confusion {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const r of results) {
    if (r.predicted && r.actual) tp += 1;
    else if (r.predicted) fp += 1;
    else if (r.actual) fn += 1;
  }
  const precision = tp / (tp + fp || 1);
  const recall = tp / (tp + fn || 1);
  return { pairs: results.length, precision, recall, f1: (2 * precision * recall) / (precision + recall || 1) };
}

function schemaOf(value: string): EntitySchema {
  return value === 'Person' || value === 'Vessel' || value === 'Organization' ? value : 'Company';
}

export function nameBenchAccuracy(): { ours: Confusion; asScreened: Confusion; oursOnReferencePairs: Confusion; reference: Confusion; threshold: number } {
  const dir = join(DATA, 'matching', 'nomenklatura_name_bench');
  const cases = parse(readFileSync(join(dir, 'cases.csv')), { columns: true }) as Array<Record<string, string>>;
  const reference = parse(readFileSync(join(dir, 'logicv2-frozen.csv')), { columns: true }) as Array<Record<string, string>>;
  const scored = cases.map((row) => {
    const schema = schemaOf(row.schema!);
    const comparison = compareNames(normaliseName(row.name1!, schema), normaliseName(row.name2!, schema), schema);
    // As screened: the pairs carry no country or identifier, so a weakly founded company hit is capped.
    const screened = comparison.weakBasis === undefined ? comparison.score : Math.min(comparison.score, weakOrganisationNameCap(policy));
    return { key: `${row.schema}|${row.name1}|${row.name2}`, predicted: comparison.score >= policy.match, screened: screened >= policy.match, actual: row.is_match === 'true' };
  });
  const referenceKeys = new Set(reference.map((row) => `${row.schema}|${row.name1}|${row.name2}`));
  return {
    ours: confusion(scored),
    asScreened: confusion(scored.map((r) => ({ predicted: r.screened, actual: r.actual }))),
    oursOnReferencePairs: confusion(scored.filter((s) => referenceKeys.has(s.key))),
    reference: confusion(reference.map((row) => ({ predicted: row.predicted_match === 'true', actual: row.is_match === 'true' }))),
    threshold: policy.match,
  };
}

type CheckEntity = Record<string, string | string[] | undefined>;

function checkNames(entity: CheckEntity): string[] {
  const out: string[] = [];
  const name = entity.name;
  if (Array.isArray(name)) out.push(...name);
  else if (name !== undefined) out.push(name);
  const parts = ['firstName', 'middleName', 'fatherName', 'lastName']
    .map((key) => entity[key])
    .filter((value) => value !== undefined)
    .map((value) => (Array.isArray(value) ? value[0]! : value!));
  if (parts.length > 0) out.push(parts.join(' '));
  return out;
}

export function entityBenchAccuracy(): Confusion {
  const doc = parseYaml(readFileSync(join(DATA, 'matching', 'nomenklatura_entity_bench', 'checks.yml'), 'utf8')) as {
    checks: Array<{ match: boolean; schema: string; query: CheckEntity; candidate: CheckEntity }>;
  };
  return confusion(
    doc.checks.map((check) => {
      const schema = schemaOf(check.schema);
      let best = 0;
      for (const a of checkNames(check.query)) {
        for (const b of checkNames(check.candidate)) best = Math.max(best, compareNames(normaliseName(a, schema), normaliseName(b, schema), schema).score);
      }
      return { predicted: best >= policy.match, actual: check.match };
    }),
  );
}

const LIST_SETS = [
  ['sanctions/ofac/sdn_2024-05-03/sdn.csv'],
  ['sanctions/ofac/consolidated_nonsdn_2018-04-06/consolidated.xml'],
  ['sanctions/un/un_consolidated_2026-02-27.xml'],
  ['sanctions/eu/legacy_v1_global_2016-02-11_subset.xml'],
  ['sanctions/uk/ofsi_conlist_2025-04-10.xlsx'],
  ['sanctions/us_other/bis_dpl.txt'],
  ['sanctions/us_other/trade_gov_csl_sample.csv'],
  ['sanctions/opensanctions/ua_war_sanctions_targets.simple.csv'],
];

export async function loadAllLists(): Promise<MatchableEntry[]> {
  const out: MatchableEntry[] = [];
  for (const set of LIST_SETS) {
    const list = await readListFiles(set.map((file) => join(DATA, file)));
    out.push(...list.entries.map((entry) => ({ ...entry, source: list.source })));
  }
  return out;
}

/** Synthetic clients from several locales, with a few sanctioned names planted, misspelt. */
export function syntheticClients(count: number, plant: readonly MatchableEntry[], seed = 7): Array<{ id: string; subject: Subject }> {
  const fakers = [en, de, fr, es, it, pl, tr, ru, uk].map((locale) => new Faker({ locale: [locale, en], seed }));
  const persons = plant.filter((entry) => entry.schema === 'Person');
  const out: Array<{ id: string; subject: Subject }> = [];
  for (let i = 0; i < count; i += 1) {
    const faker = fakers[i % fakers.length]!;
    const plantHere = persons.length > 0 && i % 2000 === 1999;
    const name = plantHere ? persons[(i / 2000) % persons.length | 0]!.names[0]!.replace(/a/u, 'e') : faker.person.fullName();
    const year = 1940 + (i % 60);
    out.push({ id: `C${i}`, subject: { name, schema: 'Person', birthDate: { year, month: 1 + (i % 12), day: 1 + (i % 28) } } });
  }
  return out;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface SpeedFigures {
  entries: number;
  names: number;
  buildSeconds: number;
  searchP50Ms: number;
  searchP95Ms: number;
  batchClients: number;
  batchWorkers: number;
  batchSeconds: number;
  batchPerMillionMinutes: number;
  rescreenClients: number;
  clientIndexSeconds: number;
  rescreenEntries: number;
  rescreenSeconds: number;
  rescreenHits: number;
}

export async function screeningSpeed(entries: readonly MatchableEntry[], batchClients: number, rescreenClients: number, log: (line: string) => void): Promise<SpeedFigures> {
  let t = performance.now();
  const matcher = new ListMatcher(entries);
  const buildSeconds = (performance.now() - t) / 1000;
  log(`  index: ${matcher.size.entries} entries, ${matcher.size.names} names, built in ${buildSeconds.toFixed(1)} s`);

  const sdnOld = await readListFiles([join(DATA, 'sanctions/ofac/sdn_2024-04-26/sdn.csv')]);
  const sdnNew = await readListFiles([join(DATA, 'sanctions/ofac/sdn_2024-05-03/sdn.csv')]);
  const oldKeys = new Map(sdnOld.entries.map((entry) => [entry.key, JSON.stringify(entry)]));
  const changed = sdnNew.entries.filter((entry) => oldKeys.get(entry.key) !== JSON.stringify(entry)).map((entry) => ({ ...entry, source: sdnNew.source }));

  const clients = syntheticClients(Math.max(batchClients, rescreenClients), changed);
  const searchTimes: number[] = [];
  for (const { subject } of clients.slice(0, 2000)) {
    const start = performance.now();
    matcher.search(subject, policy);
    searchTimes.push(performance.now() - start);
  }
  log(`  one search: p50 ${percentile(searchTimes, 50).toFixed(2)} ms, p95 ${percentile(searchTimes, 95).toFixed(2)} ms`);

  // The batch as `npm run screen` runs it: a CSV file in, worker threads on every core, hits out.
  const dir = join(tmpdir(), `fxbo-bench-screen-${process.pid}`);
  const input = join(dir, 'customers.csv');
  mkdirSync(dir, { recursive: true });
  const birth = (d: Subject['birthDate']) => (d === undefined ? '' : `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`);
  writeFileSync(input, stringify([['id', 'name', 'schema', 'birth_date', 'nationality'], ...clients.slice(0, batchClients).map(({ id, subject }) => [id, subject.name, subject.schema, birth(subject.birthDate), ''])]));
  const workers = availableParallelism();
  t = performance.now();
  const batch = await screenFile(entries, policy, input, join(dir, 'hits.csv'), { workers });
  const batchSeconds = (performance.now() - t) / 1000;
  rmSync(dir, { recursive: true, force: true });
  log(`  batch (npm run screen's code, ${workers} worker threads): ${batchClients} clients in ${batchSeconds.toFixed(1)} s, ${batch.hits} hits`);

  t = performance.now();
  const index = new SubjectIndex();
  for (const { id, subject } of clients.slice(0, rescreenClients)) index.add(id, subject);
  const clientIndexSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const hits = index.screenEntries(changed, policy);
  const rescreenSeconds = (performance.now() - t) / 1000;
  log(`  re-screen: ${changed.length} added or changed entries against ${rescreenClients} clients in ${rescreenSeconds.toFixed(2)} s, ${hits.length} hits (client index built in ${clientIndexSeconds.toFixed(1)} s)`);

  return {
    entries: matcher.size.entries,
    names: matcher.size.names,
    buildSeconds,
    searchP50Ms: percentile(searchTimes, 50),
    searchP95Ms: percentile(searchTimes, 95),
    batchClients,
    batchWorkers: workers,
    batchSeconds,
    batchPerMillionMinutes: (batchSeconds / batchClients) * 1_000_000 / 60,
    rescreenClients,
    clientIndexSeconds,
    rescreenEntries: changed.length,
    rescreenSeconds,
    rescreenHits: hits.length,
  };
}

export const COMPANY_NEGATIVE_SET = join(import.meta.dirname, '..', 'test', 'fixtures', 'company-names', 'sec-edgar-registrants.txt');

export interface CompanyFalseHits {
  names: number;
  withHits: number;
  rate: number;
  examples: string[];
}

/** Real company names, none of them listed, screened as companies against every list: each one with a hit is a false hit. */
export function companyFalseHits(matcher: ListMatcher): CompanyFalseHits {
  const names = readFileSync(COMPANY_NEGATIVE_SET, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const examples: string[] = [];
  let withHits = 0;
  for (const name of names) {
    const hits = matcher.search({ name, schema: 'Company' }, policy);
    if (hits.length === 0) continue;
    withHits += 1;
    examples.push(`${name} ~ ${hits[0]!.matchedName} (${hits[0]!.score.toFixed(2)})`);
  }
  return { names: names.length, withHits, rate: withHits / names.length, examples };
}

/**
 * Each alias of every listed company or organisation, screened against the entry's other names:
 * the share found, with the weak-basis cap as screened (no country given) and without it. Aliases
 * include acronyms ("PBI" for Post Bank of Iran), which the cap asks evidence for.
 */
export function organisationAliasRecall(entries: readonly MatchableEntry[]): { aliases: number; found: number; foundWithoutCap: number } {
  const uncapped = { ...policy, weakOrganisationNameCap: 1 };
  let aliases = 0;
  let found = 0;
  let foundWithoutCap = 0;
  for (const entry of entries) {
    if (!isOrganisation(entry.schema) || entry.names.length < 2) continue;
    entry.names.forEach((name, i) => {
      const subject: Subject = { name, schema: entry.schema };
      const others = prepareEntry({ ...entry, names: entry.names.filter((_, j) => j !== i) });
      aliases += 1;
      if ((scoreEntry(subject, prepareSubject(subject), others, policy)?.score ?? 0) >= policy.match) found += 1;
      if ((scoreEntry(subject, prepareSubject(subject), others, uncapped)?.score ?? 0) >= policy.match) foundWithoutCap += 1;
    });
  }
  return { aliases, found, foundWithoutCap };
}

export function dataPresent(): boolean {
  return existsSync(join(DATA, 'matching', 'nomenklatura_name_bench', 'cases.csv'));
}
