// A server killed with SIGKILL in the middle of mutations leaves no half-written state and no gap
// in the audit chain; two servers writing to one PostgreSQL never fork the chain.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { startServer } from './app.js';
import { openDatabase } from './db/connect.js';
import { totpCode } from './modules/access/totp.js';
import type { DemoCredential } from './seed/demo.js';
import { clientFor, createStorage, describeEachEngine, testConfig, type StorageHandle } from './testing/harness.js';
import { exited, runTool, spawnServer, stop } from './testing/processes.js';

function storageArgs(s: StorageHandle): string[] {
  return ['--data-dir', s.dataDir, ...(s.databaseUrl ? ['--database-url', s.databaseUrl] : [])];
}

async function consistency(s: StorageHandle) {
  const db = openDatabase({ dataDir: s.dataDir, databaseUrl: s.databaseUrl });
  try {
    const users = await db.kysely.selectFrom('users').select('id').where('username', 'like', 'load%').execute();
    const created = await db.kysely.selectFrom('audit_events').select('target_id').where('action', '=', 'access.user.created').where('after_json', 'like', '%"load%').execute();
    const feed = await db.kysely.selectFrom('change_feed').select('row_id').where('table_name', '=', 'users').where('op', '=', 'insert').execute();
    const seqs = await db.kysely.selectFrom('audit_events').select([sql<number>`count(*)`.as('n'), sql<number>`max(seq)`.as('max')]).executeTakeFirstOrThrow();
    return {
      users: users.map((u) => u.id).sort(),
      audited: created.map((c) => c.target_id!).sort(),
      feed: new Set(feed.map((f) => f.row_id)),
      gapless: Number(seqs.n) === Number(seqs.max),
    };
  } finally {
    await db.close();
  }
}

async function hammer(url: string, token: string, stopAt: () => boolean): Promise<number> {
  const client = clientFor(url, token);
  let ok = 0;
  const worker = async (w: number) => {
    for (let i = 0; !stopAt(); i++) {
      try {
        await client.access.createUser.mutate({ username: `load${w}x${i}x${randomBytes(3).toString('hex')}`, displayName: 'Load', password: 'Load-passw0rd-123' });
        ok += 1;
      } catch {
        // Requests in flight when the process dies fail; that is the point.
      }
    }
  };
  await Promise.all([0, 1, 2, 3].map(worker));
  return ok;
}

describeEachEngine('crash safety', (engine) => {
  it('survives kill -9 mid-mutation with no half-written state and no gap in the audit chain', async () => {
    const storage = await createStorage(engine);
    try {
      expect(runTool('server/cli/seed.ts', storageArgs(storage)).status).toBe(0);
      const env = { DATA_DIR: storage.dataDir, DEMO: '1', ...(storage.databaseUrl ? { DATABASE_URL: storage.databaseUrl } : {}) };
      const { child, url } = await spawnServer(env);
      const creds = JSON.parse(fs.readFileSync(path.join(storage.dataDir, 'demo-credentials.json'), 'utf8')) as DemoCredential[];
      const admin = creds.find((c) => c.username === 'admin')!;
      const login = await clientFor(url).auth.login.mutate({ username: 'admin', password: admin.password, totp: totpCode(admin.totpSecret, new Date()) });
      let killed = false;
      const load = hammer(url, login.token, () => killed);
      await new Promise((r) => setTimeout(r, 1500));
      child.kill('SIGKILL');
      killed = true;
      await load;
      await exited(child);

      const verify = runTool('server/cli/audit-verify.ts', storageArgs(storage));
      expect(verify.stdout).toMatch(/Audit log intact/);
      expect(verify.status).toBe(0);
      const state = await consistency(storage);
      expect(state.users.length).toBeGreaterThan(0);
      expect(state.audited).toEqual(state.users);
      expect(state.users.every((u) => state.feed.has(u))).toBe(true);
      expect(state.gapless).toBe(true);

      // The server starts again on the same data and carries on the chain.
      const again = await spawnServer(env);
      await stop(again.child);
      expect(runTool('server/cli/audit-verify.ts', storageArgs(storage)).status).toBe(0);
    } finally {
      await storage.drop();
    }
  });

  if (engine === 'postgres') {
    it('never forks the chain with two servers writing to one PostgreSQL', async () => {
      const storage = await createStorage('postgres');
      const key = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      // Servers on one PostgreSQL share the signing key and the event MAC key (each has its own data folder).
      const shared = { AUDIT_SIGNING_KEY: key, AUDIT_MAC_KEY: randomBytes(32).toString('base64'), SECRETS_KEY: randomBytes(32).toString('base64'), AUDIT_CHECKPOINT_EVERY: '40' };
      try {
        expect(runTool('server/cli/seed.ts', storageArgs(storage), shared).status).toBe(0);
        const other = await spawnServer({ DATA_DIR: storage.dataDir, DATABASE_URL: storage.databaseUrl!, DEMO: '1', ...shared });
        const local = await startServer(testConfig({ ...storage, dataDir: fs.mkdtempSync(`${storage.dataDir}-b`) }, shared));
        try {
          const creds = JSON.parse(fs.readFileSync(path.join(storage.dataDir, 'demo-credentials.json'), 'utf8')) as DemoCredential[];
          const signIn = async (url: string, username: string) => {
            const c = creds.find((x) => x.username === username)!;
            return (await clientFor(url).auth.login.mutate({ username, password: c.password, totp: totpCode(c.totpSecret, new Date()) })).token;
          };
          const [a, b] = [await signIn(other.url, 'admin'), await signIn(local.url, 'admin2')];
          const until = Date.now() + 2500;
          const [na, nb] = await Promise.all([hammer(other.url, a, () => Date.now() > until), hammer(local.url, b, () => Date.now() > until)]);
          expect(na).toBeGreaterThan(0);
          expect(nb).toBeGreaterThan(0);
        } finally {
          await stop(other.child);
          await local.close();
        }
        const verify = runTool('server/cli/audit-verify.ts', storageArgs(storage), { AUDIT_MAC_KEY: shared.AUDIT_MAC_KEY });
        expect(verify.stdout).toMatch(/Audit log intact/);
        // Without the MAC key the servers used, the verifier cannot vouch for the events, and says so.
        expect(runTool('server/cli/audit-verify.ts', storageArgs(storage)).stdout).toMatch(/carries a MAC under key \w+, which this verifier does not hold/);
        const state = await consistency(storage);
        expect(state.audited).toEqual(state.users);
        expect(state.gapless).toBe(true);
      } finally {
        await storage.drop();
      }
    });
  }
});
