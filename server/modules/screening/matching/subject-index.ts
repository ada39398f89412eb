// The other direction: an index of the people and companies being screened,
// so that when a list adds or changes entries only those entries are
// searched against the client base, instead of every client against every
// list again.

import type { ScreeningThresholds } from '../../../../shared/policies/screening.js';
import { prepareEntry, prepareSubject, scoreEntry, type Hit, type MatchableEntry, type Subject } from './matcher.js';
import { NameIndex } from './name-index.js';
import type { NormalisedName } from './normalize.js';

export interface SubjectHit {
  readonly subjectId: string;
  readonly hit: Hit;
}

export class SubjectIndex {
  private readonly ids: string[] = [];
  private readonly subjects: Subject[] = [];
  private readonly names: NormalisedName[][] = [];
  private readonly index = new NameIndex();

  add(id: string, subject: Subject): void {
    const names = prepareSubject(subject);
    this.index.add(this.ids.length, names);
    this.ids.push(id);
    this.subjects.push(subject);
    this.names.push(names);
  }

  get size(): number {
    return this.ids.length;
  }

  /** Every subject the given entries hit at or above the threshold (the policy's match threshold unless given). */
  screenEntries(entries: Iterable<MatchableEntry>, policy: ScreeningThresholds, threshold = policy.match, limitPerEntry = 200): SubjectHit[] {
    const out: SubjectHit[] = [];
    for (const entry of entries) {
      const prepared = prepareEntry(entry);
      for (const record of this.index.candidates(prepared.names, limitPerEntry)) {
        const hit = scoreEntry(this.subjects[record]!, this.names[record]!, prepared, policy, threshold);
        if (hit !== undefined && hit.score >= threshold) out.push({ subjectId: this.ids[record]!, hit });
      }
    }
    return out;
  }
}
