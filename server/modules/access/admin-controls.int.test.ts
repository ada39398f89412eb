// Administrators cannot act alone or outside their entities (issue 13, part 3): status changes,
// session ends and resets go through maker-checker; an entity-scoped administrator acts only on
// users whose grants all lie in their entities; temporary grants lapse by themselves; a temporary
// password reaches the maker, never the approver, and is good only for the forced change.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, describeEachEngine, expectReason, startTestServer, type TestServer } from '../../testing/harness.js';

describeEachEngine('administrators bound by maker-checker and entity', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine);
  });
  afterAll(() => t?.close());

  const actions = (caseRef: string) =>
    t.server.services.store.kysely.selectFrom('audit_events').select('action').where('case_ref', '=', caseRef).orderBy('seq').execute().then((rows) => rows.map((r) => r.action));

  it('refuses an EU-only administrator acting on the MLRO, who also works for the global entity', async () => {
    const adminEu = await t.login('admin.eu');
    const mlro = await t.userId('mlro');
    const refused = await expectReason(adminEu.client.access.setUserStatus.mutate({ userId: mlro, status: 'disabled', reason: 'Attempted lock-out' }), 'OUT_OF_ENTITY_SCOPE');
    expect(refused.message).toMatch(/mlro holds roles in global/);
    await expectReason(adminEu.client.access.resetMfa.mutate({ userId: mlro, reason: 'Attempted take-over' }), 'OUT_OF_ENTITY_SCOPE');
    await expectReason(adminEu.client.access.resetPassword.mutate({ userId: mlro, reason: 'Attempted take-over' }), 'OUT_OF_ENTITY_SCOPE');
    const mlroSession = await t.login('mlro');
    const [session] = (await (await t.login('admin')).client.access.userSessions.query({ userId: mlro })).items;
    await expectReason(adminEu.client.access.revokeUserSession.mutate({ sessionId: session!.id, reason: 'Attempted lock-out' }), 'OUT_OF_ENTITY_SCOPE');
    expect((await mlroSession.client.auth.me.query()).username).toBe('mlro');
    const denied = await t.server.services.store.kysely.selectFrom('audit_events').select(['actor_name', 'target_id']).where('action', '=', 'access.denied').where('actor_name', '=', 'admin.eu').execute();
    expect(denied.map((d) => d.target_id)).toEqual(['access.setUserStatus', 'access.resetMfa', 'access.resetPassword', 'access.revokeUserSession']);
    expect((await t.server.services.store.kysely.selectFrom('users').select('status').where('id', '=', mlro).executeTakeFirstOrThrow()).status).toBe('active');
  });

  it('warns the maker and the approvers when a grant breaks segregation of duties', async () => {
    const admin = await t.login('admin');
    const { approvalId } = await admin.client.access.grantRole.mutate({ userId: await t.userId('compliance'), role: 'finance_officer', legalEntity: 'eu', reason: 'Covering the payments desk' });
    const request = await admin.client.approvals.get.query({ id: approvalId });
    expect(request.summary).toBe(`Grant finance_officer in eu to compliance (${await t.userId('compliance')}). Segregation of duties: Finance officer approves payments, and this person already holds Compliance officer in eu and global, which decides KYC cases.`);
    const plain = await admin.client.access.grantRole.mutate({ userId: await t.userId('support'), role: 'finance_officer', legalEntity: 'eu', reason: 'New to the payments desk' });
    expect((await admin.client.approvals.get.query({ id: plain.approvalId })).summary).not.toMatch(/Segregation/);
  });

  it('disables a user only once a second administrator who covers all their entities approves', async () => {
    const admin = await t.login('admin');
    const financeEu = await t.userId('finance.eu');
    const victim = await t.login('finance.eu');
    // An EU administrator may ask about an EU-only user.
    const { approvalId } = await (await t.login('admin.eu')).client.access.setUserStatus.mutate({ userId: financeEu, status: 'disabled', reason: 'Left the company on Friday' });
    expect((await victim.client.auth.me.query()).username).toBe('finance.eu');
    await expectReason(admin.client.access.setUserStatus.mutate({ userId: financeEu, status: 'disabled', reason: 'again' }), 'ALREADY_EXISTS');
    expect((await admin.client.approvals.approve.mutate({ id: approvalId, reason: 'HR confirmed the leaving date' })).status).toBe('executed');
    await expectReason(victim.client.auth.me.query(), 'SESSION_EXPIRED');
    expect(await actions(approvalId)).toEqual(['approval.requested', 'approval.approved', 'access.user.status', 'approval.executed']);

    // Re-enabling a user of both entities: the EU administrator can neither ask nor approve.
    const dealer = await t.userId('dealer');
    const { approvalId: disable } = await admin.client.access.setUserStatus.mutate({ userId: dealer, status: 'disabled', reason: 'Suspended pending an investigation' });
    await expectReason((await t.login('admin.eu')).client.approvals.approve.mutate({ id: disable }), 'FORBIDDEN_PERMISSION');
    expect((await (await t.login('admin2')).client.approvals.approve.mutate({ id: disable })).status).toBe('executed');
  });

  it('ends another person’s session only through an approved request', async () => {
    const admin = await t.login('admin');
    const target = await t.login('compliance.eu');
    const [session] = (await admin.client.access.userSessions.query({ userId: target.userId })).items;
    const { approvalId } = await admin.client.access.revokeUserSession.mutate({ sessionId: session!.id, reason: 'Laptop reported stolen' });
    expect((await target.client.auth.me.query()).username).toBe('compliance.eu');
    await expectReason(admin.client.approvals.approve.mutate({ id: approvalId }), 'SAME_PERSON_APPROVAL');
    await expectReason(target.client.approvals.approve.mutate({ id: approvalId }), 'SAME_PERSON_APPROVAL');
    expect((await (await t.login('admin2')).client.approvals.approve.mutate({ id: approvalId })).status).toBe('executed');
    await expectReason(target.client.auth.me.query(), 'SESSION_EXPIRED');
    expect(await actions(approvalId)).toEqual(['approval.requested', 'approval.approved', 'auth.session.revoked', 'approval.executed']);
  });

  it('lets a temporary grant lapse at its end date: rights end on time, the lapse is audited and the review shows it', async () => {
    const admin = await t.login('admin');
    const risk = await t.userId('risk');
    const senior = await t.userId('senior');
    await expectReason(
      admin.client.access.grantRole.mutate({ userId: risk, role: 'senior_compliance_officer', legalEntity: 'eu', coverFor: senior, reason: 'Cover for Sofia' }),
      'VALIDATION_FAILED',
    );
    await expectReason(
      admin.client.access.grantRole.mutate({ userId: risk, role: 'senior_compliance_officer', legalEntity: 'eu', endsAt: '2020-01-01T00:00:00.000Z', reason: 'Cover for Sofia' }),
      'VALIDATION_FAILED',
    );
    const endsAt = new Date(t.clock.now().getTime() + 3 * 86_400_000).toISOString();
    const { approvalId } = await admin.client.access.grantRole.mutate({ userId: risk, role: 'senior_compliance_officer', legalEntity: 'eu', endsAt, coverFor: senior, reason: 'Cover for Sofia during her leave' });
    // One pending request per user, role and entity, whatever its end date.
    const again = await expectReason(admin.client.access.grantRole.mutate({ userId: risk, role: 'senior_compliance_officer', legalEntity: 'eu', reason: 'Permanent instead' }), 'ALREADY_EXISTS');
    expect(again.message).toContain(`${approvalId} already asks for this (Grant senior_compliance_officer in eu to risk`);
    const admin2 = await t.login('admin2');
    expect((await admin2.client.approvals.get.query({ id: approvalId })).summary).toMatch(/until .* covering for senior/);
    await admin2.client.approvals.approve.mutate({ id: approvalId });
    expect((await (await t.login('risk')).client.auth.me.query()).roles).toContain('senior_compliance_officer');

    const auditor = await t.login('auditor');
    const soon = await auditor.client.access.review.query({ endingWithinDays: 7 });
    expect(soon.endingSoon.map((h) => [h.user.username, h.role, h.endsAt, h.coverFor?.username])).toEqual([['risk', 'senior_compliance_officer', endsAt, 'senior']]);

    // At the end date the rights go at once, before the lapse job has run.
    t.clock.advance(3 * 86_400_000 + 1000);
    expect((await (await t.login('risk')).client.auth.me.query()).roles).not.toContain('senior_compliance_officer');
    expect(await t.server.services.grants.lapseGrants()).toBe(1);
    expect(await t.server.services.grants.lapseGrants()).toBe(0);
    const lapse = await t.server.services.store.kysely.selectFrom('audit_events').selectAll().where('action', '=', 'access.role.lapsed').executeTakeFirstOrThrow();
    expect(lapse).toMatchObject({ actor_id: 'system', target_id: risk, legal_entity: 'eu', case_ref: approvalId });
    const review = await (await t.login('auditor')).client.access.review.query({});
    expect(review.lapsed.map((h) => [h.user.username, h.role, h.revokedAt])).toEqual([['risk', 'senior_compliance_officer', endsAt]]);
    expect(review.events.filter((e) => e.type === 'lapse').map((e) => e.at)).toEqual([endsAt]);
    expect(review.endingSoon).toEqual([]);
  });

  it('hands the temporary password to the maker once, never to the approver, good only for the forced change', async () => {
    const admin = await t.login('admin');
    const support = await t.userId('support');
    const { approvalId } = await admin.client.access.resetPassword.mutate({ userId: support, reason: 'Forgotten password, identity checked by video call' });
    const admin2 = await t.login('admin2');
    await expectReason(admin.client.access.collectTemporaryPassword.mutate({ approvalId }), 'INVALID_TRANSITION');
    const decided = await admin2.client.approvals.approve.mutate({ id: approvalId });
    expect(decided).toEqual({ status: 'executed' });
    // The old password stopped working with the approval.
    await expectReason(t.anonymous.auth.login.mutate({ username: 'support', password: t.credentials.get('support')!.password, totp: t.code('support') }), 'INVALID_CREDENTIALS');
    await expectReason(admin2.client.access.collectTemporaryPassword.mutate({ approvalId }), 'FORBIDDEN_PERMISSION');
    const handed = await admin.client.access.collectTemporaryPassword.mutate({ approvalId });
    expect(handed).toMatchObject({ userId: support, username: 'support' });
    expect(handed.temporaryPassword).toMatch(/.{16,}/);
    await expectReason(admin.client.access.collectTemporaryPassword.mutate({ approvalId }), 'INVALID_TRANSITION');
    const stored = await t.server.services.store.kysely.selectFrom('audit_events').select(['after_json', 'before_json', 'reason']).execute();
    expect(JSON.stringify(stored)).not.toContain(handed.temporaryPassword);
    expect(await actions(approvalId)).toEqual(['approval.requested', 'approval.approved', 'auth.password.reset', 'approval.executed', 'auth.password.handedOver']);

    t.clock.advance(30_000);
    const login = await t.anonymous.auth.login.mutate({ username: 'support', password: handed.temporaryPassword, totp: t.code('support') });
    expect(login.user.mustChangePassword).toBe(true);
    const temp = clientFor(t.url, login.token);
    await expectReason(temp.auth.sessions.query(), 'FORBIDDEN_PERMISSION');
    await expectReason(temp.clients.get.query({ clientId: 'CL-000001' }), 'FORBIDDEN_PERMISSION');
    await temp.auth.changePassword.mutate({ currentPassword: handed.temporaryPassword, newPassword: 'Correct-Horse-Battery-41' });
    const changed = await t.server.services.store.kysely.selectFrom('audit_events').selectAll().where('action', '=', 'auth.password.changed').where('target_id', '=', support).executeTakeFirstOrThrow();
    expect(JSON.parse(changed.after_json!)).toEqual({ replacedTemporary: true });
    t.credentials.get('support')!.password = 'Correct-Horse-Battery-41';
  });

  it('stops a temporary password that was not used in time', async () => {
    const admin = await t.login('admin');
    const target = await t.userId('ibmanager');
    const { approvalId } = await admin.client.access.resetPassword.mutate({ userId: target, reason: 'Locked out after holiday' });
    await (await t.login('admin2')).client.approvals.approve.mutate({ id: approvalId });
    const { temporaryPassword } = await admin.client.access.collectTemporaryPassword.mutate({ approvalId });
    t.clock.advance(25 * 3_600_000);
    await expectReason(t.anonymous.auth.login.mutate({ username: 'ibmanager', password: temporaryPassword, totp: t.code('ibmanager') }), 'INVALID_CREDENTIALS');
  });
});

describe('approval tiers for kinds added by an upgrade', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer('sqlite', { seed: false });
  });
  afterAll(() => t?.close());

  it('adds the shipped tiers of new kinds as a new policy version, leaving the others as they were', async () => {
    const policies = t.server.services.policies;
    const db = t.server.services.store.kysely;
    expect(await policies.addMissingApprovalKinds()).toEqual([]);
    // A policy published before the kinds existed, with its own tiers for grants.
    const active = await policies.require(db, 'approvals.tiers');
    const { 'access.setUserStatus': _s, 'access.revokeSession': _r, 'audit.rotateSigningKey': _k, ...older } = active.document.kinds;
    const custom = { ...older, 'access.grantRole': { tiers: [{ name: 'broker rule', roles: ['administrator'], count: 2, expiresInHours: 48 }] } };
    await db.insertInto('policy_versions').values({ type: 'approvals.tiers', version: 2, document_json: JSON.stringify({ kinds: custom }), document_hash: 'x', proposed_by: 'test', proposed_at: t.clock.now().toISOString(), reason: 'older', based_on_version: 1 }).execute();
    await db.insertInto('policy_activations').values({ type: 'approvals.tiers', version: 2, activated_at: t.clock.now().toISOString(), approval_id: null, activated_by: 'test' }).execute();

    expect(await policies.addMissingApprovalKinds()).toEqual(['access.revokeSession', 'access.setUserStatus', 'audit.rotateSigningKey']);
    const upgraded = await policies.require(db, 'approvals.tiers');
    expect(upgraded.version).toBe(3);
    expect(upgraded.document.kinds['access.grantRole']!.tiers.map((x) => x.name)).toEqual(['broker rule']);
    expect(Object.keys(upgraded.document.kinds)).toContain('access.setUserStatus');
    const event = await db.selectFrom('audit_events').selectAll().where('action', '=', 'policy.activated').orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(event.reason).toMatch(/new approval kinds access.revokeSession, access.setUserStatus, audit.rotateSigningKey/);
  });
});
