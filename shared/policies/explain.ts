// The conditions a tier rule evaluated for a decision, with the values it saw, for the execution log
// (issue 19): each tier tried in order up to the one that applied, then the extra approvers added.

import type { WithdrawalTiersPolicy } from './payments.js';
import type { InterventionTiersPolicy } from './platform.js';

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
