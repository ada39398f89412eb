// Monitors (issue 19) on both engines: after a withdrawal-tier change goes live, a withdrawal left
// past its SLA breaks the (tightened) overdue monitor: the job raises one alert for the finance
// manager naming the breach and the recent change and proposing to roll that change back; running
// again raises nothing more; the person working the alert asks for the rollback, which, still
// pending past its 15-minute target, is escalated once; another person approves it, the rollback
// records how long it took against the target, and the escalation's alerts close themselves (also
// when a rollback is rejected instead).

import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_WITHDRAWAL_TIERS } from '../../../shared/policies/payments.js';
import { DEFAULT_MONITORS } from '../../../shared/policies/monitors.js';
import { describeEachEngine, type TestServer } from '../../testing/harness.js';
import type { PspSimulator } from '../../simulators/psp/provider.js';
import { aWithdrawal, startWithPsp } from '../../testing/withdrawals.js';
import { A_CHANGE, afterPeakHours, approveAs, last30Days } from '../../testing/changes.js';

describeEachEngine('rule monitors', (engine) => {
  let t: TestServer;
  let sim: PspSimulator;
  let close = async () => {};
  beforeAll(async () => {
    ({ t, sim, close } = await startWithPsp(engine));
  });
  afterAll(() => close());

  it('raises one alert for a breach after a change and proposes rolling the change back', async () => {
    const services = t.server.services;
    const actor = async (username: string) => ({ id: await t.userId(username), name: username, ip: null, userAgent: 'test', sessionId: null });
    // Nothing is wrong on a fresh system.
    expect(await services.policyMonitors.run()).toEqual([]);

    await aWithdrawal(t, sim, 'eu', '800.00');

    // A withdrawal-tier change goes live (its tier-3 chain, after peak hours).
    const tiers = structuredClone(DEFAULT_WITHDRAWAL_TIERS);
    tiers.tiers[1] = { ...tiers.tiers[1]!, slaHours: 2 };
    const change = await services.policyChanges.submit(await actor('senior'), { type: 'payments.withdrawalTiers', document: tiers, reason: 'Two-hour SLA for small withdrawals', change: A_CHANGE, dryRun: last30Days(t) });
    afterPeakHours(t);
    expect(await approveAs(t, change.approvalId, ['finmanager', 'admin', 'mlro', 'risk'])).toBe('executed');
    // The overdue monitor tightened to "any", proposing a rollback (tier 2: owner, maintainer, compliance).
    const monitors = structuredClone(DEFAULT_MONITORS);
    Object.assign(monitors.monitors.find((m) => m.id === 'withdrawals_overdue')!, { above: 0, proposeRollback: true });
    const tightened = await services.policyChanges.submit(await actor('senior'), { type: 'policies.monitors', document: monitors, reason: 'Every overdue withdrawal is news this week', change: A_CHANGE, dryRun: await services.policyChanges.minimumWindow('policies.monitors') });
    expect(await approveAs(t, tightened.approvalId, ['mlro', 'admin', 'compliance'])).toBe('executed');

    t.clock.advance(26 * 3_600_000);
    const raised = await services.policyMonitors.run();
    expect(raised).toHaveLength(1);
    const alert = await services.store.kysely.selectFrom('alerts').selectAll().where('id', '=', raised[0]!).executeTakeFirstOrThrow();
    expect(alert).toMatchObject({ kind: 'policy.monitor', legal_entity: 'eu', for_role: 'finance_manager', status: 'open', source_ref: 'MON:withdrawals_overdue:eu' });
    expect(alert.summary).toMatch(new RegExp(`^More than 10 withdrawals past their SLA: withdrawals waiting for approval or on hold past their sla is 1 \\(above 0\\), PAYMENTS_WITHDRAWAL_TIERS_v${change.version} in force since .*; rollback to PAYMENTS_WITHDRAWAL_TIERS_v${change.version - 1} proposed$`));
    const details = JSON.parse(alert.details_json) as { proposedRollback: { type: string; toVersion: number; reason: string } };
    expect(details.proposedRollback).toMatchObject({ type: 'payments.withdrawalTiers', toVersion: change.version - 1, reason: expect.stringMatching(/^Monitor withdrawals_overdue breached/) });
    expect(await services.store.kysely.selectFrom('approval_requests').select('id').where('kind', '=', 'policies.rollback').execute()).toEqual([]);

    // Still broken, already raised: nothing more. The person working the alert asks for the rollback; another approves it.
    expect(await services.policyMonitors.run()).toEqual([]);
    const asked = await services.policyRollbacks.request(await actor('finmanager'), details.proposedRollback);
    // The target is 15 minutes: not yet overdue at 10, escalated once per entity at 16.
    t.clock.advance(10 * 60_000);
    expect(await services.policyRollbacks.escalateOverdue()).toEqual([]);
    t.clock.advance(6 * 60_000);
    const escalated = await services.policyRollbacks.escalateOverdue();
    const entities = await services.store.kysely.selectFrom('legal_entities').select('id').execute();
    expect(escalated).toHaveLength(entities.length);
    const overdue = await services.store.kysely.selectFrom('alerts').selectAll().where('id', '=', escalated[0]!).executeTakeFirstOrThrow();
    expect(overdue).toMatchObject({ kind: 'policy.rollbackOverdue', severity: 'high', for_role: 'mlro', source_ref: `ROLLBACK:${asked.approvalId}:${overdue.legal_entity}` });
    expect(overdue.summary).toMatch(new RegExp(`requested 16 minutes ago and not yet approved \\(target 15 minutes\\); ${asked.approvalId} needs one approver: MLRO, `));
    expect(await services.policyRollbacks.escalateOverdue()).toEqual([]);
    expect(await approveAs(t, asked.approvalId, ['mlro'])).toBe('executed');
    // The escalation is moot: every entity's overdue alert is closed by the approval, saying so, with no report decision.
    const closed = await services.store.kysely.selectFrom('alerts').select(['status', 'close_reason', 'close_note', 'sar_decision']).where('kind', '=', 'policy.rollbackOverdue').execute();
    expect(closed).toHaveLength(entities.length);
    for (const a of closed) expect(a).toMatchObject({ status: 'closed', close_reason: 'action_taken', close_note: expect.stringMatching(new RegExp(`^${asked.approvalId} was approved and PAYMENTS_WITHDRAWAL_TIERS_v\\d+ is in force again \\(16 minutes after the request\\)`)) as string, sar_decision: null });
    expect((await (await t.login('mlro')).client.alerts.get.query({ id: escalated[0]! })).closed).toMatchObject({ by: 'mlro', reasonCode: 'action_taken', sar: null });
    const rolledBack = await services.store.kysely.selectFrom('audit_events').select('after_json').where('action', '=', 'policy.rolledBack').executeTakeFirstOrThrow();
    expect(JSON.parse(rolledBack.after_json!)).toMatchObject({ minutesFromRequest: 16, targetMinutes: 15, withinTarget: false });
    expect((await services.policies.require(services.store.kysely, 'payments.withdrawalTiers')).version).toBe(change.version - 1);
  });
  it('closes the overdue alerts of a rollback rejected instead, at the next pass, saying so', async () => {
    const services = t.server.services;
    const actor = async (username: string) => ({ id: await t.userId(username), name: username, ip: null, userAgent: 'test', sessionId: null });
    const monitors = await services.policies.require(services.store.kysely, 'policies.monitors');
    const asked = await services.policyRollbacks.request(await actor('senior'), { type: 'policies.monitors', toVersion: monitors.version - 1, reason: 'The tightened overdue monitor is too noisy' });
    t.clock.advance(16 * 60_000);
    const escalated = await services.policyRollbacks.escalateOverdue();
    expect(escalated.length).toBeGreaterThan(0);
    await services.approvals.reject(await actor('mlro'), asked.approvalId, 'The monitor is noisy on purpose this week');
    expect(await services.policyRollbacks.escalateOverdue()).toEqual([]);
    const alerts = await services.store.kysely.selectFrom('alerts').select(['status', 'close_note']).where('id', 'in', escalated).execute();
    expect(alerts).toHaveLength(escalated.length);
    for (const a of alerts) expect(a).toEqual({ status: 'closed', close_note: `${asked.approvalId} is no longer waiting for an approver: it is rejected.` });
    expect((await services.policies.require(services.store.kysely, 'policies.monitors')).version).toBe(monitors.version);
  });
});
