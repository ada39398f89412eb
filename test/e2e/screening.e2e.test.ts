// The screening review in a real browser: after the 2024-05-03 SDN update is loaded over the
// 2024-04-26 one, a compliance officer finds the new hit in the queue, reads the client beside the
// list entry, and confirms the true match; the client is restricted and the MLRO sees the alert
// in their own session. A strong hit cannot be cleared by an officer without the senior right.

import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../server/core/actor.js';
import { readListFiles } from '../../server/modules/screening/lists/read.js';
import type { TestServer } from '../../server/testing/harness.js';
import { dataFile, SHARED_DATA_MISSING, sharedDataPresent } from '../../server/testing/shared-data.js';
import { signIn as signInAs, startDesktop, type Desktop } from './desktop-fixture.js';

const sdn = (date: string) => {
  const dir = dataFile('sanctions', 'ofac', `sdn_${date}`);
  return readListFiles(fs.readdirSync(dir).map((f) => path.join(dir, f)));
};

describe.skipIf(!sharedDataPresent)('screening review in the desktop UI', () => {
  let d: Desktop;
  let t: TestServer;

  beforeAll(async () => {
    const actor = { ...SYSTEM_ACTOR, id: 'e2e:lists', name: 'list import' };
    d = await startDesktop(async (server) => {
      await server.server.services.screening.importList(actor, await sdn('2024-04-26'));
      await server.server.services.screening.importList(actor, await sdn('2024-05-03'));
    });
    t = d.t;
  }, 180_000);

  afterAll(() => d?.close());

  async function signIn(username: string): Promise<Page> {
    const page = await (await d.browser.newContext({ viewport: { width: 1500, height: 900 } })).newPage();
    await signInAs(d, page, username);
    return page;
  }

  it('confirms a new designation as a true match: the client is restricted and the MLRO alerted', async () => {
    const officer = await signIn('compliance.global');
    const errors: string[] = [];
    officer.on('pageerror', (e) => errors.push(e.message));
    await officer.getByRole('button', { name: 'Screening' }).click();
    await officer.getByLabel('Quick filter').fill('Seliverstov');
    await expect.poll(() => officer.locator('.grid .ag-row').allTextContents(), { timeout: 10_000 }).toEqual([expect.stringContaining('Seliverstov')]);

    // Keyboard: move to the row and open it.
    await officer.locator('.grid .ag-cell').first().click();
    await officer.keyboard.press('Escape');
    await officer.keyboard.press('Enter');
    const pane = officer.getByRole('complementary', { name: 'Details' });
    const table = pane.getByRole('table', { name: 'Client beside list entry' });
    await table.waitFor();
    const dob = table.getByRole('row', { name: /Date of birth/ });
    await expect.poll(() => dob.textContent()).toMatch(/1989-03-10.*1989-03-10.*same date of birth/i);
    expect(await table.getByRole('row', { name: /Nationality/ }).textContent()).toMatch(/RU.*RU/);
    expect(await pane.getByRole('heading').first().textContent()).toMatch(/SCR-\d{6} · Open · score/);
    await officer.screenshot({ path: path.join(process.env.E2E_SCREENSHOTS ?? d.dir, 'hit-pane.png') });

    // A decision needs a reason a reviewer can read.
    await pane.getByRole('button', { name: 'True match' }).click();
    await expect.poll(() => pane.getByRole('alert').textContent()).toMatch(/Record what settled it/);
    await pane.getByLabel(/Reason/).fill('Name, date of birth 1989-03-10 and Russian nationality agree with SDN 48604; no distinguishing detail.');
    await pane.getByRole('button', { name: 'True match' }).click();
    await expect.poll(() => pane.getByRole('heading').first().textContent(), { timeout: 5000 }).toMatch(/True match/);
    await expect.poll(() => officer.locator('.notice-toast').first().textContent()).toMatch(/the client is restricted and the MLRO alerted/);

    const clientId = (await pane.getByText(/^CL-\d{6} · Ivan Seliverstov/).textContent())!.slice(0, 9);
    const client = await t.server.services.store.kysely.selectFrom('clients').select(['status', 'restrictions_json', 'screening_status']).where('id', '=', clientId).executeTakeFirstOrThrow();
    expect(client).toEqual({ status: 'restricted', restrictions_json: '["sanctions_match"]', screening_status: 'confirmed_match' });

    // The MLRO, in their own session, sees the alert.
    const mlro = await signIn('mlro');
    await mlro.getByRole('button', { name: 'Alerts' }).click();
    const alert = mlro.locator('.grid .ag-row', { hasText: clientId });
    await expect.poll(() => alert.textContent(), { timeout: 10_000 }).toMatch(/Critical.*Sanctions match/);
    expect(errors).toEqual([]);
  }, 120_000);

  it('shows the refusal when an officer tries to clear a strong hit', async () => {
    const officer = await signIn('compliance.eu');
    await officer.getByRole('button', { name: 'Screening' }).click();
    await officer.getByLabel('Quick filter').fill('Butrym');
    const row = officer.locator('.grid .ag-row', { hasText: 'Butrym' });
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    await row.click();
    const pane = officer.getByRole('complementary', { name: 'Details' });
    await pane.getByLabel(/Reason/).fill('Different person: the passport shows another place of birth.');
    await pane.getByRole('button', { name: 'False positive' }).click();
    await expect.poll(() => pane.getByRole('alert').textContent()).toMatch(/only a senior compliance officer or the MLRO may clear it/);
    expect(await pane.getByRole('heading').first().textContent()).toMatch(/Open/);
  }, 60_000);
});

if (!sharedDataPresent) it.skip(`screening review E2E ${SHARED_DATA_MISSING}`, () => undefined);
