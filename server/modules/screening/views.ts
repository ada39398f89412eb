// A screening case as the reader sees it: the queue row the grid shows and filters on, and the
// full case with the hit, its explanation, the entry then and now, the client and the history.

import type { ClientPartyRow, ClientRow, ScreeningCaseRow } from '../../db/schema.js';
import type { ListEntry } from './lists/model.js';
import { storedHit } from './codecs.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';
import { flagsOf, flagText } from '../../../shared/clients/flags.js';

/** The queue row: what the grid shows and filters on; `clientStatus` adds the flags that must not be missed. */
export function caseRow(row: ScreeningCaseRow, clientStatus?: string) {
  return {
    id: row.id,
    status: row.status,
    flags: flagText(flagsOf({ caseStatus: row.status, clientStatus })),
    clientId: row.client_id,
    subject: row.subject_name,
    isParty: row.party_id !== '',
    legalEntity: row.legal_entity,
    list: row.source,
    entryKey: row.entry_key,
    entryName: row.entry_name,
    score: row.score,
    trigger: row.trigger,
    listVersion: row.list_version_id,
    createdAt: row.created_at,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    reason: row.decision_reason,
    reopens: row.previous_case_id,
  };
}

export type ScreeningCaseView = ReturnType<typeof caseView>;

export function caseView(
  row: ScreeningCaseRow,
  extra: {
    client: ClientRow;
    party: ClientPartyRow | null;
    currentEntry: { entry: ListEntry; changedSinceHit: boolean; versionId: string } | null;
    history: Array<{ id: string; status: string; decidedBy: string | null; decidedAt: string | null; reason: string | null; sameEntryVersion: boolean; createdAt: string }>;
    availableDecisions: Array<'true_match' | 'false_positive'>;
  },
) {
  const stored = readJson(storedHit, row.hit_json, `screening_cases.hit_json of ${row.id}`);
  const c = extra.client;
  return {
    ...caseRow(row, extra.client.status),
    policyRef: row.policy_ref,
    explanation: stored.explanation,
    hit: stored.hit,
    subjectAtHit: stored.subject,
    entryAtHit: stored.entry,
    currentEntry: extra.currentEntry,
    client: {
      id: c.id,
      type: c.type,
      name: c.display_name,
      legalEntity: c.legal_entity,
      status: c.status,
      screeningStatus: c.screening_status,
      country: c.country,
      nationality: c.nationality,
      dateOfBirth: c.date_of_birth,
      restrictions: readJson(JSON_COLUMNS.restrictions, c.restrictions_json, `clients.restrictions_json of ${c.id}`),
    },
    party: extra.party
      ? { id: extra.party.id, name: `${extra.party.first_name} ${extra.party.last_name}`, roles: readJson(JSON_COLUMNS.partyRoles, extra.party.roles_json, `client_parties.roles_json of ${extra.party.id}`), dateOfBirth: extra.party.date_of_birth, nationality: extra.party.nationality, country: extra.party.country }
      : null,
    history: extra.history,
    availableDecisions: extra.availableDecisions,
  };
}
