import { describe, expect, it } from 'vitest';
import { disclose, disclosureFor, MASK } from './disclosure.js';

const none = disclosureFor({ legalEntities: ['eu', 'global'], scope: () => [] });

describe('disclosure', () => {
  it('masks every string outside the allow-list, at any depth and inside arrays', () => {
    const audit = { seq: 4, action: 'screening.hits.found', clientId: 'CL-000001', after: { subjects: ['Ivan Prokopenko'], entries: [{ name: 'PROKOPENKO, Ivan', score: 0.97 }] } };
    expect(disclose(audit, none)).toEqual({ seq: 4, action: 'screening.hits.found', clientId: 'CL-000001', after: { subjects: [MASK], entries: [{ name: MASK, score: 0.97 }] } });
  });

  it('masks free text about a client, and shows it where no client is concerned', () => {
    const aboutClient = { id: 'ALR-000001', clientId: 'CL-000001', summary: 'Ivan Prokopenko confirmed', details: { reason: 'DOB agrees' } };
    const aboutStaff = { id: 'APR-000001', kind: 'access.grantRole', payload: { userId: 'USR-000002', role: 'dealer' }, reason: 'Covering the desk' };
    const aboutClientViaPayload = { id: 'APR-000002', kind: 'kyc.override', payload: { clientId: 'CL-000001' }, reason: 'Ivan called' };
    expect(disclose(aboutClient, none)).toEqual({ id: 'ALR-000001', clientId: 'CL-000001', summary: MASK, details: { reason: MASK } });
    expect(disclose(aboutStaff, none)).toEqual(aboutStaff);
    expect(disclose(aboutClientViaPayload, none).reason).toBe(MASK);
  });

  it('masks a change-feed row’s columns as its document: a row about a client is about a client', () => {
    const row = { id: 'APR-000002', kind: 'kyc.override', summary: 'Override KYC-000012 (CL-000012): approve', _json: JSON.stringify({ payload: { clientId: 'CL-000012' }, reason: 'Sophie called' }) };
    const shown = disclose(row, none);
    expect(shown.summary).toBe(MASK);
    expect(JSON.parse(shown._json)).toEqual({ payload: { clientId: 'CL-000012' }, reason: MASK });
    const staff = { id: 'APR-000003', kind: 'access.grantRole', summary: 'Grant dealer in eu to dana', _json: JSON.stringify({ payload: { userId: 'USR-1' }, reason: 'Cover' }) };
    expect(disclose(staff, none)).toEqual(staff);
  });

  it('reads inside the change feed’s JSON documents', () => {
    const row = { seq: 1, clientId: 'CL-000001', _json: JSON.stringify({ after: { email: 'ivan@example.com', status: 'approved' } }) };
    expect(JSON.parse(disclose(row, none)._json)).toEqual({ after: { email: MASK, status: 'approved' } });
  });

  it('judges each record by its legal entity, and masks nothing for a reader with clients.pii everywhere', () => {
    const mixed = disclosureFor({ legalEntities: ['eu', 'global'], scope: () => ['eu'] });
    const items = [{ legalEntity: 'eu', clientId: 'CL-1', name: 'Ana' }, { legalEntity: 'global', clientId: 'CL-2', name: 'Ivan' }];
    expect(disclose(items, mixed).map((i) => i.name)).toEqual(['Ana', MASK]);
    const all = disclosureFor({ legalEntities: ['eu'], scope: () => ['eu'] });
    expect(all.everywhere).toBe(true);
    expect(disclose(items, all)).toBe(items);
  });
});
