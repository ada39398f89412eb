// Sanctions list versions: an import is diffed against the list as it stands
// (by the list's stable key), refused when it would remove more than the
// policy allows, and otherwise stored as a new version in one transaction,
// with its added, removed and changed entries, so the previous version stays
// whole until the new one is complete.

import { createHash } from 'node:crypto';
import type { Actor } from '../../core/actor.js';
import type { Store } from '../../core/store.js';
import { nextRef } from '../../db/counters.js';
import { DomainError } from '../../../shared/errors.js';
import { canonicalJson } from '../audit/canonical.js';
import type { PoliciesService } from '../policies/service.js';
import type { ListEntry } from './lists/model.js';
import type { ReadList } from './lists/read.js';
import { listEntry } from './codecs.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';

export interface StoredEntry extends ListEntry {
  readonly source: string;
}

export interface ImportResult {
  readonly versionId: string;
  readonly source: string;
  readonly publishedAt: string | null;
  readonly entries: number;
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
  readonly previousVersion: string | null;
  /** keys of the entries added or changed: what the incremental re-screen runs against */
  readonly addedOrChanged: readonly string[];
}

function entryHash(entry: ListEntry): string {
  return createHash('sha256').update(canonicalJson(entry)).digest('hex');
}

const BATCH = 400;

async function inBatches<T>(items: readonly T[], work: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (const batch of chunks(items, BATCH)) await work(batch);
}

export class ScreeningListsService {
  constructor(
    private readonly store: Store,
    private readonly policies: PoliciesService,
  ) {}

  private async refuse(actor: Actor, list: ReadList, message: string, details: Record<string, unknown>): Promise<never> {
    await this.store.mutate(actor, async (m) => {
      m.audit({ action: 'screening.list.refused', targetType: 'screening_list', targetId: list.source, after: { files: list.files, fileHash: list.fileHash, ...details }, reason: message });
    });
    throw new DomainError('LIST_REFUSED', message, details);
  }

  async importList(actor: Actor, list: ReadList): Promise<ImportResult> {
    const db = this.store.kysely;
    const policy = await this.policies.require(db, 'screening.thresholds');
    const latest = await db
      .selectFrom('screening_list_versions')
      .select(['id', 'file_hash', 'entry_count'])
      .where('source', '=', list.source)
      .orderBy('imported_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (latest?.file_hash === list.fileHash) {
      throw new DomainError('ALREADY_EXISTS', `${list.files.join(', ')} is already the current version of ${list.source} (${latest.id}); nothing changed.`, { versionId: latest.id });
    }

    const current = new Map<string, string>();
    for (const row of await db.selectFrom('screening_entries').select(['entry_key', 'hash']).where('source', '=', list.source).execute()) {
      current.set(row.entry_key, row.hash);
    }
    const incoming = list.entries.map((entry) => ({ entry, hash: entryHash(entry) }));
    const seen = new Set<string>();
    const added: typeof incoming = [];
    const changed: Array<(typeof incoming)[number] & { before: string }> = [];
    for (const item of incoming) {
      seen.add(item.entry.key);
      const before = current.get(item.entry.key);
      if (before === undefined) added.push(item);
      else if (before !== item.hash) changed.push({ ...item, before });
    }
    const removedKeys = [...current.keys()].filter((key) => !seen.has(key));

    if (current.size > 0) {
      const share = removedKeys.length / current.size;
      if (share > policy.document.maxRemovedShare) {
        const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
        await this.refuse(
          actor,
          list,
          `${list.source}: this file would remove ${removedKeys.length} of ${current.size} entries (${pct(share)}), more than the ${pct(policy.document.maxRemovedShare)} the screening policy allows in one update. ` +
            'A list rarely shrinks that much; the file may be truncated or the wrong list. The previous version stays active.',
          { removed: removedKeys.length, previous: current.size, maxRemovedShare: policy.document.maxRemovedShare, policyRef: policy.ref },
        );
      }
    }

    const removedNames = new Map<string, string>();
    for (const chunk of chunks(removedKeys, BATCH)) {
      const rows = await db.selectFrom('screening_entries').select(['entry_key', 'primary_name']).where('source', '=', list.source).where('entry_key', 'in', chunk).execute();
      for (const row of rows) removedNames.set(row.entry_key, row.primary_name);
    }

    const result = await this.store.mutate(actor, async (m) => {
      const versionId = await nextRef(m.trx, 'LST');
      await m.trx
        .insertInto('screening_list_versions')
        .values({
          id: versionId,
          source: list.source,
          format: list.format,
          published_at: list.publishedAt,
          file_hash: list.fileHash,
          files_json: JSON.stringify(list.files),
          entry_count: list.entries.length,
          name_count: list.entries.reduce((sum, entry) => sum + entry.names.length, 0),
          added: added.length,
          removed: removedKeys.length,
          changed: changed.length,
          previous_version: latest?.id ?? null,
          non_commercial: list.nonCommercial ? 1 : 0,
          imported_at: m.now,
          imported_by: m.actor.id,
        })
        .execute();
      const changes = [
        ...added.map(({ entry, hash }) => ({ version_id: versionId, entry_key: entry.key, op: 'added' as const, name: entry.names[0]!, before_hash: null, after_hash: hash })),
        ...changed.map(({ entry, hash, before }) => ({ version_id: versionId, entry_key: entry.key, op: 'changed' as const, name: entry.names[0]!, before_hash: before, after_hash: hash })),
        ...removedKeys.map((key) => ({ version_id: versionId, entry_key: key, op: 'removed' as const, name: removedNames.get(key) ?? key, before_hash: current.get(key)!, after_hash: null })),
      ];
      await inBatches(changes, (batch) => m.trx.insertInto('screening_list_changes').values(batch).execute());
      await inBatches(removedKeys, (batch) => m.trx.deleteFrom('screening_entries').where('source', '=', list.source).where('entry_key', 'in', batch).execute());
      await inBatches(
        changed.map((c) => c.entry.key),
        (batch) => m.trx.deleteFrom('screening_entries').where('source', '=', list.source).where('entry_key', 'in', batch).execute(),
      );
      await inBatches([...added, ...changed], (batch) =>
        m.trx
          .insertInto('screening_entries')
          .values(
            batch.map(({ entry, hash }) => ({
              source: list.source,
              entry_key: entry.key,
              schema: entry.schema,
              primary_name: entry.names[0]!,
              data_json: JSON.stringify(entry),
              hash,
              version_id: versionId,
            })),
          )
          .execute(),
      );
      m.audit({
        action: 'screening.list.imported',
        targetType: 'screening_list',
        targetId: versionId,
        after: {
          source: list.source,
          format: list.format,
          publishedAt: list.publishedAt,
          fileHash: list.fileHash,
          files: list.files,
          entries: list.entries.length,
          added: added.length,
          removed: removedKeys.length,
          changed: changed.length,
          previousVersion: latest?.id ?? null,
        },
        policyRef: policy.ref,
      });
      m.changed('screening_list_versions', versionId, null, 'insert');
      return {
        versionId,
        source: list.source,
        publishedAt: list.publishedAt,
        entries: list.entries.length,
        added: added.length,
        removed: removedKeys.length,
        changed: changed.length,
        previousVersion: latest?.id ?? null,
        addedOrChanged: [...added, ...changed].map(({ entry }) => entry.key),
      } satisfies ImportResult;
    });
    return result;
  }

  /** Every entry of every list as it stands, for the candidate index. */
  async allEntries(): Promise<StoredEntry[]> {
    const rows = await this.store.kysely.selectFrom('screening_entries').select(['source', 'entry_key', 'data_json']).execute();
    return rows.map((row) => ({ ...readJson(listEntry, row.data_json, `screening_entries.data_json of ${row.source} ${row.entry_key}`), source: row.source }));
  }

  async versions(source?: string) {
    let q = this.store.kysely.selectFrom('screening_list_versions').selectAll().orderBy('imported_at', 'desc').orderBy('id', 'desc');
    if (source !== undefined) q = q.where('source', '=', source);
    const rows = await q.execute();
    const currentBySource = new Map<string, string>();
    for (const row of rows) if (!currentBySource.has(row.source)) currentBySource.set(row.source, row.id);
    return rows.map((row) => ({
      id: row.id,
      source: row.source,
      format: row.format,
      publishedAt: row.published_at,
      fileHash: row.file_hash,
      files: readJson(JSON_COLUMNS.strings, row.files_json, `screening_list_versions.files_json of ${row.id}`),
      entries: row.entry_count,
      names: row.name_count,
      added: row.added,
      removed: row.removed,
      changed: row.changed,
      previousVersion: row.previous_version,
      nonCommercial: row.non_commercial === 1,
      importedAt: row.imported_at,
      importedBy: row.imported_by,
      current: currentBySource.get(row.source) === row.id,
    }));
  }

  async diff(versionId: string, op?: 'added' | 'removed' | 'changed') {
    const version = await this.store.kysely.selectFrom('screening_list_versions').select('id').where('id', '=', versionId).executeTakeFirst();
    if (version === undefined) throw new DomainError('NOT_FOUND', `List version ${versionId} does not exist.`);
    let q = this.store.kysely.selectFrom('screening_list_changes').select(['entry_key', 'op', 'name']).where('version_id', '=', versionId).orderBy('op').orderBy('name');
    if (op !== undefined) q = q.where('op', '=', op);
    return (await q.execute()).map((row) => ({ key: row.entry_key, op: row.op, name: row.name }));
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
