// KYC beyond the case machine, on both engines: the provider check through the simulator (extraction,
// MRZ check digits, liveness, mismatches; timeouts, retries and the circuit breaker sending cases to
// the manual queue), auto-verification of clean low-risk cases, risk scoring with its breakdown,
// enhanced due diligence, overrides through maker-checker, re-review on change, expiry reminders and
// restrictions, and stuck-case flags.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../core/actor.js';
import { startKycProviderSimulator, type KycProviderSimulator } from '../../simulators/kyc/provider.js';
import { sourceOfWealthPdf } from '../../simulators/kyc/documents.js';
import { describeEachEngine, expectReason, portalClientFor, startTestServer, type TestServer } from '../../testing/harness.js';
import { A_CHANGE, approveAs } from '../../testing/changes.js';
import { aListFile, aPassport, aPassportUpload, aRegisteredClient, anAddressProof, type PersonRegistration } from '../../testing/builders.js';
import type { UploadDocumentInput } from '../../../shared/kyc/schemas.js';
import { parseListFiles } from '../screening/lists/read.js';

const actor = { ...SYSTEM_ACTOR, id: 'test:kyc-review', name: 'kyc review test' };
const DAY = 86_400_000;

describeEachEngine('KYC review automation', (engine) => {
  let t: TestServer;
  let sim: KycProviderSimulator;
  let portal: ReturnType<typeof portalClientFor>;
  const db = () => t.server.services.store.kysely;
  const today = () => t.clock.now().toISOString().slice(0, 10);

  const upload = (input: UploadDocumentInput) => portal.portal.uploadDocument.mutate(input);
  // Registered in the global entity, where auto-verification is on.
  const register = (overrides: Partial<PersonRegistration> = {}) => aRegisteredClient(t, { legalEntity: 'global', firstName: 'Lena', dateOfBirth: '1986-04-12', ...overrides });
  const kase = (caseRef: string) => db().selectFrom('kyc_cases').selectAll().where('id', '=', caseRef).executeTakeFirstOrThrow();
  const client = (clientId: string) => db().selectFrom('clients').selectAll().where('id', '=', clientId).executeTakeFirstOrThrow();
  const drain = () => t.server.services.jobs.drain();

  beforeAll(async () => {
    sim = await startKycProviderSimulator();
    t = await startTestServer(engine, { env: { KYC_PROVIDER_URL: sim.url, KYC_PROVIDER_TOKEN: sim.apiKey, KYC_PROVIDER_TIMEOUT_MS: '2000', JOBS_POLL_MS: '600000' } });
    portal = portalClientFor(t.url);
    await t.server.services.screening.importList(actor, await parseListFiles([aListFile()]));
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  it('auto-verifies a clean low-risk client whose passport the provider read and matched', async () => {
    const { clientId, caseRef, input } = await register();
    const passport = aPassport(input);
    await upload(aPassportUpload(clientId, passport));
    expect(await kase(caseRef)).toMatchObject({ verification_status: 'pending' });
    await drain();
    expect(await kase(caseRef)).toMatchObject({ verification_status: 'verified', status: 'open' });
    await upload(await anAddressProof(clientId, today()));
    const decided = await kase(caseRef);
    expect(decided).toMatchObject({ status: 'approved', decided_by: 'system:kyc', risk_level: 'low' });
    expect(decided.policy_basis).toMatch(/^Auto-verification under kyc\.review@1: .*risk low \(score 0, kyc\.risk@1\)/);
    expect((await client(clientId)).status).toBe('approved');
    const officer = await t.login('compliance.global');
    const view = await officer.client.kyc.get.query({ caseRef });
    expect(view.checks[0]).toMatchObject({ status: 'complete', outcome: 'clear', mismatches: [], extracted: { lastName: input.lastName.toUpperCase(), dateOfBirth: '1986-04-12', documentNumber: passport.documentNumber }, checks: { mrz: { valid: true, checkDigits: { documentNumber: true, dateOfBirth: true, expiryDate: true, composite: true } }, liveness: { result: 'pass' } } });
    expect(view.timeline.map((e) => e.action)).toContain('kyc.case.auto_verified');

    // The execution log: left for review while the address proof was missing (once, however often
    // the case was looked at), then approved; each with the conditions and the facts a dry run replays.
    const logged = await db().selectFrom('policy_executions').selectAll().where('subject_id', '=', caseRef).where('policy_type', '=', 'kyc.review').orderBy('id').execute();
    expect(logged.map((r) => [r.event, r.outcome, r.policy_version])).toEqual([
      ['kyc.case.verified', 'left for review', 1],
      ['kyc.case.verified', 'approved', 1],
    ]);
    expect(JSON.parse(logged[0]!.conditions_json)).toContainEqual({ name: 'nothing blocks a decision', values: { blockers: expect.any(Number) as number }, result: false });
    expect(JSON.parse(logged[1]!.inputs_json!)).toEqual({ legalEntity: 'global', verification: 'verified', riskLevel: 'low', screening: 'clear', blockers: 0 });
    // A draft that turns auto-verification off would have left the case for a reviewer.
    const review = await t.server.services.policies.require(db(), 'kyc.review');
    const senior = await t.login('senior');
    const run = await senior.client.policies.dryRun.query({ type: 'kyc.review', document: { ...review.document, autoVerify: { enabled: false, legalEntities: [] } }, days: 1 });
    expect(run.items).toContainEqual(expect.objectContaining({ ref: caseRef, legalEntity: 'global', before: { outcome: 'approved' }, after: { outcome: 'left for review' } }));
    expect(run.items.find((i) => i.ref === caseRef && i.before.outcome === 'left for review')).toBeUndefined();
  });

  it('sends a mismatch or a failed liveness check to a reviewer with the reasons, never auto-rejecting', async () => {
    const a = await register();
    sim.faults({ mismatch: { [a.input.lastName.toUpperCase()]: { dateOfBirth: '1968-04-12' } } });
    await upload(aPassportUpload(a.clientId, aPassport(a.input)));
    await drain();
    await upload(await anAddressProof(a.clientId, today()));
    expect(await kase(a.caseRef)).toMatchObject({ status: 'open', verification_status: 'attention', decision: null });
    expect((await kase(a.caseRef)).verification_reason).toMatch(/Date of birth differs from the declared one/);

    const b = await register();
    sim.faults({ livenessFail: [b.input.lastName.toUpperCase()] });
    await upload(aPassportUpload(b.clientId, aPassport(b.input)));
    await drain();
    expect((await kase(b.caseRef)).verification_reason).toMatch(/Liveness check failed/);

    // A document that does not match its upload data: the declared expiry differs from the MRZ's.
    const c = await register();
    await portal.portal.uploadDocument.mutate({ clientId: c.clientId, documentType: 'passport', fileName: 'p.png', contentBase64: aPassportUpload(c.clientId, aPassport(c.input)).contentBase64, expiresAt: '2032-01-01' });
    await drain();
    const officer = await t.login('compliance.global');
    const view = await officer.client.kyc.get.query({ caseRef: c.caseRef });
    expect(view.checks.at(-1)!.mismatches).toEqual([{ field: 'expiryDate', declared: '2032-01-01', extracted: '2031-06-30', message: 'Expiry date differs from the one sent with the upload' }]);
    sim.faults({ mismatch: {}, livenessFail: [] });
  });

  it('scores a high-risk client with its breakdown, requires enhanced due diligence, and lets the MLRO approve once it is complete', async () => {
    const { clientId, caseRef, input } = await register({ politicallyExposed: true, paymentMethod: 'crypto', sourceOfFunds: 'business' });
    const risky = await kase(caseRef);
    expect(risky).toMatchObject({ risk_level: 'high', risk_score: 90 });
    expect(JSON.parse(risky.risk_json!).factors.map((f: { factor: string; points: number }) => [f.factor, f.points])).toEqual([
      ['pep', 50],
      ['payment_method', 30],
      ['source_of_funds', 10],
    ]);
    await upload(aPassportUpload(clientId, aPassport(input)));
    await drain();
    await upload(await anAddressProof(clientId, today()));
    expect(await kase(caseRef)).toMatchObject({ status: 'open', verification_status: 'verified' });

    const officer = await t.login('compliance.global');
    await officer.client.kyc.assign.mutate({ caseRef, userId: officer.userId });
    const blocked = await expectReason(officer.client.kyc.approve.mutate({ caseRef, note: 'Fine', policyBasis: 'AML policy 5.1' }), 'KYC_INCOMPLETE');
    expect(blocked.message).toMatch(/Enhanced due diligence is incomplete: Source of wealth evidenced; Adverse media search done and recorded; Senior management approval of the relationship\./);
    await officer.client.kyc.completeEddItem.mutate({ caseRef, item: 'adverse_media', note: 'World-Check and press search: nothing adverse.' });
    await expectReason(officer.client.kyc.completeEddItem.mutate({ caseRef, item: 'senior_approval', note: 'Looks fine to me.' }), 'FORBIDDEN_PERMISSION');
    await expectReason(officer.client.kyc.completeEddItem.mutate({ caseRef, item: 'source_of_wealth', note: 'Seen the contract.' }), 'INVALID_TRANSITION');
    await portal.portal.uploadDocument.mutate({ clientId, documentType: 'source_of_wealth', fileName: 'sow.pdf', contentBase64: (await sourceOfWealthPdf({ name: 'Lena', summary: 'Sale of a business in 2024' })).toString('base64') });
    await officer.client.kyc.escalate.mutate({ caseRef, note: 'PEP paying in crypto: MLRO to decide.' });
    expect(await kase(caseRef)).toMatchObject({ status: 'escalated', escalated_to: 'mlro' });

    const mlro = await t.login('mlro');
    await mlro.client.kyc.completeEddItem.mutate({ caseRef, item: 'senior_approval', note: 'Relationship approved by the MLRO.' });
    const view = await mlro.client.kyc.get.query({ caseRef });
    expect(view.edd!.map((i) => [i.key, i.done])).toEqual([
      ['source_of_wealth', true],
      ['adverse_media', true],
      ['senior_approval', true],
    ]);
    expect(await mlro.client.kyc.approve.mutate({ caseRef, note: 'EDD complete; wealth from a documented business sale.', policyBasis: 'AML policy 5.3 (EDD for PEPs)' })).toMatchObject({ status: 'approved' });
  });

  it('an override needs a second person: the maker cannot approve it, the MLRO can, and it records both', async () => {
    const { clientId, caseRef } = await register({ legalEntity: 'eu', externalId: `ovr-${engine}` });
    const officer = await t.login('compliance.eu');
    const { approvalId } = await officer.client.kyc.override.mutate({ caseRef, decision: 'approve', reason: 'Existing client of the group, documents held by the sister entity.' });
    expect(await kase(caseRef)).toMatchObject({ status: 'open', decision: null });
    await expectReason(officer.client.kyc.override.mutate({ caseRef, decision: 'approve', reason: 'Asking a second time for the same.' }), 'ALREADY_EXISTS');
    await expectReason(officer.client.approvals.approve.mutate({ id: approvalId }), 'SAME_PERSON_APPROVAL');
    const senior = await t.login('senior');
    await expectReason(senior.client.approvals.approve.mutate({ id: approvalId }), 'FORBIDDEN_PERMISSION');
    const mlro = await t.login('mlro');
    expect(await mlro.client.approvals.approve.mutate({ id: approvalId })).toMatchObject({ status: 'executed' });
    const decided = await kase(caseRef);
    expect(decided).toMatchObject({ status: 'approved', decision: 'approved', decision_reason: 'override' });
    expect(decided.policy_basis).toMatch(new RegExp(`^Override ${approvalId} requested by compliance\\.eu, approved by mlro: Existing client`));
    expect((await client(clientId)).status).toBe('approved');
    // Every event of the override's approval is in the client's history.
    const approvalEvents = await db().selectFrom('audit_events').select(['action', 'client_id']).where('target_id', '=', approvalId).orderBy('seq').execute();
    expect(approvalEvents).toEqual([
      { action: 'approval.requested', client_id: clientId },
      { action: 'approval.approved', client_id: clientId },
      { action: 'approval.executed', client_id: clientId },
    ]);
  });

  it('re-reviews an approved client who moves to a listed country or changes payment method', async () => {
    const { clientId, caseRef, input } = await register();
    await upload(aPassportUpload(clientId, aPassport(input)));
    await drain();
    await upload(await anAddressProof(clientId, today()));
    expect(await kase(caseRef)).toMatchObject({ status: 'approved' });
    await portal.portal.updateClient.mutate({ clientId, email: `moved-${clientId}@example.com` });
    expect(await db().selectFrom('kyc_cases').select('id').where('client_id', '=', clientId).execute()).toHaveLength(1);
    await portal.portal.updateClient.mutate({ clientId, paymentMethod: 'e_wallet' });
    const cases = await db().selectFrom('kyc_cases').selectAll().where('client_id', '=', clientId).orderBy('id').execute();
    expect(cases).toHaveLength(2);
    expect(cases[1]).toMatchObject({ status: 'open', opened_reason: 'Re-review: payment method changed', risk_level: 'low', risk_score: 10 });
    expect((await client(clientId)).status).toBe('approved');
  });

  it('reminds 60 and 30 days before a document expires, once each, and restricts at expiry as the policy says', async () => {
    const { clientId, caseRef, input } = await register();
    const expiry = new Date(t.clock.now().getTime() + 70 * DAY).toISOString().slice(0, 10);
    await upload(aPassportUpload(clientId, aPassport(input, { expiresAt: expiry })));
    await drain();
    await upload(await anAddressProof(clientId, today()));
    expect(await kase(caseRef)).toMatchObject({ status: 'approved' });
    const reminders = () => db().selectFrom('notifications').select(['days_before', 'title']).where('client_id', '=', clientId).orderBy('days_before', 'desc').execute();
    const sweep = () => t.server.services.kyc.sweeps.sweepDocumentExpiry();
    await sweep();
    expect(await reminders()).toEqual([]);
    t.clock.advance(15 * DAY);
    await sweep();
    await sweep();
    expect(await reminders()).toEqual([{ days_before: 60, title: `Your passport expires on ${expiry}` }]);
    t.clock.advance(30 * DAY);
    await sweep();
    expect((await reminders()).map((r) => r.days_before)).toEqual([60, 30]);
    t.clock.advance(26 * DAY);
    await sweep();
    const restricted = await client(clientId);
    expect(restricted.status).toBe('restricted');
    expect(JSON.parse(restricted.restrictions_json)).toEqual(['document_expired_identity']);
    // The restriction is the review settings' automated decision, in the execution log with the document and its version.
    expect(await db().selectFrom('policy_executions').select(['policy_type', 'event', 'subject_type', 'outcome']).where('client_id', '=', clientId).where('event', '=', 'kyc.document.expired').execute()).toEqual([{ policy_type: 'kyc.review', event: 'kyc.document.expired', subject_type: 'document', outcome: expect.stringMatching(/^restricted: /) as string }]);
    const officer = await t.login('compliance.global');
    expect((await officer.client.clients.get.query({ clientId })).capabilities).toMatchObject({ openPositions: false, closePositions: true });
  });

  it('flags a case with no change for longer than the policy allows, once, and reports time in status', async () => {
    const { caseRef } = await register({ legalEntity: 'eu', externalId: `stuck-${engine}` });
    t.clock.advance(121 * 3_600_000);
    const first = await t.server.services.kyc.sweeps.sweepSla();
    expect(first.flagged).toBeGreaterThanOrEqual(1);
    expect((await t.server.services.kyc.sweeps.sweepSla()).flagged).toBe(0);
    const alert = await db().selectFrom('alerts').selectAll().where('kind', '=', 'kyc_case_stuck').where('source_ref', '=', caseRef).execute();
    expect(alert).toHaveLength(1);
    const logged = await db().selectFrom('policy_executions').select(['policy_type', 'outcome', 'actions_json']).where('event', '=', 'kyc.case.stuck').where('subject_id', '=', caseRef).execute();
    expect(logged).toMatchObject([{ policy_type: 'kyc.review', outcome: 'flagged stuck' }]);
    expect(JSON.parse(logged[0]!.actions_json)).toEqual([{ action: 'raise alert', alert: alert[0]!.id, forRole: 'senior_compliance_officer' }]);
    const officer = await t.login('compliance.eu');
    const row = (await officer.client.kyc.queue.query({ legalEntity: 'eu', limit: 500 })).items.find((i) => i.caseRef === caseRef)!;
    expect(row.sla).toMatchObject({ breached: true, stuck: true });
    expect(row.sla.hoursLeft).toBeLessThan(-72);
    const metrics = await officer.client.kyc.metrics.query();
    expect(metrics.items.find((m) => m.legalEntity === 'eu' && m.status === 'open')).toMatchObject({ stuck: expect.any(Number) });
  });
  // Last: it leaves the connector's breaker open.
  it('re-scores clients when a FATF list they are on takes effect, once, and re-reviews an approved one whose risk moves', async () => {
    const day = (offset: number) => new Date(t.clock.now().getTime() + offset * DAY).toISOString().slice(0, 10);
    const actorOf = async (username: string) => ({ id: await t.userId(username), name: username, ip: null, userAgent: 'test', sessionId: null });
    const active = await t.server.services.policies.require(db(), 'kyc.risk');
    const lists = [
      { effectiveDate: day(-30), source: 'plenary A', callForAction: ['KP'], increasedMonitoring: [] },
      { effectiveDate: day(5), source: 'plenary B', callForAction: ['KP'], increasedMonitoring: ['MT'] },
    ];
    const proposal = await t.server.services.policyChanges.submit(await actorOf('senior'), { type: 'kyc.risk', document: { ...active.document, countryLists: lists }, reason: 'Next plenary announced', change: A_CHANGE, dryRun: await t.server.services.policyChanges.minimumWindow('kyc.risk') });
    await approveAs(t, proposal.approvalId, ['mlro', 'admin', 'compliance']);

    const { clientId, caseRef, input } = await register({ country: 'MT', nationality: 'MT' });
    await upload(aPassportUpload(clientId, aPassport(input, { nationality: 'MT' })));
    await drain();
    await upload(await anAddressProof(clientId, today()));
    expect(await kase(caseRef)).toMatchObject({ status: 'approved', risk_level: 'low' });
    const other = await register({ country: 'DE', nationality: 'DE' });

    // Plenary A is in force: recorded, nobody is listed differently from "nothing applied yet" but KP.
    expect(await t.server.services.kyc.risk.applyCountryLists()).toMatchObject({ listDate: day(-30), countries: ['KP'], rescored: 0 });
    expect(await t.server.services.kyc.risk.applyCountryLists()).toMatchObject({ rescored: 0, countries: [] });

    t.clock.advance(6 * DAY);
    const run = await t.server.services.kyc.risk.applyCountryLists();
    expect(run).toMatchObject({ listDate: lists[1]!.effectiveDate, countries: ['MT'], rescored: 1 });
    const cases = await db().selectFrom('kyc_cases').selectAll().where('client_id', '=', clientId).orderBy('id').execute();
    expect(cases).toHaveLength(2);
    expect(cases[1]).toMatchObject({ status: 'open', opened_reason: 'Re-review: risk changed from low to medium', risk_level: 'medium', risk_score: 45 });
    expect(JSON.parse(cases[1]!.risk_json!)).toMatchObject({ countryListDate: lists[1]!.effectiveDate });
    expect((await kase(other.caseRef)).risk_json).not.toContain(lists[1]!.effectiveDate);
    const applied = await db().selectFrom('audit_events').select(['actor_name', 'reason', 'policy_ref']).where('action', '=', 'kyc.country_lists.applied').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(applied).toMatchObject({ actor_name: 'KYC automation', reason: `FATF lists of ${lists[1]!.effectiveDate} in force: MT listed differently; 1 client(s) re-scored`, policy_ref: `kyc.risk@${proposal.version}` });
    // Once: the next day's run finds nothing to do.
    t.clock.advance(DAY);
    expect(await t.server.services.kyc.risk.applyCountryLists()).toEqual({ listDate: lists[1]!.effectiveDate, countries: [], rescored: 0 });
  });

  it('retries a failing provider, and when it stays down (timeouts, then an open breaker) puts cases in the manual queue', async () => {
    const a = await register();
    sim.faults({ failNext: 1 });
    await upload(aPassportUpload(a.clientId, aPassport(a.input)));
    await drain();
    expect(await kase(a.caseRef)).toMatchObject({ verification_status: 'verified' });

    const b = await register();
    sim.faults({ hangNext: 3, hangMs: 10_000 });
    await upload(aPassportUpload(b.clientId, aPassport(b.input)));
    await drain();
    expect(await kase(b.caseRef)).toMatchObject({ verification_status: 'manual', status: 'open' });
    expect((await kase(b.caseRef)).verification_reason).toMatch(/did not answer within 2000 ms \(after retries\); review the document by hand/);

    const c = await register();
    sim.faults({ hangNext: 0, failNext: 100 });
    await upload(aPassportUpload(c.clientId, aPassport(c.input)));
    await drain();
    const before = sim.stats().failed;
    const d = await register();
    await upload(aPassportUpload(d.clientId, aPassport(d.input)));
    await drain();
    expect((await kase(d.caseRef)).verification_reason).toMatch(/circuit breaker is open/);
    expect(sim.stats().failed).toBe(before);
    sim.faults({ failNext: 0 });

    const officer = await t.login('compliance.global');
    const manual = await officer.client.kyc.queue.query({ legalEntity: 'global', verification: 'manual' });
    expect(manual.items.map((i) => i.caseRef)).toEqual(expect.arrayContaining([b.caseRef, d.caseRef]));
    expect(manual.items.every((i) => i.verificationStatus === 'manual')).toBe(true);
  });

});
