// Every grid exports what it shows: the auditor's filtered audit log as XLSX (read back with
// exceljs), a compliance officer's KYC queue as CSV with client names masked (no
// clients.exportPii), an auditor's client found by name with every event of the client exported;
// each export an audit event carrying the file's SHA-256.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { aRegistration } from '../../server/testing/builders.js';
import { portalClientFor } from '../../server/testing/harness.js';
import { openDesk, startDesktop, type Desktop } from './desktop-fixture.js';

describe('grid exports and the client page', () => {
  let d: Desktop;
  beforeAll(async () => {
    d = await startDesktop();
  }, 180_000);
  afterAll(() => d?.close());

  const desk = async (username: string): Promise<Page> => (await openDesk(d, username, { acceptDownloads: true })).page;

  async function download(page: Page, button: string): Promise<{ name: string; bytes: Buffer }> {
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
    const at = await file.path();
    return { name: file.suggestedFilename(), bytes: fs.readFileSync(at) };
  }

  const exportEvent = async (sha256: string) => {
    const rows = await d.t.server.services.store.kysely.selectFrom('audit_events').select(['actor_name', 'after_json']).where('action', '=', 'export.created').execute();
    return rows.map((r) => ({ actor: r.actor_name, ...(JSON.parse(r.after_json!) as { sha256: string; rows: number; view: string; piiIncluded: boolean; filters: string }) })).find((e) => e.sha256 === sha256);
  };

  it('exports the auditor’s filtered audit log to XLSX with the visible columns, and records it', async () => {
    const page = await desk('auditor');
    await page.locator('.grid .ag-row').first().waitFor();
    await page.getByLabel('Quick filter').fill('auth.login');
    await expect.poll(async () => (await page.locator('.grid .ag-row').allTextContents()).every((t) => t.includes('auth.login')), { timeout: 10_000 }).toBe(true);
    // The time filter takes an ISO date (UTC), as the grid shows it: every login happened today.
    const today = d.t.clock.now().toISOString().slice(0, 10);
    await page.locator('.ag-header-cell[col-id="at"] .ag-header-cell-filter-button, .ag-header-cell[col-id="at"] .ag-header-icon').first().click();
    const dateBox = page.locator('.ag-filter input[type="text"]').first();
    await dateBox.fill(today);
    await dateBox.press('Enter');
    await expect.poll(async () => (await page.locator('.grid .ag-row').allTextContents()).every((t) => t.includes(today)), { timeout: 10_000 }).toBe(true);
    await page.keyboard.press('Escape');
    const shown = await page.locator('.statusbar').textContent();
    const file = await download(page, 'Export XLSX');
    expect(file.name).toMatch(/^audit-\d{4}-\d{2}-\d{2}T\d{6}Z-EXP-\d{6}\.xlsx$/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(file.bytes as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    const headers = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(headers).toEqual(expect.arrayContaining(['Action', 'Actor']));
    const actionColumn = headers.indexOf('Action') + 1;
    const actions = [];
    for (let r = 2; r <= sheet.rowCount; r++) actions.push(String(sheet.getRow(r).getCell(actionColumn).value));
    expect(actions.length).toBe(Number(/([\d,]+) rows/.exec(shown ?? '')![1]!.replaceAll(',', '')));
    expect(new Set(actions)).toEqual(new Set(['auth.login']));
    const sha = createHash('sha256').update(file.bytes).digest('hex');
    expect(await exportEvent(sha)).toMatchObject({ actor: 'auditor', view: 'audit', rows: actions.length });
    expect((await exportEvent(sha))!.filters).toMatch(new RegExp(`"at":\\{"dateFrom":"${today}".*quick filter "auth.login"`));
  });

  it('masks client names in a compliance officer’s KYC export (no clients.exportPii), and says so in the record', async () => {
    const { clientId } = await portalClientFor(d.t.url).portal.registerClient.mutate(aRegistration({ firstName: 'Giulia', lastName: 'Ferrante', dateOfBirth: '1991-01-01' }));
    const officer = await d.t.login('compliance.eu');
    const kase = await d.t.server.services.store.kysely.selectFrom('kyc_cases').select('id').where('client_id', '=', clientId).executeTakeFirstOrThrow();
    await officer.client.kyc.assign.mutate({ caseRef: kase.id, userId: officer.userId });
    const page = await desk('compliance.eu');
    await page.getByLabel('Quick filter').fill('Ferrante');
    await expect.poll(() => page.locator('.grid .ag-row').allTextContents(), { timeout: 10_000 }).toEqual([expect.stringContaining('Ferrante')]);
    // The status column filters by ticking values, not by typing codes.
    await page.getByLabel('Quick filter').fill('');
    await page.locator('.ag-header-cell[col-id="status"] .ag-header-cell-filter-button, .ag-header-cell[col-id="status"] .ag-header-icon').first().click();
    await page.getByRole('checkbox', { name: 'Open', exact: true }).check();
    await expect.poll(async () => new Set((await page.locator('.grid .ag-row [col-id="status"]').allTextContents()).map((t) => t.trim())), { timeout: 10_000 }).toEqual(new Set(['Open']));
    await page.getByRole('button', { name: 'Show all' }).click();
    await page.keyboard.press('Escape');
    // The assignee column lists the people the cache holds as assignees, to tick.
    await page.locator('.ag-header-cell[col-id="assignee"] .ag-header-cell-filter-button, .ag-header-cell[col-id="assignee"] .ag-header-icon').first().click();
    await expect.poll(() => page.locator('.choice-filter').textContent(), { timeout: 10_000 }).toMatch(/compliance\.eu/);
    await page.keyboard.press('Escape');
    await page.getByLabel('Quick filter').fill('Ferrante');
    await expect.poll(() => page.locator('.grid .ag-row').allTextContents(), { timeout: 10_000 }).toEqual([expect.stringContaining('Ferrante')]);
    const file = await download(page, 'Export CSV');
    const text = file.bytes.toString('utf8');
    expect(text.split('\r\n')[0]).toMatch(/^\uFEFFCase,Status,Flags,Risk,/);
    expect(text).not.toContain('Ferrante');
    expect(text).toMatch(/KYC-\d{6},Open,,Low,.*•••.*compliance\.eu/);
    const sha = createHash('sha256').update(file.bytes).digest('hex');
    expect(await exportEvent(sha)).toMatchObject({ actor: 'compliance.eu', view: 'kyc', rows: 1, piiIncluded: false });
  });

  it('takes an auditor from a name in the search box to the client page with every event of the client, exported to XLSX', async () => {
    const { clientId } = await portalClientFor(d.t.url).portal.registerClient.mutate(aRegistration({ firstName: 'Anneliese', lastName: 'Vogelsang', dateOfBirth: '1979-09-09' }));
    const page = await desk('auditor');
    await page.keyboard.press('Control+k');
    await page.keyboard.type('vogelsang');
    const results = page.getByRole('listbox', { name: 'Clients found' });
    await expect.poll(() => results.textContent(), { timeout: 10_000 }).toMatch(new RegExp(`${clientId}.*Anneliese Vogelsang.*by name`));
    await page.keyboard.press('Enter');
    const client = page.getByRole('article', { name: `Client ${clientId}` });
    await expect.poll(() => client.getByRole('heading', { level: 2 }).textContent(), { timeout: 10_000 }).toMatch(`${clientId} · Anneliese Vogelsang · Registered`);
    await expect.poll(() => client.getByRole('region', { name: 'KYC cases' }).textContent()).toMatch(/KYC-\d{6}Open/);
    const expected = await d.t.server.services.store.kysely.selectFrom('audit_events').select('seq').where('client_id', '=', clientId).execute();
    await expect.poll(() => client.getByRole('list', { name: 'Client history' }).locator('li').count(), { timeout: 10_000 }).toBe(expected.length);

    // From the keyboard: the export button takes the focus, Enter exports.
    await client.getByRole('button', { name: 'Export XLSX' }).focus();
    const [downloaded] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    const file = { bytes: fs.readFileSync(await downloaded.path()) };
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(file.bytes as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(['Seq', 'When (UTC)', 'Action', 'Actor', 'Case', 'Reason', 'Hash']);
    const seqs = [];
    for (let r = 2; r <= sheet.rowCount; r++) seqs.push(Number(sheet.getRow(r).getCell(1).value));
    expect(seqs).toEqual(expected.map((e) => e.seq));
    const sha = createHash('sha256').update(file.bytes).digest('hex');
    expect(await exportEvent(sha)).toMatchObject({ actor: 'auditor', view: 'audit', rows: expected.length, filters: `client ${clientId}` });
    // Esc goes back to the view the auditor was on.
    await client.getByRole('button', { name: /Back/ }).focus();
    await page.keyboard.press('Escape');
    await client.waitFor({ state: 'detached' });
  });

  it('gives support a client lookup: found by the caller’s e-mail, status and what they may do, names masked, no history', async () => {
    const registration = aRegistration({ firstName: 'Bogdan', lastName: 'Ionescu', dateOfBirth: '1983-03-03' });
    const { clientId } = await portalClientFor(d.t.url).portal.registerClient.mutate(registration);
    const page = await desk('support');
    const lookup = page.getByRole('region', { name: 'Client lookup' });
    await lookup.waitFor();
    await page.keyboard.type(registration.email.toUpperCase());
    await expect.poll(() => page.getByRole('listbox', { name: 'Clients found' }).textContent(), { timeout: 10_000 }).toMatch(new RegExp(`${clientId} ••• · Registered.*by e-mail`));
    await page.keyboard.press('Enter');
    const client = page.getByRole('article', { name: `Client ${clientId}` });
    await expect.poll(() => client.getByRole('heading', { level: 2 }).textContent(), { timeout: 10_000 }).toBe(`${clientId} · ••• · Registered`);
    const text = (await client.textContent()) ?? '';
    expect(text).toMatch(/KYC\s*Open \(KYC-\d{6}\)/);
    expect(text).not.toMatch(/Ionescu|Bogdan|History/);
    expect(await client.getByRole('region', { name: 'KYC cases' }).count()).toBe(0);
  });
});
