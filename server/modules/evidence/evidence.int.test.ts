// The evidence views (issue 18) over real HTTP, on both engines: a client's events in chain order
// with their hashes linking up and their documents' hashes; a staff member's sign-ins and a role
// grant with who asked and who approved; an intervention with its requester, approver and policy;
// and who may read which.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, expectReason, startTestServer, type TestServer } from '../../testing/harness.js';
import { anApprovedClient } from '../../testing/builders.js';
import { startMt5Simulator, type Mt5Simulator } from '../../simulators/mt5/simulator.js';
import { approvedCases, plantAccounts } from '../../testing/mt5-cases.js';
import { staff } from '../../seed/kyc-stories.js';
import { mulberry32 } from '../../testing/random.js';

describeEachEngine('evidence views', (engine) => {
  let t: TestServer;
  let sim: Mt5Simulator;
  beforeAll(async () => {
    t = await startTestServer(engine);
    sim = await startMt5Simulator();
  });
  afterAll(async () => {
    await sim?.close();
    await t?.close();
  });

  it('shows a client\u2019s every event in chain order, each linking to the one before it in the log, with the checkpoint that covers them', async () => {
    const { clientId } = await anApprovedClient(t, { legalEntity: 'eu' });
    const { store } = t.server.services;
    await store.audit.checkpointNow(store.now());
    const auditor = await t.login('auditor');
    const view = await auditor.client.evidence.client.query({ clientId });
    expect(view.subject).toMatchObject({ kind: 'client', clientId, legalEntity: 'eu', status: 'approved' });
    // Registration, the KYC case, screening and risk, then pending review and approval.
    expect(view.events.map((e) => e.action)).toEqual(['client.registered', 'kyc.case.opened', 'screening.screened', 'kyc.risk.assessed', 'client.status_changed', 'client.status_changed']);
    expect(view.events.find((e) => e.action === 'kyc.risk.assessed')?.policyRef).toMatch(/@\d+$/);
    expect(view.policies.length).toBeGreaterThan(0);
    const seqs = view.events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(view.chain).toMatchObject({ firstSeq: seqs[0], lastSeq: seqs.at(-1) });
    // Each event's prevHash is the hash of the event just before it in the whole log.
    const db = t.server.services.store.kysely;
    for (const e of view.events) {
      const before = await db.selectFrom('audit_events').select('hash').where('seq', '=', e.seq - 1).executeTakeFirst();
      expect(e.prevHash, `event ${e.seq}`).toBe(before?.hash);
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(view.chain.checkpoint?.seq).toBeGreaterThanOrEqual(seqs.at(-1)!);
    expect(view.chain.checkpoint?.signature).toMatch(/^[A-Za-z0-9+/]+=*$/);

    // Scope: an EU-only compliance officer reads it, a Global-only one does not, a dealer holds no evidence.read.
    expect((await (await t.login('compliance.eu')).client.evidence.client.query({ clientId })).events.length).toBe(view.events.length);
    await expectReason((await t.login('compliance.global')).client.evidence.client.query({ clientId }), 'OUT_OF_ENTITY_SCOPE');
    await expectReason((await t.login('dealer')).client.evidence.client.query({ clientId }), 'FORBIDDEN_PERMISSION');
    await expectReason(auditor.client.evidence.client.query({ clientId: 'CL-999999' }), 'NOT_FOUND');
  });

  it('shows a staff member\u2019s sign-ins, failures and a role grant with who asked, who approved and why', async () => {
    const riskId = await t.userId('risk');
    await expectReason(t.anonymous.auth.login.mutate({ username: 'risk', password: 'Not-the-password-1', totp: '000000' }), 'INVALID_CREDENTIALS');
    await t.login('risk');
    const admin = await t.login('admin');
    const { approvalId } = await admin.client.access.grantRole.mutate({ userId: riskId, role: 'support', legalEntity: 'eu', reason: 'Covering the support desk on Fridays' });
    await (await t.login('admin2')).client.approvals.approve.mutate({ id: approvalId, reason: 'Agreed with the head of support' });

    const view = await (await t.login('auditor')).client.evidence.staff.query({ userId: 'risk' });
    expect(view.subject).toMatchObject({ kind: 'staff', userId: riskId, username: 'risk' });
    expect(view.signIns.map((s) => [s.action, s.ok])).toEqual(expect.arrayContaining([['auth.login.failed', false], ['auth.login', true]]));
    expect(view.signIns.every((s) => s.ip !== undefined)).toBe(true);
    const grant = view.roleGrants.find((g) => g.role === 'support' && g.legalEntity === 'eu');
    expect(grant).toMatchObject({ requestedBy: 'Alex Admin (admin)', approvedBy: ['Bea Admin (admin2)'], approvalId, reason: 'Covering the support desk on Fridays', revokedAt: null });
    expect(view.sessions.length).toBeGreaterThan(0);
    // The approver's own evidence counts the approval given.
    expect((await (await t.login('auditor')).client.evidence.staff.query({ userId: 'admin2' })).approvalsGiven).toBe(1);
    expect(JSON.stringify(view.sessions)).not.toMatch(/token/i);

    // A period: nothing before the staff member existed.
    const empty = await (await t.login('auditor')).client.evidence.staff.query({ userId: riskId, to: '2000-01-01T00:00:00.000Z' });
    expect(empty.events).toEqual([]);
    await expectReason((await t.login('auditor')).client.evidence.staff.query({ userId: riskId, from: '2026-03-03T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' }), 'VALIDATION_FAILED');
    // Staff records need access.read: a compliance officer holds evidence.read but not it.
    await expectReason((await t.login('compliance')).client.evidence.staff.query({ userId: 'risk' }), 'FORBIDDEN_PERMISSION');
  });

  it('shows an intervention with its requester, approver, reason and policy, and refuses what is not an operation', async () => {
    const accounts = await plantAccounts(t.server.services, sim, 2, `evidence-${engine}`);
    const [dealer, dealmanager] = await Promise.all([staff(t.server.services, 'dealer'), staff(t.server.services, 'dealmanager')]);
    const [planned] = await approvedCases(t.server.services.interventions, dealer, dealmanager, accounts, 1, mulberry32(7));
    const auditor = await t.login('auditor');
    const view = await auditor.client.evidence.operation.query({ caseRef: planned!.caseRef });
    // The case as the dealing desk sees it: requester, approver with roles, operator (none yet), reason and policy version.
    expect(view.subject).toMatchObject({ kind: 'intervention', caseRef: planned!.caseRef, status: 'approved', login: planned!.login, requestedByName: 'dealer', operatorName: null, reasonCode: expect.any(String) });
    expect('approvals' in view.subject && view.subject.approvals.map((a) => [a.by, a.roles])).toEqual([['dealmanager', ['dealing_manager']]]);
    expect('policyRef' in view.subject && view.subject.policyRef).toMatch(/^platform\.interventionTiers@\d+$/);
    expect(view.events.map((e) => e.action)).toEqual(expect.arrayContaining(['intervention.requested', 'intervention.approval_given']));
    // The tier the intervention rules chose is there with its version and the conditions tried.
    expect('automatedDecisions' in view && view.automatedDecisions).toEqual([expect.objectContaining({ event: 'intervention.requested', subject: { type: 'intervention', id: planned!.caseRef }, policy: expect.objectContaining({ type: 'platform.interventionTiers' }) })]);
    await expectReason(auditor.client.evidence.operation.query({ caseRef: 'DEP-000001' }), 'VALIDATION_FAILED');
    await expectReason(auditor.client.evidence.operation.query({ caseRef: 'INT-999999' }), 'NOT_FOUND');
  });
});
