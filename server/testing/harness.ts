// Integration-test support: a real server on port 0 over HTTP, on SQLite or on PostgreSQL (each
// server in a database of its own, dropped afterwards), with a clock the test moves, seeded with
// the demo staff. Where PostgreSQL is unreachable its half is skipped with the reason, unless
// REQUIRE_POSTGRES=1 (CI), where that is a failure.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { describe, expect } from 'vitest';
import type { Reason } from '../../shared/errors.js';
import { startServer, type Server } from '../app.js';
import { loadConfig, type Config } from '../config.js';
import { ManualClock } from '../core/clock.js';
import type { Engine } from '../db/connect.js';
import { totpCode } from '../modules/access/totp.js';
import type { AppRouter } from '../router.js';
import { DEMO_STAFF, seedDemo, type DemoCredential } from '../seed/demo.js';

export const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function postgresProblem(): Promise<string | null> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return `PostgreSQL is not reachable at ${new URL(PG_ADMIN_URL).host} (${(error as Error).message}); set TEST_PG_ADMIN_URL to run this half`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const pgProblem = await postgresProblem();
if (pgProblem && process.env.REQUIRE_POSTGRES === '1') {
  throw new Error(`REQUIRE_POSTGRES=1 but ${pgProblem}`);
}

/** Runs the suite once per engine; the PostgreSQL run is skipped, with its reason, only where unreachable. */
export function describeEachEngine(name: string, suite: (engine: Engine) => void): void {
  describe(`${name} [sqlite]`, () => suite('sqlite'));
  if (pgProblem) describe.skip(`${name} [postgres] skipped: ${pgProblem}`, () => suite('postgres'));
  else describe(`${name} [postgres]`, () => suite('postgres'));
}

/** A suite that only PostgreSQL can run (several servers on one database), skipped with the reason where it is absent. */
export function describePostgres(name: string, suite: () => void): void {
  if (pgProblem) describe.skip(`${name} [postgres] skipped: ${pgProblem}`, suite);
  else describe(`${name} [postgres]`, suite);
}

export async function createPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `fxbo_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export function tempDir(prefix = 'fxbo-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export type Client = ReturnType<typeof clientFor>;

export function clientFor(url: string, token?: string, userAgent = 'fxbo-integration-test') {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${url}/trpc`,
        headers: () => ({ 'user-agent': userAgent, ...(token ? { authorization: `Bearer ${token}` } : {}) }),
      }),
    ],
  });
}

/** The portal service key test servers run with (PORTAL_API_KEY). */
export const TEST_PORTAL_KEY = 'test-portal-key-0123456789abcdef';

/** A client as the client portal calls the server: X-Portal-Key, no staff session. */
export function portalClientFor(url: string, key = TEST_PORTAL_KEY) {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${url}/trpc`, headers: () => ({ 'user-agent': 'fxbo-portal-test', 'x-portal-key': key }) })],
  });
}

export interface StorageHandle {
  engine: Engine;
  dataDir: string;
  databaseUrl: string | undefined;
  drop(): Promise<void>;
}

export async function createStorage(engine: Engine): Promise<StorageHandle> {
  const dataDir = tempDir();
  if (engine === 'sqlite') return { engine, dataDir, databaseUrl: undefined, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  const database = await createPgDatabase();
  return {
    engine,
    dataDir,
    databaseUrl: database.url,
    drop: async () => {
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function testConfig(storage: StorageHandle, env: Record<string, string> = {}): Config {
  return loadConfig({
    DATA_DIR: storage.dataDir,
    PORT: '0',
    LOG_LEVEL: 'silent',
    DEMO: '1',
    PORTAL_API_KEY: TEST_PORTAL_KEY,
    ...(storage.databaseUrl ? { DATABASE_URL: storage.databaseUrl } : {}),
    ...env,
  });
}

export interface TestServer {
  engine: Engine;
  url: string;
  server: Server;
  clock: ManualClock;
  storage: StorageHandle;
  credentials: Map<string, DemoCredential>;
  anonymous: Client;
  /** Signs a demo user in (password + a fresh TOTP code); moves the clock to a new TOTP step when needed. */
  login(username: string): Promise<{ token: string; client: Client; userId: string }>;
  code(username: string): string;
  userId(username: string): Promise<string>;
  close(): Promise<void>;
}

export async function startTestServer(
  engine: Engine,
  opts: { env?: Record<string, string>; storage?: StorageHandle; start?: string; seed?: boolean } = {},
): Promise<TestServer> {
  const storage = opts.storage ?? (await createStorage(engine));
  const clock = new ManualClock(opts.start ?? '2026-03-02T09:00:00.000Z');
  const config = testConfig(storage, opts.env);
  const server = await startServer(config, { clock });
  const credentials = new Map<string, DemoCredential>();
  if (opts.seed !== false) {
    const seeded = await seedDemo(server.services, { seed: 1, staff: DEMO_STAFF });
    for (const c of seeded.credentials) credentials.set(c.username, c);
  }
  const lastStep = new Map<string, number>();
  const step = () => Math.floor(clock.now().getTime() / 30_000);
  const self: TestServer = {
    engine,
    url: server.url,
    server,
    clock,
    storage,
    credentials,
    anonymous: clientFor(server.url),
    code(username) {
      const c = credentials.get(username);
      if (!c) throw new Error(`no demo user ${username}`);
      return totpCode(c.totpSecret, clock.now());
    },
    async login(username) {
      const c = credentials.get(username);
      if (!c) throw new Error(`no demo user ${username}`);
      if ((lastStep.get(username) ?? -1) >= step()) clock.set(new Date((step() + 1) * 30_000 + 1000));
      lastStep.set(username, step());
      const result = await self.anonymous.auth.login.mutate({ username, password: c.password, totp: self.code(username) });
      return { token: result.token, client: clientFor(server.url, result.token), userId: result.user.id };
    },
    async userId(username) {
      const row = await server.services.store.kysely.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow();
      return row.id;
    },
    async close() {
      await server.close();
      if (!opts.storage) await storage.drop();
    },
  };
  return self;
}

/** Asserts a call fails with the given CONTRACT reason, and returns the error for further checks. */
export async function expectReason(call: Promise<unknown>, reason: Reason): Promise<TRPCClientError<AppRouter>> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    expect({ reason: (error.data as { reason?: string } | undefined)?.reason, message: error.message }).toMatchObject({ reason });
    return error as TRPCClientError<AppRouter>;
  }
  throw new Error(`expected the call to fail with ${reason}, but it succeeded`);
}
