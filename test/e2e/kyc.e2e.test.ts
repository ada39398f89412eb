// KYC in a real browser: a client registers through the portal API and uploads a passport and a
// proof of address; a compliance officer finds the case in the KYC queue, opens it (documents in
// the viewer), asks for a new proof of address, sees the case come back when the client resubmits,
// and approves it with a note and a policy basis. The client is approved and the timeline shows
// every step with its actor.

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passportPng, proofOfAddressPdf } from '../../server/simulators/kyc/documents.js';
import { portalClientFor } from '../../server/testing/harness.js';
import { SYSTEM_ACTOR } from '../../server/core/actor.js';
import { parseListFiles } from '../../server/modules/screening/lists/read.js';
import { signIn, startDesktop, type Desktop } from './desktop-fixture.js';

describe('KYC review in the desktop UI', () => {
  let d: Desktop;
  beforeAll(async () => {
    // A list is loaded, so clients are screened (approval waits for screening).
    d = await startDesktop(async (t) => {
      const sdn = Buffer.from('36,"AEROCARIBBEAN AIRLINES","-0- ","CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\u001a');
      await t.server.services.screening.importList({ ...SYSTEM_ACTOR, id: 'e2e:lists', name: 'list import' }, await parseListFiles([{ name: 'sdn.csv', bytes: sdn }]));
    });
  }, 180_000);
  afterAll(() => d?.close());

  it('takes a portal registration through a document request and resubmission to approval', async () => {
    const { t } = d;
    const portal = portalClientFor(t.url);
    const today = t.clock.now().toISOString().slice(0, 10);
    const { clientId } = await portal.portal.registerClient.mutate({ externalId: 'e2e-kyc-1', type: 'individual', legalEntity: 'eu', firstName: 'Theodora', lastName: 'Kyriakidou', email: 'theodora@example.com', country: 'CY', nationality: 'CY', dateOfBirth: '1990-07-21', accountType: 'standard', paymentMethod: 'bank_transfer', sourceOfFunds: 'employment' });
    await portal.portal.uploadDocument.mutate({ clientId, documentType: 'passport', fileName: 'passport.png', contentBase64: passportPng({ firstName: 'Theodora', lastName: 'Kyriakidou', dateOfBirth: '1990-07-21', nationality: 'CY', documentNumber: 'K9012345', expiresAt: '2032-02-28', sex: 'F' }).toString('base64'), expiresAt: '2032-02-28' });
    const bill = async (issuer: string) => (await proofOfAddressPdf({ name: 'Theodora Kyriakidou', address: '12 Makariou Ave, Nicosia', issuedAt: today, issuer })).toString('base64');
    await portal.portal.uploadDocument.mutate({ clientId, documentType: 'proof_of_address', fileName: 'bill.pdf', contentBase64: await bill('Cyprus Telecommunications Authority'), issuedAt: today });
    await t.server.services.jobs.drain();

    const page = await (await d.browser.newContext({ viewport: { width: 1600, height: 1000 } })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(d, page, 'compliance.eu');
    await page.getByRole('button', { name: 'KYC' }).click();
    await page.getByLabel('Quick filter').fill('Kyriakidou');
    await expect.poll(() => page.locator('.grid .ag-row').allTextContents(), { timeout: 10_000 }).toEqual([expect.stringContaining('Kyriakidou')]);
    await page.locator('.grid .ag-cell').first().click();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    const pane = page.getByRole('complementary', { name: 'Details' });
    const heading = pane.getByRole('heading').first();
    await expect.poll(() => heading.textContent(), { timeout: 10_000 }).toMatch(/KYC-\d{6} · open · risk low \(0\)/);

    // The documents open in the viewer: the passport image, the bill drawn by pdf.js.
    await pane.getByRole('button', { name: /Open DOC-\d{6} Passport/ }).click();
    await pane.getByRole('img', { name: 'passport.png' }).waitFor();
    await pane.getByRole('button', { name: /Open DOC-\d{6} Proof of address/ }).click();
    await expect.poll(() => pane.locator('.viewer canvas').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(process.env.E2E_SCREENSHOTS ?? d.dir, 'kyc-case.png') });
    await pane.getByRole('button', { name: 'Close document' }).click();

    // Only the assignee acts: assign, then ask for a new proof of address.
    await pane.getByRole('button', { name: 'Assign to me' }).click();
    await expect.poll(() => pane.getByRole('button', { name: 'Assign to me' }).count()).toBe(0);
    await pane.getByRole('button', { name: 'Request documents' }).click();
    await pane.getByRole('checkbox', { name: /Proof of address/ }).check();
    await pane.getByLabel(/^Note/).fill('The bill is cut off at the bottom; please send the full page.');
    await pane.getByRole('button', { name: 'Confirm request' }).click();
    await expect.poll(() => heading.textContent(), { timeout: 10_000 }).toMatch(/pending documents/);
    expect(await pane.getByRole('button', { name: 'Approve' }).count()).toBe(0);

    // The client resubmits; the case comes back to the queue as open.
    await portal.portal.uploadDocument.mutate({ clientId, documentType: 'proof_of_address', fileName: 'bill-full.pdf', contentBase64: await bill('Electricity Authority of Cyprus'), issuedAt: today });
    await t.server.services.jobs.drain();
    await expect.poll(() => heading.textContent(), { timeout: 15_000 }).toMatch(/· open ·/);

    await pane.getByRole('button', { name: 'Approve' }).click();
    await pane.getByLabel('Policy basis').fill('AML/CFT policy 4.2, standard due diligence');
    await pane.getByLabel(/^Note/).fill('Passport and full utility bill checked against the declared details.');
    await pane.getByRole('button', { name: 'Confirm approve' }).click();
    await expect.poll(() => heading.textContent(), { timeout: 10_000 }).toMatch(/approved/);

    const client = await t.server.services.store.kysely.selectFrom('clients').select('status').where('id', '=', clientId).executeTakeFirstOrThrow();
    expect(client.status).toBe('approved');
    await pane.getByRole('button', { name: /Show the client’s timeline/ }).click();
    const timeline = pane.getByRole('list', { name: 'Client timeline' });
    await timeline.waitFor();
    const text = (await timeline.textContent()) ?? '';
    for (const step of ['client.registered by client portal', 'kyc.document.received by client portal', 'kyc.case.assigned by compliance.eu', 'kyc.documents_requested by compliance.eu', 'kyc.case.reopened by client portal', 'kyc.case.approved by compliance.eu']) {
      expect(text).toContain(step);
    }
    expect(errors).toEqual([]);
  });
});
