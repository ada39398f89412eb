// The execution log (issue 19): every automated decision a rule makes is recorded with the event
// that triggered it, the conditions evaluated with their values, the actions taken and the policy
// version (and whether it applied as a canary). Written in the decision's own transaction; searched
// by type, version, subject, client and time; compared side by side for a running canary.

import type { AuthContext } from '../../core/auth.js';
import { listScope } from '../../core/auth.js';
import type { Store } from '../../core/store.js';
import { DomainError } from '../../../shared/errors.js';
import { versionName } from '../../../shared/policies/diff.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';
import type { Reader } from './reader.js';
import type { PoliciesService } from './service.js';

export interface ExecutionFilter {
  type?: string | undefined;
  version?: number | undefined;
  subjectId?: string | undefined;
  clientId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  cursor?: number | undefined;
  limit: number;
}

/** Executions as the viewer may see them: entity-less ones and those of their entities. */
export async function findExecutions(db: Reader, entities: string[], f: ExecutionFilter) {
  let q = db
    .selectFrom('policy_executions')
    .selectAll()
    .where((eb) => eb.or([eb('legal_entity', 'is', null), eb('legal_entity', 'in', entities.length ? entities : [''])]));
  if (f.type) q = q.where('policy_type', '=', f.type);
  if (f.version !== undefined) q = q.where('policy_version', '=', f.version);
  if (f.subjectId) q = q.where('subject_id', '=', f.subjectId);
  if (f.clientId) q = q.where('client_id', '=', f.clientId);
  if (f.from) q = q.where('at', '>=', f.from);
  if (f.to) q = q.where('at', '<=', f.to);
  if (f.cursor !== undefined) q = q.where('id', '<', f.cursor);
  const rows = await q.orderBy('id', 'desc').limit(f.limit + 1).execute();
  const page = rows.slice(0, f.limit);
  return {
    items: page.map((r) => ({
      id: Number(r.id),
      at: r.at,
      policy: { type: r.policy_type, version: r.policy_version, name: versionName(r.policy_type, r.policy_version), canary: r.canary === 1 },
      event: r.event,
      subject: { type: r.subject_type, id: r.subject_id },
      legalEntity: r.legal_entity,
      clientId: r.client_id,
      outcome: r.outcome,
      conditions: readJson(JSON_COLUMNS.json, r.conditions_json, `policy_executions.conditions_json of ${r.id}`),
      actions: readJson(JSON_COLUMNS.json, r.actions_json, `policy_executions.actions_json of ${r.id}`),
    })),
    nextCursor: rows.length > f.limit ? Number(page.at(-1)!.id) : null,
  };
}

export class PolicyExecutions {
  constructor(
    private readonly store: Store,
    private readonly policies: PoliciesService,
  ) {}

  search(auth: AuthContext, f: ExecutionFilter) {
    return findExecutions(this.store.kysely, listScope(auth, 'policies.read'), f);
  }

  /** The running canary's decisions beside those of the version in force since it started, by outcome. */
  async canaryReport(auth: AuthContext, input: { type: string }) {
    const type = this.policies.assertType(input.type);
    const canary = await this.policies.canary(this.store.kysely, type);
    if (!canary) throw new DomainError('NOT_FOUND', `No canary of ${type} is running.`);
    const active = await this.policies.require(this.store.kysely, type);
    const entities = listScope(auth, 'policies.read');
    const rows = await this.store.kysely
      .selectFrom('policy_executions')
      .select(['policy_version', 'canary', 'outcome', (eb) => eb.fn.countAll<number>().as('n')])
      .where('policy_type', '=', type)
      .where('at', '>=', canary.since)
      .where((eb) => eb.or([eb('legal_entity', 'is', null), eb('legal_entity', 'in', entities.length ? entities : [''])]))
      .groupBy(['policy_version', 'canary', 'outcome'])
      .execute();
    const side = (version: number, isCanary: boolean) => {
      const mine = rows.filter((r) => r.policy_version === version && (r.canary === 1) === isCanary);
      const decisions = mine.reduce((s, r) => s + Number(r.n), 0);
      return {
        label: isCanary ? 'canary' : 'in force',
        version,
        name: versionName(type, version),
        decisions,
        outcomes: mine.map((r) => ({ outcome: r.outcome, count: Number(r.n), share: decisions ? Number(r.n) / decisions : 0 })).sort((a, b) => b.count - a.count || a.outcome.localeCompare(b.outcome)),
      };
    };
    return { type, since: canary.since, segment: canary.segment, approvalId: canary.approvalId, sides: [side(canary.version, true), side(active.version, false)] };
  }
}
