// Overrides: a decision against what the case shows (approving despite blockers, or rejecting),
// only through maker-checker (kind `kyc.override`; tiers in `approvals.tiers`: the MLRO for high
// risk or overridden blockers). A confirmed sanctions match is never approved, and a rejected case
// is not reopened.

import { DomainError } from '../../../shared/errors.js';
import { REJECTION_REASONS } from '../../../shared/kyc/machine.js';
import { kycOverridePayload, type KycOverrideInput } from '../../../shared/kyc/schemas.js';
import { requireEntity, type AuthContext } from '../../core/auth.js';
import type { Store } from '../../core/store.js';
import type { ApprovalKinds } from '../approvals/registry.js';
import type { ApprovalsService } from '../approvals/service.js';
import { loadClient } from '../clients/restrictions.js';
import { blockers } from './blockers.js';
import { loadCase } from './case-record.js';
import { decideCase, rejectionText } from './decide.js';
import { dateOf } from '../../../shared/time.js';

export class KycOverrides {
  constructor(
    private readonly store: Store,
    private readonly approvals: ApprovalsService,
  ) {}

  registerKinds(kinds: ApprovalKinds): void {
    kinds.register({
      kind: 'kyc.override',
      payload: kycOverridePayload,
      pendingKey: (p) => p.caseRef,
      legalEntity: (p) => p.legalEntity,
      clientId: (p) => p.clientId,
      excludedApprovers: () => [],
      summary: (p) => `Override ${p.caseRef} (${p.clientId}, risk ${p.riskLevel ?? 'not scored'}): ${p.decision}${p.rejectionReason ? ` (${p.rejectionReason})` : ''}`,
      execute: async (m, p, request) => {
        const kase = await m.trx.selectFrom('kyc_cases').selectAll().where('id', '=', p.caseRef).executeTakeFirstOrThrow();
        const client = await loadClient(m, kase.client_id);
        if (kase.status !== p.statusAtRequest) throw new DomainError('INVALID_TRANSITION', `${kase.id} moved from ${p.statusAtRequest} to ${kase.status} since the override was asked for; ask again.`);
        if (client.screening_status === 'confirmed_match' && p.decision === 'approve') throw new DomainError('INVALID_TRANSITION', `${client.id} is a confirmed sanctions match; no override can approve it.`);
        const users = await m.trx.selectFrom('users').select(['id', 'username']).where('id', 'in', [request.makerId, ...request.approvers]).execute();
        const who = (id: string) => users.find((u) => u.id === id)?.username ?? id;
        const basis = `Override ${request.id} requested by ${who(request.makerId)}, approved by ${request.approvers.map(who).join(', ')}: ${request.reason}`;
        const decidedBy = request.approvers.at(-1) ?? null;
        if (p.decision === 'approve') {
          await decideCase(m, kase, client, { outcome: 'approved', action: 'kyc.case.overridden', reasonCode: 'override', note: request.reason, decidedBy, policyBasis: basis, reason: request.reason, after: { overriddenBlockers: p.blockers, approval: request.id, maker: request.makerId, approvers: request.approvers }, policyRef: request.policyRef, clientReason: basis });
        } else {
          const code = p.rejectionReason!;
          await decideCase(m, kase, client, { outcome: 'rejected', action: 'kyc.case.overridden', reasonCode: code, note: request.reason, decidedBy, policyBasis: basis, reason: rejectionText(code, request.reason), after: { reasonCode: code, approval: request.id, maker: request.makerId, approvers: request.approvers }, policyRef: request.policyRef, clientReason: `KYC rejected by override: ${REJECTION_REASONS[code]}` });
        }
      },
    });
  }

  async override(auth: AuthContext, input: KycOverrideInput): Promise<{ approvalId: string }> {
    return this.store.mutate(auth.actor, async (m) => {
      const kase = await loadCase(m.trx, input.caseRef);
      requireEntity(auth, 'kyc.override', kase.legal_entity);
      if (kase.status === 'rejected') throw new DomainError('INVALID_TRANSITION', `${kase.id} was rejected and the client closed; a closed client is not reopened. The client registers again.`);
      if (kase.status === 'approved' && input.decision === 'approve') throw new DomainError('INVALID_TRANSITION', `${kase.id} is already approved.`);
      const client = await loadClient(m, kase.client_id);
      if (input.decision === 'approve' && client.screening_status === 'confirmed_match') throw new DomainError('INVALID_TRANSITION', `${client.id} is a confirmed sanctions match; no override can approve it.`);
      const overridden = input.decision === 'approve' ? (await blockers(m.trx, kase, client, dateOf(m.now))).map((b) => b.message) : [];
      const payload = { caseRef: kase.id, clientId: client.id, legalEntity: kase.legal_entity, decision: input.decision, rejectionReason: input.rejectionReason ?? null, riskLevel: kase.risk_level, statusAtRequest: kase.status, blockers: overridden };
      const request = await this.approvals.request(m, { kind: 'kyc.override', payload, reason: input.reason });
      m.audit({ action: 'kyc.override.requested', targetType: 'kyc_case', targetId: kase.id, clientId: client.id, legalEntity: kase.legal_entity, caseRef: kase.id, after: { decision: input.decision, rejectionReason: input.rejectionReason ?? null, approvalId: request.approvalId, blockers: overridden }, reason: input.reason });
      return request;
    });
  }
}
