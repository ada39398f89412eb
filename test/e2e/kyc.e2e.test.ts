// KYC in a real browser: a client registers through the portal API and uploads a passport and a
// proof of address; a compliance officer finds the case in the KYC queue, opens it (documents in
// the viewer), asks for a new proof of address, sees the case come back when the client resubmits,
// and approves it with a note and a policy basis. The client is approved and the timeline shows
// every step with its actor. Then a high-risk client: enhanced due diligence ticked off in the case
// pane, escalation to the MLRO, who approves; and an officer's override that waits for a second
// person in the approvals view.

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passportPng, proofOfAddressPdf, sourceOfWealthPdf } from '../../server/simulators/kyc/documents.js';
import { portalClientFor } from '../../server/testing/harness.js';
import { aRegistration } from '../../server/testing/builders.js';
import type { Page } from 'playwright-core';
import { openDesk, openQueueRow, startDesktopWithList, type Desktop } from './desktop-fixture.js';

describe('KYC review in the desktop UI', () => {
  let d: Desktop;
  beforeAll(async () => {
    d = await startDesktopWithList();
  }, 180_000);
  afterAll(() => d?.close());

  const desk = (username: string) => openDesk(d, username);

  /** Opens the case of the client `name` in the KYC queue's tab (all open work unless said). */
  async function openCase(page: Page, name: string, tab: RegExp = /^All open/) {
    await page.getByRole('button', { name: 'KYC', exact: true }).click();
    const pane = await openQueueRow(page, { tabs: 'KYC review tabs', tab }, name);
    return { pane, heading: pane.getByRole('heading').first() };
  }

  it('takes a portal registration through a document request and resubmission to approval', async () => {
    const { t } = d;
    const portal = portalClientFor(t.url);
    const today = t.clock.now().toISOString().slice(0, 10);
    const { clientId } = await portal.portal.registerClient.mutate(aRegistration({ firstName: 'Theodora', lastName: 'Kyriakidou', dateOfBirth: '1990-07-21' }));
    await portal.portal.uploadDocument.mutate({ clientId, documentType: 'passport', fileName: 'passport.png', contentBase64: passportPng({ firstName: 'Theodora', lastName: 'Kyriakidou', dateOfBirth: '1990-07-21', nationality: 'CY', documentNumber: 'K9012345', expiresAt: '2032-02-28', sex: 'F' }).toString('base64'), expiresAt: '2032-02-28' });
    const bill = async (issuer: string) => (await proofOfAddressPdf({ name: 'Theodora Kyriakidou', address: '12 Makariou Ave, Nicosia', issuedAt: today, issuer })).toString('base64');
    await portal.portal.uploadDocument.mutate({ clientId, documentType: 'proof_of_address', fileName: 'bill.pdf', contentBase64: await bill('Cyprus Telecommunications Authority'), issuedAt: today });
    await t.server.services.jobs.drain();

    const { page, errors } = await desk('compliance.eu');
    const { pane, heading } = await openCase(page, 'Kyriakidou');
    await expect.poll(() => heading.textContent(), { timeout: 10_000 }).toMatch(/KYC-\d{6} · Open · risk low \(0\)/);

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
    await expect.poll(() => heading.textContent(), { timeout: 10_000 }).toMatch(/Pending documents/);
    expect(await pane.getByRole('button', { name: 'Approve' }).count()).toBe(0);

    // The client resubmits; the case comes back to the queue as open.
    await portal.portal.uploadDocument.mutate({ clientId, documentType: 'proof_of_address', fileName: 'bill-full.pdf', contentBase64: await bill('Electricity Authority of Cyprus'), issuedAt: today });
    await t.server.services.jobs.drain();
    await expect.poll(() => heading.textContent(), { timeout: 15_000 }).toMatch(/· Open ·/);

    await pane.getByRole('button', { name: 'Approve' }).click();
    await pane.getByLabel('Policy basis').fill('AML/CFT policy 4.2, standard due diligence');
    await pane.getByLabel(/^Note/).fill('Passport and full utility bill checked against the declared details.');
    await pane.getByRole('button', { name: 'Confirm approve' }).click();
    await expect.poll(() => heading.textContent(), { timeout: 10_000 }).toMatch(/· Approved ·/);

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

  it('has a high-risk client escalated and approved by the MLRO, and an officer’s override approved by a second person', async () => {
    const { t } = d;
    const portal = portalClientFor(t.url);
    const today = t.clock.now().toISOString().slice(0, 10);
    // A politically exposed person paying in crypto from business income: high risk, EDD.
    const person = { firstName: 'Marius', lastName: 'Vasilescu', dateOfBirth: '1971-11-03', nationality: 'RO' } as const;
    const { clientId } = await portal.portal.registerClient.mutate(aRegistration({ legalEntity: 'global', ...person, country: 'RO', accountType: 'professional', politicallyExposed: true, paymentMethod: 'crypto', sourceOfFunds: 'business' }));
    await portal.portal.uploadDocument.mutate({ clientId, documentType: 'passport', fileName: 'passport.png', contentBase64: passportPng({ ...person, documentNumber: '052318764', expiresAt: '2030-05-14', sex: 'M' }).toString('base64'), expiresAt: '2030-05-14' });
    await portal.portal.uploadDocument.mutate({ clientId, documentType: 'proof_of_address', fileName: 'statement.pdf', contentBase64: (await proofOfAddressPdf({ name: 'Marius Vasilescu', address: '7 Strada Lipscani, Bucharest', issuedAt: today, issuer: 'Banca Transilvania' })).toString('base64'), issuedAt: today });
    await t.server.services.jobs.drain();

    const officer = await desk('compliance.global');
    const { pane, heading } = await openCase(officer.page, 'Vasilescu');
    await expect.poll(() => heading.textContent(), { timeout: 10_000 }).toMatch(/KYC-\d{6} · Open · risk high \(90\)/);
    const breakdown = pane.getByRole('table', { name: 'Risk breakdown' });
    expect(await breakdown.textContent()).toMatch(/Politically exposed.*\+50.*\+30.*\+10/);
    const edd = pane.getByRole('list', { name: 'Enhanced due diligence' });
    await expect.poll(() => pane.getByRole('list', { name: 'Before approval' }).textContent()).toMatch(/Enhanced due diligence is incomplete: Source of wealth evidenced; Adverse media search done and recorded; Senior management approval/);

    // The officer records the adverse-media search; the senior sign-off is not theirs to give.
    await pane.getByRole('button', { name: 'Assign to me' }).click();
    await expect.poll(() => pane.getByRole('button', { name: 'Assign to me' }).count()).toBe(0);
    await pane.getByLabel(/^Note/).fill('World-Check and press search in English and Romanian: nothing adverse.');
    await edd.getByRole('listitem').filter({ hasText: 'Adverse media' }).getByRole('button', { name: 'Mark done with the note below' }).click();
    await expect.poll(() => edd.getByRole('listitem').filter({ hasText: 'Adverse media' }).textContent()).toMatch(/☑.*compliance\.global: World-Check/);
    expect(await edd.getByRole('listitem').filter({ hasText: 'Senior management' }).textContent()).toMatch(/☐.*signed off by a senior compliance officer or the MLRO/);
    expect(await edd.getByRole('button').count()).toBe(0);

    // The client sends the source-of-wealth evidence; the checklist item completes itself.
    await portal.portal.uploadDocument.mutate({ clientId, documentType: 'source_of_wealth', fileName: 'sale-contract.pdf', contentBase64: (await sourceOfWealthPdf({ name: 'Marius Vasilescu', summary: 'Sale of a logistics company, 2023, notarised contract' })).toString('base64') });
    await t.server.services.jobs.drain();
    await expect.poll(() => edd.getByRole('listitem').filter({ hasText: 'Source of wealth' }).textContent(), { timeout: 15_000 }).toMatch(/☑/);

    await pane.getByRole('button', { name: 'Escalate' }).click();
    await pane.getByLabel(/^Note/).fill('PEP paying in crypto: the relationship needs the MLRO.');
    await pane.getByRole('button', { name: 'Confirm escalate' }).click();
    await expect.poll(() => heading.textContent(), { timeout: 10_000 }).toMatch(/· Escalated ·/);
    expect(await pane.getByRole('group', { name: 'Actions' }).getByRole('button', { name: /^(Approve|Reject|Escalate)$/ }).count()).toBe(0);

    // The MLRO signs the relationship off and approves.
    const mlro = await desk('mlro');
    const m = await openCase(mlro.page, 'Vasilescu');
    await expect.poll(() => m.heading.textContent(), { timeout: 10_000 }).toMatch(/Escalated · risk high/);
    await m.pane.getByLabel(/^Note/).fill('Relationship approved by the MLRO: wealth explained by the notarised sale.');
    await m.pane.getByRole('list', { name: 'Enhanced due diligence' }).getByRole('button', { name: 'Mark done with the note below' }).click();
    await expect.poll(() => m.pane.getByRole('list', { name: 'Before approval' }).count()).toBe(0);
    await m.pane.getByRole('button', { name: 'Approve', exact: true }).click();
    await m.pane.getByLabel('Policy basis').fill('AML/CFT policy 5.3, enhanced due diligence for PEPs');
    await m.pane.getByLabel(/^Note/).fill('EDD complete; source of wealth documented; MLRO sign-off recorded.');
    await m.pane.getByRole('button', { name: 'Confirm approve' }).click();
    await expect.poll(() => m.heading.textContent(), { timeout: 10_000 }).toMatch(/· Approved ·/);
    await mlro.page.screenshot({ path: path.join(process.env.E2E_SCREENSHOTS ?? d.dir, 'kyc-edd-approved.png') });
    const decided = await t.server.services.store.kysely.selectFrom('kyc_cases').select(['decided_by', 'escalated_to', 'policy_basis']).where('client_id', '=', clientId).executeTakeFirstOrThrow();
    expect(decided).toMatchObject({ escalated_to: 'mlro', policy_basis: 'AML/CFT policy 5.3, enhanced due diligence for PEPs' });
    const mlroUser = await t.server.services.store.kysely.selectFrom('users').select('id').where('username', '=', 'mlro').executeTakeFirstOrThrow();
    expect(decided.decided_by).toBe(mlroUser.id);

    // An override: the officer asks to approve a case whose documents are held by a sister entity.
    const other = await portal.portal.registerClient.mutate(aRegistration({ legalEntity: 'global', firstName: 'Ilse', lastName: 'Brandauer', country: 'AT', nationality: 'AT', dateOfBirth: '1984-02-17' }));
    const o = await openCase(officer.page, 'Brandauer');
    await expect.poll(() => o.heading.textContent(), { timeout: 10_000 }).toMatch(/· Open ·/);
    await o.pane.getByRole('button', { name: 'Request override' }).click();
    await o.pane.getByLabel(/^Note/).fill('Existing client of the group; identity and address verified by the EU entity last month.');
    await o.pane.getByRole('button', { name: 'Confirm override' }).click();
    const toast = officer.page.locator('.notice-toast', { hasText: 'override requested' });
    await expect.poll(() => toast.textContent(), { timeout: 10_000 }).toMatch(/override requested \(APR-\d{6}\); a second person must approve it/);
    const approvalId = /APR-\d{6}/.exec((await toast.textContent())!)![0];
    expect(await o.heading.textContent()).toMatch(/· Open ·/);

    // The maker cannot approve their own request; the MLRO can.
    const request = async (page: Page) => {
      await page.getByRole('button', { name: 'Approvals', exact: true }).click();
      await page.getByLabel('Quick filter').fill(approvalId);
      const row = page.locator('.grid .ag-row', { hasText: approvalId });
      await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
      await row.click();
      return page.getByRole('complementary', { name: 'Details' });
    };
    const mine = await request(officer.page);
    await expect.poll(() => mine.textContent(), { timeout: 10_000 }).toMatch(/You cannot decide this request \(you made it/);
    expect(await mine.getByRole('button', { name: 'Approve', exact: true }).count()).toBe(0);
    const theirs = await request(mlro.page);
    expect(await theirs.textContent()).toMatch(/Override KYC/i);
    await theirs.getByRole('button', { name: 'Approve', exact: true }).click();
    await expect.poll(() => theirs.getByRole('heading').first().textContent(), { timeout: 10_000 }).toMatch(new RegExp(`${approvalId} · executed`));
    const overridden = await t.server.services.store.kysely.selectFrom('kyc_cases').select(['status', 'decision_reason', 'policy_basis']).where('client_id', '=', other.clientId).executeTakeFirstOrThrow();
    expect(overridden).toMatchObject({ status: 'approved', decision_reason: 'override' });
    expect(overridden.policy_basis).toMatch(new RegExp(`^Override ${approvalId} requested by compliance\\.global, approved by mlro`));
    // Back in the KYC view the officer sees the case approved, and the timeline names both people.
    // Decided cases are one tab away from the open work.
    const back = await openCase(officer.page, 'Brandauer', /^Closed/);
    await expect.poll(() => back.heading.textContent(), { timeout: 15_000 }).toMatch(/· Approved ·/);
    await back.pane.getByRole('button', { name: /Show the client’s timeline/ }).click();
    const timeline = back.pane.getByRole('list', { name: 'Client timeline' });
    await timeline.waitFor();
    const steps = (await timeline.textContent()) ?? '';
    for (const step of ['kyc.override.requested by compliance.global', 'kyc.case.overridden by mlro', `Override ${approvalId} requested by compliance.global, approved by mlro`]) expect(steps).toContain(step);
    expect([...officer.errors, ...mlro.errors]).toEqual([]);
  }, 120_000);
});
