// Change control of a tier-3 rule (issue 19) on both engines: a withdrawal-tier change is submitted
// with its details and a 30-day dry run (refused without one, with a shorter one, or with a canary
// segment that matches nobody), needs the whole tier-3 chain and the release window, runs as a
// canary for one legal entity (withdrawals there record the new version in the execution log, the
// others the old; the canary report shows both), is promoted by one approved action, and is rolled
// back fast-tracked, which opens a remediation task for every withdrawal decided under it.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_WITHDRAWAL_TIERS } from '../../../shared/policies/payments.js';
import { describeEachEngine, expectReason, type TestServer } from '../../testing/harness.js';
import type { PspSimulator } from '../../simulators/psp/provider.js';
import { aWithdrawal, startWithPsp } from '../../testing/withdrawals.js';
import { A_CHANGE, afterPeakHours, approveAs, last30Days } from '../../testing/changes.js';

const TYPE = 'payments.withdrawalTiers';

describeEachEngine('change control of withdrawal tiers', (engine) => {
  let t: TestServer;
  let sim: PspSimulator;
  let close = async () => {};
  beforeAll(async () => {
    ({ t, sim, close } = await startWithPsp(engine));
  });
  afterAll(() => close());
  const withdrawal = (legalEntity: string, amount: string) => aWithdrawal(t, sim, legalEntity, amount);
  const db = () => t.server.services.store.kysely;
  const policyOf = async (ref: string) => (await db().selectFrom('withdrawals').select('policy_ref').where('ref', '=', ref).executeTakeFirstOrThrow()).policy_ref;

  it('takes a tier-3 change through dry run, chain, window, canary, promotion and a rollback with remediation tasks', async () => {
    const before = await withdrawal('eu', '1500.00');
    let senior = (await t.login('senior')).client;
    const v1 = await senior.policies.get.query({ type: TYPE });
    const draft = structuredClone(DEFAULT_WITHDRAWAL_TIERS);
    draft.tiers[1] = { ...draft.tiers[1]!, upToBase: 200_000 };
    const submission = { type: TYPE, document: draft, reason: 'One approver up to 2,000 EUR', change: A_CHANGE, canary: { legalEntity: 'eu' } };

    // Refused: no dry run, a dry run shorter than the tier asks, a segment with nobody in it.
    expect((await expectReason(senior.policies.propose.mutate(submission), 'VALIDATION_FAILED')).message).toMatch(/^dryRun: a tier-3 change of payments\.withdrawalTiers is submitted with a dry run over at least 30 days/);
    const week = { from: new Date(t.clock.now().getTime() - 7 * 86_400_000).toISOString(), to: t.clock.now().toISOString() };
    expect((await expectReason(senior.policies.propose.mutate({ ...submission, dryRun: week }), 'VALIDATION_FAILED')).message).toMatch(/at least 30 days; .* is 7/);
    expect((await expectReason(senior.policies.propose.mutate({ ...submission, dryRun: last30Days(t), canary: { legalEntity: 'eu', country: 'ZW' } }), 'VALIDATION_FAILED')).message).toMatch(/segment: legal entity eu, clients in ZW matches no client/);
    await expectReason(senior.policies.propose.mutate({ ...submission, dryRun: last30Days(t), change: { ...A_CHANGE, purpose: 'short' } }), 'VALIDATION_FAILED');
    expect((await senior.policies.list.query({ type: TYPE })).items).toHaveLength(1);

    const proposed = await senior.policies.propose.mutate({ ...submission, dryRun: last30Days(t) });
    expect(proposed).toMatchObject({ tier: 3, name: `PAYMENTS_WITHDRAWAL_TIERS_v${v1.version + 1}` });
    const change = await senior.policies.change.query({ id: proposed.changeId });
    expect(change).toMatchObject({ action: 'canary', status: 'pending', segment: { legalEntity: 'eu' }, details: A_CHANGE, dryRun: { evaluated: 1, changed: 1, bySegment: [{ legalEntity: 'eu', evaluated: 1, changed: 1 }] } });
    expect(change.changes).toEqual([{ path: 'tiers["up to 1,000"].upToBase', kind: 'changed', from: 100_000, to: 200_000 }]);
    expect(change.approval.chain!.map((c) => [c.name, c.filled])).toEqual([['owner', false], ['maintainer', false], ['compliance', false], ['finance or risk', false]]);

    // The maker cannot answer their own change; a reviewer's "needs changes" closes another one.
    await expectReason(senior.policies.review.mutate({ id: proposed.changeId, answer: 'approve', reason: 'Mine' }), 'SAME_PERSON_APPROVAL');
    const other = await senior.policies.propose.mutate({ ...submission, canary: undefined, dryRun: last30Days(t) });
    await (await t.login('compliance')).client.policies.review.mutate({ id: other.changeId, answer: 'needsChanges', reason: 'Say how first withdrawals are affected' });
    const returned = await senior.policies.change.query({ id: other.changeId });
    expect(returned).toMatchObject({ status: 'needs_changes', approval: { rejection: { answer: 'needs changes', reason: 'Say how first withdrawals are affected' } } });

    // The chain: owner, maintainer, compliance, finance or risk; the last approval waits for the window.
    expect(await approveAs(t, proposed.approvalId, ['finmanager', 'admin', 'mlro'])).toBe('pending');
    const risk = (await t.login('risk')).client;
    expect((await expectReason(risk.policies.review.mutate({ id: proposed.changeId, answer: 'approve', reason: 'Dry run read' }), 'OUTSIDE_RELEASE_WINDOW')).message).toMatch(/peak payment hours/);
    afterPeakHours(t);
    expect(await approveAs(t, proposed.approvalId, ['risk'])).toBe('executed');
    senior = (await t.login('senior')).client;
    expect((await senior.policies.get.query({ type: TYPE })).version).toBe(v1.version);

    // The canary decides for eu only; both decisions are in the execution log with their version.
    const inCanary = await withdrawal('eu', '1500.00');
    const outside = await withdrawal('global', '1500.00');
    expect(await policyOf(inCanary)).toBe(`${TYPE}@${proposed.version}`);
    expect(await policyOf(outside)).toBe(`${TYPE}@${v1.version}`);
    const logged = await senior.policies.executions.query({ subjectId: inCanary, limit: 5 });
    expect(logged.items).toEqual([expect.objectContaining({ policy: expect.objectContaining({ version: proposed.version, canary: true }), event: 'withdrawal.requested', outcome: 'up to 1,000' })]);
    expect(logged.items[0]!.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'tier "up to 1,000": base amount ≤ 200000 minor units', values: { baseMinor: '150000', riskLevel: 'low' }, result: true })]));
    const report = await senior.policies.canaryReport.query({ type: TYPE });
    expect(report.sides).toEqual([
      expect.objectContaining({ label: 'canary', version: proposed.version, decisions: 1, outcomes: [expect.objectContaining({ outcome: 'up to 1,000', count: 1 })] }),
      expect.objectContaining({ label: 'in force', version: v1.version, decisions: 1, outcomes: [expect.objectContaining({ outcome: 'up to 10,000', count: 1 })] }),
    ]);

    // Promotion: one approved action; afterwards every entity decides with the new version.
    const promotion = await senior.policies.promote.mutate({ type: TYPE, version: proposed.version, reason: 'Canary clean for a week' });
    expect(await approveAs(t, promotion.approvalId, ['finmanager'])).toBe('executed');
    const after = await withdrawal('global', '1500.00');
    expect(await policyOf(after)).toBe(`${TYPE}@${proposed.version}`);
    await expectReason(senior.policies.canaryReport.query({ type: TYPE }), 'NOT_FOUND');

    // Rollback: to a version of this type only; fast-tracked (one person, even in peak hours).
    expect((await expectReason(senior.policies.rollback.mutate({ type: TYPE, toVersion: 'KYC_RISK_v1', reason: 'Wrong file' }), 'VALIDATION_FAILED')).message).toMatch(/KYC_RISK_v1 is a version of another policy type/);
    t.clock.set(new Date(Date.parse(t.clock.now().toISOString().slice(0, 10)) + 86_400_000 + 10 * 3_600_000));
    senior = (await t.login('senior')).client;
    const rollback = await senior.policies.rollback.mutate({ type: TYPE, toVersion: `PAYMENTS_WITHDRAWAL_TIERS_v${v1.version}`, reason: 'Approvals too thin for new clients' });
    expect((await senior.approvals.get.query({ id: rollback.approvalId })).tier).toBe('rollback (fast-tracked)');
    expect(await approveAs(t, rollback.approvalId, ['mlro'])).toBe('executed');
    expect((await senior.policies.get.query({ type: TYPE })).version).toBe(v1.version);
    const tasks = await senior.policies.remediations.query({ rollbackId: rollback.approvalId, limit: 50 });
    expect(tasks.items.map((i) => i.subject.id).sort()).toEqual([inCanary, after].sort());
    expect(tasks.items.map((i) => i.subject.id)).not.toContain(before);
    expect(tasks.items[0]).toMatchObject({ status: 'open', policy: { version: proposed.version }, task: expect.stringMatching(/^Re-check the withdrawal/) });
    const finance = (await t.login('finmanager')).client;
    await finance.policies.closeRemediation.mutate({ id: tasks.items[0]!.id, reason: 'Second approval given under the restored tiers' });
    await expectReason(finance.policies.closeRemediation.mutate({ id: tasks.items[0]!.id, reason: 'Again' }), 'ALREADY_DECIDED');
    expect((await senior.policies.remediations.query({ status: 'open', limit: 50 })).items.map((i) => i.id)).not.toContain(tasks.items[0]!.id);
    // Nothing is left to roll back to the version in force.
    await expectReason(senior.policies.rollback.mutate({ type: TYPE, toVersion: v1.version, reason: 'Twice' }), 'INVALID_TRANSITION');
  });
});
