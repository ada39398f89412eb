// A withdrawal's pre-checks, each recorded as evidence: passed, failed or not available, with the
// data it looked at. Run when the withdrawal is requested and again at every approval, so that the
// record shows what each approver saw. A failed blocking check (the client may not withdraw, a
// confirmed sanctions match, an open chargeback) cannot be approved past; a failed review check can,
// with a reason and one more approver (the tier's override slot).

import { sql } from 'kysely';
import { capabilities } from '../../../shared/clients/lifecycle.js';
import { formatAmount, type Money } from '../../../shared/money.js';
import type { WithdrawalTiersPolicy } from '../../../shared/policies/payments.js';
import { payerMatches } from '../../../shared/payments/payer.js';
import type { WithdrawalCheck } from '../../../shared/payments/withdrawals.js';
import { dateOf } from '../../../shared/time.js';
import type { Reader } from '../policies/reader.js';
import { restrictionsOf } from '../clients/restrictions.js';
import type { ClientRow } from '../../db/schema.js';

/** The pre-checks whose limits `payments.withdrawalTiers` sets: logged as its conditions in the execution log. */
export const POLICY_CHECKS: readonly string[] = ['velocity', 'deposit_then_withdraw'];

export interface CheckInput {
  client: ClientRow;
  money: Money;
  /** The withdrawal's amount in the entity's base currency, when a rate was found. */
  baseMinor: bigint | null;
  baseCurrency: string;
  destinationName: string;
  /** The withdrawal being checked again at approval: left out of velocity and first-withdrawal counts. */
  ref: string | null;
  now: string;
  /** The client's MT5 account in the withdrawal's currency as read just before (free margin), or why it was not read. */
  margin?: PlatformMargin;
}

/** What MT5 says of the account a withdrawal leaves: read before the deciding transaction (server/modules/platform/margin.ts). */
export type PlatformMargin = { read: true; login: number; marginFree: bigint; margin: bigint; equity: bigint } | { read: false; why: string };

function check(code: string, label: string, passed: boolean, blocking: boolean, detail: string, data: Record<string, unknown>): WithdrawalCheck {
  return { code, label, outcome: passed ? 'passed' : 'failed', blocking, detail, data };
}

export async function runWithdrawalChecks(db: Reader, input: CheckInput, policy: WithdrawalTiersPolicy, available: bigint): Promise<WithdrawalCheck[]> {
  const { client, money, now } = input;
  const shown = (m: bigint, currency = money.currency) => `${formatAmount({ minor: m, currency })} ${currency}`;
  const out: WithdrawalCheck[] = [];

  const restrictions = restrictionsOf(client);
  const can = capabilities(client.status, { restrictions });
  out.push(check('client_status', 'Client may withdraw', can.withdraw, true, can.withdraw ? `status ${client.status}` : `status ${client.status}${restrictions.length ? `, restricted: ${restrictions.join(', ')}` : ''}`, { status: client.status, restrictions }));

  const kyc = await db.selectFrom('kyc_cases').select(['id', 'status']).where('client_id', '=', client.id).orderBy('id', 'desc').executeTakeFirst();
  out.push(check('kyc_approved', 'KYC approved', kyc?.status === 'approved', false, kyc ? `${kyc.id} is ${kyc.status}` : 'no KYC case', { caseRef: kyc?.id ?? null, status: kyc?.status ?? null }));

  const today = dateOf(now);
  const poa = await db
    .selectFrom('documents')
    .select(['id', 'issued_at', 'expires_at', 'status'])
    .where('client_id', '=', client.id)
    .where('document_type', '=', 'proof_of_address')
    .where('status', 'in', ['received', 'accepted'])
    .orderBy('received_at', 'desc')
    .executeTakeFirst();
  const poaValid = poa !== undefined && poa.status === 'accepted' && (poa.expires_at === null || poa.expires_at >= today);
  out.push(check('proof_of_address', 'Proof of address valid', poaValid, false, poa ? `${poa.id} ${poa.status}${poa.expires_at ? `, expires ${poa.expires_at}` : ''}` : 'none on file', { documentId: poa?.id ?? null, status: poa?.status ?? null, expiresAt: poa?.expires_at ?? null }));

  const screening = client.screening_status;
  out.push(check('screening_clear', 'Screening clear', screening === 'clear', screening === 'confirmed_match', `screening ${screening.replaceAll('_', ' ')}`, { screeningStatus: screening }));

  const chargebacks = await db.selectFrom('payment_exceptions').select('ref').where('client_id', '=', client.id).where('kind', '=', 'chargeback').where('status', '=', 'open').execute();
  out.push(check('no_open_chargeback', 'No open chargeback', chargebacks.length === 0, true, chargebacks.length === 0 ? 'none open' : `open: ${chargebacks.map((c) => c.ref).join(', ')}`, { exceptions: chargebacks.map((c) => c.ref) }));

  out.push(check('available_balance', 'Available balance covers it', available >= money.minor, true, `available ${shown(available)} for ${shown(money.minor)}`, { available: formatAmount({ minor: available, currency: money.currency }), requested: formatAmount(money) }));

  const margin = input.margin ?? { read: false, why: 'no trading platform connected: margin not checked' };
  if (!margin.read) out.push({ code: 'open_position_margin', label: 'Open positions keep their margin', outcome: 'not_available', blocking: false, detail: margin.why, data: {} });
  else {
    const ok = money.minor <= margin.marginFree;
    out.push(check('open_position_margin', 'Open positions keep their margin', ok, false, ok ? `MT5 login ${margin.login} has ${shown(margin.marginFree)} free margin for ${shown(money.minor)}` : `MT5 login ${margin.login} has ${shown(margin.marginFree)} free margin (margin in use ${shown(margin.margin)}): paying ${shown(money.minor)} would leave open positions under-margined`, { login: margin.login, marginFree: formatAmount({ minor: margin.marginFree, currency: money.currency }), margin: formatAmount({ minor: margin.margin, currency: money.currency }), equity: formatAmount({ minor: margin.equity, currency: money.currency }) }));
  }

  const nameMatches = payerMatches(input.destinationName, client.type === 'corporate' ? { type: 'corporate', companyName: client.company_name ?? '' } : { type: 'individual', firstName: client.first_name ?? '', lastName: client.last_name ?? '' });
  out.push(check('destination_name', 'Destination is in the client’s name', nameMatches, false, nameMatches ? 'account holder matches the client' : 'third-party destination: the account holder is not the client', { accountHolder: input.destinationName }));

  const dayAgo = new Date(Date.parse(now) - 86_400_000).toISOString();
  let recent = db
    .selectFrom('withdrawals')
    .select([sql<string>`cast(count(*) as text)`.as('n'), sql<string | null>`cast(sum(base_amount) as text)`.as('base')])
    .where('client_id', '=', client.id)
    .where('created_at', '>=', dayAgo)
    .where('status', 'not in', ['rejected', 'failed']);
  if (input.ref) recent = recent.where('ref', '<>', input.ref);
  const velocity = await recent.executeTakeFirstOrThrow();
  const count = Number(velocity.n) + 1;
  const total = BigInt(velocity.base ?? '0') + (input.baseMinor ?? 0n);
  const velocityOk = count <= policy.checks.maxPerDay && total <= BigInt(policy.checks.maxBasePerDay);
  out.push(check('velocity', 'Within daily limits', velocityOk, false, `${count} in 24 hours (limit ${policy.checks.maxPerDay}), ${shown(total, input.baseCurrency)} (limit ${shown(BigInt(policy.checks.maxBasePerDay), input.baseCurrency)})`, { count, limit: policy.checks.maxPerDay, total: formatAmount({ minor: total, currency: input.baseCurrency }) }));

  let earlier = db.selectFrom('withdrawals').select('ref').where('client_id', '=', client.id).where('status', '=', 'paid');
  if (input.ref) earlier = earlier.where('ref', '<>', input.ref);
  const paidBefore = await earlier.limit(1).executeTakeFirst();
  out.push({ code: 'first_withdrawal', label: 'First withdrawal', outcome: 'passed', blocking: false, detail: paidBefore ? `paid before: ${paidBefore.ref}` : 'the client’s first withdrawal: two people approve', data: { first: paidBefore === undefined } });

  const since = new Date(Date.parse(now) - policy.checks.depositThenWithdrawHours * 3_600_000).toISOString();
  const deposits = await db
    .selectFrom('deposits')
    .select(sql<string | null>`cast(sum(amount - refunded) as text)`.as('sum'))
    .where('client_id', '=', client.id)
    .where('currency', '=', money.currency)
    .where('status', '=', 'credited')
    .where('credited_at', '>=', since)
    .executeTakeFirstOrThrow();
  const deposited = BigInt(deposits.sum ?? '0');
  const covered = deposited * 100n >= money.minor * BigInt(policy.checks.depositThenWithdrawShare);
  // Whether the client traded in between is the platform's to say: until it is connected, a
  // withdrawal that recent deposits cover is shown as not checked, with the deposits, and flagged.
  out.push({
    code: 'deposit_then_withdraw',
    label: 'Not a deposit withdrawn without trading',
    outcome: covered ? 'not_available' : 'passed',
    blocking: false,
    detail: covered ? `${shown(deposited)} deposited in the last ${policy.checks.depositThenWithdrawHours} hours covers ${policy.checks.depositThenWithdrawShare}% or more of it; trading not checked (no platform connected)` : `${shown(deposited)} deposited in the last ${policy.checks.depositThenWithdrawHours} hours`,
    data: { deposited: formatAmount({ minor: deposited, currency: money.currency }), hours: policy.checks.depositThenWithdrawHours, recentDepositsCover: covered },
  });
  return out;
}

export function failedChecks(checks: readonly WithdrawalCheck[]): { blocking: WithdrawalCheck[]; review: WithdrawalCheck[] } {
  const failed = checks.filter((c) => c.outcome === 'failed');
  return { blocking: failed.filter((c) => c.blocking), review: failed.filter((c) => !c.blocking) };
}
