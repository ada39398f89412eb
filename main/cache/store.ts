// The encrypted local cache of one user: SQLCipher (better-sqlite3-multiple-ciphers), one table
// per view with indexes on the grid's columns, an FTS5 index for the quick filter, and the sync
// cursor. It holds only rows the server sent to this user, already masked. A file that does not
// open with the user's key, or that belongs to someone else, is wiped and rebuilt.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import type { FilterModel, SortModel, ViewDefinition } from '../../shared/desktop/grid.js';
import { VIEWS, type CacheRow, type ViewName } from '../../shared/desktop/views.js';
import { afterSql, caseFold, QueryModelError, foldForSearch, orderSql, quickFilterMatch, quickFilterTerms, quickFilterTest, quickFilterWords, sortKeys, whereSql, type SqlFragment } from './filter-sql.js';
import { loadOrCreateKey, type KeyWrapper } from './keys.js';

const SCHEMA_VERSION = 11;

export interface CacheQuery {
  view: ViewName;
  filterModel: FilterModel;
  /** The queue tab's own filter (mine, unassigned, closed, …), ANDed with the user's. */
  scope?: FilterModel | undefined;
  sortModel: SortModel;
  quickFilter?: string | undefined;
  startRow: number;
  endRow: number;
}

export interface CacheBatch {
  upserts: Partial<Record<ViewName, CacheRow[]>>;
  deletes: Partial<Record<ViewName, Array<string | number>>>;
  cursor: string;
}

export type OpenOutcome = 'opened' | 'created' | 'rebuilt';

const q = (id: string) => `"${id}"`;
const table = (view: ViewDefinition) => `v_${view.name}`;

function userFileStem(userId: string): string {
  return createHash('sha256').update(userId).digest('hex').slice(0, 24);
}

export class CacheStore {
  readonly outcome: OpenOutcome;
  readonly file: string;
  readonly keyFile: string;
  #db: Database.Database;
  /** Sort values of the last row of each page served, for keyset paging of the next one. */
  #pageEnds = new Map<string, Array<string | number | null>>();

  private constructor(db: Database.Database, file: string, keyFile: string, outcome: OpenOutcome) {
    this.#db = db;
    this.file = file;
    this.keyFile = keyFile;
    this.outcome = outcome;
  }

  static open(opts: { dir: string; userId: string; wrapper: KeyWrapper }): CacheStore {
    const { keyFile } = CacheStore.paths(opts.dir, opts.userId);
    const { key, created } = loadOrCreateKey(keyFile, opts.wrapper);
    return CacheStore.openWithKey({ dir: opts.dir, userId: opts.userId, key, keyCreated: created });
  }

  static paths(dir: string, userId: string): { file: string; keyFile: string } {
    const stem = userFileStem(userId);
    return { file: path.join(dir, `${stem}.cache`), keyFile: path.join(dir, `${stem}.key`) };
  }

  /** Opens with an already unwrapped key (the worker thread gets the key, never the wrapper). */
  static openWithKey(opts: { dir: string; userId: string; key: Buffer; keyCreated: boolean; plaintextForBenchmark?: boolean; pageCacheMb?: number }): CacheStore {
    const { file, keyFile } = CacheStore.paths(opts.dir, opts.userId);
    const key = opts.key;
    let outcome: OpenOutcome = opts.keyCreated ? 'created' : 'opened';
    if (opts.keyCreated && fs.existsSync(file)) {
      removeDatabaseFiles(file);
      outcome = 'rebuilt';
    }
    let db: Database.Database;
    try {
      db = openEncrypted(file, key, opts.plaintextForBenchmark, opts.pageCacheMb);
      const meta = db.prepare('select user_id, schema_version from meta').get() as { user_id: string; schema_version: number } | undefined;
      if (!meta || meta.user_id !== opts.userId || meta.schema_version !== SCHEMA_VERSION) throw new Error('foreign or outdated cache');
    } catch {
      // Corrupt, foreign or from an older build: never trusted, rebuilt from the server.
      removeDatabaseFiles(file);
      db = openEncrypted(file, key, opts.plaintextForBenchmark, opts.pageCacheMb);
      createSchema(db, opts.userId);
      if (outcome === 'opened') outcome = 'rebuilt';
    }
    fs.chmodSync(file, 0o600);
    return new CacheStore(db, file, keyFile, outcome);
  }

  cursor(): string | null {
    return (this.#db.prepare('select cursor from meta').get() as { cursor: string | null }).cursor;
  }

  /** Applies one sync batch in one transaction: all of it or none of it. */
  apply(batch: CacheBatch): { changedViews: ViewName[] } {
    const changed = new Set<ViewName>();
    this.#db.transaction(() => {
      for (const [name, rows] of Object.entries(batch.upserts) as Array<[ViewName, CacheRow[]]>) {
        if (!rows?.length) continue;
        const view = VIEWS[name];
        const cols = Object.keys(view.columns);
        const upsert = this.#db.prepare(
          `insert into ${table(view)} (${cols.map(q).join(', ')}, _json, _search) values (${cols.map(() => '?').join(', ')}, ?, ?)
           on conflict(${q(view.key)}) do update set ${[...cols, '_json', '_search'].filter((c) => c !== view.key).map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')}
           returning rowid as rid`,
        );
        const ftsDelete = this.#db.prepare(`delete from ${table(view)}_fts where rowid = ?`);
        const ftsInsert = this.#db.prepare(`insert into ${table(view)}_fts (rowid, body) values (?, ?)`);
        const search = cols.filter((c) => (view.columns as Record<string, { search?: boolean }>)[c]?.search);
        for (const row of rows) {
          const key = row[view.key];
          if (key === null || key === undefined) throw new Error(`A ${name} row without its key "${view.key}" was refused; the batch was not applied.`);
          const values = cols.map((c) => row[c] ?? null);
          const body = search.map((c) => row[c] ?? '').join(' ');
          const { rid } = upsert.get(...values, row._json ?? JSON.stringify(row), foldForSearch(body)) as { rid: number };
          ftsDelete.run(rid);
          ftsInsert.run(rid, body);
        }
        changed.add(name);
      }
      for (const [name, keys] of Object.entries(batch.deletes) as Array<[ViewName, Array<string | number>]>) {
        if (!keys?.length) continue;
        const view = VIEWS[name];
        const find = this.#db.prepare(`select rowid as rid from ${table(view)} where ${q(view.key)} = ?`);
        const del = this.#db.prepare(`delete from ${table(view)} where rowid = ?`);
        const ftsDelete = this.#db.prepare(`delete from ${table(view)}_fts where rowid = ?`);
        for (const key of keys) {
          const found = find.get(key) as { rid: number } | undefined;
          if (!found) continue;
          del.run(found.rid);
          ftsDelete.run(found.rid);
        }
        changed.add(name);
      }
      this.#db.prepare('update meta set cursor = ?').run(batch.cursor);
    })();
    this.#pageEnds.clear();
    return { changedViews: [...changed] };
  }

  /** Empties every view and forgets the cursor: the server asked for a full resync. */
  reset(): void {
    this.#db.transaction(() => {
      for (const view of Object.values(VIEWS) as ViewDefinition[]) {
        this.#db.exec(`delete from ${table(view)}; delete from ${table(view)}_fts;`);
      }
      this.#db.prepare('update meta set cursor = null').run();
    })();
    this.#pageEnds.clear();
  }

  query(input: CacheQuery): { rows: CacheRow[]; lastRow: number | null } {
    const view: ViewDefinition = VIEWS[input.view];
    const t = table(view);
    const limit = Math.min(Math.max(input.endRow - input.startRow, 1), 1000);
    const keys = sortKeys(view, input.sortModel);
    const parts: SqlFragment[] = [whereSql(view, input.filterModel), whereSql(view, input.scope ?? {})];
    const match = input.quickFilter ? quickFilterMatch(input.quickFilter) : null;
    const rowidIsKey = view.columns[view.key]?.type === 'number';
    // Sorted by the key alone, FTS5 hands matches over in rowid (= key) order: no sort at all.
    const ftsOrdered = match !== null && rowidIsKey && keys.length === 1;
    let from = `${t} as v`;
    if (match && ftsOrdered) {
      from = `${t}_fts as f join ${t} as v on v.rowid = f.rowid`;
      parts.push({ sql: `${t}_fts match ?`, params: [match] });
    } else if (match) {
      // Few matches: fetch them from the full-text index and sort. Many: walk the sort's index and
      // test each row with the same word-prefix rule, stopping at the page's end.
      if (this.estimateMatches(t, input.quickFilter!) < 5000) {
        parts.push({ sql: `v.rowid in (select rowid from ${t}_fts where ${t}_fts match ?)`, params: [match] });
      } else {
        parts.push({ sql: 'qf(v._search, ?) = 1', params: [JSON.stringify(quickFilterTerms(input.quickFilter!))] });
      }
    }
    // Keyset paging when the page before this one was served with the same model; OFFSET otherwise.
    const signature = JSON.stringify([input.view, input.filterModel, input.scope ?? {}, input.sortModel, input.quickFilter ?? '']);
    const after = input.startRow > 0 ? this.#pageEnds.get(`${signature}@${input.startRow}`) : undefined;
    if (after && ftsOrdered) {
      // Continue the full-text index's own rowid order from the last key: a range it can seek to.
      parts.push({ sql: `f.rowid ${keys[0]!.desc ? '<' : '>'} ?`, params: [after[0] as number] });
    } else if (after) parts.push(afterSql(keys, after));
    const offset = input.startRow > 0 && !after ? input.startRow : 0;
    const order = ftsOrdered ? `f.rowid ${keys[0]!.desc ? 'DESC' : 'ASC'}` : orderSql(keys);
    const sql = `select ${Object.keys(view.columns).map((c) => `v.${q(c)}`).join(', ')}, v._json from ${from}
      where ${parts.map((p) => p.sql).join(' AND ')} order by ${order} limit ? offset ?`;
    const rows = this.#db.prepare(sql).all(...parts.flatMap((p) => p.params), limit, offset) as CacheRow[];
    const last = rows.at(-1);
    if (last && rows.length === limit) this.#pageEnds.set(`${signature}@${input.startRow + rows.length}`, keys.map((k) => last[k.column] ?? null));
    return { rows, lastRow: rows.length < limit ? input.startRow + rows.length : null };
  }

  /** Rows the rarest quick-filter word can match at most, from the FTS vocabulary: cheap. */
  private estimateMatches(t: string, text: string): number {
    let best = Number.POSITIVE_INFINITY;
    const count = this.#db.prepare(`select coalesce(sum(doc), 0) as n from ${t}_vocab where term >= ? and term < ?`);
    for (const w of quickFilterWords(text)) {
      const upper = w.slice(0, -1) + String.fromCodePoint(w.codePointAt(w.length - 1)! + 1);
      best = Math.min(best, (count.get(w, upper) as { n: number }).n);
    }
    return best;
  }

  /** The rows a grid shows for the same filters, tab and quick filter: the footer's figure and the tabs' counts. */
  count(view: ViewName, filterModel: FilterModel = {}, options: { scope?: FilterModel | undefined; quickFilter?: string | undefined } = {}): number {
    const def: ViewDefinition = VIEWS[view];
    const t = table(def);
    const parts = [whereSql(def, filterModel), whereSql(def, options.scope ?? {})];
    const match = options.quickFilter ? quickFilterMatch(options.quickFilter) : null;
    if (match) parts.push({ sql: `rowid in (select rowid from ${t}_fts where ${t}_fts match ?)`, params: [match] });
    return (this.#db.prepare(`select count(*) as n from ${t} where ${parts.map((p) => p.sql).join(' AND ')}`).get(...parts.flatMap((p) => p.params)) as { n: number }).n;
  }

  /** The values a text column holds (an assignee, say), sorted, at most 200: the choices of its filter. */
  distinct(view: ViewName, column: string): string[] {
    const def: ViewDefinition = VIEWS[view];
    if (def.columns[column]?.type !== 'text') throw new QueryModelError(`View ${view} has no text column "${column}"`);
    const rows = this.#db.prepare(`select distinct ${q(column)} as v from ${table(def)} where ${q(column)} is not null and ${q(column)} <> '' order by 1 limit 200`).all() as Array<{ v: string }>;
    return rows.map((r) => r.v);
  }

  /** The plan SQLite chooses for a grid query, for the no-full-scan checks. */
  explain(input: CacheQuery): string[] {
    const view: ViewDefinition = VIEWS[input.view];
    const where = whereSql(view, input.filterModel);
    const rows = this.#db
      .prepare(`explain query plan select * from ${table(view)} where ${where.sql} order by ${orderSql(sortKeys(view, input.sortModel))} limit 100`)
      .all(...where.params) as Array<{ detail: string }>;
    return rows.map((r) => r.detail);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  /** Removes the cache and its key: sign-out, revocation, narrowed rights, another user. */
  wipe(): void {
    this.close();
    removeDatabaseFiles(this.file);
    fs.rmSync(this.keyFile, { force: true });
  }
}

/** `plaintext` exists only so that the benchmark can compare SQLCipher with plain SQLite. */
/**
 * The page cache matters more than usual here: every page read from disk is decrypted, and a grid
 * walking an index touches table pages all over the file. 64 MB holds the working set of a
 * million-row view's hot pages (the OS keeps the rest in its file cache, still encrypted).
 */
const DEFAULT_PAGE_CACHE_MB = 64;

function openEncrypted(file: string, key: Buffer, plaintext = false, pageCacheMb = DEFAULT_PAGE_CACHE_MB): Database.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  if (!plaintext) {
    db.pragma(`cipher='sqlcipher'`);
    db.pragma('legacy=4');
    db.pragma(`key="x'${key.toString('hex')}'"`);
  }
  // Touching the schema proves the key; a wrong key or a foreign file throws SQLITE_NOTADB here.
  db.prepare('select count(*) from sqlite_master').get();
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`cache_size = ${-Math.round(pageCacheMb * 1024)}`);
  db.function('ci', { deterministic: true }, (v: unknown) => caseFold(v) as string | number | null);
  db.function('qf', { deterministic: true }, (search: unknown, words: unknown) => quickFilterTest(search, words));
  return db;
}

function createSchema(db: Database.Database, userId: string): void {
  db.transaction(() => {
    db.exec('create table meta (user_id text not null, schema_version integer not null, cursor text)');
    db.prepare('insert into meta (user_id, schema_version, cursor) values (?, ?, null)').run(userId, SCHEMA_VERSION);
    for (const view of Object.values(VIEWS) as ViewDefinition[]) {
      // A numeric key is the rowid itself, so the full-text index's rowid order is the key order.
      const cols = Object.entries(view.columns).map(([c, def]) =>
        c === view.key ? `${q(c)} ${def.type === 'number' ? 'integer primary key' : 'text not null unique'}` : `${q(c)} ${def.type === 'number' ? 'numeric' : 'text'}`,
      );
      db.exec(`create table ${table(view)} (${cols.join(', ')}, _json text not null, _search text not null default '')`);
      for (const [c, def] of Object.entries(view.columns)) {
        if (def.indexed && c !== view.key) db.exec(`create index ${table(view)}_${c} on ${table(view)} (${q(c)}, ${q(view.key)})`);
      }
      db.exec(`create virtual table ${table(view)}_fts using fts5(body, tokenize = 'unicode61 remove_diacritics 2')`);
      db.exec(`create virtual table ${table(view)}_vocab using fts5vocab(${table(view)}_fts, 'row')`);
    }
  })();
}

function removeDatabaseFiles(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}
