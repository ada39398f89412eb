// Screening of clients end to end, on both engines: registration through the portal is screened;
// loading the 2024-05-03 SDN update over 2024-04-26 re-screens only against what it added or
// changed and opens review cases for the seeded clients (and the director) it designates; a true
// match restricts the client and raises an MLRO alert; a false positive is suppressed until the
// list entry changes, and then reopened.

import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../core/actor.js';
import { describeEachEngine, expectReason, portalClientFor, startTestServer, type TestServer } from '../../testing/harness.js';
import { dataFile, SHARED_DATA_MISSING, sharedDataPresent } from '../../testing/shared-data.js';
import { readListFiles } from './lists/read.js';
import { aRegistration } from '../../testing/builders.js';

const actor = { ...SYSTEM_ACTOR, id: 'test:screening', name: 'screening test' };
const sdn = (date: string) => readListFiles(fs.readdirSync(dataFile('sanctions', 'ofac', `sdn_${date}`)).map((f) => dataFile('sanctions', 'ofac', `sdn_${date}`, f)));

const individual = {
  type: 'individual' as const,
  legalEntity: 'eu',
  email: 'client@example.com',
  country: 'CY',
  accountType: 'standard',
};

describeEachEngine('client registration through the portal', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine);
  });
  afterAll(() => t?.close());

  it('registers once per externalId: a repeat answers the same client, other data is refused', async () => {
    const portal = portalClientFor(t.url);
    const input = { ...individual, externalId: 'p-1', firstName: 'Anna', lastName: 'Nikolaou', dateOfBirth: '1988-08-08' };
    const first = await portal.portal.registerClient.mutate(input);
    expect(first.clientId).toMatch(/^CL-\d{6}$/);
    expect(await portal.portal.registerClient.mutate(input)).toEqual(first);
    const e = await expectReason(portal.portal.registerClient.mutate({ ...input, lastName: 'Nicolaou' }), 'ALREADY_EXISTS');
    expect(e.message).toContain('lastName');
    const rows = await t.server.services.store.kysely.selectFrom('clients').select(['id', 'last_name', 'status', 'screening_status']).where('external_id', '=', 'p-1').execute();
    expect(rows).toEqual([{ id: first.clientId, last_name: 'Nikolaou', status: 'registered', screening_status: 'not_screened' }]);
  });

  it('takes an identical corporate re-send as a repeat, whatever the order of its parties or their roles and keys', async () => {
    const portal = portalClientFor(t.url);
    const director = { firstName: 'Nikos', lastName: 'Andreou', roles: ['director' as const], dateOfBirth: '1968-02-20', nationality: 'GR', country: 'CY' };
    const owner = { lastName: 'Andreou', firstName: 'Eleni', roles: ['ubo' as const, 'shareholder' as const], ownershipPercent: 60, country: 'CY', nationality: 'CY', dateOfBirth: '1971-09-05' };
    const input = { ...individual, externalId: 'p-corp-1', type: 'corporate' as const, companyName: 'Andreou Shipping Ltd', parties: [director, owner] };
    const first = await portal.portal.registerClient.mutate(input);
    const reordered = { ...input, parties: [{ ...owner, roles: ['shareholder' as const, 'ubo' as const] }, { country: 'CY', nationality: 'GR', dateOfBirth: '1968-02-20', roles: ['director' as const], lastName: 'Andreou', firstName: 'Nikos' }] };
    expect(await portal.portal.registerClient.mutate(reordered)).toEqual(first);
    const e = await expectReason(portal.portal.registerClient.mutate({ ...input, parties: [director, { ...owner, ownershipPercent: 40 }] }), 'ALREADY_EXISTS');
    expect(e.message).toContain('different parties');
  });

  it('refuses bad input with the field named, and registers nothing', async () => {
    const portal = portalClientFor(t.url);
    const base = { ...individual, firstName: 'Bad', lastName: 'Input', dateOfBirth: '1980-01-01' };
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ country: 'XX' }, /country: "XX" is not an ISO 3166-1 country code/],
      [{ dateOfBirth: '2030-01-01' }, /dateOfBirth: 2030-01-01 is in the future/],
      [{ dateOfBirth: '2015-01-01' }, /at least 18 years old/],
      [{ accountType: 'vip' }, /accountType: "vip" is not offered to individual clients of eu; offered: professional, standard/],
      [{ legalEntity: 'mars' }, /legalEntity: "mars" is not one of this broker's legal entities/],
      [{ dateOfBirth: undefined }, /Date of birth: is required for an individual client\./],
      [{ dateOfBirth: '1980-02-30' }, /Date of birth: is not a calendar date\./],
      // A name that displays other than it reads, or hides a NUL: refused, the field and the character named.
      [{ lastName: 'Smith\u202Eevil' }, /Last name: holds a control or text-direction character \(U\+202E\)/],
      [{ firstName: 'Ann\u0000a' }, /First name: holds a control or text-direction character \(U\+0000\)/],
      [{ firstName: 'Ann\u2066a\u2069' }, /First name: .*\(U\+2066\)/],
    ];
    for (const [i, [change, message]] of cases.entries()) {
      const e = await expectReason(portal.portal.registerClient.mutate({ ...base, externalId: `bad-${i}`, ...change } as never), 'VALIDATION_FAILED');
      expect(e.message).toMatch(message);
    }
    const corporate = await expectReason(portal.portal.registerClient.mutate({ ...base, externalId: 'bad-corp', type: 'corporate', companyName: 'Acme Ltd', firstName: undefined, lastName: undefined, dateOfBirth: undefined, parties: [{ firstName: 'O', lastName: 'Wner', roles: ['ubo'], ownershipPercent: 10 }] } as never), 'VALIDATION_FAILED');
    expect(corporate.message).toMatch(/Parties 1, ownership percent: an ultimate beneficial owner holds 25% or more/);
    expect(corporate.message).toMatch(/Parties: name at least one director/);
    const party = await expectReason(portal.portal.registerClient.mutate({ ...base, externalId: 'bad-party', type: 'corporate', companyName: 'Acme Ltd', firstName: undefined, lastName: undefined, dateOfBirth: undefined, parties: [{ firstName: 'Dir\u202Bector', lastName: 'One', roles: ['director'] }] } as never), 'VALIDATION_FAILED');
    expect(party.message).toMatch(/Parties 1, first name: holds a control or text-direction character \(U\+202B\)/);
    // Persian names keep the zero-width non-joiner they are written with.
    expect(await portal.portal.registerClient.mutate({ ...base, externalId: 'zwnj-1', firstName: 'Mohammad\u200cReza', lastName: 'Karimi' })).toMatchObject({ clientId: expect.stringMatching(/^CL-/) });
    const stored = await t.server.services.store.kysely.selectFrom('clients').select('id').where('external_id', 'like', 'bad-%').execute();
    expect(stored.length).toBe(0);
    expect(stored).toEqual([]);
  });

  it('refuses a wrong portal key with 401 and audits it; staff tokens are no substitute', async () => {
    const wrong = portalClientFor(t.url, 'not-the-key-not-the-key-000');
    const e = await expectReason(wrong.portal.registerClient.mutate({ ...individual, externalId: 'k-1', firstName: 'K', lastName: 'Ey', dateOfBirth: '1980-01-01' }), 'PORTAL_KEY_INVALID');
    expect(e.data?.httpStatus).toBe(401);
    const { client } = await t.login('compliance');
    await expectReason(client.portal.registerClient.mutate({ ...individual, externalId: 'k-2', firstName: 'K', lastName: 'Ey', dateOfBirth: '1980-01-01' }), 'PORTAL_KEY_INVALID');
    const denied = await t.server.services.store.kysely.selectFrom('audit_events').select(['actor_id', 'target_id', 'reason']).where('action', '=', 'portal.denied').execute();
    expect(denied).toEqual([
      { actor_id: 'portal', target_id: 'portal.registerClient', reason: 'wrong X-Portal-Key' },
      { actor_id: 'portal', target_id: 'portal.registerClient', reason: 'no X-Portal-Key header' },
    ]);
  });

  it('shows the client to staff in scope, masked without clients.pii, and refuses other entities', async () => {
    const { clientId } = await portalClientFor(t.url).portal.registerClient.mutate({ ...individual, externalId: 'v-1', firstName: 'Vera', lastName: 'Ivanova', dateOfBirth: '1990-01-01', phone: '+35799000001' });
    const compliance = (await t.login('compliance')).client;
    expect(await compliance.clients.get.query({ clientId })).toMatchObject({ name: 'Vera Ivanova', phone: '+35799000001', status: 'registered', capabilities: { deposit: false, withdraw: false } });
    const support = (await t.login('support')).client;
    expect(await support.clients.get.query({ clientId })).toMatchObject({ name: '•••', email: '•••', country: 'CY' });
    await expectReason((await t.login('compliance.global')).client.clients.get.query({ clientId }), 'OUT_OF_ENTITY_SCOPE');
    const timeline = await support.clients.timeline.query({ clientId });
    expect(timeline.items.map((i) => i.action)).toEqual(['client.registered', 'kyc.case.opened', 'screening.screened', 'kyc.risk.assessed']);
    expect(JSON.stringify(timeline.items[0]!.after)).not.toContain('Ivanova');
  });
});

describe.skipIf(!sharedDataPresent)('screening on list updates and on registration', () => {
  if (!sharedDataPresent) it.skip(SHARED_DATA_MISSING, () => undefined);
  describeEachEngine('with the real SDN list', (engine) => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer(engine);
    });
    afterAll(() => t?.close());

    const casesFor = async (externalId: string) =>
      t.server.services.store.kysely
        .selectFrom('screening_cases as s')
        .innerJoin('clients as c', 'c.id', 's.client_id')
        .select(['s.id', 's.entry_key', 's.subject_name', 's.trigger', 's.status', 's.previous_case_id', 'c.id as client_id'])
        .where('c.external_id', '=', externalId)
        .orderBy('s.id')
        .execute();

    it('re-screens only against the entries the 2024-05-03 update added or changed, and opens cases for the designated clients', async () => {
      const screening = t.server.services.screening;
      const first = await screening.importList(actor, await sdn('2024-04-26'));
      expect(first.rescreen.entriesScreened).toBe(first.import.entries);
      for (const id of ['demo-eu-0003', 'demo-gl-0001', 'demo-gl-0003', 'demo-gl-0004']) expect(await casesFor(id), id).toEqual([]);

      const second = await screening.importList(actor, await sdn('2024-05-03'));
      expect(second.import).toMatchObject({ added: 305, removed: 8 });
      expect(second.rescreen.entriesScreened).toBe(second.import.added + second.import.changed);
      expect((await casesFor('demo-eu-0003')).map((c) => [c.entry_key, c.subject_name, c.trigger])).toEqual([['48754', 'Natalia Butrym', 'list_update']]);
      expect((await casesFor('demo-gl-0001')).map((c) => [c.entry_key, c.subject_name])).toEqual([['48604', 'Ivan Seliverstov']]);
      expect((await casesFor('demo-gl-0003')).map((c) => [c.entry_key, c.subject_name])).toEqual([['48325', 'Firas Moukalled']]);
      expect((await casesFor('demo-gl-0004')).map((c) => c.entry_key)).toContain('47987');
      // Everything the update opened is about the designated clients: no one else was screened again.
      const openedFor = await t.server.services.store.kysely.selectFrom('screening_cases as s').innerJoin('clients as c', 'c.id', 's.client_id').select('c.external_id').where('s.id', 'in', second.rescreen.opened).execute();
      expect([...new Set(openedFor.map((r) => r.external_id))].sort()).toEqual(['demo-eu-0003', 'demo-gl-0001', 'demo-gl-0003', 'demo-gl-0004']);
      const audit = await t.server.services.store.kysely.selectFrom('audit_events').select('after_json').where('action', '=', 'screening.rescreened').where('target_id', '=', second.import.versionId).executeTakeFirstOrThrow();
      expect(JSON.parse(audit.after_json!)).toMatchObject({ entriesScreened: second.rescreen.entriesScreened, opened: second.rescreen.opened });
      // Each case opened is an automated decision of the screening thresholds, logged with its score and the thresholds.
      const [butrym] = await casesFor('demo-eu-0003');
      const logged = await t.server.services.store.kysely.selectFrom('policy_executions').selectAll().where('subject_id', '=', butrym!.id).execute();
      expect(logged).toMatchObject([{ policy_type: 'screening.thresholds', event: 'screening.case.opened', subject_type: 'screening_case', legal_entity: 'eu', client_id: butrym!.client_id, outcome: expect.stringMatching(/hit: case opened$/) }]);
      expect(JSON.parse(logged[0]!.conditions_json)[0]).toMatchObject({ name: 'score ≥ match threshold 0.72', values: { subject: 'Natalia Butrym', entry: expect.stringContaining('48754') as string, score: expect.any(Number) as number }, result: true });
      const db = t.server.services.store.kysely;
      expect((await db.selectFrom('policy_executions').select('subject_id').where('policy_type', '=', 'screening.thresholds').where('event', '=', 'screening.case.opened').execute()).map((r) => r.subject_id).sort()).toEqual((await db.selectFrom('screening_cases').select('id').execute()).map((r) => r.id).sort());
    });

    it('logs a near match below the threshold with the pair it scored, and dry-runs the thresholds on the cases opened and the near matches', async () => {
      const db = t.server.services.store.kysely;
      // The listed name, but born 34 years earlier and Polish where the list says Belarusian: both conflicts take the score below the threshold.
      const { clientId } = await portalClientFor(t.url).portal.registerClient.mutate(aRegistration({ firstName: 'Natallia', lastName: 'Butrym', dateOfBirth: '1960-05-05', nationality: 'PL', country: 'PL' }));
      const near = await db.selectFrom('policy_executions').select(['subject_type', 'subject_id', 'client_id', 'outcome', 'conditions_json', 'inputs_json']).where('event', '=', 'screening.nearMiss').execute();
      expect(near).toMatchObject([{ subject_type: 'screening_near_miss', subject_id: clientId, client_id: clientId, outcome: 'below match threshold: no case' }]);
      const [condition] = JSON.parse(near[0]!.conditions_json) as Array<{ values: { score: number; entry: string }; result: boolean }>;
      expect(condition).toMatchObject({ values: { entry: expect.stringContaining('48754') as string }, result: false });
      expect(condition!.values.score).toBeLessThan(0.72);
      expect(condition!.values.score).toBeGreaterThanOrEqual(0.57);
      expect(JSON.parse(near[0]!.inputs_json!)).toMatchObject({ subject: { name: 'Natallia Butrym', nationality: 'PL' }, entry: { source: expect.any(String) as string, key: '48754' } });
      expect(await db.selectFrom('screening_cases').select('id').where('client_id', '=', clientId).execute()).toEqual([]);

      const mlro = (await t.login('mlro')).client;
      const active = await t.server.services.policies.require(db, 'screening.thresholds');
      const opened = await db.selectFrom('screening_cases').select(['id', 'score']).execute();
      // The version in force decides every logged pair as it was decided.
      expect(await mlro.policies.dryRun.query({ type: 'screening.thresholds', document: active.document, days: 1 })).toMatchObject({ evaluated: opened.length + 1, changed: 0 });
      // Dropping the nationality conflict's weight to nothing lifts the near match over the threshold: a case the draft would open, named by client and entry.
      const lenient = await mlro.policies.dryRun.query({ type: 'screening.thresholds', document: { ...active.document, evidence: { ...active.document.evidence, nationalityConflict: 0 } }, days: 1 });
      expect(lenient.items.find((i) => i.ref.startsWith(clientId))).toMatchObject({ ref: expect.stringMatching(new RegExp(`^${clientId} Natallia Butrym ~ .+ 48754 `)) as string, before: { outcome: 'below match threshold: no case' }, after: { outcome: expect.stringMatching(/case opened$/) as string } });
      // A match threshold above every case's score would have opened none of them.
      const top = Math.max(...opened.map((o) => o.score));
      const strict = await mlro.policies.dryRun.query({ type: 'screening.thresholds', document: { ...active.document, match: Math.min(1, top + 0.001), strong: Math.min(1, top + 0.001) }, days: 1 });
      const below = opened.filter((o) => o.score < Math.min(1, top + 0.001)).map((o) => o.id).sort();
      expect(strict.items.filter((i) => i.ref.startsWith('SCR-')).map((i) => i.ref).sort()).toEqual(below);
      for (const i of strict.items) expect(i.after).toEqual({ outcome: 'below match threshold: no case' });
    });

    it('a confirmed true match restricts the client and raises an alert for the MLRO', async () => {
      const [hit] = await casesFor('demo-gl-0001');
      const globalOfficer = (await t.login('compliance.global')).client;
      await expectReason((await t.login('compliance.eu')).client.screening.get.query({ caseId: hit!.id }), 'OUT_OF_ENTITY_SCOPE');
      const view = await globalOfficer.screening.get.query({ caseId: hit!.id });
      expect(view).toMatchObject({ status: 'open', availableDecisions: ['true_match', 'false_positive'], client: { name: 'Ivan Seliverstov', dateOfBirth: '1989-03-10' } });
      expect(view.explanation).toMatch(/date of birth/i);
      const decided = await globalOfficer.screening.decide.mutate({ caseId: hit!.id, decision: 'true_match', reason: 'Name, date of birth 1989-03-10 and Russian nationality all agree with SDN 48604.' });
      expect(decided).toMatchObject({ status: 'true_match', decidedBy: 'compliance.global', availableDecisions: [] });
      await expectReason(globalOfficer.screening.decide.mutate({ caseId: hit!.id, decision: 'false_positive', reason: 'Changing my mind about this one.' }), 'ALREADY_DECIDED');

      const client = await globalOfficer.clients.get.query({ clientId: hit!.client_id });
      expect(client).toMatchObject({ status: 'restricted', restrictions: ['sanctions_match'], screeningStatus: 'confirmed_match', capabilities: { withdraw: false, openPositions: false } });
      const alerts = await (await t.login('mlro')).client.alerts.list.query({ clientId: hit!.client_id });
      expect(alerts.items).toMatchObject([{ kind: 'sanctions_match', severity: 'critical', forRole: 'mlro', status: 'open', sourceRef: hit!.id }]);
      const timeline = await globalOfficer.clients.timeline.query({ clientId: hit!.client_id });
      expect(timeline.items.map((i) => i.action)).toEqual([
        'client.registered',
        'kyc.case.opened',
        'screening.screened',
        'kyc.risk.assessed',
        'screening.case.opened',
        'kyc.risk.assessed',
        'screening.case.decided',
        'client.restricted',
        'client.status_changed',
        'alert.raised',
        // a confirmed match scores high: the case now needs enhanced due diligence
        'kyc.edd.required',
        'kyc.risk.assessed',
      ]);
      expect(timeline.items.find((i) => i.action === 'screening.case.decided')).toMatchObject({ actor: 'compliance.global', caseRef: hit!.id });
    });

    it('a strong hit is cleared only by a senior officer; the suppression lasts until the list entry changes', async () => {
      const [hit] = await casesFor('demo-eu-0003');
      const officer = (await t.login('compliance.eu')).client;
      const refused = await expectReason(officer.screening.decide.mutate({ caseId: hit!.id, decision: 'false_positive', reason: 'Different person: passport seen.' }), 'FORBIDDEN_PERMISSION');
      expect(refused.message).toMatch(/senior compliance officer or the MLRO/);
      await (await t.login('mlro')).client.screening.decide.mutate({ caseId: hit!.id, decision: 'false_positive', reason: 'Different person: Lithuanian-resident client, passport shows another place of birth.' });

      // The same list again (a re-screen of the same entry) stays suppressed.
      const screening = t.server.services.screening;
      const again = await screening.rescreen(actor, { versionId: 'LST-test', source: 'us_ofac_sdn', publishedAt: null, entries: 0, added: 0, removed: 0, changed: 1, previousVersion: null, addedOrChanged: ['48754'] });
      expect(again).toMatchObject({ opened: [], suppressed: 1 });

      // OFAC amends the entry: the suppression no longer holds and the hit is reviewed again.
      const list = await sdn('2024-05-03');
      const amended = { ...list, fileHash: `${list.fileHash}-amended`, entries: list.entries.map((e) => (e.key === '48754' ? { ...e, remarks: `${e.remarks ?? ''}; Gender Female; passport MP1234567 (Belarus)` } : e)) };
      const reopened = await screening.importList(actor, amended);
      expect(reopened.import.changed).toBe(1);
      const cases = await casesFor('demo-eu-0003');
      expect(cases.map((c) => [c.status, c.previous_case_id])).toEqual([
        ['false_positive', null],
        ['open', hit!.id],
      ]);
    });

    it('screens a registration and a change of name against every list at once', async () => {
      const portal = portalClientFor(t.url);
      const { clientId } = await portal.portal.registerClient.mutate({ ...individual, legalEntity: 'global', externalId: 'new-1', firstName: 'Yegor', lastName: 'Mozhayev', dateOfBirth: '1982-05-31', nationality: 'RU' });
      const opened = await t.server.services.store.kysely.selectFrom('screening_cases').select(['entry_key', 'trigger']).where('client_id', '=', clientId).execute();
      expect(opened).toEqual([{ entry_key: '48606', trigger: 'registration' }]);

      const { clientId: other } = await portal.portal.registerClient.mutate({ ...individual, externalId: 'new-2', firstName: 'Lena', lastName: 'Fischer', dateOfBirth: '1994-12-14', nationality: 'BY' });
      expect(await t.server.services.store.kysely.selectFrom('clients').select('screening_status').where('id', '=', other).executeTakeFirstOrThrow()).toEqual({ screening_status: 'clear' });
      const changed = await portal.portal.updateClient.mutate({ clientId: other, firstName: 'Natallia', lastName: 'Butrym' });
      expect(changed).toEqual({ clientId: other, changed: ['firstName', 'lastName'], screened: true });
      const cases = await t.server.services.store.kysely.selectFrom('screening_cases').select(['entry_key', 'trigger']).where('client_id', '=', other).execute();
      expect(cases).toEqual([{ entry_key: '48754', trigger: 'client_change' }]);
      const email = await portal.portal.updateClient.mutate({ clientId: other, email: 'lena@example.com' });
      expect(email).toEqual({ clientId: other, changed: ['email'], screened: false });
    });
  });
});
