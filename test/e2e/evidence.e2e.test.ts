// The mock audit in a real browser (issue 18): an auditor opens a client's evidence from the KYC
// grid with one click, exports the evidence pack, and `npm run evidence:verify` passes on the file
// the browser saved; the staff-member view (from the role holdings) shows a role grant with the
// person who approved it; the MT5 view (from the interventions queue, by keyboard) shows an
// intervention's deal.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aKycApprovedClient } from '../../server/testing/builders.js';
import { startMt5Simulator, type Mt5Simulator } from '../../server/simulators/mt5/simulator.js';
import { approvedCases, plantAccounts } from '../../server/testing/mt5-cases.js';
import { staff } from '../../server/seed/kyc-stories.js';
import { mulberry32 } from '../../server/testing/random.js';
import { runTool } from '../../server/testing/processes.js';
import { keyDir, PUBLIC_KEY_FILE } from '../../server/modules/audit/signer.js';
import { loadAList, openDesk, startDesktop, type Desktop } from './desktop-fixture.js';

describe('evidence views and packs in the desktop UI', () => {
  let d: Desktop;
  let sim: Mt5Simulator;
  let clientId = '';
  let caseRef = '';
  let dealTicket = '';
  beforeAll(async () => {
    sim = await startMt5Simulator();
    const certFile = path.join(fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'e2e-mt5-')), 'mt5.pem');
    fs.writeFileSync(certFile, sim.certificate);
    d = await startDesktop(
      async (t) => {
        await loadAList(t);
        ({ clientId } = await aKycApprovedClient(t, { firstName: 'Elena', lastName: 'Christodoulou', legalEntity: 'eu' }));
        // A role grant asked for by one administrator and approved by the other.
        const admin = await t.login('admin');
        const { approvalId } = await admin.client.access.grantRole.mutate({ userId: await t.userId('risk'), role: 'support', legalEntity: 'eu', reason: 'Covering the support desk on Fridays' });
        await (await t.login('admin2')).client.approvals.approve.mutate({ id: approvalId, reason: 'Agreed with the head of support' });
        // An MT5 balance correction requested, approved and executed: its deal is on MT5.
        const services = t.server.services;
        const accounts = await plantAccounts(services, sim, 1, 'e2e-evidence');
        const [dealer, dealmanager] = await Promise.all([staff(services, 'dealer'), staff(services, 'dealmanager')]);
        const [planned] = await approvedCases(services.interventions, dealer, dealmanager, accounts, 1, mulberry32(3));
        caseRef = planned!.caseRef;
        const done = await services.interventions.execute(dealer, { caseRef });
        if (!done.dealTicket) throw new Error(`${caseRef} was not executed on MT5: ${done.status} ${done.message ?? ''}`);
        dealTicket = done.dealTicket;
      },
      { env: { MT5_URL: sim.url, MT5_LOGIN: String(sim.login), MT5_PASSWORD: sim.password, MT5_CERTIFICATE_FILE: certFile } },
    );
  }, 180_000);
  afterAll(async () => {
    await d?.close();
    await sim?.close();
  });

  it('opens a client\u2019s evidence from the KYC grid in one click, exports the pack, and evidence:verify passes on the saved file', async () => {
    const { page, errors } = await openDesk(d, 'auditor', { acceptDownloads: true });
    await page.getByRole('navigation').getByRole('button', { name: /^KYC/ }).click();
    await page.getByRole('tablist', { name: 'KYC review tabs' }).getByRole('tab', { name: /Closed/ }).click();
    await page.getByLabel('Quick filter').fill(clientId);
    await expect.poll(() => page.locator('.queue .statusbar').textContent(), { timeout: 15_000 }).toMatch(/^1 rows/);
    await page.locator('.grid .evidence-link').click();

    const evidence = page.getByRole('article', { name: `Evidence: Client ${clientId}` });
    await evidence.waitFor();
    await expect.poll(() => evidence.getByLabel('Place in the audit chain').textContent(), { timeout: 15_000 }).toMatch(/^Events #\d+ to #\d+ of the audit chain \(\d+\)/);
    await expect.poll(() => evidence.getByRole('region', { name: 'Documents' }).locator('tbody tr').count()).toBe(2);
    await expect.poll(() => evidence.locator('.evidence-grid .ag-row').count()).toBeGreaterThan(5);
    expect(await evidence.locator('.evidence-grid').textContent()).toContain('kyc.case.approved');
    // The client's risk score was an automated decision: the rule version and what held are shown.
    await expect.poll(() => evidence.getByRole('region', { name: 'Automated decisions' }).textContent()).toContain('KYC_RISK_v1');
    expect(await evidence.getByRole('region', { name: 'Automated decisions' }).textContent()).toMatch(/kyc_case KYC-\d+|client CL-\d+/);
    await page.screenshot({ path: path.join(process.env.E2E_SCREENSHOTS ?? d.dir, 'evidence-client.png') });

    const [download] = await Promise.all([page.waitForEvent('download'), evidence.getByRole('button', { name: 'Export evidence pack' }).click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^evidence-client-${clientId}-\\d{8}T\\d{6}Z\\.zip$`));
    const file = path.join(d.dir, download.suggestedFilename());
    await download.saveAs(file);
    await expect.poll(() => evidence.getByRole('status').textContent()).toMatch(/^Exported evidence-client-/);
    const keyFile = path.join(d.dir, 'pinned.pem');
    fs.copyFileSync(path.join(keyDir(d.t.storage.dataDir), PUBLIC_KEY_FILE), keyFile);
    const verified = runTool('server/cli/evidence-verify.ts', [file, '--public-key', keyFile]);
    expect(verified.stdout).toMatch(new RegExp(`^Evidence pack intact: client ${clientId}; \\d+ events proven under \\d+ signed checkpoint\\(s\\), 2 document\\(s\\) match`));
    expect(verified.status).toBe(0);

    // Esc goes back to the queue where it was.
    await page.keyboard.press('Escape');
    await page.getByRole('heading', { name: 'KYC review' }).waitFor();
    expect(errors).toEqual([]);
  });

  it('shows a staff member\u2019s role grant with who asked and who approved, from the role holdings', async () => {
    const { page, errors } = await openDesk(d, 'auditor');
    await page.getByRole('navigation').getByRole('button', { name: /^Approvals/ }).click();
    await page.getByRole('tab', { name: /Role holdings/ }).click();
    await page.getByLabel('Quick filter').fill('risk support');
    await expect.poll(() => page.locator('.queue .statusbar').textContent(), { timeout: 15_000 }).toMatch(/^1 rows/);
    await page.locator('.grid .evidence-link').click();
    const evidence = page.getByRole('article', { name: 'Evidence: Staff member risk' });
    const grants = evidence.getByRole('region', { name: 'Roles granted and revoked' });
    await expect.poll(() => grants.textContent(), { timeout: 15_000 }).toContain('Covering the support desk on Fridays');
    const row = grants.locator('tbody tr', { hasText: 'Support · eu' });
    expect(await row.textContent()).toContain('Alex Admin (admin)');
    expect(await row.textContent()).toContain('Bea Admin (admin2)');
    await page.screenshot({ path: path.join(process.env.E2E_SCREENSHOTS ?? d.dir, 'evidence-staff.png') });
    expect(errors).toEqual([]);
  });

  it('shows an intervention\u2019s deal in the MT5 view, opened from the interventions queue by keyboard (v)', async () => {
    const { page, errors } = await openDesk(d, 'auditor');
    await page.getByRole('navigation').getByRole('button', { name: /^Interventions/ }).click();
    await page.getByRole('tablist', { name: 'MT5 interventions tabs' }).getByRole('tab', { name: /^Done/ }).click();
    await page.getByLabel('Quick filter').fill(caseRef);
    await expect.poll(() => page.locator('.queue .statusbar').textContent(), { timeout: 15_000 }).toMatch(/^1 rows/);
    await page.locator('.grid .ag-cell').first().click();
    await page.keyboard.press('Escape');
    await page.keyboard.press('v');
    const evidence = page.getByRole('article', { name: `Evidence: MT5 operation ${caseRef}` });
    await expect.poll(() => evidence.locator('.client-facts').textContent(), { timeout: 15_000 }).toContain(dealTicket);
    expect(await evidence.getByRole('region', { name: 'MT5 before and after' }).textContent()).toContain(dealTicket);
    await expect.poll(() => evidence.locator('.evidence-grid').textContent()).toContain('intervention.executed');
    await page.screenshot({ path: path.join(process.env.E2E_SCREENSHOTS ?? d.dir, 'evidence-operation.png') });
    expect(errors).toEqual([]);
  });
});
