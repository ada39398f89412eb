// MT5 interventions in a real browser, against the MT5 simulator: a dealer lands on the
// interventions queue, requests a balance correction from the keyboard (n, the form, Ctrl+Enter); the
// dealing manager approves it in their own desk (a); the dealer executes it (x): the MT5 balance
// changes and the case shows the deal ticket and the state before and after. Then a balance
// operation made directly on MT5 with a manager login (no case) appears in the queue of operations
// with no case within one run of the scan, and the dealer links it to a case (l).

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anApprovedClient } from '../../server/testing/builders.js';
import { startMt5Simulator, type Mt5Simulator } from '../../server/simulators/mt5/simulator.js';
import { Mt5Session } from '../../server/platform/session.js';
import { staff } from '../../server/seed/kyc-stories.js';
import { openDesk, openQueueRow, signInWithKeys, startDesktop, type Desktop } from './desktop-fixture.js';

describe('MT5 interventions in the desktop UI', () => {
  let d: Desktop;
  let sim: Mt5Simulator;
  let now = () => Date.now();
  let login = 0;
  beforeAll(async () => {
    sim = await startMt5Simulator({ now: () => now() });
    const certDir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'e2e-mt5-'));
    const certFile = path.join(certDir, 'mt5.pem');
    fs.writeFileSync(certFile, sim.certificate);
    d = await startDesktop(
      async (t) => {
        now = () => t.clock.now().getTime();
        const { clientId } = await anApprovedClient(t, { firstName: 'Nikos', lastName: 'Demetriou', legalEntity: 'eu' });
        await t.server.services.mt5Accounts.enqueueApproved();
        await t.server.services.mt5Accounts.processDue();
        // The platform job may take the account first: wait until it is open, whoever opened it.
        for (let i = 0; i < 300 && !login; i++) {
          const account = await t.server.services.store.kysely.selectFrom('mt5_accounts').select('login').where('client_id', '=', clientId).where('status', '=', 'active').executeTakeFirst();
          if (account) login = Number(account.login);
          else await new Promise((r) => setTimeout(r, 50));
        }
        if (!login) throw new Error(`client ${clientId} got no MT5 account`);
      },
      { env: { MT5_URL: sim.url, MT5_LOGIN: String(sim.login), MT5_PASSWORD: sim.password, MT5_CERTIFICATE_FILE: certFile, MT5_SCAN_SECONDS: '2' } },
    );
  }, 180_000);
  afterAll(async () => {
    await d?.close();
    await sim?.close();
  });

  it('is requested by a dealer, approved by a dealing manager and executed by the dealer, with the deal and MT5 state before and after on the case; a manager operation with no case is found and linked', async () => {
    const dealer = await openDesk(d, 'dealer');
    const page = dealer.page;
    // Dealers land on their own work.
    await expect.poll(() => page.getByRole('heading', { name: 'MT5 interventions' }).isVisible(), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 15_000 }).toMatch(/MT5 connected/);

    // A new request from the keyboard: n opens the form, Ctrl+Enter sends it.
    await page.locator('.grid').click();
    await page.keyboard.press('Escape');
    await page.keyboard.press('n');
    const form = page.getByRole('form', { name: 'Request an MT5 intervention' });
    await expect.poll(() => form.isVisible(), { timeout: 5000 }).toBe(true);
    await form.getByLabel('Type').selectOption('balance_correction');
    await form.getByLabel('MT5 login').fill(String(login));
    await form.getByLabel(/^Amount/).fill('120.00');
    await form.getByLabel(/^Currency/).fill('EUR');
    await expect.poll(async () => (await form.getByLabel('Reason').locator('option').allTextContents()).length, { timeout: 10_000 }).toBeGreaterThan(0);
    await form.getByLabel('Reason').selectOption('trade_dispute');
    await form.getByLabel(/^Note/).fill('Requote on a EURUSD close refunded after review of the tick data.');
    await form.getByLabel(/^Note/).press('Control+Enter');
    await expect.poll(() => form.isVisible(), { timeout: 10_000 }).toBe(false);
    const caseRef = (await d.t.server.services.store.kysely.selectFrom('interventions').select('ref').where('login', '=', login).orderBy('ref', 'desc').executeTakeFirstOrThrow()).ref;

    // The dealer may not approve it: the button says why.
    let pane = await openQueueRow(page, { tabs: 'MT5 interventions tabs', tab: /^Pending approval/ }, caseRef);
    await expect.poll(() => pane.getByRole('heading').first().textContent({ timeout: 1000 }).catch(() => ''), { timeout: 30_000 }).toContain(caseRef);
    expect(await pane.getByRole('button', { name: 'Approve…' }).getAttribute('title')).toBe('your roles do not decide interventions');

    // The dealing manager approves in their own desk.
    const manager = await openDesk(d, 'dealmanager');
    const managerPane = await openQueueRow(manager.page, { tabs: 'MT5 interventions tabs', tab: /^Pending approval/ }, caseRef);
    await expect.poll(() => managerPane.getByRole('heading').first().textContent({ timeout: 1000 }).catch(() => ''), { timeout: 30_000 }).toContain(caseRef);
    await manager.page.keyboard.press('a');
    await managerPane.getByLabel('Note (optional, recorded with the approval)').fill('Tick data checked');
    await managerPane.getByLabel('Note (optional, recorded with the approval)').press('Control+Enter');
    await expect.poll(async () => (await d.t.server.services.store.kysely.selectFrom('interventions').select('status').where('ref', '=', caseRef).executeTakeFirstOrThrow()).status, { timeout: 10_000 }).toBe('approved');
    // The approver may not execute it.
    await expect.poll(() => managerPane.getByRole('button', { name: 'Execute on MT5…' }).getAttribute('title').catch(() => null), { timeout: 10_000 }).toBe('you approved it: another person executes it');

    // The dealer executes it: x, then Ctrl+Enter on the confirmation.
    pane = await openQueueRow(page, { tabs: 'MT5 interventions tabs', tab: /^To execute/ }, caseRef);
    await expect.poll(() => pane.getByRole('heading').first().textContent({ timeout: 1000 }).catch(() => ''), { timeout: 15_000 }).toContain('Approved');
    await page.keyboard.press('x');
    await pane.getByRole('button', { name: 'Execute', exact: true }).press('Control+Enter');
    await expect.poll(() => pane.getByRole('heading').first().textContent({ timeout: 1000 }).catch(() => ''), { timeout: 15_000 }).toContain('Executed');
    const deal = sim.state.deals.find((x) => x.Comment === caseRef)!;
    expect(deal).toMatchObject({ Login: login, Profit: 120 });
    expect(sim.state.user(login).Balance).toBe(120);
    await expect.poll(() => pane.getByRole('table', { name: 'MT5 state before and after' }).textContent(), { timeout: 15_000 }).toContain('Balance0.00120.00 (changed)');
    expect(await pane.textContent()).toContain(`Deal ${deal.Deal}: 120.00 EUR, comment “${caseRef}”`);

    // A "dealer in the MT5 Manager" credits the account with no case; the scan (every 2 s here) finds it.
    const manual = new Mt5Session({ url: sim.url, login: sim.dealerLogin, password: sim.dealerPassword, certificate: sim.certificate });
    const { Ticket } = await manual.call<{ Ticket: string }>('/api/trade/balance', { login, type: 2, balance: '35.00', comment: 'goodwill', check_margin: 1 });
    manual.close();
    await page.getByRole('button', { name: /^No case on MT5/ }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'MT5 operations with no case' }).isVisible(), { timeout: 10_000 }).toBe(true);
    const opPane = await (async () => {
      await expect.poll(() => page.locator('.grid .ag-row').allTextContents(), { timeout: 20_000 }).toEqual(expect.arrayContaining([expect.stringContaining(Ticket)]));
      return openQueueRow(page, { tabs: 'MT5 operations with no case tabs', tab: /^No case yet/ }, Ticket);
    })();
    await expect.poll(() => opPane.getByRole('heading').first().textContent({ timeout: 1000 }).catch(() => ''), { timeout: 15_000 }).toContain(`login ${login}`);
    expect(await opPane.textContent()).toContain('goodwill');
    await page.keyboard.press('l');
    await opPane.getByLabel(/^Intervention case on login/).fill(caseRef);
    await opPane.getByLabel(/^How the case explains it/).fill('Goodwill agreed with the client on the same dispute, booked in the Manager by mistake.');
    await opPane.getByLabel(/^How the case explains it/).press('Control+Enter');
    await expect.poll(async () => (await d.t.server.services.store.kysely.selectFrom('platform_manager_ops').select(['status', 'case_ref']).where('deal_ticket', '=', Ticket).executeTakeFirstOrThrow()), { timeout: 10_000 }).toEqual({ status: 'linked', case_ref: caseRef });
    expect(dealer.errors).toEqual([]);
    expect(manager.errors).toEqual([]);
  });

  it('takes a dealer from sign-in to an executed case without a mouse: lands on the queue, / finds the case, Enter opens it, x and Ctrl+Enter execute it, ? lists the keys', async () => {
    const { t } = d;
    // Requested and approved elsewhere (through the services, as the desks above would).
    const [dealerAuth, managerAuth] = await Promise.all([staff(t.server.services, 'dealer'), staff(t.server.services, 'dealmanager')]);
    const { caseRef } = await t.server.services.interventions.request(dealerAuth, { type: 'change_leverage', login, value: '20', reasonCode: 'client_request', note: 'The client asked in writing for lower leverage.' });
    await t.server.services.interventions.approve(managerAuth, { caseRef });

    const page = await (await d.browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInWithKeys(d, page, 'dealer');
    await expect.poll(() => page.getByRole('tab', { selected: true }).textContent(), { timeout: 15_000 }).toMatch(/^All open/);
    await expect.poll(() => page.evaluate("document.activeElement?.closest('.ag-row') !== null"), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => page.locator('.statusbar').textContent(), { timeout: 15_000 }).toContain('Sync: idle');
    await page.keyboard.press('/');
    await page.keyboard.type(caseRef);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.grid .ag-row').allTextContents(), { timeout: 10_000 }).toEqual([expect.stringContaining(caseRef)]);
    await expect.poll(() => page.evaluate("document.activeElement?.closest('.ag-row') !== null")).toBe(true);
    await page.keyboard.press('Enter');
    const pane = page.getByRole('complementary', { name: 'Details' });
    await expect.poll(() => pane.getByRole('heading').first().textContent({ timeout: 1000 }).catch(() => ''), { timeout: 30_000 }).toContain(`${caseRef} · Change leverage to 1:20 · Approved`);
    // A key the case does not allow now says why, and does nothing.
    await page.keyboard.press('a');
    await expect.poll(() => page.locator('.notice-toast').allTextContents()).toContainEqual(expect.stringMatching(/Approve: approved already: it waits for an operator/));
    await page.keyboard.press('x');
    await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe('Execute');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => pane.getByRole('heading').first().textContent({ timeout: 1000 }).catch(() => ''), { timeout: 15_000 }).toContain('Executed');
    expect(sim.state.user(login).Leverage).toBe(20);
    await expect.poll(() => pane.getByRole('table', { name: 'MT5 state before and after' }).textContent()).toContain('Leverage1:301:20 (changed)');
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect.poll(() => help.textContent()).toMatch(/New intervention request.*Approve \(not now.*Execute on MT5/s);
    await page.keyboard.press('Escape');
    expect(errors).toEqual([]);
  }, 120_000);
});
