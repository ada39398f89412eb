import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, expectReason, startTestServer, type TestServer } from '../../testing/harness.js';
import { A_CHANGE, afterPeakHours, approveAs, last30Days } from '../../testing/changes.js';

describeEachEngine('maker-checker on role grants', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine);
  });
  afterAll(() => t?.close());

  it('grants a role only after a second administrator approves, recording requester, approver and reason', async () => {
    const admin = await t.login('admin');
    const admin2 = await t.login('admin2');
    const dealer = await t.userId('dealer.global');
    const { approvalId } = await admin.client.access.grantRole.mutate({ userId: dealer, role: 'dealer', legalEntity: 'eu', reason: 'Covering the EU desk in December' });
    expect(approvalId).toMatch(/^APR-\d{6}$/);

    const pending = await admin2.client.approvals.get.query({ id: approvalId });
    expect(pending).toMatchObject({ status: 'pending', kind: 'access.grantRole', requiredCount: 1, requiredRoles: ['administrator'], policy: { type: 'approvals.tiers', version: 1 } });
    expect(pending.availableActions).toEqual(['approve', 'reject']);
    expect((await admin.client.approvals.get.query({ id: approvalId })).availableActions).toEqual(['cancel']);

    // Not yet granted.
    const before = await (await t.login('dealer.global')).client.auth.me.query();
    expect(before.legalEntities).toEqual(['global']);

    await expectReason(admin.client.approvals.approve.mutate({ id: approvalId }), 'SAME_PERSON_APPROVAL');
    const done = await admin2.client.approvals.approve.mutate({ id: approvalId, reason: 'Confirmed with the head of dealing' });
    expect(done.status).toBe('executed');
    await expectReason(admin2.client.approvals.approve.mutate({ id: approvalId }), 'ALREADY_DECIDED');
    await expectReason(admin2.client.approvals.reject.mutate({ id: approvalId, reason: 'too late' }), 'ALREADY_DECIDED');

    const after = await (await t.login('dealer.global')).client.auth.me.query();
    expect(after.legalEntities).toEqual(['eu', 'global']);

    const review = await (await t.login('auditor')).client.access.review.query({});
    const grant = review.holdings.find((h) => h.user.id === dealer && h.legalEntity === 'eu');
    expect(grant).toMatchObject({
      role: 'dealer',
      grant: { requestedBy: { username: 'admin' }, approvedBy: [{ username: 'admin2' }], approvalId, reason: 'Covering the EU desk in December' },
    });
    const event = review.events.find((e) => e.type === 'grant' && e.approvalId === approvalId);
    expect(event).toBeTruthy();

    const audit = await t.server.services.store.kysely.selectFrom('audit_events').selectAll().where('case_ref', '=', approvalId).orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['approval.requested', 'approval.approved', 'access.role.granted', 'approval.executed']);
    expect(JSON.parse(audit[2]!.approvers_json!)).toEqual([await t.userId('admin2')]);
    expect(audit[2]!.policy_ref).toBe('approvals.tiers@1');
  });

  it('refuses a grant to oneself, and an approval by the person the grant is for', async () => {
    const admin = await t.login('admin');
    await expectReason(admin.client.access.grantRole.mutate({ userId: admin.userId, role: 'mlro', legalEntity: 'eu', reason: 'I want it' }), 'SELF_GRANT');
    const admin2Id = await t.userId('admin2');
    const { approvalId } = await admin.client.access.grantRole.mutate({ userId: admin2Id, role: 'risk_officer', legalEntity: 'eu', reason: 'Risk cover' });
    const admin2 = await t.login('admin2');
    await expectReason(admin2.client.approvals.approve.mutate({ id: approvalId }), 'SAME_PERSON_APPROVAL');
    const denial = await t.server.services.store.kysely.selectFrom('audit_events').selectAll().where('action', '=', 'access.denied').orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(denial).toMatchObject({ actor_name: 'admin2', target_id: 'approvals.approve' });
    const adminEu = await t.login('admin.eu');
    expect((await adminEu.client.approvals.approve.mutate({ id: approvalId })).status).toBe('executed');
  });

  it('needs two distinct administrators for a privileged role; one person counts once', async () => {
    const admin = await t.login('admin');
    const target = await t.userId('compliance.eu');
    const { approvalId } = await admin.client.access.grantRole.mutate({ userId: target, role: 'mlro', legalEntity: 'eu', reason: 'Deputy MLRO appointment' });
    const view = await admin.client.approvals.get.query({ id: approvalId });
    expect(view).toMatchObject({ tier: 'privileged role', requiredCount: 2 });
    const admin2 = await t.login('admin2');
    expect((await admin2.client.approvals.approve.mutate({ id: approvalId })).status).toBe('pending');
    await expectReason(admin2.client.approvals.approve.mutate({ id: approvalId }), 'DUPLICATE_APPROVER');
    const adminEu = await t.login('admin.eu');
    expect((await adminEu.client.approvals.approve.mutate({ id: approvalId })).status).toBe('executed');
    const approvals = (await admin.client.approvals.get.query({ id: approvalId })).approvals.map((a) => a.username);
    expect(approvals).toEqual(['admin2', 'admin.eu']);
  });

  it('keeps each administrator inside their legal entities', async () => {
    const adminEu = await t.login('admin.eu');
    const target = await t.userId('support');
    await expectReason(adminEu.client.access.grantRole.mutate({ userId: target, role: 'ib_manager', legalEntity: 'global', reason: 'IB desk' }), 'OUT_OF_ENTITY_SCOPE');
    const admin = await t.login('admin');
    const { approvalId } = await admin.client.access.grantRole.mutate({ userId: target, role: 'ib_manager', legalEntity: 'global', reason: 'IB desk' });
    await expectReason(adminEu.client.approvals.approve.mutate({ id: approvalId }), 'OUT_OF_ENTITY_SCOPE');
    const list = await adminEu.client.approvals.list.query({ status: 'pending' });
    expect(list.items.some((i) => i.id === approvalId)).toBe(false);
  });

  it('lets a checker reject, and the role is not granted', async () => {
    const admin = await t.login('admin');
    const target = await t.userId('finance.eu');
    const { approvalId } = await admin.client.access.grantRole.mutate({ userId: target, role: 'finance_manager', legalEntity: 'eu', reason: 'Promotion' });
    const admin2 = await t.login('admin2');
    await expectReason(admin2.client.approvals.reject.mutate({ id: approvalId, reason: '' }), 'VALIDATION_FAILED');
    expect((await admin2.client.approvals.reject.mutate({ id: approvalId, reason: 'Promotion not yet signed off by HR' })).status).toBe('rejected');
    const view = await admin.client.approvals.get.query({ id: approvalId });
    expect(view.rejection).toMatchObject({ username: 'admin2', reason: 'Promotion not yet signed off by HR' });
    const grants = await t.server.services.grants.grantsOf(target);
    expect(grants).toEqual([{ role: 'finance_officer', legalEntity: 'eu' }]);
  });

  it('records `failed` with the reason when the action can no longer execute', async () => {
    const admin = await t.login('admin');
    const target = await t.userId('risk');
    const { approvalId } = await admin.client.access.grantRole.mutate({ userId: target, role: 'dealer', legalEntity: 'eu', reason: 'Cross-training' });
    const admin2 = await t.login('admin2');
    const { approvalId: disable } = await admin.client.access.setUserStatus.mutate({ userId: target, status: 'disabled', reason: 'Left the company' });
    await admin2.client.approvals.approve.mutate({ id: disable });
    expect((await admin2.client.approvals.approve.mutate({ id: approvalId })).status).toBe('failed');
    const view = await admin2.client.approvals.get.query({ id: approvalId });
    expect(view.failureReason).toMatch(/INVALID_TRANSITION: .*disabled/);
    expect(view.approvals.map((a) => a.username)).toEqual(['admin2']);
    expect((await t.server.services.grants.grantsOf(target)).some((g) => g.role === 'dealer')).toBe(false);
  });

  it('lets a pending request lapse at its expiry', async () => {
    const admin = await t.login('admin');
    const target = await t.userId('dealmanager');
    const { approvalId } = await admin.client.access.revokeRole.mutate({ userId: target, role: 'dealing_manager', legalEntity: 'global', reason: 'Desk closed' });
    t.clock.advance(73 * 3_600_000);
    const admin2 = await t.login('admin2');
    await expectReason(admin2.client.approvals.approve.mutate({ id: approvalId }), 'ALREADY_DECIDED');
    expect((await admin2.client.approvals.get.query({ id: approvalId })).status).toBe('expired');
  });

  it('revokes a role through approval, and the access review shows both ends of the period', async () => {
    const admin = await t.login('admin');
    const target = await t.userId('compliance.global');
    const from = t.clock.now().toISOString();
    const { approvalId } = await admin.client.access.revokeRole.mutate({ userId: target, role: 'compliance_officer', legalEntity: 'global', reason: 'Moved to the EU team' });
    await (await t.login('admin2')).client.approvals.approve.mutate({ id: approvalId });
    const review = await (await t.login('senior')).client.access.review.query({ from });
    const revoked = review.holdings.find((h) => h.user.id === target && h.legalEntity === 'global');
    expect(revoked?.revoke).toMatchObject({ requestedBy: { username: 'admin' }, approvedBy: [{ username: 'admin2' }], reason: 'Moved to the EU team', approvalId });
    expect(review.events.filter((e) => e.type === 'revoke').map((e) => e.approvalId)).toContain(approvalId);
  });
});

describeEachEngine('policies', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine);
  });
  afterAll(() => t?.close());

  it('publishes a new approval-tiers version only after its tier-3 chain, in its release window, and later requests use it', async () => {
    let mlro = await t.login('mlro');
    const current = await mlro.client.policies.get.query({ type: 'approvals.tiers' });
    expect(current).toMatchObject({ version: 1, active: true });
    const document = structuredClone(current.document) as { kinds: Record<string, { tiers: Array<{ count: number }> }> };
    document.kinds['access.grantRole']!.tiers.at(-1)!.count = 2;

    await expectReason(mlro.client.policies.propose.mutate({ type: 'approvals.tiers', document: { kinds: { 'access.grantRole': { tiers: [] } } }, reason: 'broken', change: A_CHANGE }), 'POLICY_INVALID');
    const badCel = structuredClone(document) as { kinds: Record<string, { tiers: Array<{ when?: string }> }> };
    badCel.kinds['access.grantRole']!.tiers[0]!.when = 'payload.role in [';
    const celErr = await expectReason(mlro.client.policies.propose.mutate({ type: 'approvals.tiers', document: badCel, reason: 'typo', change: A_CHANGE }), 'POLICY_INVALID');
    expect(celErr.message).toMatch(/kinds\.access\.grantRole\.tiers\.0\.when/);
    // A condition naming a field the kind's requests do not have, or another variable, is refused when proposed.
    badCel.kinds['access.grantRole']!.tiers[0]!.when = 'payload.rol == "mlro"';
    expect((await expectReason(mlro.client.policies.propose.mutate({ type: 'approvals.tiers', document: badCel, reason: 'typo', change: A_CHANGE }), 'POLICY_INVALID')).message).toMatch(/at kinds\.access\.grantRole\.tiers\.0\.when: it refers to payload\.rol, which requests of access\.grantRole do not have \(they have .*role/);
    badCel.kinds['access.grantRole']!.tiers[0]!.when = 'role == "mlro"';
    expect((await expectReason(mlro.client.policies.propose.mutate({ type: 'approvals.tiers', document: badCel, reason: 'typo', change: A_CHANGE }), 'POLICY_INVALID')).message).toMatch(/it refers to role; a condition reads only payload/);

    const proposed = await mlro.client.policies.propose.mutate({ type: 'approvals.tiers', document, reason: 'Two administrators for every grant after the 2026 audit', change: A_CHANGE, dryRun: last30Days(t) });
    expect(proposed).toMatchObject({ version: 2, tier: 3, name: 'APPROVALS_TIERS_v2' });
    const approval = await mlro.client.approvals.get.query({ id: proposed.approvalId });
    expect(approval).toMatchObject({ kind: 'policies.publish', requiredCount: 4, tier: 'tier 3', policy: { type: 'policies.changeControl' } });
    expect(approval.chain!.map((c) => c.name)).toEqual(['owner', 'maintainer', 'compliance', 'finance or risk']);
    await expectReason(mlro.client.approvals.approve.mutate({ id: proposed.approvalId }), 'SAME_PERSON_APPROVAL');
    const admin = await t.login('admin');
    await admin.client.approvals.approve.mutate({ id: proposed.approvalId });
    // A second administrator fills the other slot an administrator may take; a third role-holder of those slots fills nothing.
    await (await t.login('admin2')).client.approvals.approve.mutate({ id: proposed.approvalId });
    expect((await expectReason((await t.login('admin.eu')).client.approvals.approve.mutate({ id: proposed.approvalId }), 'FORBIDDEN_PERMISSION')).message).toMatch(/still needs: compliance .*; finance or risk/);
    await (await t.login('compliance')).client.approvals.approve.mutate({ id: proposed.approvalId });
    expect((await mlro.client.policies.get.query({ type: 'approvals.tiers' })).version).toBe(1);
    // Monday 09:00 UTC is in the peak payment hours: the last approval is refused and not recorded.
    const risk = await t.login('risk');
    const early = await expectReason(risk.client.approvals.approve.mutate({ id: proposed.approvalId }), 'OUTSIDE_RELEASE_WINDOW');
    expect(early.message).toMatch(/APPROVALS_TIERS_v2 is a tier-3 change and may not go live during peak payment hours .*after 19:00 UTC/);
    expect((await mlro.client.approvals.get.query({ id: proposed.approvalId })).approvals).toHaveLength(3);
    afterPeakHours(t);
    mlro = await t.login('mlro');
    expect((await (await t.login('risk')).client.approvals.approve.mutate({ id: proposed.approvalId })).status).toBe('executed');
    expect((await mlro.client.policies.get.query({ type: 'approvals.tiers' })).version).toBe(2);
    // The release kept a signed snapshot of every policy in force before it.
    const snapshots = await mlro.client.policies.snapshots.query();
    expect(snapshots.items[0]).toMatchObject({ approvalId: proposed.approvalId });
    const snap = JSON.parse((await mlro.client.policies.snapshot.query({ id: snapshots.items[0]!.id })).content) as { policies: Array<{ type: string; version: number }> };
    expect(snap.policies.find((p) => p.type === 'approvals.tiers')).toMatchObject({ version: 1 });

    const admin3 = await t.login('admin');
    const { approvalId } = await admin3.client.access.grantRole.mutate({ userId: await t.userId('support'), role: 'ib_manager', legalEntity: 'eu', reason: 'IB cover' });
    expect(await admin3.client.approvals.get.query({ id: approvalId })).toMatchObject({ requiredCount: 2, policy: { version: 2 } });

    // Version 1 is still there, unchanged; republishing it goes through the chain again.
    const v1 = await mlro.client.policies.get.query({ type: 'approvals.tiers', version: 1 });
    expect(v1.document).toEqual(current.document);
    const back = await mlro.client.policies.republish.mutate({ type: 'approvals.tiers', version: 1, reason: 'Roll back: too slow for the desk' });
    expect(await approveAs(t, back.approvalId, ['admin', 'admin2', 'compliance', 'finmanager'])).toBe('executed');
    const list = await mlro.client.policies.list.query({ type: 'approvals.tiers' });
    expect(list.items.map((v) => [v.version, v.active])).toEqual([[2, false], [1, true]]);
  });

  it('keeps policy versions immutable in the database', async () => {
    const db = t.server.services.store.kysely;
    await expect(db.updateTable('policy_versions').set({ reason: 'rewritten' }).where('version', '=', 1).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('policy_versions').execute()).rejects.toThrow(/append-only/);
  });
});
