// One search finds a client by id, case reference, external id, e-mail and name, on both engines;
// names and e-mails only where the searcher may see personal data; out-of-scope clients never.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { aRegisteredClient } from '../../testing/builders.js';
import { describeEachEngine, startTestServer, type TestServer } from '../../testing/harness.js';

describeEachEngine('client search', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine);
  });
  afterAll(() => t?.close());

  it('finds a client by id, case reference, external id, e-mail and part of the name', async () => {
    const a = await aRegisteredClient(t, { firstName: 'Zoë', lastName: 'Papadaki', email: 'zoe.papadaki@example.com' });
    const officer = await t.login('compliance');
    const find = async (query: string) => (await officer.client.clients.search.query({ query })).items.map((i) => [i.clientId, i.matchedBy]);
    expect(await find(a.clientId)).toEqual([[a.clientId, 'client id']]);
    expect(await find(a.caseRef.toLowerCase())).toEqual([[a.clientId, 'case reference']]);
    expect(await find(a.input.externalId)).toEqual([[a.clientId, 'external id']]);
    expect(await find('ZOE.PAPADAKI@example.com')).toEqual([[a.clientId, 'e-mail']]);
    expect(await find('papad')).toEqual([[a.clientId, 'name']]);
    expect(await find('no such person')).toEqual([]);
  });

  it('matches names only where the searcher sees personal data, and never shows another entity’s client', async () => {
    const eu = await aRegisteredClient(t, { legalEntity: 'eu', firstName: 'Ilias', lastName: 'Konstantinou' });
    const global = await aRegisteredClient(t, { legalEntity: 'global', firstName: 'Ilias', lastName: 'Konstantinidis' });
    const euOfficer = await t.login('compliance.eu');
    expect((await euOfficer.client.clients.search.query({ query: 'Konstantin' })).items.map((i) => i.clientId)).toEqual([eu.clientId]);
    expect((await euOfficer.client.clients.search.query({ query: global.clientId })).items).toEqual([]);
    // Support reads clients without personal data: found by id, never by name, and the name masked.
    const support = await t.login('support');
    expect((await support.client.clients.search.query({ query: 'Konstantinou' })).items).toEqual([]);
    const byId = (await support.client.clients.search.query({ query: eu.clientId })).items;
    expect(byId).toMatchObject([{ clientId: eu.clientId, name: '•••', email: '•••', status: 'registered' }]);
    // A whole e-mail address finds the caller's record, as an id does; a part of one finds nothing.
    expect((await support.client.clients.search.query({ query: eu.input.email.toUpperCase() })).items.map((i) => i.matchedBy)).toEqual(['e-mail']);
    expect((await support.client.clients.search.query({ query: eu.input.email.slice(0, 6) })).items).toEqual([]);
  });
});
