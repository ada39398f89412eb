// The conditions a rule evaluated for a decision, with the values it saw, for the execution log
// (issue 19): for a tier rule, each tier tried in order up to the one that applied, then the extra
// approvers added; for risk scoring, each factor that scored and the thresholds; for
// auto-verification, each condition the case had to meet.

import type { WithdrawalTiersPolicy } from './payments.js';
import type { InterventionTiersPolicy } from './platform.js';
import type { KycReviewPolicy, KycRiskPolicy } from './kyc.js';
import type { RiskAssessment } from '../kyc/risk.js';

export interface ConditionTrace {
  name: string;
  values: Record<string, unknown>;
  result: boolean;
}

const band = (upTo: number | undefined) => (upTo === undefined ? null : `base amount ≤ ${upTo} minor units`);

export function withdrawalTierTrace(policy: WithdrawalTiersPolicy, w: { baseMinor: bigint; riskLevel: string | null; first: boolean }): ConditionTrace[] {
  const out: ConditionTrace[] = [];
  for (const t of policy.tiers) {
    const inBand = t.upToBase === undefined || w.baseMinor <= BigInt(t.upToBase);
    const inRisk = t.riskLevels === undefined || (w.riskLevel !== null && (t.riskLevels as string[]).includes(w.riskLevel));
    const parts = [band(t.upToBase), t.riskLevels && `client risk in ${t.riskLevels.join(', ')}`].filter(Boolean);
    out.push({ name: `tier "${t.name}": ${parts.join(' and ') || 'no condition'}`, values: { baseMinor: w.baseMinor.toString(), riskLevel: w.riskLevel }, result: inBand && inRisk });
    if (inBand && inRisk) break;
  }
  out.push({ name: `first withdrawal: at least ${policy.firstWithdrawalApprovers} approvers`, values: { first: w.first }, result: w.first });
  return out;
}

export function interventionTierTrace(policy: InterventionTiersPolicy, c: { type: string; baseMinor: bigint | null }): ConditionTrace[] {
  const out: ConditionTrace[] = [];
  for (const t of policy.tiers) {
    const typeOk = t.types === undefined || (t.types as string[]).includes(c.type);
    const bandOk = t.upToBase === undefined || (c.baseMinor !== null && c.baseMinor <= BigInt(t.upToBase));
    const parts = [t.types && `type in ${t.types.join(', ')}`, band(t.upToBase)].filter(Boolean);
    out.push({ name: `tier "${t.name}": ${parts.join(' and ') || 'no condition'}`, values: { type: c.type, baseMinor: c.baseMinor === null ? null : c.baseMinor.toString() }, result: typeOk && bandOk });
    if (typeOk && bandOk) break;
  }
  return out;
}

export function riskTrace(policy: KycRiskPolicy, a: Pick<RiskAssessment, 'score' | 'factors'>): ConditionTrace[] {
  const { medium, high } = policy.thresholds;
  return [
    ...a.factors.map((f) => ({ name: `${f.label}: ${f.points} points`, values: { detail: f.detail }, result: true })),
    { name: `score ≥ ${high}: high risk`, values: { score: a.score }, result: a.score >= high },
    { name: `score ≥ ${medium}: medium risk`, values: { score: a.score }, result: a.score >= medium && a.score < high },
  ];
}

/** The facts auto-verification decides on (stored with the decision, so a dry run replays it). */
export interface AutoVerifyFacts {
  legalEntity: string;
  verification: string | null;
  riskLevel: string | null;
  screening: string;
  /** open checklist items, expired documents and the like that stop a decision */
  blockers: number;
}

export function autoVerifyTrace(policy: KycReviewPolicy, f: AutoVerifyFacts): ConditionTrace[] {
  const on = policy.autoVerify.enabled && policy.autoVerify.legalEntities.includes(f.legalEntity);
  return [
    { name: `auto-verification on for ${policy.autoVerify.legalEntities.join(', ') || 'no legal entity'}`, values: { legalEntity: f.legalEntity, enabled: policy.autoVerify.enabled }, result: on },
    { name: 'documents verified by the provider', values: { verification: f.verification }, result: f.verification === 'verified' },
    { name: 'risk low', values: { riskLevel: f.riskLevel }, result: f.riskLevel === 'low' },
    { name: 'screening clear', values: { screening: f.screening }, result: f.screening === 'clear' },
    { name: 'nothing blocks a decision', values: { blockers: f.blockers }, result: f.blockers === 0 },
  ];
}

/** Whether auto-verification approves a case with these facts under the policy. */
export function autoVerifies(policy: KycReviewPolicy, f: AutoVerifyFacts): boolean {
  return autoVerifyTrace(policy, f).every((c) => c.result);
}
