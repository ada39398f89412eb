// Every scheduled and start-up job on a day when nothing changes, on both engines: each runs
// without an error, writes nothing it has no reason to write, and a run that re-scores clients
// whose risk did not move is still recorded once. A quiet day once broke the FATF job: re-scoring a
// client to the same risk wrote nothing, and the per-client transaction refused to end empty.

import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { backgroundJobs } from '../app.js';
import { describeEachEngine, portalClientFor, startTestServer, type TestServer } from '../testing/harness.js';
import { A_CHANGE, approveAs } from '../testing/changes.js';
import { aRegistration } from '../testing/builders.js';

const DAY = 86_400_000;

describeEachEngine('scheduled jobs on a quiet day', (engine) => {
  let t: TestServer;
  const db = () => t.server.services.store.kysely;
  const lastSeq = async () => Number((await db().selectFrom('audit_events').select(sql<number>`max(seq)`.as('s')).executeTakeFirstOrThrow()).s);
  const events = (action: string) => db().selectFrom('audit_events').select(['seq', 'reason', 'after_json']).where('action', '=', action).orderBy('seq').execute();

  beforeAll(async () => {
    t = await startTestServer(engine, { env: { JOBS_POLL_MS: '600000' } });
    await t.server.startupJobs;
  });
  afterAll(() => t?.close());

  it('the FATF job re-scores clients whose risk does not move without an error, and records its run once', async () => {
    const day = (offset: number) => new Date(t.clock.now().getTime() + offset * DAY).toISOString().slice(0, 10);
    const actorOf = async (username: string) => ({ id: await t.userId(username), name: username, ip: null, userAgent: 'test', sessionId: null });
    const active = await t.server.services.policies.require(db(), 'kyc.risk');
    const lists = [{ effectiveDate: day(-30), source: 'plenary', callForAction: ['KP'], increasedMonitoring: ['MT'] }];
    const proposal = await t.server.services.policyChanges.submit(await actorOf('senior'), { type: 'kyc.risk', document: { ...active.document, countryLists: lists }, reason: 'Lists in force', change: A_CHANGE, dryRun: await t.server.services.policyChanges.minimumWindow('kyc.risk') });
    await approveAs(t, proposal.approvalId, ['mlro', 'admin', 'compliance']);
    // Registered under the lists, so scored with them already: re-scoring moves nothing.
    const portal = portalClientFor(t.url);
    const { clientId } = await portal.portal.registerClient.mutate(aRegistration({ firstName: 'Marija', lastName: 'Borg', country: 'MT', nationality: 'MT', dateOfBirth: '1980-02-02' }));
    const scored = (await events('kyc.risk.assessed')).length;
    const before = await lastSeq();

    const run = await t.server.services.kyc.risk.applyCountryLists();
    expect(run).toMatchObject({ listDate: day(-30), countries: ['KP', 'MT'], rescored: 1 });
    const applied = (await events('kyc.country_lists.applied')).filter((e) => e.seq > before);
    expect(applied).toHaveLength(1);
    expect(applied[0]!.reason).toBe(`FATF lists of ${day(-30)} in force: KP, MT listed differently; 1 client(s) re-scored`);
    // The client's risk did not move: no score event, no re-review case, nothing else written.
    expect((await events('kyc.risk.assessed')).length).toBe(scored);
    expect(await db().selectFrom('kyc_cases').select('id').where('client_id', '=', clientId).execute()).toHaveLength(1);
    expect(await lastSeq()).toBe(applied[0]!.seq);

    // The next day: nothing listed differently, nothing written.
    t.clock.advance(DAY);
    expect(await t.server.services.kyc.risk.applyCountryLists()).toEqual({ listDate: lists[0]!.effectiveDate, countries: [], rescored: 0 });
    expect(await lastSeq()).toBe(applied[0]!.seq);
  });

  it('the document-expiry sweep with no document near expiry does nothing', async () => {
    const before = await lastSeq();
    expect(await t.server.services.kyc.sweeps.sweepDocumentExpiry()).toEqual({ reminders: 0, restricted: 0 });
    expect(await t.server.services.kyc.sweeps.sweepDocumentExpiry()).toEqual({ reminders: 0, restricted: 0 });
    expect(await lastSeq()).toBe(before);
  });

  it('the SLA sweep with no stuck case does nothing', async () => {
    const before = await lastSeq();
    expect(await t.server.services.kyc.sweeps.sweepSla()).toEqual({ flagged: 0 });
    expect(await lastSeq()).toBe(before);
  });

  it('the provider-check queue with no due job runs nothing and fails nothing', async () => {
    const before = await lastSeq();
    expect(await t.server.services.jobs.drain()).toBe(0);
    // A check job whose check no longer waits (already decided, or gone) is done without a call.
    await t.server.services.store.db.kysely
      .insertInto('jobs')
      .values({ kind: 'kyc.verifyDocument', payload_json: JSON.stringify({ checkId: 'no-such-check' }), status: 'queued', run_after: t.clock.now().toISOString(), attempts: 0, max_attempts: 5, lease_until: null, last_error: null, created_at: t.clock.now().toISOString(), finished_at: null })
      .execute();
    expect(await t.server.services.jobs.drain()).toBe(1);
    expect(await db().selectFrom('jobs').select(['status', 'last_error']).where('payload_json', 'like', '%no-such-check%').executeTakeFirstOrThrow()).toEqual({ status: 'done', last_error: null });
    expect(await lastSeq()).toBe(before);
  });

  it('fails a job whose stored payload does not fit its kind, saying why, instead of running it', async () => {
    const now = t.clock.now().toISOString();
    await t.server.services.store.db.kysely
      .insertInto('jobs')
      .values({ kind: 'kyc.verifyDocument', payload_json: JSON.stringify({ check: 'CHK-000001' }), status: 'queued', run_after: now, attempts: 4, max_attempts: 5, lease_until: null, last_error: null, created_at: now, finished_at: null })
      .execute();
    expect(await t.server.services.jobs.drain()).toBe(1);
    const job = await db().selectFrom('jobs').select(['status', 'last_error']).where('payload_json', 'like', '%CHK-000001%').executeTakeFirstOrThrow();
    expect(job.status).toBe('failed');
    expect(job.last_error).toMatch(/payload does not fit the kind: checkId: /);
  });

  it('every background job the server runs, this list complete, does nothing on a quiet system', async () => {
    const jobs = backgroundJobs(t.server.services, { auditCheckpointIntervalMs: 60_000, mt5: undefined });
    // A job added later joins this list and so this test; these are the ones there are today.
    expect(jobs.map((j) => j.name).sort()).toEqual(['access.grantExpiry', 'approvals.expiry', 'audit.checkpoint', 'auth.denials', 'jobs.drain', 'kyc.countryLists', 'kyc.documentExpiry', 'kyc.sla', 'payments.events', 'payments.overdueDeposits', 'payments.withdrawals', 'platform.operations', 'platform.scan', 'policies.monitors', 'reports.snapshots']);
    // The monitors log their first reading (the execution log has none yet); after it, a quiet system reads the same and logs nothing.
    await t.server.services.policyMonitors.run();
    await t.server.services.auditLog.checkpointNow(t.clock.now().toISOString());
    const before = await lastSeq();
    for (const job of [...jobs, ...jobs]) {
      await job.run().catch((error: unknown) => {
        throw new Error(`${job.name} failed on a quiet system: ${String(error)}`);
      });
    }
    expect(await lastSeq()).toBe(before);
  });

  it('the approval-expiry sweep with nothing lapsed and a checkpoint with no new event do nothing', async () => {
    await t.server.services.auditLog.checkpointNow(t.clock.now().toISOString());
    const checkpoints = async () => Number((await db().selectFrom('audit_checkpoints').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
    const before = { seq: await lastSeq(), checkpoints: await checkpoints() };
    expect(await t.server.services.approvals.expireLapsed()).toBe(0);
    await t.server.services.auditLog.checkpointNow(t.clock.now().toISOString());
    expect({ seq: await lastSeq(), checkpoints: await checkpoints() }).toEqual(before);
  });
});
