// Demo clients: account types in both legal entities, a fixed cast of clients every demo has
// (among them people and a company designated by OFAC on 2024-05-03, so that loading that SDN
// update over the 2024-04-26 one opens review cases for them), and N generated ones for volume.
// Registered through the same service the portal uses, so each is screened and audited.

import { faker } from '@faker-js/faker';
import type { RegisterClientInput } from '../../shared/clients/schemas.js';
import type { Actor } from '../core/actor.js';
import type { Services } from '../services.js';

export const DEMO_ACCOUNT_TYPES = [
  { code: 'standard', name: 'Standard (retail)', clientTypes: ['individual', 'corporate'] },
  { code: 'professional', name: 'Professional (elective or per se)', clientTypes: ['individual', 'corporate'] },
] as const;

/**
 * The fixed cast. The watch-list ones carry the names, dates of birth and nationalities of SDN
 * entries 48604, 48754 and 48325 (added 2024-05-03), and the company of entry 47987: public facts
 * from the US Treasury's list, used here so the demo can show a designation reaching clients.
 */
export const DEMO_CLIENTS: ReadonlyArray<RegisterClientInput & { note?: string }> = [
  { externalId: 'demo-eu-0001', type: 'individual', legalEntity: 'eu', firstName: 'Maria', lastName: 'Georgiou', email: 'maria.georgiou@example.com', phone: '+35799123456', country: 'CY', nationality: 'CY', dateOfBirth: '1985-04-12', accountType: 'standard' },
  { externalId: 'demo-eu-0002', type: 'individual', legalEntity: 'eu', firstName: 'Jonas', lastName: 'Weber', email: 'jonas.weber@example.com', country: 'DE', nationality: 'DE', dateOfBirth: '1979-11-02', accountType: 'professional' },
  { externalId: 'demo-eu-0003', type: 'individual', legalEntity: 'eu', firstName: 'Natalia', lastName: 'Butrym', email: 'n.butrym@example.com', country: 'LT', nationality: 'BY', dateOfBirth: '1994-12-14', accountType: 'standard', note: 'SDN 48754 (2024-05-03)' },
  {
    externalId: 'demo-eu-0004',
    type: 'corporate',
    legalEntity: 'eu',
    companyName: 'Aegean Shipping Services Ltd',
    email: 'finance@aegean-shipping.example.com',
    country: 'CY',
    accountType: 'professional',
    parties: [
      { firstName: 'Nikos', lastName: 'Papadopoulos', roles: ['director'], dateOfBirth: '1968-02-20', nationality: 'GR', country: 'CY' },
      { firstName: 'Eleni', lastName: 'Papadopoulou', roles: ['shareholder', 'ubo'], ownershipPercent: 60, dateOfBirth: '1971-09-05', nationality: 'CY', country: 'CY' },
    ],
  },
  { externalId: 'demo-gl-0001', type: 'individual', legalEntity: 'global', firstName: 'Ivan', lastName: 'Seliverstov', email: 'ivan.s@example.com', country: 'AE', nationality: 'RU', dateOfBirth: '1989-03-10', accountType: 'standard', note: 'SDN 48604 (2024-05-03)' },
  { externalId: 'demo-gl-0002', type: 'individual', legalEntity: 'global', firstName: 'Priya', lastName: 'Raman', email: 'priya.raman@example.com', country: 'SG', nationality: 'IN', dateOfBirth: '1991-07-30', accountType: 'standard' },
  {
    externalId: 'demo-gl-0003',
    type: 'corporate',
    legalEntity: 'global',
    companyName: 'Cedar Coast Trading SAL',
    email: 'accounts@cedarcoast.example.com',
    country: 'LB',
    accountType: 'standard',
    note: 'director: SDN 48325 (2024-05-03)',
    parties: [
      { firstName: 'Firas', lastName: 'Moukalled', roles: ['director', 'shareholder', 'ubo'], ownershipPercent: 51, dateOfBirth: '1990-10-09', nationality: 'LB', country: 'LB' },
      { firstName: 'Rania', lastName: 'Haddad', roles: ['director'], dateOfBirth: '1984-01-15', nationality: 'LB', country: 'LB' },
    ],
  },
  {
    externalId: 'demo-gl-0004',
    type: 'corporate',
    legalEntity: 'global',
    companyName: 'Artmarine LLC',
    email: 'office@artmarine.example.com',
    country: 'RU',
    accountType: 'professional',
    note: 'SDN 47987 (2024-05-03)',
    parties: [{ firstName: 'Oleg', lastName: 'Sokolov', roles: ['director'], dateOfBirth: '1975-05-05', nationality: 'RU', country: 'RU' }],
  },
];

/** Generated clients, deterministic for a seed. */
export function generatedClients(seed: number, count: number): RegisterClientInput[] {
  faker.seed(seed);
  const countries = ['CY', 'DE', 'FR', 'IT', 'ES', 'GR', 'NL', 'PL', 'AE', 'SG', 'ZA', 'NG', 'BR', 'MX', 'TH', 'MY', 'KE', 'CL'];
  return Array.from({ length: count }, (_, i) => {
    const legalEntity = i % 3 === 0 ? 'global' : 'eu';
    const country = faker.helpers.arrayElement(countries);
    const sex = faker.helpers.arrayElement(['female', 'male'] as const);
    const firstName = faker.person.firstName(sex);
    const lastName = faker.person.lastName();
    return {
      externalId: `gen-${seed}-${String(i + 1).padStart(7, '0')}`,
      type: 'individual' as const,
      legalEntity,
      firstName,
      lastName,
      email: faker.internet.email({ firstName, lastName, provider: 'example.com' }).toLowerCase(),
      country,
      nationality: country,
      dateOfBirth: faker.date.birthdate({ mode: 'age', min: 19, max: 80, refDate: '2026-01-01T00:00:00Z' }).toISOString().slice(0, 10),
      accountType: faker.helpers.weightedArrayElement([
        { weight: 9, value: 'standard' },
        { weight: 1, value: 'professional' },
      ]),
    };
  });
}

export async function seedAccountTypes(services: Services, actor: Actor, entities: readonly string[]): Promise<void> {
  await services.store.mutate(actor, async (m) => {
    for (const legalEntity of entities) {
      for (const t of DEMO_ACCOUNT_TYPES) {
        const inserted = await m.trx
          .insertInto('account_types')
          .values({ legal_entity: legalEntity, code: t.code, name: t.name, client_types_json: JSON.stringify(t.clientTypes), active: 1, created_at: m.now })
          .onConflict((oc) => oc.columns(['legal_entity', 'code']).doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) continue;
        m.audit({ action: 'account_type.created', targetType: 'account_type', targetId: `${legalEntity}:${t.code}`, legalEntity, after: t, reason: 'demo seed' });
      }
    }
  });
}

/** Registers the fixed cast and `count` generated clients; a client already there is left as it is. */
export async function seedClients(services: Services, actor: Actor, opts: { seed: number; count: number; onProgress?: (done: number, total: number) => void }): Promise<{ registered: number }> {
  const all = [...DEMO_CLIENTS.map(({ note: _note, ...c }) => c), ...generatedClients(opts.seed, opts.count)];
  let registered = 0;
  for (const [i, client] of all.entries()) {
    const r = await services.clients.register(actor, client, { demo: true });
    if (r.created) registered++;
    if (opts.onProgress && (i + 1) % 500 === 0) opts.onProgress(i + 1, all.length);
  }
  return { registered };
}
