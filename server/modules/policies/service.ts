// Versioned policy documents. A version is immutable (the table is append-only); proposing one
// validates it (zod schema of its type, CEL conditions); a change request (changes.ts) takes it
// through its approval chain to a canary or to everyone, and a rollback republishes an earlier one.

import { createHash } from 'node:crypto';
import { DomainError } from '../../../shared/errors.js';
import { POLICY_TYPES, isPolicyType, type PolicyType } from '../../../shared/policies/types.js';
import type { ApprovalTiersPolicy } from '../../../shared/policies/approval-tiers.js';
import { checkCel } from '../../../shared/policies/cel.js';
import { SYSTEM_ACTOR } from '../../core/actor.js';
import type { Mutation, Store } from '../../core/store.js';
import { canonicalJson } from '../audit/canonical.js';
import { PolicyReader, policyRef } from './reader.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';
import { diffPolicies, versionName } from '../../../shared/policies/diff.js';
import { describeSegment, segmentSchema } from '../../../shared/policies/segment.js';

/** Finds every CEL condition in a document (`when` fields) and reports the first that does not parse. */
function celProblems(value: unknown, path: string[] = []): string | null {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const p = celProblems(v, [...path, String(i)]);
      if (p) return p;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'when' && typeof v === 'string') {
        const problem = checkCel(v);
        if (problem) return `${[...path, k].join('.')}: ${problem.split('\n')[0]}`;
      } else {
        const p = celProblems(v, [...path, k]);
        if (p) return p;
      }
    }
  }
  return null;
}

export function validatePolicyDocument(type: PolicyType, document: unknown): unknown {
  const parsed = POLICY_TYPES[type].schema.safeParse(document);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new DomainError('POLICY_INVALID', `The ${type} policy is invalid at ${first.path.join('.') || '(root)'}: ${first.message}`, {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  const cel = celProblems(parsed.data);
  if (cel) throw new DomainError('POLICY_INVALID', `The ${type} policy has a condition that does not parse at ${cel}`);
  return parsed.data;
}

/** Reading policies and writing their versions; publishing is a change through approvals (changes.ts). */
export class PoliciesService extends PolicyReader {
  constructor(private readonly store: Store) {
    super();
  }

  /** On first start every policy type gets version 1 from its built-in initial document. */
  async bootstrap(): Promise<void> {
    for (const type of Object.keys(POLICY_TYPES) as PolicyType[]) {
      const existing = await this.store.kysely.selectFrom('policy_versions').select('version').where('type', '=', type).executeTakeFirst();
      if (existing) continue;
      await this.store.mutate(SYSTEM_ACTOR, async (m) => {
        const document = validatePolicyDocument(type, POLICY_TYPES[type].initial);
        await this.insertVersion(m, type, 1, document, 'Initial policy shipped with the server', null);
        await m.trx.insertInto('policy_activations').values({ type, version: 1, activated_at: m.now, approval_id: null, activated_by: 'system' }).execute();
        m.audit({ action: 'policy.activated', targetType: 'policy', targetId: type, after: { version: 1 }, reason: 'bootstrap', policyRef: policyRef(type, 1) });
      });
    }
  }

  /**
   * A server that brings new approval kinds adds their shipped tiers to the active approval-tiers
   * policy, as a new version activated by the system with the reason, leaving every existing kind's
   * tiers as they are: without it, the new kinds could not be requested at all on an existing
   * system. A broker who wants other tiers for them publishes a version through maker-checker.
   */
  async addMissingApprovalKinds(): Promise<string[]> {
    const type = 'approvals.tiers' as const;
    const current = await this.require(this.store.kysely, type);
    const shipped = (POLICY_TYPES[type].initial as ApprovalTiersPolicy).kinds;
    const missing = Object.keys(shipped).filter((k) => !Object.hasOwn(current.document.kinds, k)).sort();
    if (missing.length === 0) return [];
    await this.store.mutate(SYSTEM_ACTOR, async (m) => {
      const active = await this.require(m.trx, type);
      const document = validatePolicyDocument(type, { kinds: { ...active.document.kinds, ...Object.fromEntries(missing.map((k) => [k, shipped[k]!])) } });
      const max = await m.trx.selectFrom('policy_versions').select((eb) => eb.fn.max('version').as('v')).where('type', '=', type).executeTakeFirst();
      const version = Number(max?.v ?? 0) + 1;
      const reason = `Server upgrade: shipped tiers added for new approval kinds ${missing.join(', ')}; the tiers of every other kind are unchanged`;
      await this.insertVersion(m, type, version, document, reason, active.version);
      await m.trx.insertInto('policy_activations').values({ type, version, activated_at: m.now, approval_id: null, activated_by: 'system' }).execute();
      m.audit({ action: 'policy.activated', targetType: 'policy', targetId: type, before: { version: active.version }, after: { version, addedKinds: missing }, reason, policyRef: policyRef(type, version) });
      m.changed('policy_activations', type, null, 'insert');
    });
    return missing;
  }

  private async insertVersion(m: Mutation, type: PolicyType, version: number, document: unknown, reason: string, basedOn: number | null) {
    const json = canonicalJson(document);
    await m.trx
      .insertInto('policy_versions')
      .values({
        type,
        version,
        document_json: json,
        document_hash: createHash('sha256').update(json).digest('hex'),
        proposed_by: m.actor.id,
        proposed_at: m.now,
        reason,
        based_on_version: basedOn,
      })
      .execute();
    m.audit({ action: 'policy.proposed', targetType: 'policy', targetId: type, after: { version, document }, reason, policyRef: policyRef(type, version) });
    m.changed('policy_versions', `${type}@${version}`, null, 'insert');
  }

  /** A new version of the type after the highest, based on the version in force; not in force until a change publishes it. */
  async createVersion(m: Mutation, type: PolicyType, document: unknown, reason: string): Promise<number> {
    const current = await this.require(m.trx, type);
    const max = await m.trx.selectFrom('policy_versions').select((eb) => eb.fn.max('version').as('v')).where('type', '=', type).executeTakeFirst();
    const version = Number(max?.v ?? 0) + 1;
    await this.insertVersion(m, type, version, document, reason, current.version);
    return version;
  }

  async list(type?: string) {
    let q = this.store.kysely.selectFrom('policy_versions').select(['type', 'version', 'document_hash', 'proposed_by', 'proposed_at', 'reason', 'based_on_version']);
    if (type) q = q.where('type', '=', this.assertType(type));
    const rows = await q.orderBy('type').orderBy('version', 'desc').execute();
    const ids = [...new Set(rows.map((r) => r.proposed_by))];
    const names = new Map((ids.length ? await this.store.kysely.selectFrom('users').select(['id', 'username']).where('id', 'in', ids).execute() : []).map((u) => [u.id, u.username]));
    const active = new Map<string, number>();
    for (const t of Object.keys(POLICY_TYPES) as PolicyType[]) {
      const a = await this.active(this.store.kysely, t);
      if (a) active.set(t, a.version);
    }
    return rows.map((r) => ({
      type: r.type,
      version: r.version,
      name: versionName(r.type, r.version),
      documentHash: r.document_hash,
      proposedBy: r.proposed_by,
      proposedByName: names.get(r.proposed_by) ?? r.proposed_by,
      proposedAt: r.proposed_at,
      reason: r.reason,
      basedOnVersion: r.based_on_version,
      active: active.get(r.type) === r.version,
    }));
  }

  /** A version, or a draft document (validated as a proposal), against the version in force: what changed, path by path. */
  async diff(input: { type: string; version?: number | undefined; document?: unknown }) {
    const t = this.assertType(input.type);
    if ((input.version === undefined) === (input.document === undefined)) throw new DomainError('VALIDATION_FAILED', 'Give either version (a published version) or document (a draft), not both or neither.', { field: 'version' });
    const active = await this.require(this.store.kysely, t);
    const candidate = input.version !== undefined ? await this.get(t, input.version) : { version: null, name: 'draft', document: validatePolicyDocument(t, input.document) };
    return { type: t, against: { version: active.version, name: versionName(t, active.version) }, candidate: { version: candidate.version, name: candidate.name }, changes: diffPolicies(active.document, candidate.document) };
  }

  async get(type: string, version?: number) {
    const t = this.assertType(type);
    let q = this.store.kysely.selectFrom('policy_versions').selectAll().where('type', '=', t);
    if (version === undefined) {
      const a = await this.require(this.store.kysely, t);
      q = q.where('version', '=', a.version);
    } else q = q.where('version', '=', version);
    const row = await q.executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', `${type} version ${version} does not exist.`);
    const activations = await this.store.kysely
      .selectFrom('policy_activations')
      .select(['activated_at', 'approval_id', 'activated_by', 'segment_json'])
      .where('type', '=', t)
      .where('version', '=', row.version)
      .orderBy('id')
      .execute();
    const active = await this.require(this.store.kysely, t);
    const canary = await this.canary(this.store.kysely, t);
    return {
      type: row.type,
      version: row.version,
      name: versionName(row.type, row.version),
      // An older version may predate a field the schema now has: shown as it was published.
      document: readJson(JSON_COLUMNS.json, row.document_json, `policy_versions.document_json of ${policyRef(t, row.version)}`),
      documentHash: row.document_hash,
      proposedBy: row.proposed_by,
      proposedAt: row.proposed_at,
      reason: row.reason,
      basedOnVersion: row.based_on_version,
      active: active.version === row.version,
      /** the canary running for the type, whichever version this is */
      canary: canary ? { version: canary.version, name: versionName(t, canary.version), segment: canary.segment, describe: describeSegment(canary.segment), since: canary.since } : null,
      activations: activations.map((a) => ({ at: a.activated_at, approvalId: a.approval_id, by: a.activated_by, segment: a.segment_json === null ? null : readJson(segmentSchema, a.segment_json, `policy_activations.segment_json of ${policyRef(t, row.version)}`) })),
    };
  }

  assertType(type: string): PolicyType {
    if (!isPolicyType(type)) throw new DomainError('VALIDATION_FAILED', `Unknown policy type "${type}"; known: ${Object.keys(POLICY_TYPES).join(', ')}.`);
    return type;
  }
}
