// The demo seed's KYC stories, on both engines: with the product's data folder (FATF lists and an
// OFAC SDN list) and the KYC-provider simulator, clients end up in both legal entities and in every
// client and case status, each taken there by the staff member who would do it; documents are real
// files (PNG, PDF) with their trail; some expire soon and have reminders queued; some clients are
// high risk, some corporate. Without the data folder, nothing is approved and the seed says why.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLIENT_STATUSES } from '../../shared/clients/lifecycle.js';
import { KYC_STATUSES } from '../../shared/kyc/machine.js';
import { startKycProviderSimulator, type KycProviderSimulator } from '../simulators/kyc/provider.js';
import { describeEachEngine, startTestServer, type TestServer } from '../testing/harness.js';
import { SHARED_DATA, SHARED_DATA_MISSING, sharedDataPresent } from '../testing/shared-data.js';
import { seedDemo } from './demo.js';
import { seedPayments } from './payments.js';
import { startPspSimulator } from '../simulators/psp/provider.js';

describeEachEngine('demo seed: KYC stories', (engine) => {
  let t: TestServer;
  let sim: KycProviderSimulator;
  const lines: string[] = [];
  const db = () => t.server.services.store.kysely;

  beforeAll(async () => {
    sim = await startKycProviderSimulator();
    t = await startTestServer(engine, { seed: false, env: { KYC_PROVIDER_URL: sim.url, KYC_PROVIDER_TOKEN: sim.apiKey, JOBS_POLL_MS: '600000' } });
    const seeded = await seedDemo(t.server.services, { seed: 1, clients: 12, stories: true, sharedData: sharedDataPresent ? SHARED_DATA : null, log: (l) => lines.push(l) });
    for (const c of seeded.credentials) t.credentials.set(c.username, c);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  it.skipIf(!sharedDataPresent)('puts clients of both entities in every client and case status, each step by the person who took it', async () => {
    const rows = await db().selectFrom('clients as c').innerJoin('kyc_cases as k', 'k.client_id', 'c.id').select(['c.external_id', 'c.legal_entity', 'c.status as client', 'c.type', 'k.status as kase', 'k.risk_level', 'k.decided_by', 'k.verification_status']).execute();
    for (const entity of ['eu', 'global']) {
      const mine = rows.filter((r) => r.legal_entity === entity);
      expect(new Set(mine.map((r) => r.kase)).size, `${entity}: case statuses`).toBeGreaterThanOrEqual(3);
      expect(mine.some((r) => r.type === 'corporate'), `${entity}: a corporate client`).toBe(true);
    }
    expect(new Set(rows.map((r) => r.client))).toEqual(new Set(CLIENT_STATUSES));
    expect(new Set(rows.map((r) => r.kase))).toEqual(new Set(KYC_STATUSES));
    const byId = new Map(rows.map((r) => [r.external_id, r]));
    const user = async (username: string) => (await db().selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow()).id;
    expect(byId.get('demo-eu-0001')).toMatchObject({ client: 'approved', kase: 'approved', decided_by: await user('compliance.eu') });
    expect(byId.get('demo-gl-0006')).toMatchObject({ client: 'approved', risk_level: 'high', decided_by: await user('mlro') });
    expect(byId.get('demo-gl-0002')).toMatchObject({ client: 'approved', decided_by: 'system:kyc', verification_status: 'verified' });
    expect(byId.get('demo-eu-0002')).toMatchObject({ kase: 'open', verification_status: 'attention' });
    expect(byId.get('demo-eu-0005')).toMatchObject({ client: 'pending_documents', kase: 'pending_documents' });
    expect(byId.get('demo-eu-0006')).toMatchObject({ client: 'closed', kase: 'rejected' });
    expect(byId.get('demo-gl-0005')).toMatchObject({ kase: 'escalated', risk_level: 'high' });
    expect(byId.get('demo-gl-0008')).toMatchObject({ client: 'restricted' });
    expect(byId.get('demo-eu-0007')).toMatchObject({ client: 'registered' });
    expect(rows.filter((r) => r.risk_level === 'high').length).toBeGreaterThanOrEqual(3);

    // Real files with their trail: images and PDFs, some generated clients among them.
    const docs = await db().selectFrom('documents as d').innerJoin('clients as c', 'c.id', 'd.client_id').select(['d.mime', 'c.external_id', 'd.sha256']).execute();
    expect(new Set(docs.map((d) => d.mime))).toEqual(new Set(['image/png', 'application/pdf']));
    expect(docs.filter((d) => d.external_id.startsWith('gen-1-')).length).toBe(24);
    const officer = await t.login('compliance.eu');
    const maria = await officer.client.kyc.get.query({ caseRef: (await db().selectFrom('kyc_cases as k').innerJoin('clients as c', 'c.id', 'k.client_id').select('k.id').where('c.external_id', '=', 'demo-eu-0001').executeTakeFirstOrThrow()).id });
    expect(maria.timeline.map((e) => `${e.action} by ${e.actor}`)).toEqual(expect.arrayContaining(['kyc.document.received by client portal', 'screening.case.decided by senior', 'kyc.case.assigned by compliance.eu', 'kyc.case.approved by compliance.eu']));
    const { contentBase64 } = await officer.client.kyc.document.query({ documentId: maria.documents[0]!.id });
    expect(Buffer.from(contentBase64, 'base64').subarray(1, 4).toString()).toBe('PNG');

    // Documents that expire within 60 days have their reminders queued, once each.
    const reminders = await db().selectFrom('notifications').select(['days_before', 'kind']).execute();
    expect(reminders.length).toBeGreaterThanOrEqual(3);
    expect(new Set(reminders.map((r) => r.days_before))).toEqual(new Set([30, 60]));

    // An override waits in the approvals queue for a second person.
    const pending = await db().selectFrom('approval_requests').select(['kind', 'status']).where('kind', '=', 'kyc.override').execute();
    expect(pending).toEqual([{ kind: 'kyc.override', status: 'pending' }]);
    expect(lines.some((l) => /FATF lists/.test(l)) && lines.some((l) => /us_ofac_sdn loaded/.test(l))).toBe(true);
  });

  it('without the data folder or a provider leaves every case undecided and says why', async () => {
    const bare = await startTestServer(engine, { seed: false });
    try {
      const said: string[] = [];
      await seedDemo(bare.server.services, { seed: 1, stories: true, sharedData: null, log: (l) => said.push(l) });
      expect(said).toContain('No sanctions or PEP list is loaded: approvals wait for screening, so the seeded cases stay open.');
      const cases = await bare.server.services.store.kysely.selectFrom('kyc_cases').select(['status', 'verification_status']).execute();
      expect(cases.filter((c) => c.status === 'approved')).toEqual([]);
      expect(new Set(cases.map((c) => c.status))).toEqual(new Set(['open', 'pending_documents', 'escalated', 'rejected']));
      expect(cases.filter((c) => c.verification_status === 'manual').length).toBeGreaterThan(5);
      // Nobody could be approved, so nobody may pay: the money is skipped, saying why, not failed half-way.
      const psp = await startPspSimulator();
      try {
        await seedPayments(bare.server.services, psp, (l) => said.push(l));
      } finally {
        await psp.close();
      }
      expect(said.at(-1)).toMatch(/^Demo payments skipped: .* not approved \(no sanctions list loaded to screen them\), so they may not deposit\.$/);
      expect(await bare.server.services.store.kysely.selectFrom('deposits').select('ref').execute()).toEqual([]);
    } finally {
      await bare.close();
    }
  }, 60_000);
});

if (!sharedDataPresent) it.skip(`demo seed with lists ${SHARED_DATA_MISSING}`, () => undefined);
