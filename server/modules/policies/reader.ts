// Reading the policies in force: the active version of a type and its reference. Reading needs
// nothing but the store, so that the approvals module, which reads the approval tiers, and the
// policies module, which publishes through approvals, do not depend on each other.

import type { Kysely, Transaction } from 'kysely';
import type { PolicyType } from '../../../shared/policies/types.js';
import type { Database } from '../../db/schema.js';

export interface ActivePolicy<T = unknown> {
  type: PolicyType;
  version: number;
  document: T;
  ref: string;
}

export type Reader = Kysely<Database> | Transaction<Database>;

export function policyRef(type: string, version: number): string {
  return `${type}@${version}`;
}

export class PolicyReader {
  async active<T = unknown>(db: Reader, type: PolicyType): Promise<ActivePolicy<T> | null> {
    const row = await db
      .selectFrom('policy_activations as a')
      .innerJoin('policy_versions as v', (j) => j.onRef('v.type', '=', 'a.type').onRef('v.version', '=', 'a.version'))
      .select(['v.version', 'v.document_json'])
      .where('a.type', '=', type)
      .orderBy('a.id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) return null;
    return { type, version: row.version, document: JSON.parse(row.document_json) as T, ref: policyRef(type, row.version) };
  }

  async require<T>(db: Reader, type: PolicyType): Promise<ActivePolicy<T>> {
    const p = await this.active<T>(db, type);
    if (!p) throw new Error(`no active ${type} policy: the server bootstraps one on start`);
    return p;
  }
}
