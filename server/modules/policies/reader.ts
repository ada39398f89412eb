// Reading the policies in force: the active version of a type and its reference. Reading needs
// nothing but the store, so that the approvals module, which reads the approval tiers, and the
// policies module, which publishes through approvals, do not depend on each other.

import type { Kysely, Transaction } from 'kysely';
import type { z } from 'zod';
import { POLICY_TYPES, type PolicyType } from '../../../shared/policies/types.js';
import { readJson } from '../../db/json.js';
import { inSegment, segmentSchema, type Segment, type Subject } from '../../../shared/policies/segment.js';
import type { Database } from '../../db/schema.js';

/** What a version of a policy type holds, as its schema reads it. */
export type PolicyDocument<P extends PolicyType> = z.output<(typeof POLICY_TYPES)[P]['schema']>;

export interface ActivePolicy<T = unknown> {
  type: PolicyType;
  version: number;
  document: T;
  ref: string;
  /** set when the version applies as a canary to the subject asked about */
  canary?: Segment;
}

export interface Canary {
  type: PolicyType;
  version: number;
  segment: Segment;
  since: string;
  approvalId: string | null;
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

  /** The version in force for everyone, its document checked against the type's schema (once per version; frozen, shared). */
  async active<P extends PolicyType>(db: Reader, type: P): Promise<ActivePolicy<PolicyDocument<P>> | null> {
    const row = await db
      .selectFrom('policy_activations as a')
      .innerJoin('policy_versions as v', (j) => j.onRef('v.type', '=', 'a.type').onRef('v.version', '=', 'a.version'))
      .select(['v.version', 'v.document_json'])
      .where('a.type', '=', type)
      .where('a.segment_json', 'is', null)
      .orderBy('a.id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) return null;
    return { type, version: row.version, document: this.parse(type, row.version, row.document_json), ref: policyRef(type, row.version) };
  }

  private parse<P extends PolicyType>(type: P, version: number, text: string): PolicyDocument<P> {
    const ref = policyRef(type, version);
    let parsed = this.#parsed.get(ref);
    if (parsed?.text !== text) {
      parsed = { text, document: deepFreeze(readJson(POLICY_TYPES[type].schema, text, `policy_versions.document_json of ${ref}`)) };
      this.#parsed.set(ref, parsed);
    }
    return parsed.document as PolicyDocument<P>;
  }

  /** The canary running for the type: the last activation limited to a segment, if none for everyone came after it. */
  async canary(db: Reader, type: PolicyType): Promise<Canary | null> {
    const last = await db
      .selectFrom('policy_activations')
      .select(['version', 'segment_json', 'activated_at', 'approval_id'])
      .where('type', '=', type)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!last?.segment_json) return null;
    const segment = readJson(segmentSchema, last.segment_json, `policy_activations.segment_json of ${type}`);
    return { type, version: last.version, segment, since: last.activated_at, approvalId: last.approval_id };
  }

  /** The version that decides for this subject: a canary's where the subject is in its segment, else the one in force. */
  async forSubject<P extends PolicyType>(db: Reader, type: P, subject: Subject): Promise<ActivePolicy<PolicyDocument<P>>> {
    const canary = await this.canary(db, type);
    if (canary && inSegment(canary.segment, subject)) {
      const row = await db.selectFrom('policy_versions').select('document_json').where('type', '=', type).where('version', '=', canary.version).executeTakeFirstOrThrow();
      return { type, version: canary.version, document: this.parse(type, canary.version, row.document_json), ref: policyRef(type, canary.version), canary: canary.segment };
    }
    return this.require(db, type);
  }

  async require<P extends PolicyType>(db: Reader, type: P): Promise<ActivePolicy<PolicyDocument<P>>> {
    const p = await this.active(db, type);
    if (!p) throw new Error(`no active ${type} policy: the server bootstraps one on start`);
    return p;
  }
}
