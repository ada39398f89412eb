// Payments in a real browser, against the PSP simulator: a client's deposit is paid and the
// balance shows on the client page as it is credited; finance enters a 15,000 EUR withdrawal on the
// client's behalf and cannot approve it; the finance manager and compliance approve it in the
// withdrawal pane, two people as the tier says; the provider pays but its answer is lost, so the
// withdrawal shows "Needs assistance"; the manager resolves it by asking the provider, and it is
// paid, once. And finance works the queue from the keyboard alone: lands on it with the grid in
// hand, filters with /, opens with Enter, approves with a and Ctrl+Enter.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { portalClientFor } from '../../server/testing/harness.js';
import { aKycApprovedClient } from '../../server/testing/builders.js';
import { startPspSimulator, type PspSimulator } from '../../server/simulators/psp/provider.js';
import { loadAList, openDesk, openQueueRow, signInWithKeys, startDesktop, type Desktop } from './desktop-fixture.js';

describe('withdrawals in the desktop UI', () => {
  let d: Desktop;
  let sim: PspSimulator;
  let now = () => Date.now();
  beforeAll(async () => {
    sim = await startPspSimulator({ provider: 'simpay', now: () => now() });
    d = await startDesktop(loadAList, { env: { PSP_SIMPAY_SECRET: sim.secret, PSP_SIMPAY_URL: sim.url, PSP_TIMEOUT_MS: '500' } });
    now = () => d.t.clock.now().getTime();
    sim.setWebhookUrl(`${d.t.url}/webhooks/psp/simpay`);
    sim.faults({ hangMs: 1500 });
  }, 180_000);
  afterAll(async () => {
    await d?.close();
    await sim?.close();
  });

  const desk = (username: string) => openDesk(d, username);

  async function openWithdrawal(page: Page, ref: string, tab: RegExp) {
    const pane = await openQueueRow(page, { tabs: 'Withdrawals tabs', tab }, ref);
    const heading = () => pane.getByRole('heading').first().textContent({ timeout: 1000 }).catch(() => '');
    await expect.poll(heading, { timeout: 20_000 }).toContain(ref);
    return pane;
  }

  it('shows the balance as a deposit is credited; needs the tier’s two approvers, refuses the maker, and resolves a lost payout answer by asking the provider', async () => {
    const { t } = d;
    const { clientId, input } = await aKycApprovedClient(t, { firstName: 'Irene', lastName: 'Papadaki' });
    const { depositRef } = await portalClientFor(t.url).portal.initiateDeposit.mutate({ clientId, amount: '20000.00', currency: 'EUR', method: 'bank_transfer', provider: 'simpay' });

    // Finance has the client page open when the money arrives: the balance shows as it is credited.
    const finance = await t.login('finance');
    const maker = await desk('finance');
    await maker.page.keyboard.press('Control+k');
    await maker.page.keyboard.type('Papadaki');
    await expect.poll(() => maker.page.getByRole('listbox', { name: 'Clients found' }).textContent(), { timeout: 10_000 }).toContain('Irene Papadaki');
    await maker.page.keyboard.press('Enter');
    const page = maker.page.getByRole('article', { name: `Client ${clientId}` });
    const balances = page.getByRole('region', { name: 'Balances' });
    await expect.poll(() => balances.textContent(), { timeout: 10_000 }).toContain('No money held for this client.');
    await expect.poll(() => page.getByRole('region', { name: 'Deposits' }).textContent(), { timeout: 10_000 }).toMatch(new RegExp(`${depositRef}20000.00 EURInitiated`));
    await sim.pay({ reference: depositRef, amount: '20000.00', currency: 'EUR', payerName: `${input.firstName} ${input.lastName}` });
    await sim.drain();
    await expect.poll(() => balances.textContent(), { timeout: 10_000 }).toBe('Balances 1CurrencyAvailablePendingHeld for withdrawalsEUR20000.000.000.00');
    await expect.poll(() => page.getByRole('region', { name: 'Deposits' }).textContent(), { timeout: 10_000 }).toMatch(new RegExp(`${depositRef}20000.00 EURCredited`));
    await page.getByRole('button', { name: /Back/ }).click();

    const { withdrawalRef } = await finance.client.withdrawals.request.mutate({ clientId, amount: '15000.00', currency: 'EUR', method: 'bank_transfer', provider: 'simpay', destination: { accountHolder: 'Irene Papadaki', account: 'GR1601101250000000012300695' } });

    // The maker is back on the queue, sees it, and may not approve it.
    await expect.poll(() => maker.page.getByRole('heading', { name: 'Withdrawals' }).isVisible(), { timeout: 10_000 }).toBe(true);
    let pane = await openWithdrawal(maker.page, withdrawalRef, /^Pending approval/);
    const approveButton = pane.getByRole('button', { name: 'Approve…' });
    await expect.poll(() => approveButton.isDisabled(), { timeout: 10_000 }).toBe(true);
    expect(await approveButton.getAttribute('title')).toBe('you requested it: another person approves');
    await expect.poll(() => pane.getByRole('list', { name: 'Checks' }).textContent({ timeout: 1000 }).catch(() => ''), { timeout: 10_000 }).toContain('Passed: KYC approved.');
    expect(await pane.getByRole('list', { name: 'Checks' }).textContent()).not.toContain('Failed:');

    // The finance manager approves from the keyboard.
    const manager = await desk('finmanager');
    pane = await openWithdrawal(manager.page, withdrawalRef, /^Pending approval/);
    await manager.page.keyboard.press('a');
    // No check failed, so the note is optional.
    await pane.getByLabel('Note (optional, recorded with the decision)').fill('Client called from the number on file; funds came from her own account');
    await pane.getByRole('button', { name: 'Approve', exact: true }).click();
    await expect.poll(() => pane.getByRole('heading', { name: /Approvals: 1 of 2/ }).isVisible(), { timeout: 10_000 }).toBe(true);

    // Compliance gives the second and last approval in its own desk; the payout goes, its answer is lost.
    sim.faults({ payouts: ['timeout_sent'], lossRate: 1 });
    const officer = await desk('compliance');
    await officer.page.getByRole('button', { name: 'Withdrawals', exact: true }).click();
    const officerPane = await openWithdrawal(officer.page, withdrawalRef, /^Pending approval/);
    await officer.page.keyboard.press('a');
    await officerPane.getByLabel('Note (optional, recorded with the decision)').fill('Compliance sign-off above 10,000');
    await officerPane.getByRole('button', { name: 'Approve', exact: true }).click();
    await expect.poll(async () => (await finance.client.withdrawals.get.query({ ref: withdrawalRef })).status, { timeout: 15_000 }).toBe('needs_assistance');
    sim.faults({ lossRate: 0 });

    pane = await openWithdrawal(manager.page, withdrawalRef, /^Needs assistance/);
    await expect.poll(() => pane.getByRole('heading').first().textContent({ timeout: 1000 }).catch(() => ''), { timeout: 10_000 }).toContain('Needs assistance');
    await manager.page.keyboard.press('s');
    await pane.getByLabel('What to do').selectOption('ask_provider');
    await pane.getByLabel('Reason (recorded with the decision)').fill('Asked the provider by the payout key');
    await pane.getByRole('button', { name: 'Resolve', exact: true }).click();
    await expect.poll(() => pane.getByRole('heading').first().textContent({ timeout: 1000 }).catch(() => ''), { timeout: 15_000 }).toContain('Paid');
    expect(await finance.client.ledger.balance.query({ clientId })).toEqual({ items: [{ currency: 'EUR', available: '5000.00', pending: '0.00', held: '0.00' }] });
    expect(sim.payouts().filter((p) => p.reference === withdrawalRef)).toHaveLength(1);

    // The client's timeline holds every check, approval and provider event, each with its actor.
    const timeline = await finance.client.clients.timeline.query({ clientId });
    const actions = timeline.items.map((e) => `${e.action} by ${e.actor}`);
    expect(actions).toEqual(expect.arrayContaining(['deposit.credited by payment provider simpay', 'withdrawal.requested by finance', 'withdrawal.checked by finance', 'withdrawal.approval_given by finmanager', 'withdrawal.approval_given by compliance', 'withdrawal.needs_assistance by system', 'withdrawal.paid by finmanager']));
    expect(actions).not.toContain('withdrawal.approval_given by mlro');
    expect([...maker.errors, ...manager.errors, ...officer.errors]).toEqual([]);
  });

  it('lets finance approve from the keyboard alone: the queue holds the keyboard, / filters, Enter opens, a approves, Ctrl+Enter sends', async () => {
    const { t } = d;
    t.clock.advance(30_000);
    const { clientId, input } = await aKycApprovedClient(t, { firstName: 'Kostas', lastName: 'Andreou' });
    const { depositRef } = await portalClientFor(t.url).portal.initiateDeposit.mutate({ clientId, amount: '500.00', currency: 'EUR', method: 'bank_transfer', provider: 'simpay' });
    await sim.pay({ reference: depositRef, amount: '500.00', currency: 'EUR', payerName: `${input.firstName} ${input.lastName}` });
    await sim.drain();
    t.clock.advance(30_000);
    const { withdrawalRef } = await (await t.login('finance.eu')).client.withdrawals.request.mutate({ clientId, amount: '200.00', currency: 'EUR', method: 'bank_transfer', provider: 'simpay', destination: { accountHolder: 'Kostas Andreou', account: 'CY17002001280000001200527600' } });

    const page = await (await d.browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInWithKeys(d, page, 'finmanager');
    // Lands on the withdrawals waiting for approval, with the grid holding the keyboard.
    await expect.poll(() => page.getByRole('tab', { selected: true }).textContent()).toMatch(/^Pending approval/);
    await expect.poll(() => page.evaluate("document.activeElement?.closest('.ag-row') !== null"), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => page.locator('.statusbar').textContent(), { timeout: 10_000 }).toContain('Sync: idle');
    await page.keyboard.press('/');
    await page.keyboard.type(withdrawalRef);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.grid .ag-row').allTextContents(), { timeout: 10_000 }).toEqual([expect.stringContaining(withdrawalRef)]);
    await expect.poll(() => page.evaluate("document.activeElement?.closest('.ag-row') !== null")).toBe(true);
    await page.keyboard.press('Enter');
    const pane = page.getByRole('complementary', { name: 'Details' });
    await expect.poll(() => pane.getByRole('heading').first().textContent({ timeout: 1000 }).catch(() => ''), { timeout: 10_000 }).toContain(withdrawalRef);
    // A first withdrawal needs two people: `a` opens the approval with the keyboard in the note.
    await page.keyboard.press('a');
    await expect.poll(() => page.evaluate('document.activeElement?.tagName')).toBe('TEXTAREA');
    await page.keyboard.type('First withdrawal to the account the deposit came from');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => pane.getByRole('heading', { name: /Approvals: 1 of 2/ }).isVisible(), { timeout: 10_000 }).toBe(true);
    // The key now says why it is not open, and the help lists it so.
    await page.keyboard.press('a');
    await expect.poll(() => page.locator('.notice-toast').allTextContents()).toContainEqual(expect.stringMatching(/^Approve: you have approved it already/));
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect.poll(() => help.textContent()).toMatch(/Approve \(not now.*Reject with a reason.*Put on hold/);
    await page.keyboard.press('Escape');
    t.clock.advance(30_000);
    expect((await (await t.login('finmanager')).client.withdrawals.get.query({ ref: withdrawalRef })).approvals.map((a) => a.by)).toEqual(['finmanager']);
    expect(errors).toEqual([]);
  });
});
