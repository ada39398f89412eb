// The demo's KYC desk on the first morning: clients in both legal entities and in every status,
// each taken there through the same services the portal and the desktop call, by the seeded staff
// who would do it, so every case carries a real trail. Documents are generated (passport images and
// PDFs with a valid MRZ, bills, certificates, source-of-wealth letters); some expire soon, some
// clients are high risk, some are companies. Dates are relative to the server's clock.

import { addDays, dateOf } from '../../shared/time.js';
import type { RegisterClientInput } from '../../shared/clients/schemas.js';
import type { DocumentType, RejectionReason } from '../../shared/kyc/machine.js';
import type { Actor } from '../core/actor.js';
import { portalActor } from '../core/actor.js';
import type { Services } from '../services.js';
import { companyCertificatePdf, passportPdf, passportPng, proofOfAddressPdf, sourceOfWealthPdf, type PassportData } from '../simulators/kyc/documents.js';
import { buildAuthContext, type AuthContext } from '../core/auth.js';

/** How many generated clients get documents (the rest stay registered, as most sign-ups do). */
export const GENERATED_WITH_DOCUMENTS = 40;

type Person = { firstName: string; lastName: string; dateOfBirth: string; nationality: string };

/** Clients the stories add to the fixed cast (DEMO_CLIENTS). */
export const STORY_CLIENTS: ReadonlyArray<RegisterClientInput> = [
  { externalId: 'demo-eu-0005', type: 'individual', legalEntity: 'eu', firstName: 'Lucía', lastName: 'Fernández Ortega', email: 'lucia.fo@example.com', country: 'ES', nationality: 'ES', dateOfBirth: '1992-06-18', accountType: 'standard', paymentMethod: 'card', sourceOfFunds: 'employment' },
  { externalId: 'demo-eu-0006', type: 'individual', legalEntity: 'eu', firstName: 'Henrik', lastName: 'Lindqvist', email: 'henrik.l@example.com', country: 'SE', nationality: 'SE', dateOfBirth: '1983-01-27', accountType: 'standard', paymentMethod: 'bank_transfer', sourceOfFunds: 'savings' },
  { externalId: 'demo-eu-0007', type: 'individual', legalEntity: 'eu', firstName: 'Katarzyna', lastName: 'Wiśniewska', email: 'k.wisniewska@example.com', country: 'PL', nationality: 'PL', dateOfBirth: '1997-10-04', accountType: 'standard' },
  { externalId: 'demo-eu-0008', type: 'individual', legalEntity: 'eu', firstName: 'Sophie', lastName: 'Marchetti', email: 'sophie.m@example.com', country: 'IT', nationality: 'FR', dateOfBirth: '1988-03-09', accountType: 'professional', paymentMethod: 'bank_transfer', sourceOfFunds: 'investments' },
  { externalId: 'demo-gl-0005', type: 'individual', legalEntity: 'global', firstName: 'Tariq', lastName: 'Al-Hashimi', email: 'tariq.h@example.com', country: 'AE', nationality: 'JO', dateOfBirth: '1969-08-22', accountType: 'professional', politicallyExposed: true, paymentMethod: 'crypto', sourceOfFunds: 'business' },
  { externalId: 'demo-gl-0006', type: 'individual', legalEntity: 'global', firstName: 'Adaeze', lastName: 'Okonkwo', email: 'adaeze.o@example.com', country: 'ZA', nationality: 'NG', dateOfBirth: '1980-12-01', accountType: 'standard', politicallyExposed: true, paymentMethod: 'e_wallet', sourceOfFunds: 'inheritance' },
  {
    externalId: 'demo-gl-0007',
    type: 'corporate',
    legalEntity: 'global',
    companyName: 'Blue Lagoon Holdings Ltd',
    email: 'ops@bluelagoon.example.com',
    country: 'SC',
    accountType: 'professional',
    paymentMethod: 'bank_transfer',
    sourceOfFunds: 'business',
    parties: [
      { firstName: 'Marco', lastName: 'Ferreira', roles: ['director'], dateOfBirth: '1977-04-14', nationality: 'PT', country: 'SC' },
      { firstName: 'Anil', lastName: 'Mehta', roles: ['director', 'shareholder'], ownershipPercent: 20, dateOfBirth: '1974-02-02', nationality: 'IN', country: 'AE' },
      { firstName: 'Grace', lastName: 'Mwangi', roles: ['shareholder'], ownershipPercent: 20, dateOfBirth: '1986-07-19', nationality: 'KE', country: 'KE' },
    ],
  },
  // The name, date of birth and nationality of SDN entry 15892, on the list since before 2024-04-26:
  // the demo's confirmed sanctions match (restricted), a public fact from the US Treasury's list.
  { externalId: 'demo-gl-0008', type: 'individual', legalEntity: 'global', firstName: 'Ivan', lastName: 'Prokopenko', email: 'i.prokopenko@example.com', country: 'AE', nationality: 'RU', dateOfBirth: '1973-09-28', accountType: 'standard', paymentMethod: 'bank_transfer', sourceOfFunds: 'business' },
];

interface StoryContext {
  services: Services;
  today: string;
  screened: boolean;
  log: (line: string) => void;
}

/** A demo staff member as the seed acts for them (no session). */
export async function staff(services: Services, username: string): Promise<AuthContext> {
  const user = await services.store.kysely.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirstOrThrow();
  const auth = buildAuthContext(user, 'demo-seed', await services.grants.grantsOf(user.id), { ip: null, userAgent: 'demo seed' });
  return { ...auth, actor: { ...auth.actor, sessionId: null } };
}

async function clientOf(services: Services, externalId: string): Promise<{ clientId: string; caseRef: string }> {
  const row = await services.store.kysely
    .selectFrom('clients as c')
    .innerJoin('kyc_cases as k', 'k.client_id', 'c.id')
    .select(['c.id as clientId', 'k.id as caseRef'])
    .where('c.external_id', '=', externalId)
    .orderBy('k.id', 'desc')
    .executeTakeFirstOrThrow();
  return row;
}

const PORTAL: Actor = portalActor(null, 'demo seed');

/** The client's passport, as an image or a PDF, declared with `declaredExpiry` (the MRZ's unless told). */
async function sendPassport(ctx: StoryContext, clientId: string, p: Person, opts: { expiresAt: string; number: string; pdf?: boolean; declaredExpiry?: string }): Promise<void> {
  const data: PassportData = { ...p, documentNumber: opts.number, expiresAt: opts.expiresAt };
  const bytes = opts.pdf ? await passportPdf(data) : passportPng(data);
  await ctx.services.kyc.intake.uploadDocument(PORTAL, { clientId, documentType: 'passport', fileName: opts.pdf ? 'passport-scan.pdf' : 'passport.png', contentBase64: bytes.toString('base64'), expiresAt: opts.declaredExpiry ?? opts.expiresAt });
}

async function sendBill(ctx: StoryContext, clientId: string, name: string, address: string, daysAgo = 12): Promise<void> {
  const issuedAt = addDays(ctx.today, -daysAgo);
  const bytes = await proofOfAddressPdf({ name, address, issuedAt });
  await ctx.services.kyc.intake.uploadDocument(PORTAL, { clientId, documentType: 'proof_of_address', fileName: 'utility-bill.pdf', contentBase64: bytes.toString('base64'), issuedAt });
}

async function sendPdf(ctx: StoryContext, clientId: string, documentType: DocumentType, fileName: string, bytes: Buffer): Promise<void> {
  await ctx.services.kyc.intake.uploadDocument(PORTAL, { clientId, documentType, fileName, contentBase64: bytes.toString('base64') });
}

/**
 * Plays the stories. Decisions that screening must precede (approvals, the sanctions match) are made
 * only when a list is loaded; without one the cases stay open and say why.
 */
export async function seedKycStories(services: Services, opts: { generated?: ReadonlyArray<RegisterClientInput>; log?: (line: string) => void } = {}): Promise<{ registered: number; documents: number }> {
  const today = dateOf(services.store.now());
  const lists = await services.store.kysely.selectFrom('screening_list_versions').select('id').limit(1).executeTakeFirst();
  const ctx: StoryContext = { services, today, screened: Boolean(lists), log: opts.log ?? (() => undefined) };
  let registered = 0;
  for (const c of STORY_CLIENTS) if ((await services.clients.register(PORTAL, c, { demo: true })).created) registered++;
  const before = await countDocuments(services);

  // Uploads first, as clients send them; the provider checks they start run below.
  const maria = await clientOf(services, 'demo-eu-0001');
  await sendPassport(ctx, maria.clientId, { firstName: 'Maria', lastName: 'Georgiou', dateOfBirth: '1985-04-12', nationality: 'CY' }, { number: 'K0412855', expiresAt: addDays(today, 25) });
  await sendBill(ctx, maria.clientId, 'Maria Georgiou', '21 Archbishop Makarios III Ave, Nicosia');

  const jonas = await clientOf(services, 'demo-eu-0002');
  // Declared expiry differs from the one in the MRZ: the provider check flags it for the reviewer.
  await sendPassport(ctx, jonas.clientId, { firstName: 'Jonas', lastName: 'Weber', dateOfBirth: '1979-11-02', nationality: 'DE' }, { number: 'C01X00T47', expiresAt: '2031-08-19', declaredExpiry: '2031-09-19', pdf: true });
  await sendBill(ctx, jonas.clientId, 'Jonas Weber', 'Schönhauser Allee 44, 10435 Berlin', 40);

  const aegean = await clientOf(services, 'demo-eu-0004');
  await sendPdf(ctx, aegean.clientId, 'company_registration', 'certificate-of-incorporation.pdf', await companyCertificatePdf({ companyName: 'Aegean Shipping Services Ltd', number: 'HE 312845', country: 'CY', incorporatedAt: '2011-05-16' }));
  await sendBill(ctx, aegean.clientId, 'Aegean Shipping Services Ltd', '5 Gladstonos St, Limassol');

  const priya = await clientOf(services, 'demo-gl-0002');
  await sendPassport(ctx, priya.clientId, { firstName: 'Priya', lastName: 'Raman', dateOfBirth: '1991-07-30', nationality: 'IN' }, { number: 'Z4471032', expiresAt: addDays(today, 55) });
  await sendBill(ctx, priya.clientId, 'Priya Raman', '18 Marina Boulevard, Singapore 018980');

  const lucia = await clientOf(services, 'demo-eu-0005');
  await sendPassport(ctx, lucia.clientId, { firstName: 'Lucía', lastName: 'Fernández Ortega', dateOfBirth: '1992-06-18', nationality: 'ES' }, { number: 'PAE218734', expiresAt: '2033-03-02', pdf: true });

  const henrik = await clientOf(services, 'demo-eu-0006');
  await sendPassport(ctx, henrik.clientId, { firstName: 'Henrik', lastName: 'Lindqvist', dateOfBirth: '1983-01-27', nationality: 'SE' }, { number: '91827364', expiresAt: '2029-11-30' });
  await sendBill(ctx, henrik.clientId, 'Henrik Lindqvist', 'Götgatan 12, 116 46 Stockholm');

  const sophie = await clientOf(services, 'demo-eu-0008');
  await sendPassport(ctx, sophie.clientId, { firstName: 'Sophie', lastName: 'Marchetti', dateOfBirth: '1988-03-09', nationality: 'FR' }, { number: '19AV44821', expiresAt: '2030-04-11' });

  const tariq = await clientOf(services, 'demo-gl-0005');
  await sendPassport(ctx, tariq.clientId, { firstName: 'Tariq', lastName: 'Al-Hashimi', dateOfBirth: '1969-08-22', nationality: 'JO' }, { number: 'R7720419', expiresAt: '2029-02-14', pdf: true });
  await sendBill(ctx, tariq.clientId, 'Tariq Al-Hashimi', 'Villa 14, Al Barsha 2, Dubai');
  await sendPdf(ctx, tariq.clientId, 'source_of_wealth', 'source-of-wealth.pdf', await sourceOfWealthPdf({ name: 'Tariq Al-Hashimi', summary: 'Proceeds of the 2022 sale of a construction company (notarised contract attached); dividends since.' }));

  const adaeze = await clientOf(services, 'demo-gl-0006');
  await sendPassport(ctx, adaeze.clientId, { firstName: 'Adaeze', lastName: 'Okonkwo', dateOfBirth: '1980-12-01', nationality: 'NG' }, { number: 'A09182736', expiresAt: '2030-10-05' });
  await sendBill(ctx, adaeze.clientId, 'Adaeze Okonkwo', '3 Bree Street, Cape Town 8001');
  await sendPdf(ctx, adaeze.clientId, 'source_of_wealth', 'inheritance-letter.pdf', await sourceOfWealthPdf({ name: 'Adaeze Okonkwo', summary: 'Inheritance from the estate of her father, evidenced by the executor’s letter and probate order.' }));

  const lagoon = await clientOf(services, 'demo-gl-0007');
  await sendPdf(ctx, lagoon.clientId, 'company_registration', 'certificate.pdf', await companyCertificatePdf({ companyName: 'Blue Lagoon Holdings Ltd', number: '231477', country: 'SC', incorporatedAt: '2019-09-03' }));
  await sendBill(ctx, lagoon.clientId, 'Blue Lagoon Holdings Ltd', 'Suite 7, Eden Plaza, Mahé');

  // Generated clients: the first ones send a passport (image or PDF) and a bill.
  for (const [i, g] of (opts.generated ?? []).slice(0, GENERATED_WITH_DOCUMENTS).entries()) {
    if (g.type !== 'individual' || !g.firstName || !g.lastName || !g.dateOfBirth) continue;
    const { clientId } = await clientOf(services, g.externalId);
    await sendPassport(ctx, clientId, { firstName: g.firstName, lastName: g.lastName, dateOfBirth: g.dateOfBirth, nationality: g.nationality ?? g.country }, { number: `G${String(i + 1).padStart(7, '0')}`, expiresAt: addDays(today, i % 7 === 0 ? 40 : 1500 + i * 11), pdf: i % 2 === 1 });
    await sendBill(ctx, clientId, `${g.firstName} ${g.lastName}`, `${10 + i} Demo Street`, i % 60);
  }

  // The provider checks the passports (or, with no provider configured, the cases go to manual review).
  await services.jobs.drain();

  const eu = await staff(services, 'compliance.eu');
  const global = await staff(services, 'compliance.global');
  const mlro = await staff(services, 'mlro');
  const assign = (auth: AuthContext, caseRef: string) => services.kyc.workflow.assign(auth, caseRef, auth.user.id);

  // pending_documents: the bill is missing.
  await assign(eu, lucia.caseRef);
  await services.kyc.workflow.requestDocuments(eu, { caseRef: lucia.caseRef, documentTypes: ['proof_of_address'], note: 'Please send a utility bill or bank statement from the last three months showing your address in Spain.' });
  // Open and being worked: the mismatch and the company.
  await assign(eu, jonas.caseRef);
  await assign(eu, aegean.caseRef);
  // EDD under way, escalated to the MLRO.
  await assign(global, tariq.caseRef);
  await services.kyc.edd.completeEddItem(global, { caseRef: tariq.caseRef, item: 'adverse_media', note: 'World-Check and press search (English, Arabic): no adverse media.' });
  await services.kyc.workflow.escalate(global, { caseRef: tariq.caseRef, note: 'PEP (former deputy minister) paying in crypto: the relationship needs the MLRO.' });
  // A company with a layered ownership: escalated.
  await assign(global, lagoon.caseRef);
  await services.kyc.workflow.escalate(global, { caseRef: lagoon.caseRef, note: 'No shareholder holds 25%; ownership beyond the three named parties to be explained.' });
  // An override waiting for a second person.
  await assign(eu, sophie.caseRef);
  await services.kyc.overrides.override(eu, { caseRef: sophie.caseRef, decision: 'approve', reason: 'Existing client of the group: proof of address verified by the global entity in September; copy on file there.' });
  // Rejected: a second account.
  await assign(eu, henrik.caseRef);
  await services.kyc.workflow.reject(eu, { caseRef: henrik.caseRef, reason: 'duplicate_account' satisfies RejectionReason, note: 'Holds an account opened in 2024 under the same passport; the client was told to use it.' });

  if (ctx.screened) {
    // Screening came first: near-name hits cleared as false positives, with what settled them.
    const senior = await staff(services, 'senior');
    await clearHit(services, senior, maria.clientId, 'Different person: the SDN entry is Marilena Georgiou; first name and date of birth (1985-04-12) differ, passport checked.');
    await clearHit(services, global, lagoon.clientId, 'Different company: Bailey Holdings Pty Ltd is Australian; Blue Lagoon Holdings Ltd is incorporated in Seychelles (certificate 231477).');
    await assign(eu, maria.caseRef);
    await services.kyc.workflow.approve(eu, { caseRef: maria.caseRef, note: 'Passport and electricity bill match the declared details; screening clear.', policyBasis: 'AML/CFT manual 4.2: standard due diligence' });
    await assign(global, adaeze.caseRef);
    await services.kyc.edd.completeEddItem(global, { caseRef: adaeze.caseRef, item: 'adverse_media', note: 'No adverse media found (Factiva, Google News).' });
    await services.kyc.edd.completeEddItem(mlro, { caseRef: adaeze.caseRef, item: 'senior_approval', note: 'Relationship approved: domestic PEP, wealth inherited and evidenced.' });
    await services.kyc.workflow.approve(mlro, { caseRef: adaeze.caseRef, note: 'EDD complete: source of wealth evidenced, adverse media clear, MLRO sign-off recorded.', policyBasis: 'AML/CFT manual 5.3: enhanced due diligence for PEPs' });
    await confirmSanctionsMatch(services, senior);
  } else {
    ctx.log('No sanctions or PEP list is loaded: approvals wait for screening, so the seeded cases stay open.');
  }
  // Reminders for the documents that expire soon.
  await services.kyc.sweeps.sweepDocumentExpiry();
  return { registered, documents: (await countDocuments(services)) - before };
}

async function countDocuments(services: Services): Promise<number> {
  const row = await services.store.kysely.selectFrom('documents').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function clearHit(services: Services, auth: AuthContext, clientId: string, reason: string): Promise<void> {
  const hits = await services.store.kysely.selectFrom('screening_cases').select('id').where('client_id', '=', clientId).where('status', '=', 'open').execute();
  for (const hit of hits) await services.screening.decide(auth, { caseId: hit.id, decision: 'false_positive', reason });
}

/** The SDN entry 15892 client's open hit, confirmed: the client is restricted and the MLRO alerted. */
async function confirmSanctionsMatch(services: Services, senior: AuthContext): Promise<void> {
  const { clientId } = await clientOf(services, 'demo-gl-0008');
  const hit = await services.store.kysely.selectFrom('screening_cases').select('id').where('client_id', '=', clientId).where('status', '=', 'open').orderBy('score', 'desc').executeTakeFirst();
  if (!hit) return;
  await services.screening.decide(senior, { caseId: hit.id, decision: 'true_match', reason: 'Name, date of birth 1973-09-28 and Russian nationality agree with SDN 15892; the passport copy shows the same person.' });
}
