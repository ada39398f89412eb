// The desktop without a mouse: a compliance officer signs in, lands on the KYC queue with the grid
// focused, finds a case by the quick filter, opens it, assigns it, asks for a document and
// approves it, each with its single key; the MLRO acknowledges and closes an alert with the
// report decision; `?` lists the keys, and a key whose action the server
// would refuse says why instead of acting.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SYSTEM_ACTOR } from '../../server/core/actor.js';
import { aPassport, aPassportUpload, aRegistration, anAddressProof } from '../../server/testing/builders.js';
import { portalClientFor } from '../../server/testing/harness.js';
import { signInWithKeys, startDesktopWithList, type Desktop } from './desktop-fixture.js';
import { raiseAlert } from '../../server/modules/alerts/service.js';

describe('the desktop from the keyboard alone', () => {
  let d: Desktop;
  beforeAll(async () => {
    d = await startDesktopWithList();
  }, 180_000);
  afterAll(() => d?.close());

  const signInByKeyboard = (page: Page, username: string) => signInWithKeys(d, page, username);

  it('takes a compliance officer from the queue through assign, a document request and approval', async () => {
    const { t } = d;
    const portal = portalClientFor(t.url);
    const today = t.clock.now().toISOString().slice(0, 10);
    const person = { firstName: 'Mirela', lastName: 'Dumitrescu', dateOfBirth: '1985-05-05', nationality: 'RO' };
    const { clientId } = await portal.portal.registerClient.mutate(aRegistration({ ...person, country: 'RO' }));
    await portal.portal.uploadDocument.mutate(aPassportUpload(clientId, aPassport(person)));
    await portal.portal.uploadDocument.mutate(await anAddressProof(clientId, today));
    await t.server.services.jobs.drain();

    const page = await (await d.browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInByKeyboard(page, 'compliance.eu');

    // Lands on the KYC queue's open work, with the grid holding the keyboard.
    await expect.poll(() => page.getByRole('tab', { selected: true }).textContent()).toMatch(/^All open/);
    await expect.poll(() => page.evaluate("document.activeElement?.closest('.ag-row') !== null"), { timeout: 10_000 }).toBe(true);

    // `/` to the quick filter, Enter back to the grid, Enter opens the case (once the first sync is done).
    await expect.poll(() => page.locator('.statusbar').textContent(), { timeout: 10_000 }).toContain('Sync: idle');
    await page.keyboard.press('/');
    await page.keyboard.type('Dumitrescu');
    expect(await page.getByLabel('Quick filter').inputValue()).toBe('Dumitrescu');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.grid .ag-row').allTextContents()).toEqual([expect.stringContaining('Dumitrescu')]);
    await expect.poll(() => page.evaluate("document.activeElement?.closest('.ag-row') !== null")).toBe(true);
    await page.keyboard.press('Enter');
    const pane = page.getByRole('complementary', { name: 'Details' });
    const heading = pane.getByRole('heading').first();
    await expect.poll(() => heading.textContent(), { timeout: 10_000 }).toMatch(/· Open ·/);

    // A key whose action the server would refuse says why (not assigned yet), and does nothing.
    await page.keyboard.press('p');
    await expect.poll(() => page.locator('.notice-toast').allTextContents()).toContainEqual(expect.stringMatching(/Approve: not open to you/));

    // `a` assigns; `d` opens the document request with the keyboard in its first box.
    await page.keyboard.press('a');
    await expect.poll(() => pane.getByRole('button', { name: 'Assign to me' }).count(), { timeout: 10_000 }).toBe(0);
    await page.keyboard.press('d');
    await expect.poll(() => page.evaluate('document.activeElement?.type')).toBe('checkbox');
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    expect(await pane.getByRole('checkbox', { name: /Proof of address/ }).isChecked()).toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.type('The bill is cut off; please send the whole page.');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => heading.textContent(), { timeout: 10_000 }).toMatch(/Pending documents/);

    // The client resubmits; `p` opens the approval with the keyboard in the policy basis.
    await portal.portal.uploadDocument.mutate(await anAddressProof(clientId, today));
    await t.server.services.jobs.drain();
    await expect.poll(() => heading.textContent(), { timeout: 15_000 }).toMatch(/· Open ·/);
    await pane.getByRole('list', { name: 'Before approval' }).waitFor({ state: 'detached', timeout: 10_000 });
    await page.keyboard.press('p');
    await expect.poll(() => page.evaluate("document.activeElement?.getAttribute('placeholder')")).toMatch(/AML policy/);
    await page.keyboard.type('AML/CFT policy 4.2, standard due diligence');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Passport and full bill checked against the declaration.');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => heading.textContent(), { timeout: 10_000 }).toMatch(/· Approved ·/);
    const kase = await t.server.services.store.kysely.selectFrom('kyc_cases').select(['status', 'policy_basis']).where('client_id', '=', clientId).executeTakeFirstOrThrow();
    expect(kase).toMatchObject({ status: 'approved', policy_basis: 'AML/CFT policy 4.2, standard due diligence' });

    // `?` lists the grid's keys and the pane's, with what is not available now; Esc closes it.
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect.poll(() => help.textContent()).toMatch(/j \/ k.*Assign to me.*Request documents.*Approve \(not now/);
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
  }, 120_000);

  it('takes the MLRO from the alert queue through acknowledging and closing an alert with the report decision', async () => {
    const { t } = d;
    const id = await t.server.services.store.mutate({ ...SYSTEM_ACTOR, id: 'e2e:alerts', name: 'e2e' }, (m) =>
      raiseAlert(m, { kind: 'sanctions_match', legalEntity: 'global', clientId: null, severity: 'critical', forRole: 'mlro', summary: 'Confirmed sanctions match: keyboard test', details: { caseId: 'SCR-000042' }, sourceRef: 'SCR-000042' }),
    );
    const page = await (await d.browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInByKeyboard(page, 'mlro');

    // The MLRO lands on the alerts raised for the MLRO, the grid holding the keyboard.
    await expect.poll(() => page.getByRole('heading', { level: 2 }).first().textContent()).toBe('Alerts');
    await expect.poll(() => page.getByRole('tab', { selected: true }).textContent()).toMatch(/^For my role/);
    await expect.poll(() => page.evaluate("document.activeElement?.closest('.ag-row') !== null"), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => page.locator('.statusbar').textContent(), { timeout: 10_000 }).toContain('Sync: idle');
    await page.keyboard.press('/');
    await page.keyboard.type(id);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.grid .ag-row').allTextContents()).toEqual([expect.stringContaining(id)]);
    await expect.poll(() => page.evaluate("document.activeElement?.closest('.ag-row') !== null")).toBe(true);
    await page.keyboard.press('Enter');
    const pane = page.getByRole('complementary', { name: 'Details' });
    await expect.poll(() => pane.getByRole('heading').first().textContent(), { timeout: 10_000 }).toMatch(new RegExp(`${id} · Critical · Open`));
    // Readable labels: no field keys in the pane.
    expect(await pane.textContent()).not.toMatch(/caseId|sourceRef|forRole/);

    await page.keyboard.press('w');
    await expect.poll(() => pane.getByRole('heading').first().textContent(), { timeout: 10_000 }).toMatch(/· Acknowledged/);
    await page.keyboard.press('c');
    await expect.poll(() => page.evaluate('document.activeElement?.tagName')).toBe('SELECT');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Client restricted and funds frozen on the match.');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.type('The restriction prevents any transaction; no report needed.');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => pane.getByRole('heading').first().textContent(), { timeout: 10_000 }).toMatch(/· Closed/);
    const row = await t.server.services.store.kysely.selectFrom('alerts').select(['status', 'close_reason', 'sar_decision', 'sar_reason']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'closed', close_reason: 'action_taken', sar_decision: 'not_filed', sar_reason: 'The restriction prevents any transaction; no report needed.' });
    expect(errors).toEqual([]);
  }, 120_000);

  it('has an administrator request a role with an end date and a second administrator approve it, without a mouse', async () => {
    const { t } = d;
    const page = await (await d.browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInByKeyboard(page, 'admin');
    await page.getByRole('tab', { name: 'People' }).focus();
    await page.keyboard.press('Enter');
    const staff = page.getByRole('listbox', { name: 'Staff' });
    await staff.getByRole('option', { name: /Sam Support/ }).focus();
    await page.keyboard.press('Enter');
    const person = page.getByRole('complementary', { name: 'Person' });
    await expect.poll(() => person.getByRole('heading').first().textContent()).toMatch(/Sam Support · support/);
    await person.getByRole('button', { name: 'Grant a role…' }).focus();
    await page.keyboard.press('Enter');
    // The role list has the keyboard: choose Compliance officer by typing, then the entity, the last day and the reason.
    await expect.poll(() => page.evaluate('document.activeElement?.tagName')).toBe('SELECT');
    await page.keyboard.type('Compliance');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    // Ninety days from the server's today, typed as the date field reads it (month, day, year).
    const until = new Date(t.clock.now().getTime() + 90 * 86_400_000).toISOString().slice(0, 10);
    const [yyyy, mm, dd] = until.split('-');
    await page.keyboard.type(`${mm}${dd}${yyyy}`);
    const form = page.getByRole('form', { name: 'Grant a role' });
    expect(await form.getByLabel(/^Until/).inputValue()).toBe(until);
    // The date field keeps Tab for its own parts: the reason is reached as a screen reader would, by its label.
    await form.getByLabel('Reason').focus();
    await page.keyboard.type('Covering the KYC queue over the year end');
    const before = await t.server.services.store.kysely.selectFrom('approval_requests').select('id').where('kind', '=', 'access.grantRole').execute();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await t.server.services.store.kysely.selectFrom('approval_requests').select(['id', 'payload_json']).where('kind', '=', 'access.grantRole').execute()).length, { timeout: 10_000 }).toBe(before.length + 1);
    const request = await t.server.services.store.kysely.selectFrom('approval_requests').select(['id', 'payload_json']).where('kind', '=', 'access.grantRole').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(request.payload_json)).toMatchObject({ role: 'compliance_officer', endsAt: `${until}T23:59:59.999Z` });

    // The second administrator approves it from the keyboard, reading what changes.
    const second = await (await d.browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
    second.on('pageerror', (e) => errors.push(e.message));
    await signInByKeyboard(second, 'admin2');
    await expect.poll(() => second.getByRole('tab', { selected: true }).last().textContent()).toMatch(/^Waiting/);
    await expect.poll(() => second.evaluate("document.activeElement?.closest('.ag-row') !== null"), { timeout: 10_000 }).toBe(true);
    await second.keyboard.press('/');
    await second.keyboard.type(request.id);
    await second.keyboard.press('Enter');
    await expect.poll(() => second.locator('.grid .ag-row').allTextContents()).toEqual([expect.stringContaining(request.id)]);
    await expect.poll(() => second.evaluate("document.activeElement?.closest('.ag-row') !== null")).toBe(true);
    await second.keyboard.press('Enter');
    const pane = second.getByRole('complementary', { name: 'Details' });
    await expect.poll(() => pane.getByRole('region', { name: 'What changes' }).textContent(), { timeout: 10_000 }).toMatch(new RegExp(`RoleCompliance officer.*End date${until}T23:59:59.999Z`));
    await pane.getByRole('button', { name: 'Approve', exact: true }).waitFor();
    await second.keyboard.press('p');
    await expect.poll(() => pane.getByRole('heading').first().textContent(), { timeout: 10_000 }).toMatch(`${request.id} · executed`);
    const granted = await t.server.services.store.kysely.selectFrom('role_grants').select(['role', 'ends_at']).where('user_id', '=', await t.userId('support')).where('role', '=', 'compliance_officer').executeTakeFirstOrThrow();
    expect(granted.ends_at).toBe(`${until}T23:59:59.999Z`);
    expect(errors).toEqual([]);
  }, 120_000);
});
