import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, startTestServer, type TestServer } from '../../testing/harness.js';
import { formatCursor, parseCursor } from './service.js';

describeEachEngine('sync feed for the desktop cache', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine);
  });
  afterAll(() => t?.close());

  async function pullAll(client: Awaited<ReturnType<TestServer['login']>>['client'], cursor: string | null, limit = 1000) {
    const upserts: Record<string, Array<Record<string, unknown>>> = {};
    const deletes: Record<string, unknown[]> = {};
    let pages = 0;
    for (;;) {
      const batch = await client.sync.pull.query({ cursor, limit });
      pages += 1;
      for (const [view, rows] of Object.entries(batch.upserts)) (upserts[view] ??= []).push(...rows);
      for (const [view, keys] of Object.entries(batch.deletes)) (deletes[view] ??= []).push(...keys);
      cursor = batch.cursor;
      if (!batch.more) return { upserts, deletes, cursor, pages, reset: batch.reset };
    }
  }

  it('sends each user only the views and legal entities they may see', async () => {
    const admin = await t.login('admin');
    const target = await t.userId('support');
    await admin.client.access.grantRole.mutate({ userId: target, role: 'ib_manager', legalEntity: 'global', reason: 'IB desk cover' });

    const adminView = await pullAll(admin.client, null);
    expect(adminView.upserts.audit).toBeUndefined(); // administrators hold no audit.read
    expect(adminView.upserts.grants!.some((g) => g.legalEntity === 'global')).toBe(true);
    expect(adminView.upserts.approvals!.map((a) => a.kind)).toContain('access.grantRole');

    const auditorEu = await t.login('auditor.eu');
    const euView = await pullAll(auditorEu.client, null);
    expect(euView.upserts.audit!.length).toBeGreaterThan(0);
    expect(euView.upserts.audit!.every((r) => r.legalEntity === null || r.legalEntity === 'eu')).toBe(true);
    expect(euView.upserts.grants!.every((g) => g.legalEntity === 'eu')).toBe(true);
    expect(euView.upserts.approvals ?? []).toEqual([]);
    expect(euView.deletes.approvals ?? []).toContain((adminView.upserts.approvals!.find((a) => a.legalEntity === 'global')!).id);
  });

  it('pages a first sync and then sends only what changed, with the rows as they are now', async () => {
    const admin = await t.login('admin');
    const first = await pullAll(admin.client, null, 5);
    expect(first.pages).toBeGreaterThan(1);
    const again = await admin.client.sync.pull.query({ cursor: first.cursor, limit: 5 });
    expect(again).toMatchObject({ more: false, reset: false, upserts: {}, deletes: {} });

    const { approvalId } = await admin.client.access.grantRole.mutate({ userId: await t.userId('risk'), role: 'dealer', legalEntity: 'eu', reason: 'Night desk' });
    const afterRequest = await pullAll(admin.client, first.cursor);
    expect(afterRequest.upserts.approvals!.map((a) => [a.id, a.status])).toEqual([[approvalId, 'pending']]);

    await (await t.login('admin2')).client.approvals.approve.mutate({ id: approvalId });
    const afterApproval = await pullAll(admin.client, afterRequest.cursor);
    expect(afterApproval.upserts.approvals!.map((a) => [a.id, a.status, a.approvalsGiven])).toEqual([[approvalId, 'executed', 1]]);
    expect(afterApproval.upserts.grants!).toEqual([expect.objectContaining({ username: 'risk', role: 'dealer', legalEntity: 'eu', requestedBy: 'admin', approvedBy: 'admin2', reason: 'Night desk' })]);
  });

  it('asks for a full resync, with a notice, on a cursor it cannot continue from', async () => {
    const { client } = await t.login('auditor');
    const head = parseCursor((await client.sync.pull.query({ cursor: null, limit: 1 })).cursor)!;
    for (const cursor of ['garbage', formatCursor({ audit: head.audit + 1_000_000, feed: 0 })]) {
      const batch = await client.sync.pull.query({ cursor, limit: 10 });
      expect(batch.reset).toBe(true);
      expect(batch.upserts.audit!.length).toBe(10);
      expect(batch.upserts.audit![0]!.seq).toBe(1);
    }
  });

  it('keeps the full event for the detail pane', async () => {
    const { client } = await t.login('auditor');
    const batch = await client.sync.pull.query({ cursor: null, limit: 5000 });
    const granted = batch.upserts.audit!.find((r) => r.action === 'access.role.granted' && r.caseRef);
    const full = JSON.parse(granted!._json as string) as { approvers: string[]; after: { role: string }; hash: string };
    expect(full.approvers.length).toBeGreaterThan(0);
    expect(full.after.role).toBeTruthy();
    expect(full.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
