// The screening thresholds' automated decisions, in the execution log (issue 19): a name match
// that reached the match threshold opened a review case, and one that came within
// NEAR_MISS_MARGIN below it did not. Both are logged with the score, the name score, the evidence
// that moved it and the thresholds of the version that decided, and keep the subject and the list
// entry as they stood, so that a dry run scores the pair again under a draft (`replayScreening`).
// Pairs further below are not logged: a list import screens every client, and a row per client
// and import would dwarf the log; they are audited per client (`screening.screened`).

import type { ScreeningThresholds } from '../../../shared/policies/screening.js';
import type { Mutation } from '../../core/store.js';
import { readJson } from '../../db/json.js';
import { recordExecution } from '../policies/execution-log.js';
import type { ActivePolicy } from '../policies/reader.js';
import { hitInputs } from './codecs.js';
import { prepareEntry, prepareSubject, scoreEntry, type Hit, type MatchableEntry } from './matching/matcher.js';
import type { ScreeningSubject } from './subjects.js';

/** How far below the match threshold a score is still logged as a near miss, for dry runs to replay. */
export const NEAR_MISS_MARGIN = 0.15;

const round = (n: number) => Math.round(n * 1000) / 1000;

/** The lowest score searched for: the match threshold less the near-miss margin. */
export function nearMissFloor(policy: ScreeningThresholds): number {
  return Math.max(0, round(policy.match - NEAR_MISS_MARGIN));
}

/** The hits that open cases, and the near misses below the match threshold. */
export function splitHits<T extends { hit: Hit }>(all: readonly T[], policy: ScreeningThresholds): { found: T[]; near: T[] } {
  return { found: all.filter((f) => f.hit.score >= policy.match), near: all.filter((f) => f.hit.score < policy.match) };
}

/** What the thresholds make of a score: a case (strong or not), or none. */
export function screeningOutcome(score: number, policy: ScreeningThresholds): string {
  return score >= policy.strong ? 'strong hit: case opened' : score >= policy.match ? 'hit: case opened' : 'below match threshold: no case';
}

type Subject = Pick<ScreeningSubject, 'clientId' | 'legalEntity' | 'subject'>;

function conditions(policy: ScreeningThresholds, subject: Subject, hit: Hit) {
  const score = round(hit.score);
  return [
    { name: `score ≥ match threshold ${policy.match}`, values: { subject: subject.subject.name, entry: `${hit.source} ${hit.entryKey} ${hit.entryName}`, nameScore: round(hit.nameScore), evidence: hit.evidence.map((e) => `${e.kind} ${e.effect >= 0 ? '+' : ''}${round(e.effect)}`).join(', ') || 'none', score }, result: score >= policy.match },
    { name: `score ≥ strong threshold ${policy.strong}`, values: { score }, result: score >= policy.strong },
  ];
}

export async function logCaseOpened(m: Mutation, policy: ActivePolicy<ScreeningThresholds>, caseId: string, subject: Subject, hit: Hit, entry: MatchableEntry): Promise<void> {
  const strong = hit.score >= policy.document.strong;
  await recordExecution(m, {
    policy,
    event: 'screening.case.opened',
    subjectType: 'screening_case',
    subjectId: caseId,
    legalEntity: subject.legalEntity,
    clientId: subject.clientId,
    outcome: screeningOutcome(hit.score, policy.document),
    conditions: conditions(policy.document, subject, hit),
    actions: [{ action: 'open screening case', caseId, strong }],
    inputs: { subject: subject.subject, entry },
  });
}

/** Each near miss of a screening: no case, logged with the pair it scored. */
export async function logNearMisses(m: Mutation, policy: ActivePolicy<ScreeningThresholds>, near: ReadonlyArray<{ subject: Subject; hit: Hit }>, entryOf: (hit: Hit) => MatchableEntry | undefined): Promise<void> {
  for (const { subject, hit } of near) {
    const entry = entryOf(hit);
    if (!entry) continue;
    await recordExecution(m, {
      policy,
      event: 'screening.nearMiss',
      subjectType: 'screening_near_miss',
      subjectId: subject.clientId,
      legalEntity: subject.legalEntity,
      clientId: subject.clientId,
      outcome: screeningOutcome(hit.score, policy.document),
      conditions: conditions(policy.document, subject, hit),
      actions: [],
      inputs: { subject: subject.subject, entry },
    });
  }
}

/** Entries whose normalised names a dry run keeps, at most: the same entry recurs across a log's near matches. */
const PREPARED_KEPT = 50_000;

/** A logged screening decision scored again under a draft: the same subject against the same entry. */
export function replayScreening(draft: ScreeningThresholds) {
  // An entry's names are normalised once per run (they depend on its names and kind only; the
  // evidence is read from the logged entry itself each time).
  const names = new Map<string, ReturnType<typeof prepareEntry>['names']>();
  const prepared = (entry: MatchableEntry) => {
    const key = `${entry.schema}\u0001${entry.names.join('\u0001')}`;
    let known = names.get(key);
    if (!known) {
      known = prepareEntry(entry).names;
      if (names.size < PREPARED_KEPT) names.set(key, known);
    }
    return { entry, names: known };
  };
  return (inputsJson: string, row: { outcome: string; subject_id: string }) => {
    const { subject, entry } = readJson(hitInputs, inputsJson, `policy_executions.inputs_json of ${row.subject_id}`);
    const hit = scoreEntry(subject, prepareSubject(subject), prepared(entry), draft);
    const pair = `${subject.name} ~ ${entry.source} ${entry.key} ${entry.names[0] ?? ''}`.trim();
    return { ref: row.subject_id.startsWith('SCR-') ? row.subject_id : `${row.subject_id} ${pair}`, before: { outcome: row.outcome }, after: { outcome: screeningOutcome(hit?.score ?? 0, draft) } };
  };
}
