// Screening benchmarks: accuracy on the labelled name-pair and entity sets
// beside the reference run, the speed of one search against every loaded
// list, batch screening of synthetic clients, and the incremental re-screen
// after a list update. Reads ../shared/data; says so and skips when absent.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Faker, de, en, es, fr, it, pl, ru, tr, uk } from '@faker-js/faker';
import { parse } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_SCREENING_THRESHOLDS } from '../shared/policies/screening.js';
import { compareNames } from '../server/modules/screening/matching/compare.js';
import { ListMatcher, type MatchableEntry, type Subject } from '../server/modules/screening/matching/matcher.js';
import { normaliseName, type EntitySchema } from '../server/modules/screening/matching/normalize.js';
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

export function nameBenchAccuracy(): { ours: Confusion; oursOnReferencePairs: Confusion; reference: Confusion; threshold: number } {
  const dir = join(DATA, 'matching', 'nomenklatura_name_bench');
  const cases = parse(readFileSync(join(dir, 'cases.csv')), { columns: true }) as Array<Record<string, string>>;
  const reference = parse(readFileSync(join(dir, 'logicv2-frozen.csv')), { columns: true }) as Array<Record<string, string>>;
  const scored = cases.map((row) => {
    const schema = schemaOf(row.schema!);
    const score = compareNames(normaliseName(row.name1!, schema), normaliseName(row.name2!, schema), schema).score;
    return { key: `${row.schema}|${row.name1}|${row.name2}`, predicted: score >= policy.match, actual: row.is_match === 'true' };
  });
  const referenceKeys = new Set(reference.map((row) => `${row.schema}|${row.name1}|${row.name2}`));
  return {
    ours: confusion(scored),
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
  batchSeconds: number;
  batchPerMillionMinutes: number;
  rescreenClients: number;
  clientIndexSeconds: number;
  rescreenEntries: number;
  rescreenSeconds: number;
  rescreenHits: number;
}

export async function screeningSpeed(batchClients: number, rescreenClients: number, log: (line: string) => void): Promise<SpeedFigures> {
  const entries = await loadAllLists();
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

  t = performance.now();
  for (const { subject } of clients.slice(0, batchClients)) matcher.search(subject, policy);
  const batchSeconds = (performance.now() - t) / 1000;
  log(`  batch: ${batchClients} clients in ${batchSeconds.toFixed(1)} s`);

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
    batchSeconds,
    batchPerMillionMinutes: (batchSeconds / batchClients) * 1_000_000 / 60,
    rescreenClients,
    clientIndexSeconds,
    rescreenEntries: changed.length,
    rescreenSeconds,
    rescreenHits: hits.length,
  };
}

export function dataPresent(): boolean {
  return existsSync(join(DATA, 'matching', 'nomenklatura_name_bench', 'cases.csv'));
}
