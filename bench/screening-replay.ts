// The screening thresholds' dry run at scale (issue 19, decision 0033): `count` logged near matches,
// each a real entry of the OFAC SDN list of 2024-04-26 (../shared/data) against a subject of its own name born a century
// earlier and of another nationality (so the evidence, not the name, decides), logged with the
// outcome the version in force gives it; then a draft that drops the nationality conflict's
// weight, replayed over HTTP by `policies.dryRun` as the MLRO (every pair scored again by the
// matcher), the slowest of three runs.

import type { Kysely } from 'kysely';
import type { Database } from '../server/db/schema.js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readListFiles } from '../server/modules/screening/lists/read.js';
import { screeningOutcome } from '../server/modules/screening/execution.js';
import { prepareEntry, prepareSubject, scoreEntry, type MatchableEntry, type Subject } from '../server/modules/screening/matching/matcher.js';
import type { ScreeningThresholds } from '../shared/policies/screening.js';
import { DATA } from './screening.js';

interface Api {
  policies: { dryRun: { query(input: { type: string; document: unknown; days: number }): Promise<{ evaluated: number; changed: number }> } };
}

export async function benchScreeningReplay(db: Kysely<Database>, api: Api, policy: { version: number; document: ScreeningThresholds }, count: number, log: (line: string) => void): Promise<{ decisions: number; changed: number; ms: number }> {
  // The entries come from the SDN file itself: a logged pair carries its entry, so the database needs no list.
  const dir = join(DATA, 'sanctions', 'ofac', 'sdn_2024-04-26');
  const list = await readListFiles(readdirSync(dir).map((f) => join(dir, f)));
  const people: MatchableEntry[] = list.entries.filter((e) => e.schema === 'Person' && e.nationalities.length > 0 && e.birthDates.length > 0).map((e) => ({ ...e, source: list.source }));
  if (people.length === 0) throw new Error(`no listed person with a nationality and a date of birth in ${dir}`);
  log(`  writing ${count.toLocaleString('en')} logged screening near matches against ${people.length.toLocaleString('en')} listed people`);
  const now = Date.now();
  for (let start = 0; start < count; start += 2000) {
    const batch = Array.from({ length: Math.min(2000, count - start) }, (_, k) => {
      const i = start + k;
      const entry = people[i % people.length]!;
      const subject: Subject = { name: entry.names[0]!, schema: 'Person', birthDate: { year: 1900 + (i % 20) }, nationality: entry.nationalities[0] === 'IS' ? 'NO' : 'IS' };
      const score = scoreEntry(subject, prepareSubject(subject), prepareEntry(entry), policy.document)?.score ?? 0;
      const clientId = `CL-${String(800_000 + i).padStart(7, '0')}`;
      return { at: new Date(now - 3_600_000 + (i % 3_000_000)).toISOString(), policy_type: 'screening.thresholds', policy_version: policy.version, canary: 0, event: 'screening.nearMiss', subject_type: 'screening_near_miss', subject_id: clientId, legal_entity: i % 3 === 0 ? 'global' : 'eu', client_id: clientId, outcome: screeningOutcome(score, policy.document), conditions_json: '[]', actions_json: '[]', inputs_json: JSON.stringify({ subject, entry }) };
    });
    await db.transaction().execute(async (trx) => {
      for (let j = 0; j < batch.length; j += 250) await trx.insertInto('policy_executions').values(batch.slice(j, j + 250)).execute();
    });
  }
  const draft: ScreeningThresholds = { ...policy.document, evidence: { ...policy.document.evidence, nationalityConflict: 0 } };
  let run = { evaluated: 0, changed: 0 };
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    run = await api.policies.dryRun.query({ type: 'screening.thresholds', document: draft, days: 1 });
    times.push(performance.now() - t0);
  }
  if (run.evaluated < count) throw new Error(`the screening dry run replayed ${run.evaluated} decisions, not ${count}`);
  log(`  screening.thresholds dry run over ${run.evaluated.toLocaleString('en')} logged pairs (${run.changed.toLocaleString('en')} changed), slowest ${Math.max(...times).toFixed(0)} ms`);
  return { decisions: run.evaluated, changed: run.changed, ms: Math.max(...times) };
}
