// The screening thresholds' automated decision, in the execution log (issue 19): a name match that
// reached the match threshold opened a review case. Logged for each case opened, with the score,
// the name score and the evidence that moved it, and the thresholds of the version that decided.
// Matches below the threshold are not logged: a list import screens every client, and a row per
// client and import would dwarf the log; they are audited per client (`screening.screened`).

import type { ScreeningThresholds } from '../../../shared/policies/screening.js';
import type { Mutation } from '../../core/store.js';
import { recordExecution } from '../policies/execution-log.js';
import type { ActivePolicy } from '../policies/reader.js';
import type { Hit } from './matching/matcher.js';

const round = (n: number) => Math.round(n * 1000) / 1000;

export async function logCaseOpened(m: Mutation, policy: ActivePolicy<ScreeningThresholds>, caseId: string, subject: { clientId: string; legalEntity: string; name: string }, hit: Hit): Promise<void> {
  const score = round(hit.score);
  const strong = score >= policy.document.strong;
  await recordExecution(m, {
    policy,
    event: 'screening.case.opened',
    subjectType: 'screening_case',
    subjectId: caseId,
    legalEntity: subject.legalEntity,
    clientId: subject.clientId,
    outcome: strong ? 'strong hit: case opened' : 'hit: case opened',
    conditions: [
      { name: `score ≥ match threshold ${policy.document.match}`, values: { subject: subject.name, entry: `${hit.source} ${hit.entryKey} ${hit.entryName}`, nameScore: round(hit.nameScore), evidence: hit.evidence.map((e) => `${e.kind} ${e.effect >= 0 ? '+' : ''}${round(e.effect)}`).join(', ') || 'none', score }, result: true },
      { name: `score ≥ strong threshold ${policy.document.strong}`, values: { score }, result: strong },
    ],
    actions: [{ action: 'open screening case', caseId, strong }],
  });
}
