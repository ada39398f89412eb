// Change control of a rule in a real browser (issue 19): a senior compliance officer drafts a
// withdrawal-tier change in the Rules view, dry-runs it on the last 30 days and submits it as a
// canary for one legal entity; it needs the tier-3 chain (the last approval given in the desktop);
// withdrawals in that entity record the new version, others the old, side by side; after the
// promotion every new withdrawal records the new version; a rollback republishes the previous one
// and lists the withdrawals decided under the bad version as remediation tasks, one closed here.
// Then a monitor's breach after a KYC rule change proposes its rollback, which the alert's reader
// requests in one action; still pending past the 15-minute target, it is escalated to the MLRO, who
// approves it from that alert.

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aWithdrawal } from '../../server/testing/withdrawals.js';
import { A_CHANGE, approveAs } from '../../server/testing/changes.js';
import { aRegisteredClient } from '../../server/testing/builders.js';
import { DEFAULT_MONITORS } from '../../shared/policies/monitors.js';
import { startPspSimulator, type PspSimulator } from '../../server/simulators/psp/provider.js';
import type { TestServer } from '../../server/testing/harness.js';
import { openDesk, openQueueRow, startDesktop, type Desktop } from './desktop-fixture.js';

const TYPE = 'payments.withdrawalTiers';

describe('rule change control in the desktop UI', () => {
  let d: Desktop;
  let sim: PspSimulator;
  let now = () => Date.now();
  const refs: string[] = [];
  const withdrawal = (t: TestServer, legalEntity: string) => aWithdrawal(t, sim, legalEntity, '1500.00');
  const policyOf = async (ref: string) => (await d.t.server.services.store.kysely.selectFrom('withdrawals').select('policy_ref').where('ref', '=', ref).executeTakeFirstOrThrow()).policy_ref;
  const shot = (name: string) => path.join(process.env.E2E_SCREENSHOTS ?? d.dir, name);

  beforeAll(async () => {
    sim = await startPspSimulator({ provider: 'simpay', now: () => now() });
    // Monday 19:30 UTC: after the peak payment hours in which tier-3 rules may not go live.
    d = await startDesktop(
      async (t) => {
        now = () => t.clock.now().getTime();
        sim.setWebhookUrl(`${t.url}/webhooks/psp/simpay`);
        refs.push(await withdrawal(t, 'eu'), await withdrawal(t, 'global'));
      },
      { env: { PSP_SIMPAY_SECRET: sim.secret, PSP_SIMPAY_URL: sim.url }, start: '2026-03-02T19:30:00.000Z' },
    );
  }, 180_000);
  afterAll(async () => {
    await d?.close();
    await sim?.close();
  });

  it('drafts, dry-runs, submits, needs the chain, runs as a canary, is promoted and rolled back with remediation tasks', async () => {
    const v1 = (await d.t.server.services.policies.require(d.t.server.services.store.kysely, TYPE)).version;
    const { page, errors } = await openDesk(d, 'senior', { acceptDownloads: true });
    await page.getByRole('navigation').getByRole('button', { name: /^Rules/ }).click();
    const rules = page.getByRole('region', { name: 'Rules' });
    await rules.getByRole('navigation', { name: 'Policy types' }).getByRole('button', { name: /Withdrawal tiers/ }).click();
    await expect.poll(() => rules.locator('.client-head').textContent()).toMatch(new RegExp(`Tier 3.*In force: PAYMENTS_WITHDRAWAL_TIERS_v${v1}`));

    // The draft: the one-approver band up to 2,000 EUR; the diff says so.
    await rules.getByRole('tab', { name: 'Draft a change' }).click();
    const draft = rules.getByRole('form', { name: 'Draft a change' });
    await draft.getByLabel('up to 1,000: up to').fill('2000');
    await expect.poll(() => draft.getByRole('table', { name: 'Differences from the version in force' }).textContent()).toContain('tiers["up to 1,000"].upToBase');
    await draft.getByRole('button', { name: 'Dry run on the last 30 days' }).click();
    await expect.poll(() => draft.getByLabel('Dry run').first().textContent(), { timeout: 15_000 }).toMatch(/Replayed 2 decisions .*: 2 would come out otherwise/);
    // The cases themselves: each withdrawal, with what would change from what to what.
    const changedRows = draft.getByRole('table', { name: 'Decisions that would change' }).locator('tbody tr');
    await expect.poll(() => changedRows.count()).toBe(2);
    for (const row of await changedRows.all()) expect(await row.textContent()).toMatch(/^WD-\d{6}.*tier: up to 10,000 → up to 1,000/);
    await draft.getByLabel('Purpose').fill('One approver for withdrawals up to 2,000 EUR: the queue waits too long');
    await draft.getByLabel('Affected segments').fill('Withdrawals between 1,000 and 2,000 in the base currency, both entities');
    await draft.getByLabel('Edge cases').fill('First withdrawals keep two approvers; high-risk clients keep their tier');
    await draft.getByLabel('Test plan').fill('30-day dry run; canary on the EU entity for a week');
    await draft.getByLabel('Rollback plan').fill('Roll back to the version in force; remediate withdrawals approved by one person');
    await draft.getByLabel('Reason (recorded with the version)').fill('Queue times above SLA in February');
    await draft.getByRole('group', { name: 'Canary' }).getByLabel('Legal entity').selectOption('eu');
    await page.screenshot({ path: shot('rules-draft.png') });
    await draft.getByRole('button', { name: 'Submit for approval' }).click();

    // Submitted: the change shows the dry run, the diff and the tier-3 chain, nothing given yet.
    const pane = rules.locator('.rules-change');
    await expect.poll(() => pane.getByRole('list', { name: 'Approval chain' }).textContent(), { timeout: 15_000 }).toMatch(/owner.*waiting.*maintainer.*waiting.*compliance.*waiting.*finance or risk.*waiting/);
    const change = (await d.t.server.services.store.kysely.selectFrom('policy_changes').select(['id', 'approval_id', 'version']).orderBy('id', 'desc').executeTakeFirstOrThrow());
    expect(await pane.textContent()).toContain('Replayed 2 decisions');
    await page.screenshot({ path: shot('rules-change.png') });

    // Three approvals elsewhere; the risk officer gives the last one in the desktop.
    expect(await approveAs(d.t, change.approval_id, ['finmanager', 'admin', 'mlro'])).toBe('pending');
    const risk = await openDesk(d, 'risk');
    await risk.page.getByRole('navigation').getByRole('button', { name: /^Rules/ }).click();
    await risk.page.getByRole('button', { name: `Open ${change.id}` }).click();
    const riskPane = risk.page.locator('.rules-change');
    await riskPane.getByLabel('Reason').fill('Dry run and canary plan read; risk agrees');
    await riskPane.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => riskPane.locator('.status').first().textContent(), { timeout: 15_000 }).toBe('Released');

    // The canary: a withdrawal in eu records the new version, one in global the old.
    const inCanary = await withdrawal(d.t, 'eu');
    const outside = await withdrawal(d.t, 'global');
    expect(await policyOf(inCanary)).toBe(`${TYPE}@${change.version}`);
    expect(await policyOf(outside)).toBe(`${TYPE}@${v1}`);
    await page.reload();
    await page.getByRole('navigation').getByRole('button', { name: /^Rules/ }).click();
    await expect.poll(() => rules.locator('.client-head').textContent()).toContain(`Canary: PAYMENTS_WITHDRAWAL_TIERS_v${change.version} for legal entity eu`);
    await rules.getByRole('tab', { name: 'Canary and execution log' }).click();
    await expect.poll(() => rules.getByRole('table', { name: 'Outcomes under the canary' }).textContent()).toMatch(/up to 1,000\s*1\s*100%/);
    await expect.poll(() => rules.getByRole('table', { name: 'Outcomes under the version in force' }).textContent()).toMatch(/up to 10,000\s*1\s*100%/);
    const log = rules.getByRole('table', { name: 'Automated decisions' });
    expect(await log.textContent()).toContain(`${inCanary}`);
    await log.locator('tr', { hasText: inCanary }).getByRole('button', { name: 'Show' }).click();
    expect(await log.textContent()).toMatch(/✓ tier "up to 1,000": base amount ≤ 200000 minor units/);
    await page.screenshot({ path: shot('rules-canary.png') });

    // Promotion from the change pane, approved by one finance manager.
    await rules.getByRole('tab', { name: 'Change requests' }).click();
    await rules.getByRole('button', { name: `Open ${change.id}` }).click();
    await pane.getByLabel('Reason for promotion').fill('Canary clean: approvals on time, no override');
    await pane.getByRole('button', { name: 'Promote to everyone' }).click();
    const promoteRow = () => d.t.server.services.store.kysely.selectFrom('policy_changes').select(['approval_id']).where('action', '=', 'promote').executeTakeFirst();
    await expect.poll(promoteRow, { timeout: 15_000 }).toBeTruthy();
    const promotion = (await promoteRow())!;
    expect(await approveAs(d.t, promotion.approval_id, ['finmanager'])).toBe('executed');
    const promoted = await withdrawal(d.t, 'global');
    expect(await policyOf(promoted)).toBe(`${TYPE}@${change.version}`);

    // Rollback: one action, fast-tracked; the withdrawals decided under the bad version are listed.
    await rules.getByRole('tab', { name: 'Rollback and remediation' }).click();
    await rules.getByLabel('Back to').selectOption(String(v1));
    await rules.getByRole('form', { name: 'Roll back' }).getByLabel('Reason').fill('Two chargebacks on one-approver withdrawals');
    await rules.getByRole('button', { name: 'Roll back' }).click();
    await expect.poll(async () => d.t.server.services.store.kysely.selectFrom('policy_changes').select('approval_id').where('action', '=', 'rollback').executeTakeFirst(), { timeout: 15_000 }).toBeTruthy();
    const rollback = await d.t.server.services.store.kysely.selectFrom('policy_changes').select('approval_id').where('action', '=', 'rollback').executeTakeFirstOrThrow();
    expect(await approveAs(d.t, rollback.approval_id, ['mlro'])).toBe('executed');
    expect(await policyOf(await withdrawal(d.t, 'eu'))).toBe(`${TYPE}@${v1}`);
    await rules.getByRole('tab', { name: 'Change requests' }).click();
    const rollbackChange = await d.t.server.services.store.kysely.selectFrom('policy_changes').select('id').where('action', '=', 'rollback').executeTakeFirstOrThrow();
    await rules.getByRole('button', { name: `Open ${rollbackChange.id}` }).click();
    await expect.poll(() => pane.textContent(), { timeout: 15_000 }).toMatch(/In force 0 minutes after it was requested \(target 15\)/);
    await rules.getByRole('tab', { name: 'Rollback and remediation' }).click();
    const tasks = rules.getByRole('table', { name: 'Remediation' });
    await expect.poll(() => tasks.locator('tbody tr').count(), { timeout: 15_000 }).toBe(2);
    const listed = (await tasks.textContent()) ?? '';
    expect(listed).toContain(inCanary);
    expect(listed).toContain(promoted);
    expect(listed).not.toContain(refs[0]!);
    expect(listed).not.toContain(outside);
    await tasks.locator('tr', { hasText: inCanary }).getByRole('button', { name: 'Close…' }).click();
    await tasks.getByLabel(/^Why REM-\d+ is done$/).fill('Second approval given under the restored tiers');
    await tasks.getByRole('button', { name: 'Close', exact: true }).click();
    const closer = (await d.t.server.services.store.kysely.selectFrom('users').select('display_name').where('username', '=', 'senior').executeTakeFirstOrThrow()).display_name;
    await expect.poll(() => tasks.locator('tr', { hasText: inCanary }).textContent()).toMatch(new RegExp(`Closed by ${closer} .*Second approval given`));
    await page.screenshot({ path: shot('rules-remediation.png') });

    // Every tier-3 release (canary, promotion, rollback) kept a snapshot; a version exports as a signed file.
    await rules.getByRole('tab', { name: 'Versions and snapshots' }).click();
    await expect.poll(() => rules.getByRole('table', { name: 'Snapshots' }).locator('tbody tr').count()).toBe(3);
    const [download] = await Promise.all([page.waitForEvent('download'), rules.getByRole('table', { name: 'Rule versions' }).locator('tr', { hasText: `PAYMENTS_WITHDRAWAL_TIERS_v${change.version}` }).getByRole('button', { name: 'Export signed file' }).click()]);
    expect(download.suggestedFilename()).toBe(`PAYMENTS_WITHDRAWAL_TIERS_v${change.version}.json`);
    expect(errors).toEqual([]);
    expect(risk.errors).toEqual([]);
  });

  it('requests a monitor\u2019s proposed rollback from its alert, and approves the rollback from its overdue alert', async () => {
    const services = d.t.server.services;
    const actor = async (username: string) => ({ id: await d.t.userId(username), name: username, ip: null, userAgent: 'e2e', sessionId: null });
    const week = () => ({ from: new Date(d.t.clock.now().getTime() - 7 * 86_400_000).toISOString(), to: d.t.clock.now().toISOString() });
    // A kyc.risk change goes live, and the KYC waiting monitor is tightened to propose rolling it back (both tier 2).
    const risk = await services.policies.require(services.store.kysely, 'kyc.risk');
    const weights = structuredClone(risk.document);
    weights.weights.clientType.individual = 5;
    const riskChange = await services.policyChanges.submit(await actor('senior'), { type: 'kyc.risk', document: weights, reason: 'Individuals carry some risk', change: A_CHANGE, dryRun: week() });
    expect(await approveAs(d.t, riskChange.approvalId, ['mlro', 'admin', 'compliance'])).toBe('executed');
    const monitors = structuredClone(DEFAULT_MONITORS);
    Object.assign(monitors.monitors.find((m) => m.id === 'kyc_waiting')!, { above: 0, proposeRollback: true });
    const tightened = await services.policyChanges.submit(await actor('senior'), { type: 'policies.monitors', document: monitors, reason: 'Any KYC wait is news after the weights change', change: A_CHANGE, dryRun: await services.policyChanges.minimumWindow('policies.monitors') });
    expect(await approveAs(d.t, tightened.approvalId, ['mlro', 'admin', 'compliance'])).toBe('executed');
    await aRegisteredClient(d.t);
    d.t.clock.advance(2 * 3_600_000);
    expect(await services.policyMonitors.run()).not.toEqual([]);
    const alertFor = async (sourceRef: string) => (await services.store.kysely.selectFrom('alerts').select('id').where('source_ref', '=', sourceRef).executeTakeFirstOrThrow()).id;

    // The senior compliance officer requests the proposed rollback from the alert.
    const senior = await openDesk(d, 'senior');
    await senior.page.getByRole('navigation').getByRole('button', { name: /^Alerts/ }).click();
    const pane = await openQueueRow(senior.page, { tabs: 'Alerts tabs', tab: /^For my role/ }, await alertFor('MON:kyc_waiting:eu'));
    const proposal = pane.getByRole('note', { name: 'Proposed rollback' });
    await expect.poll(() => proposal.textContent()).toContain(`roll the rule back to KYC_RISK_v${risk.version}`);
    await proposal.getByRole('button', { name: 'Request this rollback' }).click();
    await expect.poll(() => proposal.textContent(), { timeout: 15_000 }).toMatch(/Rollback requested: APR-\d+, waiting for one approval/);
    await senior.page.screenshot({ path: shot('rules-alert-proposal.png') });
    const asked = await services.store.kysely.selectFrom('approval_requests').select('id').where('kind', '=', 'policies.rollback').where('status', '=', 'pending').executeTakeFirstOrThrow();

    // Sixteen minutes later nobody has approved it: the MLRO is alerted and approves it from the alert.
    d.t.clock.advance(16 * 60_000);
    expect(await services.policyRollbacks.escalateOverdue()).not.toEqual([]);
    const mlro = await openDesk(d, 'mlro');
    await mlro.page.getByRole('navigation').getByRole('button', { name: /^Alerts/ }).click();
    // One alert per legal entity (a rollback concerns all of them): the MLRO opens the first.
    await mlro.page.getByLabel('Quick filter').fill(asked.id);
    await expect.poll(() => mlro.page.locator('.grid .ag-row').count(), { timeout: 10_000 }).toBe(2);
    await mlro.page.locator('.grid .ag-row').first().locator('.ag-cell').first().click();
    await mlro.page.keyboard.press('Escape');
    await mlro.page.keyboard.press('Enter');
    const overduePane = mlro.page.getByRole('complementary', { name: 'Details' });
    const overdue = overduePane.getByRole('note', { name: 'Overdue rollback' });
    await expect.poll(() => overdue.textContent()).toMatch(new RegExp(`Rollback ${asked.id} has waited 16 minutes for its one approval \\(target 15\\)`));
    await overdue.getByRole('button', { name: 'Approve the rollback now' }).click();
    // Approved and executed: the alert closes itself, saying why, and offers nothing more to do.
    await expect.poll(() => overduePane.textContent(), { timeout: 15_000 }).toMatch(new RegExp(`${asked.id} was approved and KYC_RISK_v\\d+ is in force again`));
    expect(await overduePane.textContent()).toContain('Not in question: closed by the action that resolved it');
    expect(await overdue.count()).toBe(0);
    await mlro.page.screenshot({ path: shot('rules-alert-overdue.png') });
    expect((await services.policies.require(services.store.kysely, 'kyc.risk')).version).toBe(risk.version);
    expect(senior.errors).toEqual([]);
    expect(mlro.errors).toEqual([]);
  });
});
