// Live sync across servers on one PostgreSQL (issue 14, part 6): a desktop connected to server B
// hears of a role grant approved through server A at once, through LISTEN/NOTIFY, not at its next
// 30-second poll. Server B is its own process on A's database and data folder (servers on one
// PostgreSQL share their keys).

import type { ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServerClient } from '../../main/host/server-client.js';
import { totpCode } from '../../server/modules/access/totp.js';
import { describePostgres, startTestServer, type TestServer } from '../../server/testing/harness.js';
import { spawnServer, stop } from '../../server/testing/processes.js';

describePostgres('live sync across two servers', () => {
  let a: TestServer;
  let b: { child: ChildProcess; url: string };

  beforeAll(async () => {
    a = await startTestServer('postgres');
    b = await spawnServer({ DATABASE_URL: a.storage.databaseUrl!, DATA_DIR: a.storage.dataDir, DEMO: '1' });
  });
  afterAll(async () => {
    if (b) await stop(b.child);
    await a?.close();
  });

  it('wakes a change stream on server B within a second of a grant approved through server A', async () => {
    // Signed in on B (B runs on the real clock).
    const c = a.credentials.get('auditor')!;
    let token: string | null = null;
    const onB = createServerClient(b.url, () => token, 'multi-instance-test');
    token = (await onB.auth.login.mutate({ username: 'auditor', password: c.password, totp: totpCode(c.totpSecret, new Date()) })).token;

    const heads: Array<{ head: string; at: number }> = [];
    const sub = onB.sync.onChange.subscribe(undefined, { onData: (d) => heads.push({ head: d.head, at: Date.now() }) });
    try {
      await expect.poll(() => heads.length, { timeout: 10_000 }).toBeGreaterThan(0);
      const audit = (head: string) => Number(head.split('.')[1]);

      const admin = await a.login('admin');
      const { approvalId } = await admin.client.access.grantRole.mutate({ userId: await a.userId('dealer.global'), role: 'dealer', legalEntity: 'eu', reason: 'Covering the EU desk' });
      await (await a.login('admin2')).client.approvals.approve.mutate({ id: approvalId });
      const approvedAt = Date.now();
      const committed = (await a.server.services.sync.head()).audit;

      // B's stream reaches the approval's commit without waiting for any poll.
      await expect.poll(() => heads.some((h) => audit(h.head) >= committed), { timeout: 5_000, interval: 20 }).toBe(true);
      const woken = heads.find((h) => audit(h.head) >= committed)!;
      expect(woken.at - approvedAt).toBeLessThan(1_000);
      const page = await onB.sync.pull.query({ cursor: null, limit: 5000 });
      expect(JSON.stringify(page.upserts.approvals ?? [])).toContain(approvalId);
    } finally {
      sub.unsubscribe();
    }
  });

  it('keeps waking server B’s streams after its listening connection is cut', async () => {
    const c = a.credentials.get('auditor')!;
    let token: string | null = null;
    const onB = createServerClient(b.url, () => token, 'multi-instance-test');
    await new Promise((r) => setTimeout(r, 30_000 - (Date.now() % 30_000) + 500)); // a fresh TOTP step for the second sign-in
    token = (await onB.auth.login.mutate({ username: 'auditor', password: c.password, totp: totpCode(c.totpSecret, new Date()) })).token;
    const heads: string[] = [];
    const sub = onB.sync.onChange.subscribe(undefined, { onData: (d) => heads.push(d.head) });
    try {
      await expect.poll(() => heads.length, { timeout: 10_000 }).toBeGreaterThan(0);
      // Every server's listener: cut, as a database restart or a network fault would.
      const cut = await sql<{ n: number }>`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where query = 'listen fxbo_commit' and datname = current_database()`.execute(a.server.services.store.kysely);
      expect(cut.rows[0]!.n).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 1_500)); // the listeners reconnect after 500 ms
      const admin = await a.login('admin');
      await admin.client.access.resetMfa.mutate({ userId: await a.userId('support'), reason: 'after the cut' });
      const committed = (await a.server.services.sync.head()).audit;
      await expect.poll(() => heads.some((h) => Number(h.split('.')[1]) >= committed), { timeout: 5_000, interval: 20 }).toBe(true);
    } finally {
      sub.unsubscribe();
    }
  }, 90_000);
});
