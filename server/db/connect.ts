// Opens the one query layer (kysely) over SQLite (better-sqlite3, WAL, foreign keys on) or
// PostgreSQL. Nothing else in the server knows which engine it talks to, apart from the few
// statements that must differ (triggers, advisory locks), which branch on `engine`.

import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

export type Engine = 'sqlite' | 'postgres';

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly engine: Engine;
  /** Where the data lives, for the start-up line; never contains a password. */
  readonly location: string;
  /**
   * SQLite only: a statement run on the one connection kysely uses, so inside its transaction, with
   * the statement prepared once. For the few queries every mutation runs (the chain head, the
   * row count), where kysely's building and preparing would cost more than the query.
   */
  readonly sqliteGet?: <T>(source: string) => T | undefined;
  /**
   * Resolves once every transaction committed so far is on disk. SQLite: one fdatasync of the WAL
   * shared by every commit waiting for it (group commit), off the event loop. PostgreSQL commits
   * durably by itself: resolves at once.
   */
  durable(): Promise<void>;
  close(): Promise<void>;
}

// int8 and numeric come back from pg as strings; our bigints (sequence numbers) fit in 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

export function sqlitePath(dataDir: string): string {
  return path.join(dataDir, 'backoffice.sqlite');
}

export function openDatabase(opts: { dataDir: string; databaseUrl?: string | undefined }): Db {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl);
  return openSqlite(sqlitePath(opts.dataDir));
}

export function openSqlite(file: string): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const database = new SQLite(file);
  fs.chmodSync(file, 0o600);
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // NORMAL: a commit writes the WAL without waiting for the disk, and never leaves the database
  // inconsistent. A mutation is acknowledged only after `durable()` has synced the WAL, so a
  // committed audit event survives a power cut as with FULL, but commits that arrive together share
  // one sync, and the sync does not stop the event loop (decision 0019).
  database.pragma('synchronous = NORMAL');
  const cached = withStatementCache(database);
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: cached }) });
  const wal = new WalSync(`${file}-wal`);
  return {
    kysely,
    sqliteGet: <T>(source: string): T | undefined => cached.prepare(source).get() as T | undefined,
    engine: 'sqlite',
    location: file,
    durable: () => wal.sync(),
    close: async () => {
      await wal.close();
      await kysely.destroy();
    },
  };
}

/**
 * Group commit for SQLite's write-ahead log: `sync()` resolves when everything written to the WAL
 * before the call is on disk. A sync already running may have started before the caller's commit,
 * so callers arriving meanwhile share the next one: under load, one fdatasync serves many commits.
 */
export class WalSync {
  #fd: fs.promises.FileHandle | null = null;
  #running: Promise<void> | null = null;
  #next: Promise<void> | null = null;

  constructor(private readonly file: string) {}

  sync(): Promise<void> {
    if (this.#running === null) {
      this.#running = this.#flush().finally(() => {
        this.#running = null;
      });
      return this.#running;
    }
    this.#next ??= this.#running.then(() => {
      this.#next = null;
      return this.sync();
    });
    return this.#next;
  }

  async #flush(): Promise<void> {
    if (this.#fd === null) {
      try {
        this.#fd = await fs.promises.open(this.file, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // nothing written yet
        throw error;
      }
    }
    await this.#fd.datasync();
  }

  async close(): Promise<void> {
    await this.#next;
    await this.#running;
    await this.#fd?.close();
    this.#fd = null;
  }
}

/**
 * The connection as kysely sees it, with prepared statements kept for reuse: kysely prepares every
 * query anew, and compiling the same few statements on every mutation (begin, the chain head, the
 * event insert, commit) costs as much as the commit itself. At most 500 are kept, least recently
 * used dropped first (queries with lists of varying length make new texts).
 */
function withStatementCache(database: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = (source: string): SQLite.Statement => {
    let stmt = cache.get(source);
    if (stmt !== undefined) {
      cache.delete(source);
    } else {
      stmt = database.prepare(source);
      if (cache.size >= 500) cache.delete(cache.keys().next().value!);
    }
    cache.set(source, stmt);
    return stmt;
  };
  return new Proxy(database, {
    get(target, property, receiver) {
      if (property === 'prepare') return prepare;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export function openPostgres(url: string): Db {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client that errors (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kysely,
    engine: 'postgres',
    location: redactUrl(url),
    durable: () => Promise.resolve(),
    close: () => kysely.destroy(),
  };
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres (unparseable URL)';
  }
}
