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
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return {
    kysely,
    engine: 'sqlite',
    location: file,
    close: () => kysely.destroy(),
  };
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
