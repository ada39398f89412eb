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
  // FULL: a committed audit event survives a power cut, not only a process crash.
  database.pragma('synchronous = FULL');
  const cached = withStatementCache(database);
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: cached }) });
  return {
    kysely,
    sqliteGet: <T>(source: string): T | undefined => cached.prepare(source).get() as T | undefined,
    engine: 'sqlite',
    location: file,
    close: () => kysely.destroy(),
  };
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
