// KYC on both engines: a case opens on registration; documents are sniffed, refused when they are
// not what they claim, stored encrypted and recorded; officers assign, request documents, escalate,
// approve and reject through the case machine, and approval waits for documents and screening.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../core/actor.js';
import { describeEachEngine, expectReason, portalClientFor, startTestServer, type TestServer } from '../../testing/harness.js';
import { parseListFiles } from '../screening/lists/read.js';
import { aListFile, aPassport, aPassportUpload, aRegisteredClient, anAddressProof } from '../../testing/builders.js';

/** The smallest PNG there is: the sniffing tests cut and pad it. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const b64 = (b: Buffer) => b.toString('base64');

const actor = { ...SYSTEM_ACTOR, id: 'test:kyc', name: 'kyc test' };

describeEachEngine('KYC cases and documents', (engine) => {
  let t: TestServer;
  let portal: ReturnType<typeof portalClientFor>;
  const caseOf = async (clientId: string) => (await t.server.services.store.kysely.selectFrom('kyc_cases').select('id').where('client_id', '=', clientId).executeTakeFirstOrThrow()).id;
  const clientStatus = async (clientId: string) => (await t.server.services.store.kysely.selectFrom('clients').select('status').where('id', '=', clientId).executeTakeFirstOrThrow()).status;
  const passport = (clientId: string, expiresAt = '2031-01-01') => portal.portal.uploadDocument.mutate(aPassportUpload(clientId, aPassport({}, { expiresAt })));
  const address = async (clientId: string, issuedAt = '2026-02-10') => portal.portal.uploadDocument.mutate(await anAddressProof(clientId, issuedAt));

  beforeAll(async () => {
    // Jobs run when a test drains the queue, not on the poller's timer, so the order of events is the test's.
    t = await startTestServer(engine, { env: { JOBS_POLL_MS: '600000' } });
    portal = portalClientFor(t.url);
    // One small list, so that clients are screened (approval waits for screening).
    await t.server.services.screening.importList(actor, await parseListFiles([aListFile()]));
  });
  afterAll(() => t?.close());

  it('opens a case on registration and records each document, stored encrypted by its hash', async () => {
    const { clientId } = await aRegisteredClient(t);
    const caseRef = await caseOf(clientId);
    expect(caseRef).toMatch(/^KYC-\d{6}$/);
    expect(await clientStatus(clientId)).toBe('registered');
    const sent = aPassportUpload(clientId);
    const bytes = Buffer.from(sent.contentBase64, 'base64');
    const { documentId } = await portal.portal.uploadDocument.mutate(sent);
    expect(documentId).toMatch(/^DOC-\d{6}$/);
    expect(await clientStatus(clientId)).toBe('pending_review');
    const doc = await t.server.services.store.kysely.selectFrom('documents').selectAll().where('id', '=', documentId).executeTakeFirstOrThrow();
    expect(doc).toMatchObject({ mime: 'image/png', size: bytes.length, kyc_case_id: caseRef, status: 'received', source: 'portal' });
    const onDisk = fs.readFileSync(path.join(t.storage.dataDir, 'documents', doc.sha256.slice(0, 2), doc.sha256.slice(2, 4), `${doc.sha256}.enc`));
    expect(onDisk.includes(bytes.subarray(100, 132))).toBe(false);
    const event = await t.server.services.store.kysely.selectFrom('audit_events').select(['actor_id', 'case_ref', 'after_json']).where('action', '=', 'kyc.document.received').where('target_id', '=', documentId).executeTakeFirstOrThrow();
    expect(event).toMatchObject({ actor_id: 'portal', case_ref: caseRef });
    expect(JSON.parse(event.after_json!)).toMatchObject({ sha256: doc.sha256, fileName: 'passport.png', documentType: 'passport', source: 'portal' });
  });

  it('refuses files that are not what they claim, with a reason the client can act on, and stores nothing', async () => {
    const { clientId } = await aRegisteredClient(t);
    const before = await t.server.services.store.kysely.selectFrom('documents').select('id').execute();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ fileName: 'passport.pdf' }, /named \.pdf but its content is a PNG image/],
      [{ contentBase64: b64(PNG.subarray(0, PNG.length - 12)) }, /damaged or cut short/],
      [{ contentBase64: b64(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1')), fileName: 'passport.gif' }, /a GIF file; only PDF, JPEG and PNG are accepted/],
      [{ contentBase64: b64(Buffer.concat([PNG, Buffer.alloc(15 * 1024 * 1024)])) }, /the limit is 15 MB/],
      [{ contentBase64: 'not base64!' }, /not valid base64/],
      [{ expiresAt: '2026-01-01' }, /expired on 2026-01-01/],
      [{ expiresAt: undefined }, /has an expiry date/],
    ];
    for (const [change, message] of cases) {
      const e = await expectReason(portal.portal.uploadDocument.mutate({ clientId, documentType: 'passport', fileName: 'passport.png', contentBase64: b64(PNG), expiresAt: '2031-01-01', ...change } as never), 'VALIDATION_FAILED');
      expect(e.message).toMatch(message);
    }
    await expectReason(address(clientId, '2025-09-01'), 'VALIDATION_FAILED');
    expect(await t.server.services.store.kysely.selectFrom('documents').select('id').execute()).toEqual(before);
    expect(await clientStatus(clientId)).toBe('registered');
  });

  it('takes a case from the queue through a document request and resubmission to approval', async () => {
    const { clientId } = await aRegisteredClient(t);
    const caseRef = await caseOf(clientId);
    await passport(clientId);
    await address(clientId);
    const officer = await t.login('compliance.eu');
    const queue = await officer.client.kyc.queue.query({ status: 'open' });
    expect(queue.items.find((i) => i.caseRef === caseRef)).toMatchObject({ clientId, status: 'open', country: 'CY', assignee: null });

    await expectReason(officer.client.kyc.approve.mutate({ caseRef, note: 'All good', policyBasis: 'KYC policy 4.2' }), 'NOT_ASSIGNED');
    await expectReason((await t.login('compliance.global')).client.kyc.get.query({ caseRef }), 'OUT_OF_ENTITY_SCOPE');
    await officer.client.kyc.assign.mutate({ caseRef, userId: officer.userId });
    const requested = await officer.client.kyc.requestDocuments.mutate({ caseRef, documentTypes: ['proof_of_address'], note: 'The bill is cropped; send the full page.' });
    expect(requested).toMatchObject({ status: 'pending_documents', requestedDocuments: ['proof_of_address'] });
    expect(await clientStatus(clientId)).toBe('pending_documents');
    await expectReason(officer.client.kyc.approve.mutate({ caseRef, note: 'Too early', policyBasis: 'KYC policy 4.2' }), 'INVALID_TRANSITION');

    await address(clientId, '2026-02-20');
    expect(await clientStatus(clientId)).toBe('pending_review');
    // No KYC provider is configured here: the provider check sends the case to the manual queue.
    await t.server.services.jobs.drain();
    const view = await officer.client.kyc.get.query({ caseRef });
    expect(view).toMatchObject({ status: 'open', requestedDocuments: [], blockers: [], availableActions: ['assign', 'requestDocuments', 'escalate', 'approve', 'reject'] });
    expect(view.documents.map((d) => [d.type, d.status])).toEqual([
      ['passport', 'received'],
      ['proof_of_address', 'superseded'],
      ['proof_of_address', 'received'],
    ]);

    const approved = await officer.client.kyc.approve.mutate({ caseRef, note: 'Identity and address verified against the documents.', policyBasis: 'CySEC AML Directive, KYC policy 4.2 (standard due diligence)' });
    expect(approved).toMatchObject({ status: 'approved', decision: 'approved', policyBasis: 'CySEC AML Directive, KYC policy 4.2 (standard due diligence)' });
    expect(await clientStatus(clientId)).toBe('approved');
    const timeline = await officer.client.clients.timeline.query({ clientId });
    expect(timeline.items.map((i) => [i.action, i.actor])).toEqual([
      ['client.registered', 'client portal'],
      ['kyc.case.opened', 'client portal'],
      ['screening.screened', 'client portal'],
      ['kyc.risk.assessed', 'client portal'],
      ['kyc.document.received', 'client portal'],
      ['client.status_changed', 'client portal'],
      ['kyc.verification.requested', 'client portal'],
      ['kyc.document.received', 'client portal'],
      ['kyc.case.assigned', 'compliance.eu'],
      ['kyc.documents_requested', 'compliance.eu'],
      ['client.status_changed', 'compliance.eu'],
      ['kyc.document.received', 'client portal'],
      ['kyc.case.reopened', 'client portal'],
      ['client.status_changed', 'client portal'],
      ['kyc.verification.manual', 'KYC automation'],
      ['kyc.case.approved', 'compliance.eu'],
      ['client.status_changed', 'compliance.eu'],
    ]);
    await expectReason(officer.client.kyc.reject.mutate({ caseRef, reason: 'incomplete_information', note: 'Changed my mind' }), 'INVALID_TRANSITION');
  });

  it('refuses approval with missing or expired documents, naming what is missing', async () => {
    const { clientId } = await aRegisteredClient(t);
    const caseRef = await caseOf(clientId);
    const officer = await t.login('compliance.eu');
    await officer.client.kyc.assign.mutate({ caseRef, userId: officer.userId });
    const missing = await expectReason(officer.client.kyc.approve.mutate({ caseRef, note: 'Looks complete', policyBasis: 'KYC policy 4.2' }), 'KYC_INCOMPLETE');
    expect(missing.message).toMatch(/No identity document has been received\. No proof of address has been received\./);

    await passport(clientId, '2026-03-20');
    await address(clientId);
    t.clock.advance(30 * 86_400_000);
    const expired = await expectReason((await t.login('compliance.eu')).client.kyc.approve.mutate({ caseRef, note: 'Looks complete', policyBasis: 'KYC policy 4.2' }), 'DOCUMENT_EXPIRED');
    expect(expired.message).toMatch(/identity document expired on 2026-03-20/);
    expect(await clientStatus(clientId)).toBe('pending_review');
  });

  it('an escalated case is decided only by a senior officer or the MLRO; a rejection closes the client', async () => {
    const { clientId } = await aRegisteredClient(t);
    const caseRef = await caseOf(clientId);
    await passport(clientId, '2032-01-01');
    await address(clientId, t.clock.now().toISOString().slice(0, 10));
    const officer = await t.login('compliance.eu');
    await officer.client.kyc.assign.mutate({ caseRef, userId: officer.userId });
    expect(await officer.client.kyc.escalate.mutate({ caseRef, note: 'Source of funds unclear for the declared income.' })).toMatchObject({ status: 'escalated', escalatedTo: 'senior_compliance_officer' });
    const refused = await expectReason(officer.client.kyc.reject.mutate({ caseRef, reason: 'high_risk_not_accepted', note: 'Outside appetite' }), 'FORBIDDEN_PERMISSION');
    expect(refused.message).toMatch(/only a senior compliance officer or the MLRO/);
    const mlro = await t.login('mlro');
    expect(await mlro.client.kyc.reject.mutate({ caseRef, reason: 'high_risk_not_accepted', note: 'Declared income does not support the expected deposits.' })).toMatchObject({ status: 'rejected', decisionReason: 'high_risk_not_accepted' });
    expect(await clientStatus(clientId)).toBe('closed');
    await expectReason(passport(clientId), 'INVALID_TRANSITION');
  });
});
