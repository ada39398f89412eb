import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../core/actor.js';
import { startServer } from '../../app.js';
import { MissingAuditEventError } from '../../core/store.js';
import { ManualClock } from '../../core/clock.js';
import { describeEachEngine, expectReason, startTestServer, testConfig, type TestServer } from '../../testing/harness.js';
import { runTool } from '../../testing/processes.js';
import { eventHash } from './canonical.js';

async function dropAppendOnly(t: TestServer): Promise<void> {
  const db = t.server.services.store.kysely;
  if (t.engine === 'postgres') {
    await sql`drop trigger audit_events_append_only on audit_events`.execute(db);
  } else {
    await sql`drop trigger audit_events_no_update`.execute(db);
    await sql`drop trigger audit_events_no_delete`.execute(db);
  }
}

function verifyArgs(t: TestServer): string[] {
  return ['--data-dir', t.storage.dataDir, ...(t.storage.databaseUrl ? ['--database-url', t.storage.databaseUrl] : [])];
}

describeEachEngine('audit log', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine, { env: { AUDIT_CHECKPOINT_EVERY: '25' } });
  });
  afterAll(() => t?.close());

  it('writes the audit event and the change-feed row in the transaction of the state change', async () => {
    const admin = await t.login('admin');
    const { userId } = await admin.client.access.createUser.mutate({ username: 'olga.ops', displayName: 'Olga Ops', password: 'Ops-passw0rd-123' });
    const db = t.server.services.store.kysely;
    const event = await db.selectFrom('audit_events').selectAll().where('target_id', '=', userId).where('action', '=', 'access.user.created').executeTakeFirstOrThrow();
    expect(event).toMatchObject({ actor_name: 'admin', target_type: 'user' });
    expect(JSON.parse(event.after_json!)).toEqual({ username: 'olga.ops', displayName: 'Olga Ops' });
    expect(await db.selectFrom('change_feed').selectAll().where('row_id', '=', userId).executeTakeFirst()).toMatchObject({ table_name: 'users', op: 'insert' });
  });

  it('keeps nothing of a mutation that fails, and refuses one without an audit event', async () => {
    const { store } = t.server.services;
    const count = async () => Number((await store.kysely.selectFrom('legal_entities').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
    const seqBefore = Number((await store.kysely.selectFrom('audit_events').select(sql<number>`max(seq)`.as('s')).executeTakeFirstOrThrow()).s);
    const before = await count();
    await expect(
      store.mutate(SYSTEM_ACTOR, async (m) => {
        await m.trx.insertInto('legal_entities').values({ id: 'tmp', name: 'Temp', regulator: 'x', jurisdiction: 'XX', created_at: m.now }).execute();
        m.audit({ action: 'entity.created', targetId: 'tmp' });
        throw new Error('crash after the write');
      }),
    ).rejects.toThrow('crash after the write');
    await expect(
      store.mutate(SYSTEM_ACTOR, async (m) => {
        await m.trx.insertInto('legal_entities').values({ id: 'tmp', name: 'Temp', regulator: 'x', jurisdiction: 'XX', created_at: m.now }).execute();
      }),
    ).rejects.toBeInstanceOf(MissingAuditEventError);
    expect(await count()).toBe(before);
    expect(Number((await store.kysely.selectFrom('audit_events').select(sql<number>`max(seq)`.as('s')).executeTakeFirstOrThrow()).s)).toBe(seqBefore);
  });

  it('lets a mutation that changed nothing end quietly, and still refuses an update or delete without an event', async () => {
    const { store } = t.server.services;
    const seq = async () => Number((await store.kysely.selectFrom('audit_events').select(sql<number>`max(seq)`.as('s')).executeTakeFirstOrThrow()).s);
    const seqBefore = await seq();
    // Read, decide nothing moved, record nothing: not an error, and nothing is committed.
    const result = await store.mutate(SYSTEM_ACTOR, async (m) => {
      const row = await m.trx.selectFrom('legal_entities').select('id').where('id', '=', 'eu').executeTakeFirstOrThrow();
      await m.trx.insertInto('legal_entities').values({ id: 'eu', name: 'x', regulator: 'x', jurisdiction: 'XX', created_at: m.now }).onConflict((oc) => oc.column('id').doNothing()).execute();
      return row.id;
    });
    expect(result).toBe('eu');
    expect(await seq()).toBe(seqBefore);
    await expect(
      store.mutate(SYSTEM_ACTOR, async (m) => {
        await m.trx.updateTable('legal_entities').set({ name: 'Renamed without a trace' }).where('id', '=', 'eu').execute();
      }),
    ).rejects.toBeInstanceOf(MissingAuditEventError);
    await expect(
      store.mutate(SYSTEM_ACTOR, async (m) => {
        m.changed('legal_entities', 'eu', 'eu', 'update');
      }),
    ).rejects.toBeInstanceOf(MissingAuditEventError);
    expect((await store.kysely.selectFrom('legal_entities').select('name').where('id', '=', 'eu').executeTakeFirstOrThrow()).name).not.toBe('Renamed without a trace');
    expect(await seq()).toBe(seqBefore);
  });

  it('is append-only in the database itself', async () => {
    const db = t.server.services.store.kysely;
    await expect(db.updateTable('audit_events').set({ reason: 'nothing happened' }).where('seq', '=', 1).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit_events').where('seq', '=', 1).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit_checkpoints').execute()).rejects.toThrow(/append-only/);
    if (engine === 'postgres') await expect(sql`truncate audit_events`.execute(db)).rejects.toThrow(/append-only/);
  });

  it('signs a checkpoint at least every N events', async () => {
    const admin = await t.login('admin');
    const support = await t.userId('support');
    for (let i = 0; i < 15; i++) {
      const { approvalId } = await admin.client.access.setUserStatus.mutate({ userId: support, status: 'disabled', reason: 'checkpoint test' });
      await admin.client.approvals.cancel.mutate({ id: approvalId, reason: 'checkpoint test' });
    }
    const cps = await t.server.services.store.kysely.selectFrom('audit_checkpoints').selectAll().orderBy('seq').execute();
    const head = Number((await t.server.services.store.kysely.selectFrom('audit_events').select(sql<number>`max(seq)`.as('s')).executeTakeFirstOrThrow()).s);
    expect(cps.length).toBeGreaterThanOrEqual(2);
    expect(head - cps.at(-1)!.seq).toBeLessThan(25);
    const verdict = await (await t.login('auditor')).client.audit.verify.query({});
    expect(verdict).toMatchObject({ ok: true, firstBrokenSeq: null });
    expect(verdict.checkpoints).toBe(cps.length);
  });

  it('searches by actor, action, target, case reference, entity and time, with cursor paging', async () => {
    const auditor = await t.login('auditor');
    const byActor = await auditor.client.audit.search.query({ actor: 'admin', action: 'access.user.created' });
    expect(byActor.items.map((i) => i.after)).toContainEqual({ username: 'olga.ops', displayName: 'Olga Ops' });
    expect(byActor.items.every((i) => i.actor === 'admin')).toBe(true);

    // Client-bound events, as later modules write them.
    await t.server.services.store.mutate(SYSTEM_ACTOR, async (m) => {
      for (let i = 0; i < 7; i++) m.audit({ action: 'client.note', clientId: 'CL-1', legalEntity: i < 4 ? 'eu' : 'global', caseRef: `KYC-90000${i}`, targetType: 'client', targetId: 'CL-1' });
    });
    const all: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await auditor.client.audit.search.query({ clientId: 'CL-1', limit: 3, ...(cursor ? { cursor } : {}) });
      all.push(...page.items.map((i) => i.seq));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(all).toHaveLength(7);
    expect([...all].sort((a, b) => b - a)).toEqual(all);
    expect((await auditor.client.audit.search.query({ caseRef: 'KYC-900003' })).items).toHaveLength(1);
    expect((await auditor.client.audit.search.query({ targetType: 'client', targetId: 'CL-1', legalEntity: 'global' })).items).toHaveLength(3);
    const from = t.clock.now().toISOString();
    expect((await auditor.client.audit.search.query({ from, clientId: 'CL-1' })).items).toHaveLength(7);
    expect((await auditor.client.audit.search.query({ to: from, clientId: 'CL-1' })).items).toHaveLength(0);

    const eu = await t.login('auditor.eu');
    expect((await eu.client.audit.search.query({ clientId: 'CL-1' })).items.map((i) => i.legalEntity)).toEqual(['eu', 'eu', 'eu', 'eu']);
    await expectReason(eu.client.audit.search.query({ legalEntity: 'global' }), 'OUT_OF_ENTITY_SCOPE');
    await expectReason(eu.client.audit.search.query({ from: '2026-01-01' }), 'VALIDATION_FAILED');
  });

  it('detects a row changed by direct SQL, naming its sequence number', async () => {
    await dropAppendOnly(t);
    const db = t.server.services.store.kysely;
    const victim = await db.selectFrom('audit_events').select('seq').where('action', '=', 'access.user.created').orderBy('seq').limit(1).executeTakeFirstOrThrow();
    await db.updateTable('audit_events').set({ actor_name: 'someone-else' }).where('seq', '=', victim.seq).execute();
    const verdict = await (await t.login('auditor')).client.audit.verify.query({});
    expect(verdict).toMatchObject({ ok: false, firstBrokenSeq: victim.seq });
    const cli = runTool('server/cli/audit-verify.ts', verifyArgs(t));
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain(`AUDIT LOG BROKEN at sequence ${victim.seq}`);
  });
});

describeEachEngine('audit log truncation and rewriting', (engine) => {
  it('detects the last 10 events deleted after a stop, even with the checkpoint table emptied', async () => {
    const t = await startTestServer(engine);
    try {
      const admin = await t.login('admin');
      for (let i = 0; i < 12; i++) await admin.client.access.createUser.mutate({ username: `temp${i}`, displayName: `Temp ${i}`, password: 'Temp-passw0rd-123' });
      await t.server.close();
      const intact = runTool('server/cli/audit-verify.ts', verifyArgs(t));
      expect(intact.status).toBe(0);
      expect(intact.stdout).toMatch(/Audit log intact: \d+ events/);

      // Reopen the database as a DBA would, without the server.
      const reopened = await startServer(testConfig(t.storage), { clock: new ManualClock() });
      const db = reopened.services.store.kysely;
      const head = Number((await db.selectFrom('audit_events').select(sql<number>`max(seq)`.as('s')).executeTakeFirstOrThrow()).s);
      await reopened.app.close();
      if (engine === 'postgres') {
        await sql`drop trigger audit_events_append_only on audit_events`.execute(db);
        await sql`drop trigger audit_checkpoints_append_only on audit_checkpoints`.execute(db);
      } else {
        await sql`drop trigger audit_events_no_delete`.execute(db);
        await sql`drop trigger audit_checkpoints_no_delete`.execute(db);
      }
      await db.deleteFrom('audit_events').where('seq', '>', head - 10).execute();
      // Deleting the checkpoints from the table too does not help: the mirror outside the database keeps them.
      await db.deleteFrom('audit_checkpoints').execute();
      await reopened.db.close();
      const cut = runTool('server/cli/audit-verify.ts', verifyArgs(t));
      expect(cut.status).toBe(1);
      expect(cut.stdout).toContain(`AUDIT LOG BROKEN at sequence ${head - 9}`);
      expect(cut.stdout).toMatch(/deleted from the end/);
    } finally {
      await t.close();
    }
  });

  it('detects a chain recomputed from a changed event onwards, through the signed checkpoints', async () => {
    const t = await startTestServer(engine);
    try {
      const admin = await t.login('admin');
      for (let i = 0; i < 5; i++) await admin.client.access.createUser.mutate({ username: `rewrite${i}`, displayName: `Rewrite ${i}`, password: 'Temp-passw0rd-123' });
      const checkpoint = await t.server.services.auditLog.checkpointNow(t.clock.now().toISOString());
      const db = t.server.services.store.kysely;
      await dropAppendOnly(t);
      const rows = await db.selectFrom('audit_events').selectAll().orderBy('seq').execute();
      const target = rows.find((r) => r.action === 'access.user.created' && r.after_json?.includes('rewrite2'))!;
      // A forger with SQL access changes one event and recomputes every later hash: the chain links again...
      let prev = target.prev_hash;
      for (const row of rows.filter((r) => r.seq >= target.seq)) {
        const fields = { ...row, prev_hash: prev, actor_name: row.seq === target.seq ? 'nobody' : row.actor_name };
        const hash = eventHash(fields);
        await db.updateTable('audit_events').set({ actor_name: fields.actor_name, prev_hash: prev, hash }).where('seq', '=', row.seq).execute();
        prev = hash;
      }
      // ...but cannot sign the checkpoint that covers it.
      const verdict = await (await t.login('auditor')).client.audit.verify.query({});
      expect(verdict.ok).toBe(false);
      expect(verdict.problem).toMatch(/rewritten/);
      expect(verdict.firstBrokenSeq).toBeLessThanOrEqual(target.seq);
      expect(checkpoint!.seq).toBeGreaterThanOrEqual(target.seq);
    } finally {
      await t.close();
    }
  });
});
