// The desktop UI in a real browser against the headless host and a real server: sign in with a
// TOTP code, filter the audit grid, and approve a pending role grant as a second user in a second
// browser context; the first user's grid shows the outcome within 2 seconds.

import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { HeadlessHost } from '../../main/headless/server.js';
import type { TestServer } from '../../server/testing/harness.js';
import { totpCode } from '../../server/modules/access/totp.js';
import { signIn as signInAs, startDesktop, type Desktop } from './desktop-fixture.js';

let d: Desktop;
let t: TestServer;
let host: HeadlessHost;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  d = await startDesktop();
  ({ t, host, browser, dir } = d);
}, 180_000);

afterAll(() => d?.close());

const signIn = (page: Page, username: string) => signInAs(d, page, username);

it('signs in with TOTP, filters the audit grid, and sees a colleague\u2019s approval within 2 s', async () => {
  // A pending grant made by one administrator, for a second one to approve.
  const admin = await t.login('admin');
  const { approvalId } = await admin.client.access.grantRole.mutate({ userId: await t.userId('support'), role: 'ib_manager', legalEntity: 'eu', reason: 'IB desk cover for December' });

  const first = await (await browser.newContext({ viewport: { width: 1400, height: 800 } })).newPage();
  const errors: string[] = [];
  first.on('pageerror', (e) => errors.push(e.message));

  // A wrong code is refused with a message a person understands.
  await first.goto(host.openUrl);
  await first.getByLabel('Username').fill('auditor');
  await first.getByLabel('Password').fill(t.credentials.get('auditor')!.password);
  await first.getByLabel('Authentication code').fill(t.code('auditor') === '000000' ? '111111' : '000000');
  await first.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => first.getByRole('alert').textContent()).toMatch(/code is wrong/);

  await signIn(first, 'auditor');
  await first.locator('.ag-row').first().waitFor();
  await first.getByLabel('Quick filter').fill('requested');
  // The cache may still be filling when the filter is typed: wait for the filtered result, not just a row count.
  await expect.poll(async () => {
    const rows = await first.locator('.grid .ag-row').allTextContents();
    return rows.length === 1 && rows[0]!.includes('approval.requested');
  }, { timeout: 5000 }).toBe(true);
  await expect.poll(() => first.locator('.statusbar').textContent()).toContain('Sync: idle');

  await first.getByRole('button', { name: 'Approvals' }).click();
  const firstRow = first.locator('.grid .ag-row', { hasText: approvalId });
  await expect.poll(() => firstRow.textContent(), { timeout: 5000 }).toContain('Pending');

  // The second user, in a second browser context, approves.
  const second = await (await browser.newContext({ viewport: { width: 1400, height: 800 } })).newPage();
  await signIn(second, 'admin2');
  await second.getByRole('button', { name: 'Approvals' }).click();
  await second.locator('.grid .ag-row', { hasText: approvalId }).click();
  await second.getByRole('button', { name: 'Approve' }).click();
  await expect.poll(() => second.locator('.detail h3').textContent(), { timeout: 5000 }).toContain('executed');

  // The first user's grid shows it within 2 s, with no reload: it leaves the requests waiting for a
  // decision, and the Decided tab holds it as executed.
  await expect.poll(() => firstRow.count(), { timeout: 2000, interval: 100 }).toBe(0);
  await first.getByRole('tab', { name: /^Decided/ }).click();
  await expect.poll(() => first.locator('.grid .ag-row', { hasText: approvalId }).textContent(), { timeout: 2000, interval: 100 }).toContain('Executed');
  await first.screenshot({ path: path.join(dir, 'first.png') });
  expect(errors).toEqual([]);
}, 120_000);

it('takes a new user through authenticator enrolment and the forced password change', async () => {
  const admin = await t.login('admin');
  await admin.client.access.createUser.mutate({ username: 'nina.new', displayName: 'Nina New', password: 'Initial-Passw0rd!' });
  const page = await (await browser.newContext()).newPage();
  await page.goto(host.openUrl);
  await page.getByLabel('Username').fill('nina.new');
  await page.getByLabel('Password').fill('Initial-Passw0rd!');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Set up my authenticator' }).click();
  await page.getByAltText('Authenticator QR code').waitFor();
  const secret = (await page.locator('.secret').textContent())!.trim();
  await page.getByLabel('Authentication code').fill(totpCode(secret, t.clock.now()));
  await page.getByRole('button', { name: 'Confirm and sign in' }).click();

  await page.getByRole('heading', { name: 'Choose your password' }).waitFor();
  await page.getByLabel('Current password').fill('Initial-Passw0rd!');
  await page.getByLabel('New password', { exact: true }).fill('short');
  await page.getByLabel('New password again').fill('short');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/at least 12 characters/);
  await page.getByLabel('New password', { exact: true }).fill('Nina-chose-this-1');
  await page.getByLabel('New password again').fill('Nina-chose-this-1');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  expect(await page.locator('.who').textContent()).toContain('no roles yet');
}, 60_000);

it('refuses to serve files outside the renderer and calls without the launch key', async () => {
  expect((await fetch(`${host.url}/..%2F..%2Fpackage.json`)).status).toBe(404);
  expect((await fetch(`${host.url}/assets/..%2F..%2F..%2Fpackage.json`)).status).toBe(404);
  const ipc = await fetch(`${host.url}/ipc`, { method: 'POST', body: JSON.stringify({ channel: 'session.current', input: {} }), headers: { 'content-type': 'application/json' } });
  expect(ipc.status).toBe(403);
  const page = await fetch(`${host.url}/`);
  expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
});
