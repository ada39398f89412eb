// The deterministic demo brokerage: two legal entities and at least one staff user per role, some
// scoped to one entity. Same seed, same usernames, passwords and TOTP secrets. Demo users are
// flagged and can sign in only when the server runs with DEMO=1.

import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Role } from '../../shared/access/permissions.js';
import { DomainError } from '../../shared/errors.js';
import type { Actor } from '../core/actor.js';
import type { Services } from '../services.js';
import { redactUrl } from '../db/connect.js';
import { readListFiles } from '../modules/screening/lists/read.js';
import { generatedClients, seedAccountTypes, seedClients } from './clients.js';
import { activateFatfLists } from './kyc.js';
import { GENERATED_WITH_DOCUMENTS, seedKycStories } from './kyc-stories.js';

export const LEGAL_ENTITIES = [
  { id: 'eu', name: 'Meridian Markets (Europe) Ltd', regulator: 'CySEC', jurisdiction: 'CY' },
  { id: 'global', name: 'Meridian Markets Global Ltd', regulator: 'FSA Seychelles', jurisdiction: 'SC' },
] as const;

const BOTH = ['eu', 'global'];

export const DEMO_STAFF: ReadonlyArray<{ username: string; displayName: string; role: Role; entities: string[] }> = [
  { username: 'admin', displayName: 'Alex Admin', role: 'administrator', entities: BOTH },
  { username: 'admin2', displayName: 'Bea Admin', role: 'administrator', entities: BOTH },
  { username: 'admin.eu', displayName: 'Chris Admin (EU)', role: 'administrator', entities: ['eu'] },
  { username: 'support', displayName: 'Sam Support', role: 'support', entities: BOTH },
  { username: 'compliance', displayName: 'Cora Compliance', role: 'compliance_officer', entities: BOTH },
  { username: 'compliance.eu', displayName: 'Elena Compliance (EU)', role: 'compliance_officer', entities: ['eu'] },
  { username: 'compliance.global', displayName: 'Gus Compliance (Global)', role: 'compliance_officer', entities: ['global'] },
  { username: 'senior', displayName: 'Sofia Senior', role: 'senior_compliance_officer', entities: BOTH },
  { username: 'mlro', displayName: 'Max MLRO', role: 'mlro', entities: BOTH },
  { username: 'finance', displayName: 'Fiona Finance', role: 'finance_officer', entities: BOTH },
  { username: 'finance.eu', displayName: 'Felix Finance (EU)', role: 'finance_officer', entities: ['eu'] },
  { username: 'finmanager', displayName: 'Frank Finance Manager', role: 'finance_manager', entities: BOTH },
  { username: 'dealer', displayName: 'Dana Dealer', role: 'dealer', entities: BOTH },
  { username: 'dealer.global', displayName: 'Dmitri Dealer (Global)', role: 'dealer', entities: ['global'] },
  { username: 'dealmanager', displayName: 'Derek Dealing Manager', role: 'dealing_manager', entities: BOTH },
  { username: 'risk', displayName: 'Rita Risk', role: 'risk_officer', entities: BOTH },
  { username: 'ibmanager', displayName: 'Ivan IB Manager', role: 'ib_manager', entities: BOTH },
  { username: 'auditor', displayName: 'Aida Auditor', role: 'auditor', entities: BOTH },
  { username: 'auditor.eu', displayName: 'Erik Auditor (EU)', role: 'auditor', entities: ['eu'] },
];

export interface DemoCredential {
  username: string;
  password: string;
  totpSecret: string;
  roles: Role[];
  legalEntities: string[];
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

const derive = (seed: number, label: string) => createHmac('sha256', `fx-backoffice-demo-${seed}`).update(label).digest();

export function demoPassword(seed: number, username: string): string {
  return `Demo-${derive(seed, `password:${username}`).toString('base64url').slice(0, 12)}-7a`;
}

export function demoTotpSecret(seed: number, username: string): string {
  return base32(derive(seed, `totp:${username}`).subarray(0, 20));
}

const SEED_ACTOR: Actor = { id: 'seed', name: 'seed', ip: null, userAgent: null, sessionId: null };

export async function seedDemo(
  services: Services,
  opts: {
    seed: number;
    staff?: typeof DEMO_STAFF;
    clients?: number;
    onProgress?: (done: number, total: number) => void;
    /** play the KYC stories (server/seed/kyc-stories.ts) on a first seed */
    stories?: boolean;
    /** the product's data folder (../shared/data): when given, the FATF lists and the OFAC SDN list of 2024-04-26 are loaded first */
    sharedData?: string | null;
    log?: (line: string) => void;
  },
): Promise<{ credentials: DemoCredential[]; created: boolean; clientsRegistered: number }> {
  const db = services.store.kysely;
  const foreign = await db.selectFrom('users').select('username').where('is_demo', '=', 0).limit(1).executeTakeFirst();
  if (foreign) {
    throw new DomainError('INVALID_TRANSITION', `This database holds non-demo data (user "${foreign.username}"); the demo seed refuses to touch it.`);
  }
  const staff = opts.staff ?? DEMO_STAFF;
  const credentials: DemoCredential[] = staff.map((s) => ({
    username: s.username,
    password: demoPassword(opts.seed, s.username),
    totpSecret: demoTotpSecret(opts.seed, s.username),
    roles: [s.role],
    legalEntities: s.entities,
  }));
  const existing = await db.selectFrom('users').select('username').limit(1).executeTakeFirst();
  if (existing) {
    // A seeded folder starts as it is: the cast's later history (the KYC stories) changed those
    // clients, so their registrations are never replayed. Only generated clients beyond those
    // already there (a larger --clients) are registered.
    const finished = await db.selectFrom('audit_events').select('seq').where('action', '=', 'seed.completed').limit(1).executeTakeFirst();
    if (!finished) throw new SeedIncompleteError();
    const { registered } = await registerMissingGenerated(services, opts);
    return { credentials, created: false, clientsRegistered: registered };
  }

  await services.store.mutate(SEED_ACTOR, async (m) => {
    for (const e of LEGAL_ENTITIES) {
      // An entity left by an interrupted earlier seed is kept as it is, and not recorded again.
      const inserted = await m.trx.insertInto('legal_entities').values({ ...e, created_at: m.now }).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) continue;
      m.audit({ action: 'entity.created', targetType: 'legal_entity', targetId: e.id, legalEntity: e.id, after: e, reason: 'demo seed' });
      m.changed('legal_entities', e.id, e.id, 'insert');
    }
    m.audit({ action: 'seed.started', reason: 'demo seed of an empty system' });
  });
  opts.log?.(`Seeding the demo brokerage: ${staff.length} staff users, then reference data, clients${opts.stories ? ' and the KYC stories' : ''}.`);
  for (const [i, s] of staff.entries()) {
    const { userId } = await services.users.createUser(SEED_ACTOR, { username: s.username, displayName: s.displayName, password: credentials[i]!.password }, { isDemo: true, mustChangePassword: false });
    await services.users.setTotpSecret(SEED_ACTOR, userId, credentials[i]!.totpSecret);
    await services.store.mutate(SEED_ACTOR, async (m) => {
      for (const legalEntity of s.entities) {
        await services.grants.bootstrapGrant(m, { userId, role: s.role, legalEntity, reason: 'demo seed: initial staff of an empty system' });
      }
    });
  }
  opts.log?.(`Demo staff created (${staff.length} users); account types, reference data and clients next.`);
  await seedAccountTypes(services, SEED_ACTOR, LEGAL_ENTITIES.map((e) => e.id));
  if (opts.sharedData) await loadReferenceData(services, opts.sharedData, opts.log ?? (() => undefined));
  let { registered } = await seedClients(services, SEED_ACTOR, { seed: opts.seed, count: opts.clients ?? 0, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
  if (opts.stories) {
    const generated = generatedClients(opts.seed, Math.min(opts.clients ?? 0, GENERATED_WITH_DOCUMENTS));
    const stories = await seedKycStories(services, { generated, ...(opts.log ? { log: opts.log } : {}) });
    registered += stories.registered;
    const { documents } = stories;
    opts.log?.(`KYC stories played: ${documents} generated documents received`);
  }
  // The mark a restart looks for: without it, the folder holds a seed that stopped half-way.
  await services.store.mutate(SEED_ACTOR, async (m) => {
    m.audit({ action: 'seed.completed', reason: `demo seed ${opts.seed} finished: ${staff.length} staff users, ${registered} clients registered` });
  });
  await services.auditLog.checkpointNow(services.store.now());
  return { credentials, created: true, clientsRegistered: registered };
}

/** The seed of this database started but never finished (the process was killed during its first run). */
export class SeedIncompleteError extends Error {
  override readonly name = 'SeedIncompleteError';
  constructor() {
    super('This demo database was left half-seeded: its first seed stopped before it finished (no seed.completed event in the audit log), so some demo users or clients are missing and the KYC stories cannot be resumed.');
  }

  /** The message with what to delete, for the command-line tools. */
  advice(dataDir: string, databaseUrl?: string): string {
    return databaseUrl
      ? `${this.message} Drop and re-create the database ${redactUrl(databaseUrl)}, then run the seed again.`
      : `${this.message} Delete the folder ${dataDir} (it holds only demo data) and start again; the seed builds it anew.`;
  }
}

/** Generated clients (seed, index) not registered yet: only a larger --clients adds any. */
async function registerMissingGenerated(services: Services, opts: { seed: number; clients?: number; onProgress?: (done: number, total: number) => void }): Promise<{ registered: number }> {
  const wanted = generatedClients(opts.seed, opts.clients ?? 0);
  if (wanted.length === 0) return { registered: 0 };
  const present = new Set((await services.store.kysely.selectFrom('clients').select('external_id').where('external_id', 'like', `gen-${opts.seed}-%`).execute()).map((r) => r.external_id));
  let registered = 0;
  for (const [i, client] of wanted.entries()) {
    if (!present.has(client.externalId) && (await services.clients.register(SEED_ACTOR, client, { demo: true })).created) registered++;
    if (opts.onProgress && (i + 1) % 500 === 0) opts.onProgress(i + 1, wanted.length);
  }
  return { registered };
}

/** FATF lists (as kyc.risk, approved by the demo MLRO) and the OFAC SDN list of 2024-04-26, before any client registers. */
async function loadReferenceData(services: Services, dir: string, log: (line: string) => void): Promise<void> {
  const fatf = path.join(dir, 'country', 'fatf_lists.json');
  if (fs.existsSync(fatf)) {
    const { version } = await activateFatfLists(services, fatf);
    log(`kyc.risk version ${version} holds the FATF lists from ${fatf}`);
  }
  // The earlier of the two SDN files: loading the 2024-05-03 one later shows a designation reaching clients.
  const sdn = path.join(dir, 'sanctions', 'ofac', 'sdn_2024-04-26', 'sdn.csv');
  if (fs.existsSync(sdn)) {
    const { import: imported } = await services.screening.importList(SEED_ACTOR, await readListFiles([sdn]));
    log(`Sanctions list ${imported.source} loaded from ${sdn}: ${imported.entries} entries (${imported.versionId})`);
  }
}

export function writeCredentials(dataDir: string, credentials: DemoCredential[]): string {
  const file = path.join(dataDir, 'demo-credentials.json');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  return file;
}
