// Pieces of the KYC evidence the case service records: the risk inputs read from the database, the
// comparison of what the provider extracted against what the client declared, and the SLA clock.

import anyAscii from 'any-ascii';
import type { KycReviewPolicy, PaymentMethod, SourceOfFunds } from '../../../shared/policies/kyc.js';
import type { RiskInputs } from '../../../shared/kyc/risk.js';
import type { Mutation } from '../../core/store.js';
import type { ClientRow, DocumentRow, KycCaseRow } from '../../db/schema.js';
import type { ProviderCheck } from './provider-client.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';

type Reader = Mutation['trx'];

export async function riskInputs(trx: Reader, client: ClientRow): Promise<RiskInputs> {
  const parties = await trx.selectFrom('client_parties').selectAll().where('client_id', '=', client.id).orderBy('created_at').execute();
  const pepHit = await trx.selectFrom('screening_cases').select('id').where('client_id', '=', client.id).where('status', '=', 'true_match').where('source', 'like', '%pep%').executeTakeFirst();
  return {
    type: client.type,
    country: client.country,
    nationality: client.nationality,
    pep: client.pep_declared === 1 || pepHit !== undefined,
    screeningStatus: client.screening_status,
    paymentMethod: client.payment_method as PaymentMethod | null,
    sourceOfFunds: client.source_of_funds as SourceOfFunds | null,
    parties: parties.map((p) => ({
      name: `${p.first_name} ${p.last_name}`,
      roles: readJson(JSON_COLUMNS.partyRoles, p.roles_json, `client_parties.roles_json of ${p.id}`),
      country: p.country,
      nationality: p.nationality,
      ownershipPercent: p.ownership_bp === null ? null : p.ownership_bp / 100,
    })),
  };
}

export interface Mismatch {
  field: string;
  declared: string | null;
  extracted: string | null;
  message: string;
}

const letters = (s: string | null | undefined) =>
  anyAscii(s ?? '')
    .toUpperCase()
    .replace(/[^A-Z]+/g, ' ')
    .trim();

/** What the provider found that does not agree with the client's declaration or the document's own data. */
export function compareExtraction(check: ProviderCheck, client: ClientRow, document: DocumentRow): Mismatch[] {
  const out: Mismatch[] = [];
  if (check.result === 'unreadable' || !check.document) {
    return [{ field: 'document', declared: null, extracted: null, message: 'The provider could not read the document (no machine-readable zone found)' }];
  }
  const d = check.document;
  if (client.type === 'individual') {
    if (letters(d.lastName) !== letters(client.last_name)) out.push({ field: 'lastName', declared: client.last_name, extracted: d.lastName, message: 'Surname differs from the declared one' });
    const given = letters(d.firstName).split(' ');
    if (!letters(client.first_name).split(' ').every((part) => given.includes(part))) out.push({ field: 'firstName', declared: client.first_name, extracted: d.firstName, message: 'Given names differ from the declared ones' });
    if (d.dateOfBirth !== client.date_of_birth) out.push({ field: 'dateOfBirth', declared: client.date_of_birth, extracted: d.dateOfBirth, message: 'Date of birth differs from the declared one' });
    if (client.nationality && d.nationality && d.nationality !== client.nationality) out.push({ field: 'nationality', declared: client.nationality, extracted: d.nationality, message: 'Nationality differs from the declared one' });
  }
  if (document.expires_at && d.expiryDate && d.expiryDate !== document.expires_at) out.push({ field: 'expiryDate', declared: document.expires_at, extracted: d.expiryDate, message: 'Expiry date differs from the one sent with the upload' });
  const digits = Object.entries(d.mrz.checkDigits).filter(([, ok]) => !ok).map(([k]) => k);
  if (digits.length) out.push({ field: 'mrz', declared: null, extracted: d.mrz.lines.join(' '), message: `MRZ check digits fail: ${digits.join(', ')}` });
  if (check.liveness.result === 'fail') out.push({ field: 'liveness', declared: null, extracted: String(check.liveness.score), message: `Liveness check failed (score ${check.liveness.score})` });
  if (check.faceMatch.result === 'fail') out.push({ field: 'faceMatch', declared: null, extracted: String(check.faceMatch.score), message: `Selfie does not match the document photo (score ${check.faceMatch.score})` });
  return out;
}

export interface SlaState {
  /** when the case's time in its current status runs out, or null once decided */
  dueAt: string | null;
  /** hours left (negative once breached), or null once decided */
  hoursLeft: number | null;
  breached: boolean;
  /** no change for longer than the policy allows */
  stuck: boolean;
  /** why no deadline runs although the case is undecided (its client is restricted), or null */
  stopped: string | null;
}

const HOUR = 3_600_000;

/**
 * The case's deadline in its current status. None once decided, and none while the client is
 * restricted: such a case waits on the restriction (a sanctions match, an expired document), and
 * a clock running against the officer would mean nothing.
 */
export function slaOf(kase: Pick<KycCaseRow, 'status' | 'status_changed_at' | 'updated_at'>, policy: KycReviewPolicy, now: string, clientStatus?: string): SlaState {
  const hours = policy.sla.hours[kase.status as keyof KycReviewPolicy['sla']['hours']];
  if (hours === undefined) return { dueAt: null, hoursLeft: null, breached: false, stuck: false, stopped: null };
  if (clientStatus === 'restricted') return { dueAt: null, hoursLeft: null, breached: false, stuck: false, stopped: 'The client is restricted: no deadline runs until the restriction is resolved.' };
  const due = Date.parse(kase.status_changed_at) + hours * HOUR;
  const left = (due - Date.parse(now)) / HOUR;
  return {
    dueAt: new Date(due).toISOString(),
    hoursLeft: Math.round(left * 10) / 10,
    breached: left < 0,
    stuck: Date.parse(now) - Date.parse(kase.updated_at) > policy.sla.stuckAfterHours * HOUR,
    stopped: null,
  };
}

/** Adds the time just spent in `from` to the case's per-status totals. */
export function addStatusTime(statusSecondsJson: string, from: string, since: string, now: string): string {
  const totals = readJson(JSON_COLUMNS.statusSeconds, statusSecondsJson, 'kyc_cases.status_seconds_json');
  totals[from] = (totals[from] ?? 0) + Math.max(0, Math.round((Date.parse(now) - Date.parse(since)) / 1000));
  return JSON.stringify(totals);
}
