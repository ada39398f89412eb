// JSON columns read through their schemas: what a row holds is checked where it enters the code,
// not assumed with `as`. A value that does not fit (a hand-edited row, a bug that wrote the wrong
// shape) stops with the column named instead of travelling on as the wrong type.

import { z } from 'zod';
import { ROLES } from '../../shared/access/permissions.js';
import { RESTRICTION_KINDS, type RestrictionKind } from '../../shared/clients/lifecycle.js';
import { PARTY_ROLES } from '../../shared/clients/schemas.js';
import { DOCUMENT_TYPES, type DocumentType } from '../../shared/kyc/machine.js';

export class CorruptRowError extends Error {
  override readonly name = 'CorruptRowError';
}

/** Parses a JSON column and checks it against its schema; `where` names the column for the error. */
export function readJson<S extends z.ZodType>(schema: S, text: string, where: string): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CorruptRowError(`${where} does not hold JSON.`);
  }
  // What JSON.parse answers is JSON: checking it against "any JSON value" again only costs time
  // (a tenth of a second over an evidence view's 5,000 events).
  if (schema === ANY_JSON) return value as z.output<S>;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CorruptRowError(`${where} does not hold what it should: ${issue.path.join('.') || '(value)'}: ${issue.message}`);
  }
  return parsed.data;
}

const ANY_JSON: z.ZodType = z.json();

const documentType = z.enum(Object.keys(DOCUMENT_TYPES) as [DocumentType, ...DocumentType[]]);
const restrictionKind = z.enum(Object.keys(RESTRICTION_KINDS) as [RestrictionKind, ...RestrictionKind[]]);

/** The schemas of the JSON columns, by what they hold. */
export const JSON_COLUMNS = {
  /** approvers of a grant or revocation, excluded approvers: user ids */
  userIds: z.array(z.string()),
  /** the roles a tier accepts */
  roles: z.array(z.enum(ROLES)),
  /** a rule change's approval chain: named slots */
  chain: z.array(z.object({ name: z.string(), roles: z.array(z.enum(ROLES)) })),
  /** a party's roles in a corporate client */
  partyRoles: z.array(z.enum(PARTY_ROLES)),
  /** any JSON value: an audit event's before and after, a job's payload (its kind's schema reads it) */
  json: ANY_JSON as ReturnType<typeof z.json>,
  /** an object of any fields: an alert's details, a registration as recorded */
  object: z.record(z.string(), z.json()),
  /** the client types an account type offers; a deposit's flags */
  strings: z.array(z.string()),
  /** documents a KYC case waits for */
  documentTypes: z.array(documentType),
  /** a client's restrictions */
  restrictions: z.array(restrictionKind),
  /** seconds a case spent in each status */
  statusSeconds: z.record(z.string(), z.number()),
  /** a case's enhanced-due-diligence checklist state */
  /** a withdrawal's pre-checks, with their evidence */
  withdrawalChecks: z.array(
    z.object({ code: z.string(), label: z.string(), outcome: z.enum(['passed', 'failed', 'not_available']), blocking: z.boolean(), detail: z.string(), data: z.record(z.string(), z.json()) }),
  ),
  /** a withdrawal's tier as chosen, with the slots it needs (one more after an approval despite a failed check) */
  withdrawalTier: z.object({ tier: z.string(), slots: z.array(z.object({ roles: z.array(z.string()) })), slaHours: z.number(), override: z.boolean() }),
  /** where a withdrawal is paid */
  destination: z.object({ accountHolder: z.string(), account: z.string() }),
  /** the FX rate a conversion used */
  fxRate: z.object({ from: z.string(), to: z.string(), rate: z.string(), source: z.string(), asOf: z.string() }),
  /** an intervention's tier as chosen, with the approval slots it needs */
  interventionTier: z.object({ tier: z.string(), slots: z.array(z.object({ roles: z.array(z.string()) })), slaHours: z.number() }),
  /** an MT5 account's state before or after an intervention */
  accountState: z.object({ group: z.string(), leverage: z.number(), rights: z.number(), balance: z.string(), credit: z.string() }),
  /** the MT5 deal an intervention made, as MT5 reported it */
  deal: z.object({ ticket: z.string(), action: z.number(), amount: z.string(), comment: z.string(), time: z.string(), dealer: z.string() }),
  edd: z.object({
    policyRef: z.string(),
    items: z.record(z.string(), z.object({ by: z.string(), byName: z.string(), at: z.string(), note: z.string() }).optional()),
  }),
} as const;
