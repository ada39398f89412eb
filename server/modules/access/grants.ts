// Which role grants are in force: not revoked, and not past their end date. A grant with an end
// date stops counting at that instant, before the lapse job records it, so that a session re-reading
// its rights never sees a grant that has ended.

import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import { isRole, type Role } from '../../../shared/access/permissions.js';
import type { Grant } from '../../core/auth.js';

type Reader = Kysely<Database> | Transaction<Database>;

export function grantsInForce(db: Reader, now: string) {
  return db
    .selectFrom('role_grants')
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('ends_at', 'is', null), eb('ends_at', '>', now)]));
}

/** The legal entities in which the user holds a grant in force: an administrator must cover all of them. */
export async function entitiesOfUser(db: Reader, userId: string, now: string): Promise<string[]> {
  const rows = await grantsInForce(db, now).select('legal_entity').distinct().where('user_id', '=', userId).execute();
  return rows.map((r) => r.legal_entity).sort();
}

/** The grants in force of a user, as sessions and sign-in read them. */
export async function grantsOf(db: Reader, userId: string, now: string): Promise<Grant[]> {
  const rows = await grantsInForce(db, now).select(['role', 'legal_entity']).where('user_id', '=', userId).execute();
  return rows.filter((r) => isRole(r.role)).map((r) => ({ role: r.role as Role, legalEntity: r.legal_entity }));
}
