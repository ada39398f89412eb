// What an approval request needs: the kind's own requirement (a rule change's chain) or the tier
// the approval-tiers policy selects, the selection recorded in the execution log (issue 19).

import type { Role } from '../../../shared/access/permissions.js';
import { approvalTierTrace, selectTier } from '../../../shared/policies/approval-tiers.js';
import type { ChainSlot } from '../../../shared/policies/change-control.js';
import type { Mutation } from '../../core/store.js';
import { recordExecution } from '../policies/execution-log.js';
import type { PolicyReader } from '../policies/reader.js';
import type { ApprovalKind } from './registry.js';

/**
 * The kind's own requirement (a rule change's chain) or the approval-tiers policy's tier for it
 * (a canary's for a request in its segment), the selection recorded in the execution log.
 */
export async function requirementOf(m: Mutation, policies: PolicyReader, kind: ApprovalKind<unknown>, name: string, payload: unknown, request: { id: string; legalEntity: string | null; clientId: string | null }): Promise<{ name: string; roles: Role[]; count: number; chain: ChainSlot[] | null; expiresInHours: number; policy: { type: string; version: number; ref: string } }> {
  if (kind.requirement) {
    const r = await kind.requirement(payload, m.trx);
    return { name: r.tier, roles: r.roles, count: r.count, chain: r.chain, expiresInHours: r.expiresInHours, policy: r.policy };
  }
  const country = request.clientId ? ((await m.trx.selectFrom('clients').select('country').where('id', '=', request.clientId).executeTakeFirst())?.country ?? null) : null;
  const policy = await policies.forSubject(m.trx, 'approvals.tiers', { legalEntity: request.legalEntity, country, client: request.clientId ?? request.id, request: request.id });
  const tier = selectTier(policy.document, name, payload);
  await recordExecution(m, {
    policy,
    event: 'approval.requested',
    subjectType: 'approval',
    subjectId: request.id,
    legalEntity: request.legalEntity,
    clientId: request.clientId,
    outcome: tier.name,
    conditions: approvalTierTrace(policy.document, name, payload),
    actions: [{ action: 'route for approval', kind: name, tier: tier.name, approvers: `${tier.count} of ${tier.roles.join(' or ')}`, expiresInHours: tier.expiresInHours }],
    inputs: { kind: name, payload },
  });
  return { name: tier.name, roles: tier.roles, count: tier.count, chain: null, expiresInHours: tier.expiresInHours, policy: { type: policy.type, version: policy.version, ref: policy.ref } };
}
