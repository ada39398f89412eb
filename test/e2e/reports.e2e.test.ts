// Reports in a real browser (issue 18): two weeks of a brokerage's activity (registrations in
// several countries and account types, KYC approvals by officers, failed sign-ins, role changes),
// each day taken by the daily job just after midnight; the MLRO opens the reports, reads the
// headline figures and the charts, filters by country, exports the report as CSV; a screenshot of
// each of the five reports is kept for people to judge.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aKycApprovedClient, aRegisteredClient, anApprovedClient } from '../../server/testing/builders.js';
import { expectReason } from '../../server/testing/harness.js';
import { loadAList, openDesk, startDesktop, type Desktop } from './desktop-fixture.js';

const DAYS = 14;
const COUNTRIES = ['CY', 'GR', 'DE', 'CY', 'ZA', 'AE', 'CY', 'GB'];

describe('reports in the desktop UI', () => {
  let d: Desktop;
  let registered = 0;
  beforeAll(async () => {
    d = await startDesktop(async (t) => {
      await loadAList(t);
      // Two weeks back, then forward day by day: each day's work, then the midnight snapshot.
      const start = Date.parse(`${t.clock.now().toISOString().slice(0, 10)}T00:00:00.000Z`) - DAYS * 86_400_000;
      for (let day = 0; day < DAYS; day++) {
        t.clock.set(new Date(start + day * 86_400_000 + 9 * 3_600_000));
        const n = 2 + ((day * 5) % 4);
        for (let i = 0; i < n; i++) {
          const country = COUNTRIES[(day + i) % COUNTRIES.length]!;
          await aRegisteredClient(t, { legalEntity: i % 3 === 2 ? 'global' : 'eu', country, accountType: i % 2 ? 'professional' : 'standard' });
        }
        if (day % 2 === 0) {
          await anApprovedClient(t, { legalEntity: 'eu', country: 'CY' });
        }
        if (day % 3 === 0) {
          await aKycApprovedClient(t, { legalEntity: 'eu', country: COUNTRIES[day % COUNTRIES.length]! });
        }
        if (day % 4 === 1) await expectReason(t.anonymous.auth.login.mutate({ username: 'dealer', password: 'Not-the-password-1', totp: '000000' }), 'INVALID_CREDENTIALS');
        t.clock.set(new Date(start + (day + 1) * 86_400_000 + 10_000));
        await t.server.services.reports.takeDailySnapshots();
      }
      t.clock.set(new Date(start + DAYS * 86_400_000 + 10 * 3_600_000));
      // Every client registered in these 30 days: those above and the test server's own.
      registered = Number((await t.server.services.store.kysely.selectFrom('clients').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    });
  }, 300_000);
  afterAll(async () => {
    await d?.close();
  });

  it('shows each report with headline figures and charts, filters by country, and exports the report', async () => {
    const { page, errors } = await openDesk(d, 'mlro', { acceptDownloads: true });
    await page.getByRole('navigation').getByRole('button', { name: /^Reports/ }).click();
    const kpis = page.getByRole('list', { name: 'Headline figures' });
    await expect.poll(() => kpis.getByRole('listitem').first().getAttribute('aria-label'), { timeout: 15_000 }).toBe(`Registrations: ${registered}`);
    await expect.poll(() => page.getByRole('img', { name: /^Accounts, day by day/ }).count()).toBe(1);
    const shots = process.env.E2E_SCREENSHOTS ?? d.dir;
    await page.screenshot({ path: path.join(shots, 'report-accounts.png'), fullPage: true });

    // A country: the figures are that country's; the breakdown by country holds it alone.
    await page.getByRole('combobox', { name: 'Country' }).selectOption('CY');
    await expect.poll(() => page.getByRole('img', { name: /^Registrations by country/ }).getAttribute('aria-label')).toMatch(/^Registrations by country: CY \d+$/);
    const cy = Number((await kpis.getByRole('listitem').first().getAttribute('aria-label'))!.split(': ')[1]);
    expect(cy).toBeGreaterThan(0);
    expect(cy).toBeLessThan(registered);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const file = path.join(d.dir, download.suggestedFilename());
    await download.saveAs(file);
    const csv = fs.readFileSync(file, 'utf8');
    expect(csv).toContain(`Headline,Registrations,${cy},period total`);
    expect(csv.split('\r\n').filter((l) => l.startsWith('Daily: Registrations,')).length).toBe(30);
    await page.getByRole('combobox', { name: 'Country' }).selectOption('');

    for (const name of ['Payments', 'Compliance', 'Permissions', 'Dealing']) {
      await page.getByRole('tablist', { name: 'Reports' }).getByRole('tab', { name }).click();
      await expect.poll(() => page.getByRole('img', { name: new RegExp(`^${name}, day by day`) }).count(), { timeout: 15_000 }).toBe(1);
      await page.screenshot({ path: path.join(shots, `report-${name.toLowerCase()}.png`), fullPage: true });
    }
    // The permissions report counts the failed sign-ins on the dealer's account.
    await page.getByRole('tablist', { name: 'Reports' }).getByRole('tab', { name: 'Permissions' }).click();
    await expect.poll(() => page.getByRole('img', { name: /^Abnormal sign-ins by account/ }).getAttribute('aria-label'), { timeout: 15_000 }).toMatch(/dealer \d+/);
    expect(errors).toEqual([]);
  });
});
