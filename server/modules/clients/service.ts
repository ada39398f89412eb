// Clients: registration from the client portal (idempotent on externalId), changes of personal
// details, the client record, and the timeline a regulator asks for ("show me this client"):
// every audited event about the client, in order, with its actor and evidence.

import { randomUUID } from 'node:crypto';
import countries from 'i18n-iso-countries';
import { capabilities } from '../../../shared/clients/lifecycle.js';
import type { RegisterClientInput, UpdateClientInput } from '../../../shared/clients/schemas.js';
import { DomainError } from '../../../shared/errors.js';
import type { Actor } from '../../core/actor.js';
import type { Store } from '../../core/store.js';
import { nextRef } from '../../db/counters.js';
import type { ClientPartyRow, ClientRow } from '../../db/schema.js';
import { canonicalJson } from '../audit/canonical.js';
import { auditItem } from '../audit/service.js';
import { openCase } from '../kyc/case-record.js';
import type { KycRisk } from '../kyc/risk.js';
import type { ScreeningService } from '../screening/service.js';
import { clientSubjects } from '../screening/subjects.js';
import { loadClient } from './restrictions.js';
import { type AuthContext, requireEntity } from '../../core/auth.js';
import { dateOf } from '../../../shared/time.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';

/** Clients must be adults. */
const MINIMUM_AGE = 18;

function validateCountry(code: string | undefined, field: string): void {
  if (code !== undefined && !countries.isValid(code)) {
    throw new DomainError('VALIDATION_FAILED', `${field}: "${code}" is not an ISO 3166-1 country code.`, { issues: [{ path: field, message: `"${code}" is not an ISO 3166-1 country code` }] });
  }
}

function validateBirthDate(dob: string | undefined, field: string, now: string): void {
  if (dob === undefined) return;
  const today = dateOf(now);
  if (dob > today) throw new DomainError('VALIDATION_FAILED', `${field}: ${dob} is in the future.`, { issues: [{ path: field, message: `${dob} is in the future` }] });
  const adult = `${Number(today.slice(0, 4)) - MINIMUM_AGE}${today.slice(4)}`;
  if (dob > adult) throw new DomainError('VALIDATION_FAILED', `${field}: the client must be at least ${MINIMUM_AGE} years old (born on or before ${adult}).`, { issues: [{ path: field, message: `must be at least ${MINIMUM_AGE} years old` }] });
}

function displayName(c: { type: string; firstName?: string | null | undefined; lastName?: string | null | undefined; companyName?: string | null | undefined }): string {
  return c.type === 'corporate' ? c.companyName! : `${c.firstName} ${c.lastName}`;
}

/** What the client sent, as the audit log and the idempotency check see it. */
function registrationRecord(input: RegisterClientInput) {
  return {
    externalId: input.externalId,
    type: input.type,
    legalEntity: input.legalEntity,
    firstName: input.firstName ?? null,
    lastName: input.lastName ?? null,
    companyName: input.companyName ?? null,
    email: input.email.toLowerCase(),
    phone: input.phone ?? null,
    country: input.country,
    nationality: input.nationality ?? null,
    dateOfBirth: input.dateOfBirth ?? null,
    accountType: input.accountType,
    parties: (input.parties ?? []).map((p) => ({ ...p })),
    politicallyExposed: input.politicallyExposed ?? false,
    paymentMethod: input.paymentMethod ?? null,
    sourceOfFunds: input.sourceOfFunds ?? null,
  };
}

/**
 * A registration record as the idempotency check compares it: corporate parties in a stable order
 * with their roles sorted and absent fields as null, so that a re-send of the same registration
 * matches whatever order the portal lists the parties in and however the record was stored.
 */
function comparable(record: Record<string, unknown>): Record<string, unknown> {
  const parties = Array.isArray(record.parties) ? (record.parties as Array<Record<string, unknown>>) : [];
  const normalised = parties
    .map((p) => ({
      firstName: p.firstName ?? null,
      lastName: p.lastName ?? null,
      roles: Array.isArray(p.roles) ? [...(p.roles as string[])].sort() : [],
      ownershipPercent: p.ownershipPercent ?? null,
      dateOfBirth: p.dateOfBirth ?? null,
      nationality: p.nationality ?? null,
      country: p.country ?? null,
    }))
    .map((p) => canonicalJson(p))
    .sort();
  return { ...record, parties: normalised };
}

export type ClientView = ReturnType<typeof clientView>;

export function clientView(row: ClientRow, parties: readonly ClientPartyRow[], opts: { pii: boolean; depositWhilePendingReview?: boolean }) {
  const mask = (v: string | null) => (v === null || opts.pii ? v : '•••');
  const restrictions = readJson(JSON_COLUMNS.restrictions, row.restrictions_json, `clients.restrictions_json of ${row.id}`);
  return {
    id: row.id,
    externalId: row.external_id,
    legalEntity: row.legal_entity,
    type: row.type,
    name: row.type === 'corporate' ? row.display_name : (mask(row.display_name) ?? ''),
    firstName: mask(row.first_name),
    lastName: mask(row.last_name),
    companyName: row.company_name,
    email: mask(row.email),
    phone: mask(row.phone),
    country: row.country,
    nationality: row.nationality,
    dateOfBirth: mask(row.date_of_birth),
    accountType: row.account_type,
    status: row.status,
    restrictions,
    capabilities: capabilities(row.status, { restrictions, depositWhilePendingReview: opts.depositWhilePendingReview ?? false }),
    screeningStatus: row.screening_status,
    riskLevel: row.risk_level,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    statusChangedAt: row.status_changed_at,
    parties: parties.map((p) => ({
      id: p.id,
      name: mask(`${p.first_name} ${p.last_name}`),
      roles: readJson(JSON_COLUMNS.partyRoles, p.roles_json, `client_parties.roles_json of ${p.id}`),
      dateOfBirth: mask(p.date_of_birth),
      nationality: p.nationality,
      country: p.country,
      ownershipPercent: p.ownership_bp === null ? null : p.ownership_bp / 100,
    })),
  };
}

export class ClientsService {
  constructor(
    private readonly store: Store,
    private readonly screening: ScreeningService,
    private readonly kyc: KycRisk,
  ) {}

  /** Registers a client from the portal. The same externalId with the same data returns the same client; with other data it is refused. */
  async register(actor: Actor, input: RegisterClientInput, opts: { demo?: boolean } = {}): Promise<{ clientId: string; created: boolean }> {
    const now = this.store.now();
    validateCountry(input.country, 'country');
    validateCountry(input.nationality, 'nationality');
    validateBirthDate(input.dateOfBirth, 'dateOfBirth', now);
    (input.parties ?? []).forEach((p, i) => {
      validateCountry(p.nationality, `parties.${i}.nationality`);
      validateCountry(p.country, `parties.${i}.country`);
      validateBirthDate(p.dateOfBirth, `parties.${i}.dateOfBirth`, now);
    });
    const record = registrationRecord(input);
    const db = this.store.kysely;
    const existing = await db.selectFrom('clients').select('id').where('external_id', '=', input.externalId).executeTakeFirst();
    if (existing) return this.sameRegistration(existing.id, record);

    const entity = await db.selectFrom('legal_entities').select('id').where('id', '=', input.legalEntity).executeTakeFirst();
    if (!entity) throw new DomainError('VALIDATION_FAILED', `legalEntity: "${input.legalEntity}" is not one of this broker's legal entities.`, { issues: [{ path: 'legalEntity', message: 'unknown legal entity' }] });
    const types = await db.selectFrom('account_types').selectAll().where('legal_entity', '=', input.legalEntity).where('active', '=', 1).orderBy('code').execute();
    const accountType = types.find((t) => t.code === input.accountType);
    if (!accountType || !readJson(JSON_COLUMNS.strings, accountType.client_types_json, `account_types.client_types_json of ${accountType.code}`).includes(input.type)) {
      const offered = types.filter((t) => readJson(JSON_COLUMNS.strings, t.client_types_json, `account_types.client_types_json of ${t.code}`).includes(input.type)).map((t) => t.code);
      throw new DomainError('VALIDATION_FAILED', `accountType: "${input.accountType}" is not offered to ${input.type} clients of ${input.legalEntity}; offered: ${offered.join(', ') || 'none'}.`, {
        issues: [{ path: 'accountType', message: `unknown account type; offered: ${offered.join(', ')}` }],
      });
    }

    const [lists, policy] = await Promise.all([this.screening.loaded(), this.screening.policy()]);
    try {
      return await this.store.mutate(actor, async (m) => {
        const id = await nextRef(m.trx, 'CL');
        const row: ClientRow = {
          id,
          external_id: input.externalId,
          legal_entity: input.legalEntity,
          type: input.type,
          first_name: record.firstName,
          last_name: record.lastName,
          company_name: record.companyName,
          display_name: displayName(record),
          email: record.email,
          phone: record.phone,
          country: record.country,
          nationality: record.nationality,
          date_of_birth: record.dateOfBirth,
          account_type: input.accountType,
          status: 'registered',
          restrictions_json: '[]',
          screening_status: 'not_screened',
          risk_level: null,
          is_demo: opts.demo ? 1 : 0,
          pep_declared: record.politicallyExposed ? 1 : 0,
          payment_method: record.paymentMethod,
          source_of_funds: record.sourceOfFunds,
          created_at: m.now,
          updated_at: m.now,
          status_changed_at: m.now,
        };
        await m.trx.insertInto('clients').values(row).execute();
        const parties: ClientPartyRow[] = (input.parties ?? []).map((p) => ({
          id: randomUUID(),
          client_id: id,
          roles_json: JSON.stringify(p.roles),
          first_name: p.firstName,
          last_name: p.lastName,
          date_of_birth: p.dateOfBirth ?? null,
          nationality: p.nationality ?? null,
          country: p.country ?? null,
          ownership_bp: p.ownershipPercent === undefined ? null : Math.round(p.ownershipPercent * 100),
          created_at: m.now,
        }));
        if (parties.length) await m.trx.insertInto('client_parties').values(parties).execute();
        m.audit({ action: 'client.registered', targetType: 'client', targetId: id, clientId: id, legalEntity: input.legalEntity, after: { ...record, status: 'registered' } });
        m.changed('clients', id, input.legalEntity, 'insert');
        await openCase(m, row, 'Registration');
        await this.screening.screenSubjects(m, clientSubjects(row, parties), 'registration', lists, policy);
        await this.kyc.onClientChanged(m, id, ['registration']);
        return { clientId: id, created: true };
      });
    } catch (error) {
      // Two registrations with one externalId at once: the loser answers like a repeat.
      const again = await db.selectFrom('clients').select('id').where('external_id', '=', input.externalId).executeTakeFirst();
      if (again) return this.sameRegistration(again.id, record);
      throw error;
    }
  }

  private async sameRegistration(clientId: string, record: ReturnType<typeof registrationRecord>): Promise<{ clientId: string; created: boolean }> {
    const first = await this.store.kysely.selectFrom('audit_events').select('after_json').where('action', '=', 'client.registered').where('target_id', '=', clientId).executeTakeFirstOrThrow();
    const stored = comparable(readJson(JSON_COLUMNS.object, first.after_json ?? 'null', `audit_events.after_json of client.registered ${clientId}`));
    const sent = comparable(record);
    const differs = Object.keys(record).filter((k) => canonicalJson(stored[k] ?? null) !== canonicalJson(sent[k] ?? null));
    if (differs.length) {
      throw new DomainError('ALREADY_EXISTS', `A client with externalId ${record.externalId} is already registered (${clientId}) with different ${differs.join(', ')}; nothing was changed. Update an existing client's details instead.`, { clientId, differs });
    }
    return { clientId, created: false };
  }

  /** A change of personal details. A new name, date of birth or nationality is screened again at once. */
  async update(actor: Actor, input: UpdateClientInput): Promise<{ clientId: string; changed: string[]; screened: boolean }> {
    const now = this.store.now();
    validateCountry(input.country, 'country');
    validateCountry(input.nationality, 'nationality');
    validateBirthDate(input.dateOfBirth, 'dateOfBirth', now);
    const [lists, policy] = await Promise.all([this.screening.loaded(), this.screening.policy()]);
    return this.store.mutate(actor, async (m) => {
      const client = await loadClient(m, input.clientId);
      if (client.status === 'closed') throw new DomainError('INVALID_TRANSITION', `Client ${client.id} is closed; its details can no longer change.`);
      if (client.type === 'individual' && input.companyName) throw new DomainError('VALIDATION_FAILED', 'companyName: is for corporate clients only.');
      if (client.type === 'corporate' && (input.firstName || input.lastName || input.dateOfBirth)) throw new DomainError('VALIDATION_FAILED', 'firstName, lastName, dateOfBirth: a corporate client has none; change its directors or owners instead.');
      const columns = { firstName: 'first_name', lastName: 'last_name', companyName: 'company_name', email: 'email', phone: 'phone', country: 'country', nationality: 'nationality', dateOfBirth: 'date_of_birth', paymentMethod: 'payment_method', sourceOfFunds: 'source_of_funds', politicallyExposed: 'pep_declared' } as const;
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      const set: Partial<ClientRow> = {};
      for (const [field, column] of Object.entries(columns) as Array<[keyof typeof columns, (typeof columns)[keyof typeof columns]]>) {
        const raw = field === 'email' && input.email ? input.email.toLowerCase() : input[field];
        const value = typeof raw === 'boolean' ? (raw ? 1 : 0) : raw;
        if (value === undefined || value === client[column]) continue;
        before[field] = client[column];
        after[field] = value;
        (set as Record<string, unknown>)[column] = value;
      }
      const changed = Object.keys(after);
      if (changed.length === 0) {
        m.audit({ action: 'client.update_unchanged', targetType: 'client', targetId: client.id, clientId: client.id, legalEntity: client.legal_entity, reason: 'The details sent are the ones on record.' });
        return { clientId: client.id, changed, screened: false };
      }
      const next: ClientRow = { ...client, ...set, updated_at: m.now };
      next.display_name = displayName({ type: next.type, firstName: next.first_name, lastName: next.last_name, companyName: next.company_name });
      await m.trx.updateTable('clients').set({ ...set, display_name: next.display_name, updated_at: m.now }).where('id', '=', client.id).execute();
      m.audit({ action: 'client.details_changed', targetType: 'client', targetId: client.id, clientId: client.id, legalEntity: client.legal_entity, before, after });
      m.changed('clients', client.id, client.legal_entity, 'update');
      const screened = changed.some((f) => ['firstName', 'lastName', 'companyName', 'dateOfBirth', 'nationality'].includes(f));
      if (screened) {
        const parties = await m.trx.selectFrom('client_parties').selectAll().where('client_id', '=', client.id).execute();
        await this.screening.screenSubjects(m, clientSubjects(next, parties).filter((s) => s.partyId === ''), 'client_change', lists, policy);
      }
      await this.kyc.onClientChanged(m, client.id, changed);
      return { clientId: client.id, changed, screened };
    });
  }

  async get(auth: AuthContext, clientId: string): Promise<ClientView> {
    const db = this.store.kysely;
    const row = await db.selectFrom('clients').selectAll().where('id', '=', clientId).executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', `Client ${clientId} does not exist.`);
    requireEntity(auth, 'clients.read', row.legal_entity);
    const parties = await db.selectFrom('client_parties').selectAll().where('client_id', '=', clientId).orderBy('created_at').execute();
    return clientView(row, parties, { pii: auth.scope('clients.pii').includes(row.legal_entity) });
  }

  /** Every audited event about one client, oldest first, each with its actor, evidence and references. */
  async timeline(auth: AuthContext, clientId: string) {
    const db = this.store.kysely;
    const row = await db.selectFrom('clients').select(['id', 'legal_entity', 'display_name', 'status']).where('id', '=', clientId).executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', `Client ${clientId} does not exist.`);
    requireEntity(auth, 'clients.read', row.legal_entity);
    const events = await db.selectFrom('audit_events').selectAll().where('client_id', '=', clientId).orderBy('seq').execute();
    return {
      clientId,
      legalEntity: row.legal_entity,
      status: row.status,
      // Masked for readers without clients.pii by the disclosure rule every answer goes through.
      items: events.map(auditItem),
    };
  }
}
