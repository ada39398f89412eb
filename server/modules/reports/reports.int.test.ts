// Reports (issue 18) on both engines: today's figures counted live; a past day taken once (by the
// daily job just after midnight, end-of-day counts included) and shown unchanged afterwards, even
// when the tables move on; snapshots refuse UPDATE and DELETE; filters by entity, account type,
// country and staff member; who may read which entity; bad periods named.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../core/actor.js';
import { describeEachEngine, expectReason, startTestServer, type TestServer } from '../../testing/harness.js';
import { aKycApprovedClient, aListFile, aRegisteredClient } from '../../testing/builders.js';
import { parseListFiles } from '../screening/lists/read.js';

describeEachEngine('reports', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine, { env: { JOBS_POLL_MS: '600000' } });
    await t.server.services.screening.importList(SYSTEM_ACTOR, await parseListFiles([aListFile()]));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts today live, keeps a past day as it was taken at midnight, and filters by entity, account type, country and staff member', async () => {
    const day = t.clock.now().toISOString().slice(0, 10);
    const auditor = (await t.login('auditor')).client;
    const kpi = (r: Awaited<ReturnType<typeof auditor.reports.get.query>>, id: string) => r.kpis.find((k) => k.id === id)!.value;
    const byCountry = (r: Awaited<ReturnType<typeof auditor.reports.get.query>>) => Object.fromEntries(r.breakdowns.find((b) => b.id === 'byCountry')!.items.map((i) => [i.key, i.value]));
    // What the test server's own set-up registered today, before this test's clients.
    const before = await auditor.reports.get.query({ report: 'accounts', from: day, to: day });
    const beforeEu = kpi(await auditor.reports.get.query({ report: 'accounts', from: day, to: day, legalEntity: 'eu' }), 'registrations')!;
    const beforeCy = kpi(await auditor.reports.get.query({ report: 'accounts', from: day, to: day, country: 'CY' }), 'registrations')!;
    await aRegisteredClient(t, { legalEntity: 'eu', country: 'CY' });
    await aRegisteredClient(t, { legalEntity: 'eu', country: 'GR' });
    await aRegisteredClient(t, { legalEntity: 'global', country: 'ZA' });
    await aKycApprovedClient(t, { legalEntity: 'eu', country: 'CY' });

    const live = await auditor.reports.get.query({ report: 'accounts', from: day, to: day });
    expect(live.days).toEqual([expect.objectContaining({ day, live: true, stocks: true })]);
    expect(kpi(live, 'registrations')! - kpi(before, 'registrations')!).toBe(4);
    expect(kpi(live, 'approved')! - kpi(before, 'approved')!).toBe(1);
    const was = byCountry(before);
    const now = byCountry(live);
    expect({ CY: (now.CY ?? 0) - (was.CY ?? 0), GR: (now.GR ?? 0) - (was.GR ?? 0), ZA: (now.ZA ?? 0) - (was.ZA ?? 0) }).toEqual({ CY: 2, GR: 1, ZA: 1 });
    expect(kpi(await auditor.reports.get.query({ report: 'accounts', from: day, to: day, legalEntity: 'eu' }), 'registrations')! - beforeEu).toBe(3);
    const cy = await auditor.reports.get.query({ report: 'accounts', from: day, to: day, country: 'CY' });
    expect(kpi(cy, 'registrations')! - beforeCy).toBe(2);
    expect(Object.keys(byCountry(cy))).toEqual(['CY']);
    // The officer who approved: KYC decisions by staff member; a staff filter on what no staff member did is not a zero but "not by staff".
    const byOfficer = await auditor.reports.get.query({ report: 'accounts', from: day, to: day, staff: 'compliance' });
    expect(byOfficer.breakdowns.find((b) => b.id === 'decisionsByStaff')!.items).toEqual([{ key: 'compliance', value: 1 }]);
    expect(kpi(byOfficer, 'pendingDocuments')).toBeNull();

    // Just after midnight the daily job takes the day, end-of-day counts included.
    const open = live.series.find((s) => s.id === 'pending_documents')!.values[0];
    t.clock.set(new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000 + 60_000));
    await t.server.services.reports.takeDailySnapshots();
    // A new day, a new session (a session lasts 12 hours at most).
    const reader = (await t.login('auditor')).client;
    const taken = await reader.reports.get.query({ report: 'accounts', from: day, to: day });
    expect(taken.days).toEqual([expect.objectContaining({ day, live: false, stocks: true })]);
    expect(taken.kpis).toEqual(live.kpis);
    expect(taken.series.find((s) => s.id === 'pending_documents')!.values).toEqual([open]);

    // The tables move on; the day as shown does not.
    await aRegisteredClient(t, { legalEntity: 'eu', country: 'CY' });
    const db = t.server.services.store.kysely;
    await db.updateTable('kyc_cases').set({ status: 'pending_documents' }).where('status', '=', 'open').execute();
    const later = await reader.reports.get.query({ report: 'accounts', from: day, to: day });
    expect(later.kpis).toEqual(taken.kpis);
    expect(later.series).toEqual(taken.series);
    await expect(db.updateTable('report_snapshots').set({ facts_json: '[]' }).where('day', '=', day).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('report_snapshots').where('day', '=', day).execute()).rejects.toThrow(/append-only/);

    // A two-day period: the stored day and today, live.
    const both = await reader.reports.get.query({ report: 'accounts', from: day, to: t.clock.now().toISOString().slice(0, 10) });
    expect(both.days.map((d) => d.live)).toEqual([false, true]);
    expect(kpi(both, 'registrations')).toBe(kpi(live, 'registrations')! + 1);
  });

  it('answers each report, scoped to the reader\u2019s entities, and names a bad period', async () => {
    const day = t.clock.now().toISOString().slice(0, 10);
    const auditor = (await t.login('auditor')).client;
    for (const report of ['payments', 'compliance', 'permissions', 'dealing'] as const) {
      const r = await auditor.reports.get.query({ report, from: day, to: day });
      expect(r.kpis.length, report).toBeGreaterThan(3);
      expect(r.series.every((s) => s.values.length === 1), report).toBe(true);
    }
    // The permissions report counts the administrators' work and failed sign-ins.
    await expectReason(t.anonymous.auth.login.mutate({ username: 'risk', password: 'Not-the-password-1', totp: '000000' }), 'INVALID_CREDENTIALS');
    const perms = await auditor.reports.get.query({ report: 'permissions', from: day, to: day });
    expect(perms.breakdowns.find((b) => b.id === 'abnormalByStaff')!.items).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'risk' })]));

    // No dates: the 30 days ending today by the server's clock, today live.
    const month = await auditor.reports.get.query({ report: 'dealing' });
    expect(month.days).toHaveLength(30);
    expect(month.days.at(-1)).toMatchObject({ day, live: true });

    const euAuditor = (await t.login('auditor.eu')).client;
    expect((await euAuditor.reports.get.query({ report: 'accounts', from: day, to: day })).legalEntities).toEqual(['eu']);
    await expectReason(euAuditor.reports.get.query({ report: 'accounts', from: day, to: day, legalEntity: 'global' }), 'OUT_OF_ENTITY_SCOPE');
    await expectReason((await t.login('compliance')).client.reports.get.query({ report: 'accounts', from: day, to: day }), 'FORBIDDEN_PERMISSION');
    await expectReason(auditor.reports.get.query({ report: 'accounts', from: '2026-03-05', to: '2026-03-01' }), 'VALIDATION_FAILED');
    await expectReason(auditor.reports.get.query({ report: 'accounts', from: '2020-01-01', to: day }), 'VALIDATION_FAILED');
  });
});
