// Reading the policies in force: the active version of a type and its reference. Reading needs
// nothing but the store, so that the approvals module, which reads the approval tiers, and the
// policies module, which publishes through approvals, do not depend on each other.

import type { Kysely, Transaction } from 'kysely';
import type { z } from 'zod';
import { POLICY_TYPES, type PolicyType } from '../../../shared/policies/types.js';
import { readJson } from '../../db/json.js';
import type { Database } from '../../db/schema.js';

/** What a version of a policy type holds, as its schema reads it. */
export type PolicyDocument<P extends PolicyType> = z.output<(typeof POLICY_TYPES)[P]['schema']>;

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

/** Freezes a parsed document all the way down: it is shared by every reader of that version. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export class PolicyReader {
  /** Parsed documents by version, with the text they were parsed from: a version never changes, so each is parsed once. */
  readonly #parsed = new Map<string, { text: string; document: unknown }>();

  /** The version in force, its document checked against the type's schema (once per version; frozen, shared). */
  async active<P extends PolicyType>(db: Reader, type: P): Promise<ActivePolicy<PolicyDocument<P>> | null> {
    const row = await db
      .selectFrom('policy_activations as a')
      .innerJoin('policy_versions as v', (j) => j.onRef('v.type', '=', 'a.type').onRef('v.version', '=', 'a.version'))
      .select(['v.version', 'v.document_json'])
      .where('a.type', '=', type)
      .orderBy('a.id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) return null;
    const ref = policyRef(type, row.version);
    let parsed = this.#parsed.get(ref);
    if (parsed?.text !== row.document_json) {
      parsed = { text: row.document_json, document: deepFreeze(readJson(POLICY_TYPES[type].schema, row.document_json, `policy_versions.document_json of ${ref}`)) };
      this.#parsed.set(ref, parsed);
    }
    return { type, version: row.version, document: parsed.document as PolicyDocument<P>, ref };
  }

  async require<P extends PolicyType>(db: Reader, type: P): Promise<ActivePolicy<PolicyDocument<P>>> {
    const p = await this.active(db, type);
    if (!p) throw new Error(`no active ${type} policy: the server bootstraps one on start`);
    return p;
  }
}
