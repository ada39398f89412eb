// The deposits policy's automated decisions, in the execution log (issue 19), each with the facts a
// dry run replays it on (`replayDeposits`):
// - a deposit by a client whose KYC is pending review, allowed or refused by the legal entity's
//   `depositWhilePendingReview`;
// - a failed payment, sent to review or not by `failuresBeforeReview` within `failureWindowHours`
//   (the client's earlier failures with the method are kept, up to the most any version counts);
// - a parked provider event, applied before `parkedEventMaxAgeMinutes` or handed to a person as an
//   exception once it had waited that long.

import { z } from 'zod';
import type { DepositsPolicy } from '../../../shared/policies/payments.js';
import type { Mutation } from '../../core/store.js';
import { readJson } from '../../db/json.js';
import { recordExecution } from '../policies/execution-log.js';
import type { ActivePolicy } from '../policies/reader.js';

/** The most failures and the longest window any deposits policy may name (its schema's bounds). */
export const MAX_FAILURES_KEPT = 20;
export const MAX_FAILURE_WINDOW_HOURS = 24 * 90;

const minutesBetween = (from: string, to: string) => Math.floor((Date.parse(to) - Date.parse(from)) / 60_000);

export function pendingKycOutcome(policy: DepositsPolicy, legalEntity: string): string {
  return policy.depositWhilePendingReview.includes(legalEntity) ? 'allowed while KYC is pending' : 'refused: KYC is pending';
}

export async function logPendingKycDeposit(m: Mutation, policy: ActivePolicy<DepositsPolicy>, d: { clientId: string; legalEntity: string; subject: string }): Promise<void> {
  const allowed = policy.document.depositWhilePendingReview.includes(d.legalEntity);
  await recordExecution(m, {
    policy,
    event: 'deposit.initiate',
    subjectType: allowed ? 'deposit' : 'deposit_refusal',
    subjectId: d.subject,
    legalEntity: d.legalEntity,
    clientId: d.clientId,
    outcome: pendingKycOutcome(policy.document, d.legalEntity),
    conditions: [{ name: 'the legal entity lets clients deposit while their KYC is pending review', values: { legalEntity: d.legalEntity, entities: policy.document.depositWhilePendingReview.join(', ') || 'none' }, result: allowed }],
    actions: allowed ? [{ action: 'create deposit', deposit: d.subject }] : [{ action: 'refuse deposit', reason: 'KYC_INCOMPLETE' }],
    inputs: { legalEntity: d.legalEntity },
  });
}

export function failureOutcome(policy: DepositsPolicy, at: string, failures: readonly string[]): { outcome: string; counted: number } {
  const since = new Date(Date.parse(at) - policy.failureWindowHours * 3_600_000).toISOString();
  const counted = failures.filter((t) => t >= since && t <= at).length;
  return { outcome: counted >= policy.failuresBeforeReview ? 'method sent to review' : 'failure recorded', counted };
}

/** A failed payment: `failures` are the times of the client's failed payments with the method, this one included, latest first. */
export async function logFailure(m: Mutation, policy: ActivePolicy<DepositsPolicy>, d: { ref: string; clientId: string; legalEntity: string; method: string }, failures: readonly string[], exceptionRef: string | null): Promise<void> {
  const { outcome, counted } = failureOutcome(policy.document, m.now, failures);
  await recordExecution(m, {
    policy,
    event: 'deposit.failed',
    subjectType: 'deposit',
    subjectId: d.ref,
    legalEntity: d.legalEntity,
    clientId: d.clientId,
    outcome,
    conditions: [{ name: `failed ${d.method} payments within ${policy.document.failureWindowHours} h ≥ ${policy.document.failuresBeforeReview}`, values: { failures: counted, method: d.method }, result: outcome !== 'failure recorded' }],
    actions: exceptionRef ? [{ action: 'open exception', exception: exceptionRef, kind: 'repeated_failures' }] : [],
    inputs: { at: m.now, failures },
  });
}

export function parkedOutcome(policy: DepositsPolicy, parkedMinutes: number, resolved: 'applied' | 'exception'): string {
  return resolved === 'exception' || parkedMinutes >= policy.parkedEventMaxAgeMinutes ? 'exception for a person' : 'applied without a person';
}

/** A parked provider event, resolved: applied after waiting, or an exception once it had waited too long. */
export async function logParked(m: Mutation, policy: ActivePolicy<DepositsPolicy>, e: { provider: string; eventId: string; receivedAt: string; reference: string | null; legalEntity: string | null; clientId: string | null }, resolved: 'applied' | 'exception', exceptionRef: string | null): Promise<void> {
  const parkedMinutes = minutesBetween(e.receivedAt, m.now);
  const outcome = parkedOutcome(policy.document, parkedMinutes, resolved);
  await recordExecution(m, {
    policy,
    event: 'payments.event.parked',
    subjectType: 'psp_event',
    subjectId: `${e.provider}:${e.eventId}`,
    legalEntity: e.legalEntity,
    clientId: e.clientId,
    outcome,
    conditions: [{ name: `parked for ${policy.document.parkedEventMaxAgeMinutes} minutes or more`, values: { parkedMinutes, reference: e.reference ?? 'none' }, result: outcome === 'exception for a person' }],
    actions: exceptionRef ? [{ action: 'open exception', exception: exceptionRef, kind: 'parked_event' }] : [{ action: 'apply event' }],
    inputs: { parkedMinutes, resolved },
  });
}

const inputs = z.union([
  z.object({ legalEntity: z.string() }).strict(),
  z.object({ at: z.string(), failures: z.array(z.string()) }).strict(),
  z.object({ parkedMinutes: z.number(), resolved: z.enum(['applied', 'exception']) }).strict(),
]);

/**
 * A logged deposits decision decided again under a draft. A parked event that became an exception
 * stays one under a longer wait: whether it would have been applied in the extra time is not known.
 */
export function replayDeposits(draft: DepositsPolicy) {
  return (inputsJson: string, row: { outcome: string; subject_id: string }) => {
    const i = readJson(inputs, inputsJson, `policy_executions.inputs_json of ${row.subject_id}`);
    const after = 'legalEntity' in i ? pendingKycOutcome(draft, i.legalEntity) : 'failures' in i ? failureOutcome(draft, i.at, i.failures).outcome : parkedOutcome(draft, i.parkedMinutes, i.resolved);
    return { before: { outcome: row.outcome }, after: { outcome: after } };
  };
}
