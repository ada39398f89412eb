// What must not be missed about a client or a case, wherever it appears: a restriction, a
// confirmed sanctions match, high risk, an escalation. One rule for every grid row and pane; the
// desktop shows each as text on a coloured badge, never colour alone.

export const FLAGS = ['sanctions_match', 'restricted', 'high_risk', 'escalated'] as const;
export type Flag = (typeof FLAGS)[number];

export const FLAG_LABELS: Record<Flag, string> = {
  sanctions_match: 'Sanctions match',
  restricted: 'Restricted',
  high_risk: 'High risk',
  escalated: 'Escalated',
};

export interface FlagFacts {
  clientStatus?: string | null | undefined;
  screeningStatus?: string | null | undefined;
  riskLevel?: string | null | undefined;
  caseStatus?: string | null | undefined;
}

/** The flags that apply, most serious first. */
export function flagsOf(facts: FlagFacts): Flag[] {
  const out: Flag[] = [];
  if (facts.screeningStatus === 'confirmed_match' || facts.caseStatus === 'true_match') out.push('sanctions_match');
  if (facts.clientStatus === 'restricted') out.push('restricted');
  if (facts.riskLevel === 'high') out.push('high_risk');
  if (facts.caseStatus === 'escalated') out.push('escalated');
  return out;
}

/** The flags as the grid's text column holds them ("Sanctions match · Restricted"), '' for none. */
export function flagText(flags: readonly Flag[]): string {
  return flags.map((f) => FLAG_LABELS[f]).join(' · ');
}
