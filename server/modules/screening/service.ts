// Screening of clients and of the people behind corporate clients: on registration and on every
// change of name, date of birth or nationality (against every loaded list), and on every list
// import (only the entries it added or changed, against an index of all clients). Hits become
// review cases; a false-positive decision is a suppression that holds only while the list entry
// stays as it was; a confirmed true match restricts the client and raises an alert for the MLRO.

import { randomUUID } from 'node:crypto';
import { DomainError } from '../../../shared/errors.js';
import type { ScreeningThresholds } from '../../../shared/policies/screening.js';
import type { ScreeningCaseDecision } from '../../../shared/screening/schemas.js';
import type { Actor } from '../../core/actor.js';
import type { Mutation, Store } from '../../core/store.js';
import { nextRef } from '../../db/counters.js';
import type { ClientPartyRow, ScreeningCaseTable } from '../../db/schema.js';
import { raiseAlert } from '../alerts/service.js';
import { loadClient, restrictClient } from '../clients/restrictions.js';
import type { PoliciesService } from '../policies/service.js';
import type { ActivePolicy } from '../policies/reader.js';
import type { ScreeningListsService, ImportResult } from './lists-service.js';
import type { ReadList } from './lists/read.js';
import { explain, ListMatcher, type Hit, type MatchableEntry } from './matching/matcher.js';
import { SubjectIndex } from './matching/subject-index.js';
import { type AuthContext, requireEntity } from '../../core/auth.js';
import { humanize } from '../../../shared/labels.js';
import { caseRow, caseView, type ScreeningCaseView } from './views.js';
import { clientSubjects, type ScreeningSubject } from './subjects.js';
import { listEntry } from './codecs.js';
import { readJson } from '../../db/json.js';
import { logCaseOpened, logNearMisses, nearMissFloor, splitHits } from './execution.js';

type Trigger = ScreeningCaseTable['trigger'];

interface LoadedEntry {
  entry: MatchableEntry;
  hash: string;
  versionId: string;
}

interface LoadedLists {
  token: string;
  matcher: ListMatcher;
  entries: Map<string, LoadedEntry>;
}

export interface ScreeningOutcome {
  hits: number;
  opened: string[];
  suppressed: number;
  alreadyOpen: number;
  alreadyConfirmed: number;
}

export interface RescreenResult extends ScreeningOutcome {
  entriesScreened: number;
  subjects: number;
}

const entryId = (source: string, key: string) => `${source}|${key}`;
const subjectId = (s: { clientId: string; partyId: string }) => `${s.clientId}|${s.partyId}`;

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

export class ScreeningService {
  #loaded: Promise<LoadedLists> | null = null;

  constructor(
    private readonly store: Store,
    private readonly lists: ScreeningListsService,
    private readonly policies: PoliciesService,
  ) {}

  /** The lists as they stand, indexed; rebuilt when another process (the CLI) imported a version. */
  async loaded(): Promise<LoadedLists> {
    const token = await this.listToken();
    const current = this.#loaded ? await this.#loaded.catch(() => null) : null;
    if (current?.token === token) return current;
    this.#loaded = this.load(token);
    return this.#loaded;
  }

  private async listToken(): Promise<string> {
    const row = await this.store.kysely.selectFrom('screening_list_versions').select((eb) => [eb.fn.max('id').as('last'), eb.fn.countAll().as('n')]).executeTakeFirst();
    return `${String(row?.last ?? '')}:${String(row?.n ?? 0)}`;
  }

  private async load(token: string): Promise<LoadedLists> {
    const rows = await this.store.kysely.selectFrom('screening_entries').select(['source', 'entry_key', 'data_json', 'hash', 'version_id']).execute();
    const entries = new Map<string, LoadedEntry>();
    for (const row of rows) {
      const entry = { ...readJson(listEntry, row.data_json, `screening_entries.data_json of ${row.source} ${row.entry_key}`), source: row.source };
      entries.set(entryId(row.source, row.entry_key), { entry, hash: row.hash, versionId: row.version_id });
    }
    return { token, matcher: new ListMatcher([...entries.values()].map((e) => e.entry)), entries };
  }

  async policy(): Promise<ActivePolicy<ScreeningThresholds>> {
    return this.policies.require(this.store.kysely, 'screening.thresholds');
  }

  /** Screens subjects against every loaded list inside the caller's mutation (registration, a change of name, birth date or nationality). */
  async screenSubjects(m: Mutation, subjects: readonly ScreeningSubject[], trigger: Trigger, lists: LoadedLists, policy: ActivePolicy<ScreeningThresholds>): Promise<ScreeningOutcome> {
    const { found, near } = splitHits(subjects.flatMap((s) => lists.matcher.search(s.subject, policy.document, { threshold: nearMissFloor(policy.document) }).map((hit) => ({ subject: s, hit }))), policy.document);
    const outcome = await this.recordHits(m, found, trigger, lists, policy);
    await logNearMisses(m, policy, near, (hit) => lists.entries.get(entryId(hit.source, hit.entryKey))?.entry);
    const listed = lists.entries.size > 0;
    for (const clientId of new Set(subjects.map((s) => s.clientId))) {
      m.audit({
        action: 'screening.screened',
        targetType: 'client',
        targetId: clientId,
        clientId,
        legalEntity: subjects.find((s) => s.clientId === clientId)!.legalEntity,
        after: {
          trigger,
          subjects: subjects.filter((s) => s.clientId === clientId).map((s) => s.subject.name),
          lists: listed ? [...new Set([...lists.entries.values()].map((e) => e.versionId))].sort() : [],
          hits: found.filter((f) => f.subject.clientId === clientId).map((f) => ({ source: f.hit.source, entryKey: f.hit.entryKey, entryName: f.hit.entryName, score: round(f.hit.score) })),
          opened: outcome.opened,
        },
        reason: listed ? undefined : 'No sanctions or PEP list is loaded: the client could not be screened.',
        policyRef: policy.ref,
      });
      await this.refreshClientStatus(m, clientId, listed);
    }
    return outcome;
  }

  /** Loads a list version, then re-screens every client and party against only what it added or changed. */
  async importList(actor: Actor, list: ReadList): Promise<{ import: ImportResult; rescreen: RescreenResult }> {
    const imported = await this.lists.importList(actor, list);
    const rescreen = await this.rescreen(actor, imported);
    return { import: imported, rescreen };
  }

  async rescreen(actor: Actor, imported: ImportResult): Promise<RescreenResult> {
    const [lists, policy] = await Promise.all([this.loaded(), this.policy()]);
    const entries = imported.addedOrChanged.map((key) => lists.entries.get(entryId(imported.source, key))).filter((e): e is LoadedEntry => e !== undefined);
    const { index, subjects } = await this.subjectIndex();
    const hits = entries.length && index.size ? index.screenEntries(entries.map((e) => e.entry), policy.document, nearMissFloor(policy.document)) : [];
    return this.store.mutate(actor, async (m) => {
      const { found, near } = splitHits(hits.map((h) => ({ subject: subjects.get(h.subjectId)!, hit: h.hit })), policy.document);
      const outcome = await this.recordHits(m, found, 'list_update', lists, policy);
      await logNearMisses(m, policy, near, (hit) => lists.entries.get(entryId(hit.source, hit.entryKey))?.entry);
      for (const clientId of new Set(found.map((f) => f.subject.clientId))) await this.refreshClientStatus(m, clientId, true);
      const result: RescreenResult = { ...outcome, entriesScreened: entries.length, subjects: index.size };
      m.audit({
        action: 'screening.rescreened',
        targetType: 'screening_list',
        targetId: imported.versionId,
        after: { source: imported.source, entriesScreened: entries.length, subjects: index.size, hits: outcome.hits, opened: outcome.opened, suppressed: outcome.suppressed, alreadyOpen: outcome.alreadyOpen },
        policyRef: policy.ref,
      });
      return result;
    });
  }

  /** Every client (not closed) and every party of one, indexed by name for the re-screen direction. */
  private async subjectIndex(): Promise<{ index: SubjectIndex; subjects: Map<string, ScreeningSubject> }> {
    const db = this.store.kysely;
    const clients = await db.selectFrom('clients').selectAll().where('status', '!=', 'closed').execute();
    const parties = await db.selectFrom('client_parties').selectAll().execute();
    const byClient = new Map<string, ClientPartyRow[]>();
    for (const p of parties) byClient.set(p.client_id, [...(byClient.get(p.client_id) ?? []), p]);
    const index = new SubjectIndex();
    const subjects = new Map<string, ScreeningSubject>();
    for (const c of clients) {
      for (const s of clientSubjects(c, byClient.get(c.id) ?? [])) {
        index.add(subjectId(s), s.subject);
        subjects.set(subjectId(s), s);
      }
    }
    return { index, subjects };
  }

  private async recordHits(
    m: Mutation,
    found: ReadonlyArray<{ subject: ScreeningSubject; hit: Hit }>,
    trigger: Trigger,
    lists: LoadedLists,
    policy: ActivePolicy<ScreeningThresholds>,
  ): Promise<ScreeningOutcome> {
    const outcome: ScreeningOutcome = { hits: found.length, opened: [], suppressed: 0, alreadyOpen: 0, alreadyConfirmed: 0 };
    for (const { subject, hit } of found) {
      const loaded = lists.entries.get(entryId(hit.source, hit.entryKey));
      if (!loaded) continue;
      const history = await m.trx
        .selectFrom('screening_cases')
        .select(['id', 'status', 'entry_hash'])
        .where('client_id', '=', subject.clientId)
        .where('party_id', '=', subject.partyId)
        .where('source', '=', hit.source)
        .where('entry_key', '=', hit.entryKey)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      if (history.some((c) => c.status === 'open')) {
        outcome.alreadyOpen++;
        continue;
      }
      if (history.some((c) => c.status === 'true_match' && c.entry_hash === loaded.hash)) {
        outcome.alreadyConfirmed++;
        continue;
      }
      const suppression = await m.trx
        .selectFrom('screening_suppressions')
        .select('id')
        .where('client_id', '=', subject.clientId)
        .where('party_id', '=', subject.partyId)
        .where('source', '=', hit.source)
        .where('entry_key', '=', hit.entryKey)
        .where('entry_hash', '=', loaded.hash)
        .executeTakeFirst();
      if (suppression) {
        outcome.suppressed++;
        continue;
      }
      const id = await nextRef(m.trx, 'SCR');
      const previous = history[0]?.id ?? null;
      await m.trx
        .insertInto('screening_cases')
        .values({
          id,
          client_id: subject.clientId,
          party_id: subject.partyId,
          legal_entity: subject.legalEntity,
          subject_name: subject.subject.name,
          source: hit.source,
          entry_key: hit.entryKey,
          entry_name: hit.entryName,
          entry_hash: loaded.hash,
          list_version_id: loaded.versionId,
          score: round(hit.score),
          hit_json: JSON.stringify({ hit, explanation: explain(hit), subject: subject.subject, entry: loaded.entry }),
          trigger,
          status: 'open',
          previous_case_id: previous,
          policy_ref: policy.ref,
          created_at: m.now,
          updated_at: m.now,
          decided_by: null,
          decided_at: null,
          decision_reason: null,
        })
        .execute();
      await logCaseOpened(m, policy, id, subject, hit, loaded.entry);
      m.audit({
        action: 'screening.case.opened',
        targetType: 'screening_case',
        targetId: id,
        clientId: subject.clientId,
        legalEntity: subject.legalEntity,
        caseRef: id,
        after: {
          subject: subject.subject.name,
          partyId: subject.partyId || undefined,
          list: hit.source,
          entryKey: hit.entryKey,
          entryName: hit.entryName,
          listVersion: loaded.versionId,
          score: round(hit.score),
          trigger,
          explanation: explain(hit),
          reopens: previous ?? undefined,
        },
        reason: previous ? `The list entry changed since ${previous} was decided; the hit is reviewed again.` : undefined,
        policyRef: policy.ref,
      });
      m.changed('screening_cases', id, subject.legalEntity, 'insert');
      outcome.opened.push(id);
    }
    return outcome;
  }

  /** A client's screening status follows from its cases: open ones first, then confirmed ones. */
  private async refreshClientStatus(m: Mutation, clientId: string, listed: boolean): Promise<void> {
    const cases = await m.trx.selectFrom('screening_cases').select('status').where('client_id', '=', clientId).execute();
    const status = cases.some((c) => c.status === 'open') ? 'potential_match' : cases.some((c) => c.status === 'true_match') ? 'confirmed_match' : listed ? 'clear' : 'not_screened';
    const client = await m.trx.selectFrom('clients').select(['screening_status', 'legal_entity']).where('id', '=', clientId).executeTakeFirstOrThrow();
    if (client.screening_status === status) return;
    await m.trx.updateTable('clients').set({ screening_status: status, updated_at: m.now }).where('id', '=', clientId).execute();
    m.changed('clients', clientId, client.legal_entity, 'update');
    // A change of screening status is a change of risk profile: KYC re-scores (and may re-review).
    await this.onScreeningChanged?.(m, clientId);
  }

  /** Set by the composition root: KYC's reaction to a client's screening status changing. */
  onScreeningChanged?: (m: Mutation, clientId: string) => Promise<void>;

  async decide(auth: AuthContext, input: ScreeningCaseDecision): Promise<ScreeningCaseView> {
    const policy = await this.policy();
    await this.store.mutate(auth.actor, async (m) => {
      const row = await m.trx.selectFrom('screening_cases').selectAll().where('id', '=', input.caseId).executeTakeFirst();
      if (!row) throw new DomainError('NOT_FOUND', `Screening case ${input.caseId} does not exist.`);
      requireEntity(auth, 'screening.review', row.legal_entity);
      if (row.status !== 'open') throw new DomainError('ALREADY_DECIDED', `${row.id} was already decided (${humanize(row.status)}) by ${row.decided_by ?? 'someone'} at ${row.decided_at ?? '?'}.`);
      if (input.decision === 'false_positive' && row.score >= policy.document.strong && !auth.scope('kyc.decideHighRisk').includes(row.legal_entity)) {
        throw new DomainError(
          'FORBIDDEN_PERMISSION',
          `${row.id} is a strong hit (score ${row.score.toFixed(2)}, at or above the policy's ${policy.document.strong}); only a senior compliance officer or the MLRO may clear it as a false positive. Escalate it, or confirm it as a true match.`,
        );
      }
      await m.trx.updateTable('screening_cases').set({ status: input.decision, decided_by: auth.user.username, decided_at: m.now, decision_reason: input.reason, updated_at: m.now }).where('id', '=', row.id).execute();
      m.audit({
        action: 'screening.case.decided',
        targetType: 'screening_case',
        targetId: row.id,
        clientId: row.client_id,
        legalEntity: row.legal_entity,
        caseRef: row.id,
        before: { status: 'open' },
        after: { status: input.decision, entryHash: row.entry_hash, listVersion: row.list_version_id },
        reason: input.reason,
        policyRef: policy.ref,
      });
      m.changed('screening_cases', row.id, row.legal_entity, 'update');
      if (input.decision === 'false_positive') {
        await m.trx
          .insertInto('screening_suppressions')
          .values({ id: randomUUID(), client_id: row.client_id, party_id: row.party_id, source: row.source, entry_key: row.entry_key, entry_hash: row.entry_hash, case_id: row.id, reason: input.reason, created_by: auth.user.username, created_at: m.now })
          .execute();
      } else {
        const client = await loadClient(m, row.client_id);
        // Ids only: the names are joined in for readers who may see them.
        const subject = row.party_id ? `party ${row.party_id} (a director, shareholder or owner) of ${row.client_id}` : row.client_id;
        await restrictClient(m, client, 'sanctions_match', { reason: `${subject} confirmed as ${row.source} entry ${row.entry_key} (${row.id})`, caseRef: row.id, policyRef: policy.ref });
        await raiseAlert(m, {
          kind: 'sanctions_match',
          legalEntity: row.legal_entity,
          clientId: row.client_id,
          severity: 'critical',
          forRole: 'mlro',
          summary: `Confirmed sanctions match: ${subject} is ${row.source} entry ${row.entry_key} (${row.id}). Client restricted; consider a suspicious activity report and a freeze.`,
          details: { caseId: row.id, source: row.source, entryKey: row.entry_key, score: row.score, decidedBy: auth.user.username, reason: input.reason },
          sourceRef: row.id,
        });
      }
      await this.refreshClientStatus(m, row.client_id, true);
    });
    return this.get(auth, input.caseId);
  }

  async get(auth: AuthContext, caseId: string): Promise<ScreeningCaseView> {
    const db = this.store.kysely;
    const row = await db.selectFrom('screening_cases').selectAll().where('id', '=', caseId).executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', `Screening case ${caseId} does not exist.`);
    requireEntity(auth, 'screening.read', row.legal_entity);
    const client = await db.selectFrom('clients').selectAll().where('id', '=', row.client_id).executeTakeFirstOrThrow();
    const party = row.party_id ? await db.selectFrom('client_parties').selectAll().where('id', '=', row.party_id).executeTakeFirst() : undefined;
    const current = await db.selectFrom('screening_entries').select(['hash', 'data_json', 'version_id']).where('source', '=', row.source).where('entry_key', '=', row.entry_key).executeTakeFirst();
    const history = await db
      .selectFrom('screening_cases')
      .select(['id', 'status', 'decided_by', 'decided_at', 'decision_reason', 'entry_hash', 'created_at'])
      .where('client_id', '=', row.client_id)
      .where('party_id', '=', row.party_id)
      .where('source', '=', row.source)
      .where('entry_key', '=', row.entry_key)
      .where('id', '!=', row.id)
      .orderBy('created_at')
      .execute();
    return caseView(row, {
      client,
      party: party ?? null,
      currentEntry: current ? { entry: readJson(listEntry, current.data_json, `screening_entries.data_json of ${row.source} ${row.entry_key}`), changedSinceHit: current.hash !== row.entry_hash, versionId: current.version_id } : null,
      history: history.map((h) => ({ id: h.id, status: h.status, decidedBy: h.decided_by, decidedAt: h.decided_at, reason: h.decision_reason, sameEntryVersion: h.entry_hash === row.entry_hash, createdAt: h.created_at })),
      availableDecisions: row.status === 'open' && auth.scope('screening.review').includes(row.legal_entity) ? ['true_match', 'false_positive'] : [],
    });
  }

  async list(auth: AuthContext, filter: { status?: 'open' | 'true_match' | 'false_positive' | undefined; clientId?: string | undefined; legalEntity?: string | undefined; cursor?: string | undefined; limit: number }) {
    let scope = auth.scope('screening.read');
    if (filter.legalEntity) {
      requireEntity(auth, 'screening.read', filter.legalEntity);
      scope = [filter.legalEntity];
    }
    if (scope.length === 0) return { items: [], nextCursor: null };
    // References are gapless and increasing, so the newest first is by id, and the cursor is the last id sent.
    let q = this.store.kysely.selectFrom('screening_cases').selectAll().where('legal_entity', 'in', scope).orderBy('id', 'desc').limit(filter.limit + 1);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.clientId) q = q.where('client_id', '=', filter.clientId);
    if (filter.cursor) q = q.where('id', '<', filter.cursor);
    const rows = await q.execute();
    const items = rows.slice(0, filter.limit).map((r) => caseRow(r));
    return { items, nextCursor: rows.length > filter.limit ? items.at(-1)!.id : null };
  }

  async byIds(ids: string[]) {
    if (ids.length === 0) return [];
    const rows = await this.store.kysely
      .selectFrom('screening_cases as s')
      .leftJoin('clients as c', 'c.id', 's.client_id')
      .selectAll('s')
      .select('c.status as client_status')
      .where('s.id', 'in', ids)
      .execute();
    return rows.map(({ client_status, ...row }) => caseRow(row, client_status ?? undefined));
  }
}
