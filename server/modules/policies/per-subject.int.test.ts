// Canaries and dry runs of the rules read per client or request (issue 19, decision 0032) on both
// engines: a canary of a rule read once for everyone is refused with the reason; a kyc.risk draft is
// dry-run over the scorings already logged (each from the risk inputs logged with it), runs as a
// canary for one country (clients there are scored by it and say so in the execution log, others
// by the version in force; the canary report shows both); an approval request logs the tier the
// approval rules chose, with the payload fields its conditions read, and a dry run replays it.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, expectReason, startTestServer, type TestServer } from '../../testing/harness.js';
import { aRegisteredClient } from '../../testing/builders.js';
import { A_CHANGE, approveAs } from '../../testing/changes.js';

describeEachEngine('canaries and dry runs of rules read per subject', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine);
  });
  afterAll(() => t?.close());
  const db = () => t.server.services.store.kysely;
  const lastWeek = () => ({ from: new Date(t.clock.now().getTime() - 7 * 86_400_000).toISOString(), to: t.clock.now().toISOString() });
  const scorings = (clientId: string) => db().selectFrom('policy_executions').selectAll().where('client_id', '=', clientId).where('policy_type', '=', 'kyc.risk').orderBy('id').execute();

  it('refuses a canary of a rule read once for everyone, and a share that does not say how much', async () => {
    const senior = (await t.login('senior')).client;
    const review = await senior.policies.get.query({ type: 'kyc.review' });
    const refused = await expectReason(senior.policies.canary.mutate({ type: 'kyc.review', version: review.version, segment: { legalEntity: 'eu' }, reason: 'Try it on eu first' }), 'VALIDATION_FAILED');
    expect(refused.message).toMatch(/^canary: kyc\.review is read once for everyone \(its SLA hours, sweeps and reminders run over the whole queue at once\), so a canary of it would change nothing; canaries run for payments\.withdrawalTiers, platform\.interventionTiers, kyc\.risk, approvals\.tiers/);
    await expectReason(senior.policies.canary.mutate({ type: 'kyc.risk', version: 1, segment: { legalEntity: 'eu', shareOf: 'requests' }, reason: 'Try it on eu first' }), 'VALIDATION_FAILED');
    expect(await db().selectFrom('policy_changes').select('id').execute()).toEqual([]);
  });

  it('dry-runs kyc.risk over logged scorings, then scores clients in its canary under it', async () => {
    const before = await aRegisteredClient(t, { country: 'CY', nationality: 'CY' });
    const logged = (await scorings(before.clientId)).at(-1)!;
    expect(logged).toMatchObject({ event: 'kyc.risk.assessed', policy_version: 1, canary: 0, legal_entity: 'eu' });
    expect(JSON.parse(logged.inputs_json!)).toMatchObject({ risk: { type: 'individual', country: 'CY', paymentMethod: 'bank_transfer' } });

    const senior = (await t.login('senior')).client;
    const active = await senior.policies.get.query({ type: 'kyc.risk' });
    const draft = structuredClone(active.document) as { weights: { clientType: { individual: number } } };
    draft.weights.clientType.individual = 30;
    const run = await senior.policies.dryRun.query({ type: 'kyc.risk', document: draft, days: 7 });
    const item = run.items.find((i) => i.ref === logged.subject_id)!;
    expect(item.before).toEqual({ level: logged.outcome, score: expect.any(Number) as number });
    expect(item.after).toEqual({ level: 'medium', score: Number(item.before.score) + 30 });
    expect(run.decidedUnder).toEqual(['kyc.risk@1']);

    // Tier 2 now needs the dry run; a canary for clients in Cyprus, through owner, maintainer and compliance.
    await expectReason(senior.policies.propose.mutate({ type: 'kyc.risk', document: draft, reason: 'Individuals start at medium', change: A_CHANGE, canary: { country: 'CY' } }), 'VALIDATION_FAILED');
    const proposed = await senior.policies.propose.mutate({ type: 'kyc.risk', document: draft, reason: 'Individuals start at medium', change: A_CHANGE, dryRun: lastWeek(), canary: { country: 'CY' } });
    expect((await senior.policies.change.query({ id: proposed.changeId })).dryRun).toMatchObject({ evaluated: run.evaluated, changed: run.changed });
    expect(await approveAs(t, proposed.approvalId, ['mlro', 'admin', 'compliance'])).toBe('executed');
    expect((await senior.policies.get.query({ type: 'kyc.risk' })).version).toBe(1);

    const inCanary = await aRegisteredClient(t, { country: 'CY', nationality: 'CY' });
    const outside = await aRegisteredClient(t, { country: 'DE', nationality: 'DE' });
    expect((await scorings(inCanary.clientId)).at(-1)).toMatchObject({ policy_version: proposed.version, canary: 1, outcome: 'medium' });
    expect((await scorings(outside.clientId)).at(-1)).toMatchObject({ policy_version: 1, canary: 0, outcome: 'low' });
    expect((await db().selectFrom('clients').select('risk_level').where('id', '=', inCanary.clientId).executeTakeFirstOrThrow()).risk_level).toBe('medium');
    const report = await senior.policies.canaryReport.query({ type: 'kyc.risk' });
    expect(report.sides).toEqual([
      expect.objectContaining({ label: 'canary', version: proposed.version, outcomes: [expect.objectContaining({ outcome: 'medium' })] }),
      expect.objectContaining({ label: 'in force', version: 1, outcomes: [expect.objectContaining({ outcome: 'low' })] }),
    ]);
  });

  it('logs the tier the approval rules chose for a request and replays it under a draft', async () => {
    const admin = await t.login('admin');
    const { approvalId } = await admin.client.access.grantRole.mutate({ userId: await t.userId('support'), role: 'finance_officer', legalEntity: 'eu', reason: 'Covering the payments desk' });
    const [row] = await db().selectFrom('policy_executions').selectAll().where('subject_id', '=', approvalId).execute();
    expect(row).toMatchObject({ policy_type: 'approvals.tiers', event: 'approval.requested', subject_type: 'approval', legal_entity: 'eu' });
    const conditions = JSON.parse(row!.conditions_json) as Array<{ name: string; values: Record<string, unknown>; result: boolean }>;
    expect(conditions[0]).toEqual({ name: 'tier "privileged role": payload.role in ["administrator", "mlro", "auditor"]', values: { role: 'finance_officer' }, result: false });
    expect(conditions.at(-1)!.result).toBe(true);
    expect(JSON.parse(row!.inputs_json!)).toMatchObject({ kind: 'access.grantRole', payload: { role: 'finance_officer', legalEntity: 'eu' } });

    const active = await admin.client.policies.get.query({ type: 'approvals.tiers' });
    const draft = structuredClone(active.document) as { kinds: Record<string, { tiers: Array<{ count: number }> }> };
    for (const tier of draft.kinds['access.grantRole']!.tiers) tier.count = Math.min(5, tier.count + 1);
    const run = await admin.client.policies.dryRun.query({ type: 'approvals.tiers', document: draft, days: 1 });
    const item = run.items.find((i) => i.ref === approvalId)!;
    expect(item.before.tier).toBe(row!.outcome);
    expect(item.after.tier).toBe(row!.outcome);
    expect(String(item.after.approvers)).toMatch(/^\d of /);
    expect(Number(String(item.after.approvers)[0])).toBe(Number(String(item.before.approvers)[0]) + 1);
  });
});
