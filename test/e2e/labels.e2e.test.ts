// Every view and its first pane, for one user of every role, read as words: no camelCase field
// key and no bare reason code (KYC_INCOMPLETE) in the visible text. The data includes a confirmed
// sanctions match (restricted client, alert, closed hit) and KYC cases, so the panes have content.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ROLES } from '../../shared/access/permissions.js';
import { DEMO_STAFF } from '../../server/seed/demo.js';
import { SYSTEM_ACTOR } from '../../server/core/actor.js';
import { parseListFiles } from '../../server/modules/screening/lists/read.js';
import { aListFile, aRegistration } from '../../server/testing/builders.js';
import { portalClientFor } from '../../server/testing/harness.js';
import { signIn, startDesktop, type Desktop } from './desktop-fixture.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { anApprovedClient } from '../../server/testing/builders.js';
import { startMt5Simulator, type Mt5Simulator } from '../../server/simulators/mt5/simulator.js';
import { Mt5Session } from '../../server/platform/session.js';
import { staff } from '../../server/seed/kyc-stories.js';

/** camelCase words (a field key), and UPPER_SNAKE reason codes. */
const RAW = /\b[a-z]+[A-Z][A-Za-z]*\b|\b[A-Z]{2,}_[A-Z_]{2,}\b/g;
/** Words that are camelCase by nature, not field keys. */
const ALLOWED = new Set(['iPhone']);

describe('labels in every view and pane', () => {
  let d: Desktop;
  let sim: Mt5Simulator;
  beforeAll(async () => {
    // MT5 too, so that the dealing desk's views and panes have an executed case and an operation with no case to show.
    let now = () => Date.now();
    sim = await startMt5Simulator({ now: () => now() });
    const certFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'labels-mt5-')), 'mt5.pem');
    fs.writeFileSync(certFile, sim.certificate);
    d = await startDesktop(
      async (t) => {
        now = () => t.clock.now().getTime();
        await t.server.services.screening.importList({ ...SYSTEM_ACTOR, id: 'e2e:lists', name: 'list import' }, await parseListFiles([aListFile([{ id: 36, name: 'AEROCARIBBEAN AIRLINES', type: '-0- ', program: 'CUBA' }, { id: 7001, name: 'PETROV, Ivan Sergeevich', type: 'individual', program: 'RUSSIA-EO14024' }])]));
        const s = t.server.services;
        const { clientId } = await anApprovedClient(t, { legalEntity: 'eu' });
        await s.mt5Accounts.enqueueApproved();
        let login = 0;
        for (let i = 0; i < 300 && !login; i++) {
          await s.mt5Accounts.processDue();
          const a = await s.store.kysely.selectFrom('mt5_accounts').select('login').where('client_id', '=', clientId).where('status', '=', 'active').executeTakeFirst();
          if (a) login = Number(a.login);
          else await new Promise((r) => setTimeout(r, 50));
        }
        const [dealer, manager] = await Promise.all([staff(s, 'dealer'), staff(s, 'dealmanager')]);
        const { caseRef } = await s.interventions.request(dealer, { type: 'credit_in', login, amount: '50.00', currency: 'EUR', reasonCode: 'bonus_campaign', note: 'Welcome credit under the approved campaign.' });
        await s.interventions.approve(manager, { caseRef });
        await s.interventions.execute(dealer, { caseRef });
        // And one open, so that the queue's first tab has a row whose pane is read.
        await s.interventions.request(dealer, { type: 'change_leverage', login, value: '20', reasonCode: 'client_request', note: 'The client asked in writing for lower leverage.' });
        const manual = new Mt5Session({ url: sim.url, login: sim.dealerLogin, password: sim.dealerPassword, certificate: sim.certificate });
        await manual.call('/api/trade/balance', { login, type: 2, balance: '20.00', comment: 'goodwill', check_margin: 1 });
        manual.close();
        await s.managerOps.scan();
      },
      { env: { MT5_URL: sim.url, MT5_LOGIN: String(sim.login), MT5_PASSWORD: sim.password, MT5_CERTIFICATE_FILE: certFile } },
    );
    const portal = portalClientFor(d.t.url);
    await portal.portal.registerClient.mutate(aRegistration({ legalEntity: 'global', firstName: 'Ivan', lastName: 'Petrov', dateOfBirth: '1970-01-01', country: 'AE', nationality: 'RU' }));
  }, 180_000);
  afterAll(async () => {
    await d?.close();
    await sim?.close();
  });

  const visibleRaw = async (page: Page) => {
    const text = await page.evaluate('document.body.innerText');
    return [...String(text).matchAll(RAW)].map((m) => m[0]).filter((w) => !ALLOWED.has(w));
  };

  it.each(ROLES)('shows %s words, not keys or codes', async (role) => {
    const username = DEMO_STAFF.find((s) => s.role === role && s.entities.length > 1)?.username ?? DEMO_STAFF.find((s) => s.role === role)!.username;
    const page = await (await d.browser.newContext({ viewport: { width: 1600, height: 1000 } })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(d, page, username);
    const found: string[] = [];
    const views = await page.getByRole('navigation', { name: 'Views' }).getByRole('button').allTextContents();
    for (const label of views.length ? views : ['']) {
      if (label) await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: label.replace(/\d+$/, '') }).click();
      await page.waitForTimeout(600);
      found.push(...(await visibleRaw(page)).map((w) => `${label}: ${w}`));
      const row = page.locator('.grid .ag-row').first();
      if (await row.count()) {
        await row.click();
        await page.waitForTimeout(800);
        found.push(...(await visibleRaw(page)).map((w) => `${label} pane: ${w}`));
      }
    }
    expect([...new Set(found)]).toEqual([]);
    expect(errors).toEqual([]);
  });
});
