// Screens a subject (a client, a director, a row of a batch file) against
// every loaded list entry: candidates from the name index, each compared on
// every name variant, then moved up or down by secondary evidence (date of
// birth, nationality, identifiers). Every hit carries the reasons an officer
// records when deciding whether it is the client.

import { weakOrganisationNameCap, type ScreeningThresholds } from '../../../../shared/policies/screening.js';
import type { Identifier, ListEntry, PartialDate } from '../lists/model.js';
import { compareNames, type NameComparison } from './compare.js';
import { NameIndex } from './name-index.js';
import { isOrganisation, normaliseName, type EntitySchema, type NormalisedName } from './normalize.js';

export interface Subject {
  readonly name: string;
  readonly schema: EntitySchema;
  readonly aliases?: readonly string[];
  readonly birthDate?: PartialDate;
  /** ISO 3166 alpha-2 */
  readonly nationality?: string;
  readonly identifiers?: readonly Identifier[];
}

const WEAK_BASIS_WORDS = { acronym: 'an acronym', short: 'short or loosely spelt words', generic: 'generic words' } as const;

export interface Evidence {
  readonly kind: 'birth_date' | 'nationality' | 'identifier' | 'name_basis';
  /** what it did to the score: positive raises, negative lowers */
  readonly effect: number;
  readonly detail: string;
}

export interface Hit {
  readonly source: string;
  readonly entryKey: string;
  readonly entryName: string;
  readonly schema: EntitySchema;
  readonly topics: readonly string[];
  readonly score: number;
  readonly nameScore: number;
  /** the subject's name and the list's name variant that matched best */
  readonly queryName: string;
  readonly matchedName: string;
  readonly comparison: NameComparison;
  readonly evidence: readonly Evidence[];
}

export interface MatchableEntry extends ListEntry {
  readonly source: string;
}

function compatible(subject: EntitySchema, entry: EntitySchema): boolean {
  if (subject === entry) return true;
  return isOrganisation(subject) && isOrganisation(entry);
}

function formatDate(date: PartialDate): string {
  const base = [String(date.year), date.month && String(date.month).padStart(2, '0'), date.day && String(date.day).padStart(2, '0')].filter(Boolean).join('-');
  return `${date.approximate ? 'circa ' : ''}${base}${date.toYear ? ` to ${date.toYear}` : ''}`;
}

/** How a subject's date of birth compares with the list's: exact, same year, within tolerance, or in conflict. */
export function birthDateEvidence(subject: PartialDate, listed: readonly PartialDate[], policy: ScreeningThresholds): Evidence | undefined {
  if (listed.length === 0) return undefined;
  const weights = policy.evidence;
  let best: Evidence | undefined;
  for (const date of listed) {
    const from = date.year - (date.approximate ? policy.birthYearTolerance : 0);
    const to = (date.toYear ?? date.year) + (date.approximate ? policy.birthYearTolerance : 0);
    let evidence: Evidence | undefined;
    if (subject.year >= from && subject.year <= to) {
      const exact = date.toYear === undefined && !date.approximate && subject.year === date.year;
      const monthKnown = exact && date.month !== undefined && subject.month !== undefined;
      if (monthKnown && date.month !== subject.month) {
        evidence = { kind: 'birth_date', effect: -weights.birthDateConflict / 2, detail: `born ${formatDate(subject)}, listed ${formatDate(date)}: same year, different month` };
      } else if (monthKnown && date.day !== undefined && subject.day !== undefined && date.day !== subject.day) {
        evidence = { kind: 'birth_date', effect: weights.birthYear / 2, detail: `born ${formatDate(subject)}, listed ${formatDate(date)}: same month, different day` };
      } else if (monthKnown && date.day !== undefined && subject.day !== undefined) {
        evidence = { kind: 'birth_date', effect: weights.birthDateExact, detail: `born ${formatDate(subject)}, listed ${formatDate(date)}: same date of birth` };
      } else {
        evidence = { kind: 'birth_date', effect: weights.birthYear, detail: `born ${formatDate(subject)}, listed ${formatDate(date)}: consistent` };
      }
    } else {
      const gap = Math.min(Math.abs(subject.year - from), Math.abs(subject.year - to));
      const tolerated = gap <= policy.birthYearTolerance;
      evidence = tolerated
        ? { kind: 'birth_date', effect: 0, detail: `born ${formatDate(subject)}, listed ${formatDate(date)}: ${gap} year(s) apart` }
        : { kind: 'birth_date', effect: -weights.birthDateConflict, detail: `born ${formatDate(subject)}, listed ${formatDate(date)}: ${gap} years apart` };
    }
    if (best === undefined || evidence.effect > best.effect) best = evidence;
  }
  return best;
}

function normaliseId(value: string): string {
  return value.toUpperCase().replace(/[^A-Z0-9]/gu, '');
}

/** Secondary evidence: what the list says beyond the name, against what the subject says. */
export function evidenceFor(subject: Subject, entry: ListEntry, policy: ScreeningThresholds): Evidence[] {
  const out: Evidence[] = [];
  if (subject.birthDate !== undefined && entry.schema === 'Person') {
    const birth = birthDateEvidence(subject.birthDate, entry.birthDates, policy);
    if (birth !== undefined) out.push(birth);
  }
  if (subject.nationality !== undefined) {
    const listed = entry.schema === 'Person' ? entry.nationalities : [...entry.nationalities, ...entry.countries];
    if (listed.includes(subject.nationality)) {
      out.push({ kind: 'nationality', effect: policy.evidence.nationalityMatch, detail: `nationality ${subject.nationality} is listed` });
    } else if (entry.schema === 'Person' && entry.nationalities.length > 0) {
      out.push({ kind: 'nationality', effect: -policy.evidence.nationalityConflict, detail: `nationality ${subject.nationality}, listed ${entry.nationalities.join(', ')}` });
    }
  }
  if (subject.identifiers !== undefined && subject.identifiers.length > 0) {
    const listed = new Map(entry.identifiers.map((id) => [normaliseId(id.value), id]));
    for (const id of subject.identifiers) {
      const found = listed.get(normaliseId(id.value));
      if (found !== undefined && normaliseId(id.value).length >= 5) {
        out.push({ kind: 'identifier', effect: policy.evidence.identifierMatch, detail: `${id.type} ${id.value} is listed as ${found.type}` });
      }
    }
  }
  return out;
}

/** The most secondary evidence could add to a name score for this subject and entry. */
function maxEvidence(subject: Subject, entry: ListEntry, policy: ScreeningThresholds): number {
  const w = policy.evidence;
  return (subject.birthDate !== undefined ? Math.max(w.birthDateExact, w.birthYear) : 0) + (subject.nationality !== undefined ? w.nationalityMatch : 0) + (subject.identifiers?.length ?? 0) * (entry.identifiers.length > 0 ? w.identifierMatch : 0);
}

interface Prepared {
  readonly entry: MatchableEntry;
  readonly names: readonly NormalisedName[];
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** Scores one subject against one entry: its best name variant, then the evidence. */
export function scoreEntry(subject: Subject, subjectNames: readonly NormalisedName[], prepared: Prepared, policy: ScreeningThresholds, floor = -Infinity): Hit | undefined {
  const { entry } = prepared;
  if (!compatible(subject.schema, entry.schema)) return undefined;
  let best: { comparison: NameComparison; query: NormalisedName; matched: NormalisedName } | undefined;
  for (const query of subjectNames) {
    for (const name of prepared.names) {
      const comparison = compareNames(query, name, subject.schema, { explain: false });
      if (best === undefined || comparison.score > best.comparison.score) best = { comparison, query, matched: name };
    }
  }
  if (best === undefined) return undefined;
  // Most candidates fall short by name alone: skip the evidence when even all of it could not lift them to the floor.
  if (best.comparison.score + maxEvidence(subject, entry, policy) < floor) return undefined;
  best.comparison = compareNames(best.query, best.matched, subject.schema);
  const evidence = evidenceFor(subject, entry, policy);
  let score = Math.max(0, Math.min(1, best.comparison.score + evidence.reduce((sum, e) => sum + e.effect, 0)));
  // A company hit resting on an acronym, short tokens or generic words alone needs the country
  // or an identifier behind it; without, it is capped below where a review case opens.
  if (best.comparison.weakBasis !== undefined && !evidence.some((e) => e.effect > 0 && (e.kind === 'nationality' || e.kind === 'identifier'))) {
    const cap = weakOrganisationNameCap(policy);
    if (score > cap) {
      score = cap;
      evidence.push({ kind: 'name_basis', effect: 0, detail: `the names share only ${WEAK_BASIS_WORDS[best.comparison.weakBasis]}, and no country or identifier supports it: capped at ${cap}` });
    }
  }
  return {
    source: entry.source,
    entryKey: entry.key,
    entryName: entry.names[0]!,
    schema: entry.schema,
    topics: entry.topics,
    score: round(score),
    nameScore: best.comparison.score,
    queryName: best.query.original,
    matchedName: best.matched.original,
    comparison: best.comparison,
    evidence,
  };
}

export function prepareSubject(subject: Subject): NormalisedName[] {
  return [subject.name, ...(subject.aliases ?? [])].map((name) => normaliseName(name, subject.schema));
}

export function prepareEntry(entry: MatchableEntry): Prepared {
  return { entry, names: entry.names.map((name) => normaliseName(name, entry.schema)) };
}

/** Every loaded list entry, indexed for search. */
export class ListMatcher {
  private readonly prepared: Prepared[] = [];
  private readonly index = new NameIndex();

  constructor(entries: Iterable<MatchableEntry>) {
    for (const entry of entries) this.add(entry);
  }

  add(entry: MatchableEntry): void {
    const prepared = prepareEntry(entry);
    this.index.add(this.prepared.length, prepared.names);
    this.prepared.push(prepared);
  }

  get size(): { entries: number; names: number } {
    return { entries: this.prepared.length, names: this.index.names };
  }

  /** Hits at or above the policy's match threshold, best first. */
  search(subject: Subject, policy: ScreeningThresholds, options: { limit?: number; threshold?: number } = {}): Hit[] {
    const names = prepareSubject(subject);
    const threshold = options.threshold ?? policy.match;
    const hits: Hit[] = [];
    for (const record of this.index.candidates(names, options.limit ?? 40)) {
      const hit = scoreEntry(subject, names, this.prepared[record]!, policy, threshold);
      if (hit !== undefined && hit.score >= threshold) hits.push(hit);
    }
    return hits.sort((a, b) => b.score - a.score);
  }
}

/** One line an officer can read: which name matched which, how, and what the evidence said. */
export function explain(hit: Hit): string {
  const pairs = hit.comparison.pairs.map((pair) => (pair.how === 'exact' ? pair.query : `${pair.query}~${pair.candidate} (${pair.how})`)).join(', ');
  const parts = [`"${hit.queryName}" ~ "${hit.matchedName}" name ${hit.nameScore.toFixed(2)}`, pairs === '' ? '' : `tokens: ${pairs}`];
  if (hit.comparison.unmatchedQuery.length > 0) parts.push(`unmatched: ${hit.comparison.unmatchedQuery.join(' ')}`);
  if (hit.comparison.notes.length > 0) parts.push(hit.comparison.notes.join('; '));
  for (const e of hit.evidence) parts.push(`${e.detail} (${e.effect >= 0 ? '+' : ''}${e.effect.toFixed(2)})`);
  return parts.filter((part) => part !== '').join('; ');
}
