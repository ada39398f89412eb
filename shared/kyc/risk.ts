// Client risk scoring: a pure function of the client's facts and the `kyc.risk` policy. The result
// carries every factor that scored, with its points and why, so a reviewer (and a regulator) sees
// how the level came about, and the policy version and FATF list it was scored against.

import type { CountryList, KycRiskPolicy, PaymentMethod, RiskLevel, SourceOfFunds } from '../policies/kyc.js';

export interface RiskParty {
  name: string;
  roles: readonly string[];
  country: string | null;
  nationality: string | null;
  ownershipPercent: number | null;
}

export interface RiskInputs {
  type: 'individual' | 'corporate';
  country: string;
  nationality: string | null;
  pep: boolean;
  screeningStatus: string;
  paymentMethod: PaymentMethod | null;
  sourceOfFunds: SourceOfFunds | null;
  parties: readonly RiskParty[];
}

export interface RiskFactor {
  factor: string;
  label: string;
  points: number;
  detail: string;
}

export interface RiskAssessment {
  score: number;
  level: RiskLevel;
  factors: RiskFactor[];
  policyRef: string;
  /** the FATF plenary whose lists applied, or null when the policy holds none in force */
  countryListDate: string | null;
  assessedOn: string;
}

/** The lists in force on a date: the latest whose effective date is on or before it. */
export function countryListOn(lists: readonly CountryList[], date: string): CountryList | null {
  let best: CountryList | null = null;
  for (const l of lists) if (l.effectiveDate <= date && (!best || l.effectiveDate > best.effectiveDate)) best = l;
  return best;
}

type Listing = 'callForAction' | 'increasedMonitoring' | null;

function listing(list: CountryList | null, code: string | null): Listing {
  if (!list || !code) return null;
  if (list.callForAction.includes(code)) return 'callForAction';
  if (list.increasedMonitoring.includes(code)) return 'increasedMonitoring';
  return null;
}

/** Countries whose listing (black, grey or none) differs between two lists, sorted. */
export function countriesChangedBetween(before: CountryList | null, after: CountryList | null): string[] {
  const all = new Set([...(before?.callForAction ?? []), ...(before?.increasedMonitoring ?? []), ...(after?.callForAction ?? []), ...(after?.increasedMonitoring ?? [])]);
  return [...all].filter((code) => listing(before, code) !== listing(after, code)).sort();
}

const LISTING_LABEL = { callForAction: 'FATF call for action (black list)', increasedMonitoring: 'FATF increased monitoring (grey list)' } as const;

export function levelOf(score: number, thresholds: KycRiskPolicy['thresholds']): RiskLevel {
  return score >= thresholds.high ? 'high' : score >= thresholds.medium ? 'medium' : 'low';
}

export function assessRisk(policy: KycRiskPolicy, policyRef: string, inputs: RiskInputs, date: string): RiskAssessment {
  const w = policy.weights;
  const list = countryListOn(policy.countryLists, date);
  const factors: RiskFactor[] = [];
  const add = (factor: string, label: string, pts: number, detail: string) => {
    if (pts > 0) factors.push({ factor, label, points: pts, detail });
  };

  const residence = listing(list, inputs.country);
  if (residence) add('country_of_residence', 'Country of residence', w.residence[residence], `${inputs.country} is on the ${LISTING_LABEL[residence]} of ${list!.effectiveDate}`);
  const nationality = listing(list, inputs.nationality);
  if (nationality) add('nationality', 'Nationality', w.nationality[nationality], `${inputs.nationality} is on the ${LISTING_LABEL[nationality]} of ${list!.effectiveDate}`);

  if (inputs.pep) add('pep', 'Politically exposed person', w.pep, 'Declared by the client or confirmed in screening');

  if (inputs.screeningStatus === 'potential_match') add('screening', 'Screening', w.screening.potentialMatch, 'Open screening hits not yet decided');
  else if (inputs.screeningStatus === 'confirmed_match') add('screening', 'Screening', w.screening.confirmedMatch, 'Confirmed sanctions match');
  else if (inputs.screeningStatus === 'not_screened') add('screening', 'Screening', w.screening.notScreened, 'Not screened: no list loaded');

  add('client_type', 'Client type', w.clientType[inputs.type], inputs.type === 'corporate' ? 'Corporate client' : 'Individual client');

  if (inputs.type === 'corporate') {
    for (const p of inputs.parties) {
      const where = listing(list, p.country) ?? listing(list, p.nationality);
      if (where) add('corporate_party_country', 'Party in a listed country', w.corporate.partyInListedCountry, `${p.name} (${p.roles.join(', ')}): ${[p.country, p.nationality].filter(Boolean).join('/')} on the ${LISTING_LABEL[where]}`);
    }
    if (!inputs.parties.some((p) => p.roles.includes('ubo'))) add('corporate_no_ubo', 'No beneficial owner declared', w.corporate.noBeneficialOwner, 'No natural person holding 25% or more is declared');
    const extra = inputs.parties.length - w.corporate.partiesIncluded;
    if (extra > 0) add('corporate_complexity', 'Corporate complexity', extra * w.corporate.perExtraParty, `${inputs.parties.length} directors, shareholders and owners (${extra} above ${w.corporate.partiesIncluded})`);
  }

  if (inputs.paymentMethod) add('payment_method', 'Payment method', w.paymentMethod[inputs.paymentMethod], inputs.paymentMethod.replace('_', ' '));
  else add('payment_method', 'Payment method', w.paymentMethodUnknown, 'Not declared yet');

  if (inputs.sourceOfFunds) add('source_of_funds', 'Declared source of funds', w.sourceOfFunds[inputs.sourceOfFunds], inputs.sourceOfFunds);
  else add('source_of_funds', 'Declared source of funds', w.sourceOfFundsUnknown, 'Not declared');

  const score = factors.reduce((s, f) => s + f.points, 0);
  return { score, level: levelOf(score, policy.thresholds), factors, policyRef, countryListDate: list?.effectiveDate ?? null, assessedOn: date };
}

/** The FATF lists file (as published with the product's data) turned into policy country lists. */
export function countryListsFromFatf(file: unknown): CountryList[] {
  const versions = (file as { versions?: unknown }).versions;
  if (!Array.isArray(versions) || versions.length === 0) throw new Error('the FATF file has no "versions" array');
  const sources = ((file as { sources?: Record<string, string[]> }).sources ?? {}) as Record<string, string[]>;
  return versions.map((v: { effective_date?: string; plenary?: string; call_for_action?: Array<{ iso_alpha2: string }>; increased_monitoring?: Array<{ iso_alpha2: string }> }, i) => {
    if (!v.effective_date || !Array.isArray(v.call_for_action) || !Array.isArray(v.increased_monitoring)) {
      throw new Error(`FATF version ${i}: needs effective_date, call_for_action and increased_monitoring`);
    }
    const source = [v.plenary ?? `FATF plenary ${v.effective_date}`, ...(sources[v.effective_date] ?? []).slice(0, 2)].join('; ');
    return {
      effectiveDate: v.effective_date,
      source: source.slice(0, 500),
      callForAction: v.call_for_action.map((c) => c.iso_alpha2),
      increasedMonitoring: v.increased_monitoring.map((c) => c.iso_alpha2),
    };
  });
}
