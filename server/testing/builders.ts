// Test data with defaults that pass every check and overrides for what a test is about:
// `aRegistration({ country: 'CY' })`, `aPassport({ expiresAt: '2020-01-01' })`, `aListFile()`.
// Each builder is typed by what the server accepts, so a test that builds the wrong shape does not
// compile, and each call that needs one gets its own external id, email and document number.

import type { z } from 'zod';
import type { registerClientInput } from '../../shared/clients/schemas.js';
import type { UploadDocumentInput } from '../../shared/kyc/schemas.js';
import { passportPng, proofOfAddressPdf, type PassportData } from '../simulators/kyc/documents.js';
import type { ListFile } from '../modules/screening/lists/files.js';
import { portalClientFor, type TestServer } from './harness.js';
import { SYSTEM_ACTOR } from '../core/actor.js';
import { dateOf } from '../../shared/time.js';
import { loadClient, transitionClient } from '../modules/clients/restrictions.js';

export type Registration = z.input<typeof registerClientInput>;
/** A registration with the person's details present (the builder always fills them). */
export type PersonRegistration = Registration & Required<Pick<Registration, 'firstName' | 'lastName' | 'dateOfBirth' | 'nationality'>>;

let serial = 0;

/** A surname suffix in letters only (A, B, …, Z, AA, …): names on documents and lists carry no digits. */
function letters(n: number): string {
  let out = '';
  for (let k = n; k > 0; k = Math.floor((k - 1) / 26)) out = String.fromCharCode(65 + ((k - 1) % 26)) + out;
  return out;
}

/** An individual client as the portal registers one: EU entity, resident and national of Cyprus, standard account, paid by bank transfer from employment income. */
export function aRegistration(overrides: Partial<PersonRegistration> = {}): PersonRegistration {
  const n = ++serial;
  return {
    externalId: `test-${process.pid}-${n}`,
    type: 'individual',
    legalEntity: 'eu',
    firstName: 'Elena',
    lastName: `Client${letters(n).toLowerCase()}`,
    email: `client${n}@example.com`,
    country: 'CY',
    nationality: 'CY',
    dateOfBirth: '1987-03-04',
    accountType: 'standard',
    paymentMethod: 'bank_transfer',
    sourceOfFunds: 'employment',
    ...overrides,
  };
}

/** A passport for the person (by default the one a registration declares), valid until 2031. */
export function aPassport(person: Pick<Registration, 'firstName' | 'lastName' | 'dateOfBirth' | 'nationality'> = {}, overrides: Partial<PassportData> = {}): PassportData {
  return {
    firstName: person.firstName ?? 'Elena',
    lastName: person.lastName ?? 'Client',
    dateOfBirth: person.dateOfBirth ?? '1987-03-04',
    nationality: person.nationality ?? 'CY',
    documentNumber: `P${String(++serial).padStart(7, '0')}`,
    expiresAt: '2031-06-30',
    ...overrides,
  };
}

/** The portal upload of a passport image whose MRZ the KYC provider simulator reads. */
export function aPassportUpload(clientId: string, passport: PassportData = aPassport()): UploadDocumentInput {
  return { clientId, documentType: 'passport', fileName: 'passport.png', contentBase64: passportPng(passport).toString('base64'), expiresAt: passport.expiresAt };
}

/** The portal upload of a utility bill issued on `issuedAt` (a UTC date). */
export async function anAddressProof(clientId: string, issuedAt: string, overrides: Partial<UploadDocumentInput> = {}): Promise<UploadDocumentInput> {
  const pdf = await proofOfAddressPdf({ name: 'Client', address: '1 Main St, Limassol', issuedAt });
  return { clientId, documentType: 'proof_of_address', fileName: 'bill.pdf', contentBase64: pdf.toString('base64'), issuedAt, ...overrides };
}

/**
 * An OFAC SDN CSV file as OFAC publishes it (CRLF lines, the DOS end-of-file mark), by default with
 * one entry that matches no test client: a list is loaded, so clients are screened.
 */
export function aListFile(entries: ReadonlyArray<{ id: number; name: string; type?: string; program?: string }> = [{ id: 36, name: 'AEROCARIBBEAN AIRLINES', program: 'CUBA' }]): ListFile {
  const rows = entries.map((e) => `${e.id},"${e.name}","${e.type ?? '-0- '}","${e.program ?? 'SDGT'}",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n`);
  return { name: 'sdn.csv', bytes: Buffer.from(`${rows.join('')}\u001a`) };
}

/** Registers a client through the portal (`aRegistration` with the overrides) and finds the KYC case registration opened. */
export async function aRegisteredClient(t: TestServer, overrides: Partial<PersonRegistration> = {}): Promise<{ clientId: string; caseRef: string; input: PersonRegistration }> {
  const input = aRegistration(overrides);
  const { clientId } = await portalClientFor(t.url).portal.registerClient.mutate(input);
  const kase = await t.server.services.store.kysely.selectFrom('kyc_cases').select('id').where('client_id', '=', clientId).orderBy('id', 'desc').executeTakeFirstOrThrow();
  return { clientId, caseRef: kase.id, input };
}

/**
 * A registered client moved to `approved` through the lifecycle (registered -> pending_review ->
 * approved), audited as test set-up: for tests of what comes after onboarding (payments).
 */
export async function anApprovedClient(t: TestServer, overrides: Partial<PersonRegistration> = {}): Promise<{ clientId: string; legalEntity: string; input: PersonRegistration }> {
  const { clientId, input } = await aRegisteredClient(t, overrides);
  await t.server.services.store.mutate(SYSTEM_ACTOR, async (m) => {
    let client = await loadClient(m, clientId);
    client = await transitionClient(m, client, 'pending_review', { reason: 'test set-up' });
    await transitionClient(m, client, 'approved', { reason: 'test set-up' });
  });
  return { clientId, legalEntity: input.legalEntity, input };
}

/**
 * A client onboarded the whole way: registered through the portal, passport and a fresh proof of
 * address uploaded, and the KYC case approved by a compliance officer (which accepts the
 * documents): every withdrawal pre-check about the client passes.
 */
export async function aKycApprovedClient(t: TestServer, overrides: Partial<PersonRegistration> = {}): Promise<{ clientId: string; caseRef: string; input: PersonRegistration }> {
  const { clientId, caseRef, input } = await aRegisteredClient(t, overrides);
  const portal = portalClientFor(t.url).portal;
  await portal.uploadDocument.mutate(aPassportUpload(clientId, aPassport(input)));
  await portal.uploadDocument.mutate(await anAddressProof(clientId, dateOf(t.clock.now().toISOString())));
  await t.server.services.jobs.drain();
  const officer = await t.login('compliance');
  await officer.client.kyc.assign.mutate({ caseRef, userId: officer.userId });
  await officer.client.kyc.approve.mutate({ caseRef, note: 'Identity and address verified against the documents (test set-up).', policyBasis: 'KYC policy 4.2 (standard due diligence)' });
  return { clientId, caseRef, input };
}
