// Dry runs of `policies.changeControl` (issue 19): its decisions are the approval chains it gave
// the rule changes themselves. Each change request in the window (publish, canary, republish,
// promotion, rollback) is routed again under the draft: the tier and chain its approval would
// need, and whether its release would have fallen in one of the draft's blackouts.

import { z } from 'zod';
import { blackoutAt, classify, type ChangeControlPolicy } from '../../../shared/policies/change-control.js';
import { readJson } from '../../db/json.js';
import type { Reader } from './reader.js';
import { NO_ENTITY, type Decision, type Replayed } from './replay-log.js';

const chainJson = z.array(z.object({ name: z.string(), roles: z.array(z.string()) })).nullable();
const rolesJson = z.array(z.string());
const payloadJson = z.object({ policyType: z.string() }).passthrough();

const describe = (chain: Array<{ name: string; roles: readonly string[] }>) => chain.map((s) => `${s.name}: ${[...s.roles].sort().join(' or ')}`).join('; ');
const anyOf = (count: number, roles: readonly string[]) => `${count} of ${[...roles].sort().join(' or ')}`;

/** How the draft routes a change request of the kind, for the rule type. */
function route(draft: ChangeControlPolicy, kind: string, type: string, releasedAt: string | null): Decision {
  if (kind === 'policies.rollback') return { tier: 'rollback (fast-tracked)', approvers: anyOf(1, draft.rollback.roles), release: releasedAt ? 'released' : 'not released' };
  const t = classify(draft, type);
  const blackout = releasedAt ? blackoutAt(t.rules.blackouts, releasedAt) : null;
  const release = !releasedAt ? 'not released' : blackout ? `refused: ${blackout.why}` : 'released';
  if (kind === 'policies.promote') return { tier: 'promotion', approvers: anyOf(1, draft.promotion.roles), release };
  return { tier: `tier ${t.tier}`, approvers: describe(t.chain), release };
}

export async function* replayChanges(db: Reader, draft: ChangeControlPolicy, from: string, to: string): AsyncGenerator<Replayed> {
  const rows = await db
    .selectFrom('approval_requests')
    .select(['id', 'kind', 'payload_json', 'tier_name', 'required_roles_json', 'required_count', 'chain_json', 'policy_type', 'policy_version', 'created_at', 'executed_at'])
    .where('kind', 'in', ['policies.publish', 'policies.promote', 'policies.rollback'])
    .where('created_at', '>=', from)
    .where('created_at', '<=', to)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const r of rows) {
    const where = `approval_requests of ${r.id}`;
    const type = readJson(payloadJson, r.payload_json, `${where} payload_json`).policyType;
    const chain = r.chain_json === null ? null : readJson(chainJson, r.chain_json, `${where} chain_json`);
    const before: Decision = { tier: r.tier_name, approvers: chain ? describe(chain) : anyOf(r.required_count, readJson(rolesJson, r.required_roles_json, `${where} required_roles_json`)), release: r.executed_at ? 'released' : 'not released' };
    yield { ref: `${r.id} (${type})`, legalEntity: NO_ENTITY, at: r.created_at, policyRef: `${r.policy_type}@${r.policy_version}`, before, after: route(draft, r.kind, type, r.executed_at) };
  }
}
