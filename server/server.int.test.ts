import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine, startTestServer, tempDir, type TestServer } from './testing/harness.js';
import { runTool, spawnServer, stop } from './testing/processes.js';

describeEachEngine('HTTP surface', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine);
  });
  afterAll(() => t?.close());

  it('answers GET /healthz with the storage in use', async () => {
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', storage: engine, version: expect.any(String) });
  });

  it('speaks plain JSON tRPC without a transformer', async () => {
    const c = t.credentials.get('auditor')!;
    const login = await fetch(`${t.url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'auditor', password: c.password, totp: t.code('auditor') }),
    });
    const body = (await login.json()) as { result: { data: { token: string; expiresAt: string } } };
    expect(body.result.data.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const input = encodeURIComponent(JSON.stringify({ limit: 2 }));
    const search = await fetch(`${t.url}/trpc/audit.search?input=${input}`, { headers: { authorization: `Bearer ${body.result.data.token}` } });
    const page = (await search.json()) as { result: { data: { items: unknown[]; nextCursor: string | null } } };
    expect(page.result.data.items).toHaveLength(2);
    expect(typeof page.result.data.nextCursor).toBe('string');
  });

  it('answers an unknown procedure with NOT_FOUND', async () => {
    const res = await fetch(`${t.url}/trpc/kyc.nothingHere`);
    const body = (await res.json()) as { error: { data: { reason: string } } };
    expect(res.status).toBe(404);
    expect(body.error.data.reason).toBe('NOT_FOUND');
  });

  it('names the field path of malformed input, and leaks no stack', async () => {
    const { token } = await t.login('admin');
    const res = await fetch(`${t.url}/trpc/access.grantRole`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ userId: 'USR-000001', role: 'wizard', legalEntity: 'eu', reason: 'x' }),
    });
    const body = (await res.json()) as { error: { message: string; data: { reason: string; issues: Array<{ path: string }>; stack?: string } } };
    expect(res.status).toBe(400);
    expect(body.error.data.reason).toBe('VALIDATION_FAILED');
    expect(body.error.data.issues.map((i) => i.path).sort()).toEqual(['reason', 'role']);
    // People read a sentence naming the field by its label; programs read the issues' paths.
    expect(body.error.message).toMatch(/^Role: choose one of the options offered\./);
    expect(body.error.data.stack).toBeUndefined();
  });
});

describe('server process', () => {
  it('prints one line with the URL and the storage, and serves', async () => {
    const dataDir = tempDir();
    const { child, url, line } = await spawnServer({ DATA_DIR: dataDir });
    try {
      expect(line).toMatch(/^fx-backoffice server listening on http:\/\/127\.0\.0\.1:\d+ \(storage: sqlite .*backoffice\.sqlite\)$/);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await stop(child);
    }
    // A graceful stop signs a last checkpoint.
    expect(fs.existsSync(path.join(dataDir, 'keys', 'audit-signing.pub.pem'))).toBe(true);
  });

  it('stops before listening on bad configuration, naming the variable', () => {
    const r = runTool('server/main.ts', [], { PORT: '70000', DATA_DIR: tempDir() });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/PORT: /);
    const u = runTool('server/main.ts', [], { DATABASE_URL: 'mysql://x', DATA_DIR: tempDir() });
    expect(u.stderr).toMatch(/DATABASE_URL: must be a postgres/);
  });
});
