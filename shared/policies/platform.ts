// MT5 rules as versioned data: `platform.interventionTiers` (who approves a manual intervention, and
// the reason codes a request must name) and `platform.accounts` (which MT5 group, leverage and
// currency each legal entity's account types open in).

import { z } from 'zod';
import { DomainError } from '../errors.js';
import { ROLES } from '../access/permissions.js';
import { INTERVENTION_TYPES, MONEY_TYPES } from '../platform/interventions.js';

const hours = z.number().int().min(1).max(24 * 90);
const slot = z.object({ roles: z.array(z.enum(ROLES)).min(1) }).strict();

export const interventionTierSchema = z
  .object({
    name: z.string().min(1).max(60),
    /** The types this tier covers; none: any. */
    types: z.array(z.enum(INTERVENTION_TYPES)).min(1).optional(),
    /** Upper bound of the amount, in minor units of the entity's base currency, inclusive; none: no bound (types without an amount ignore it). */
    upToBase: z.number().int().positive().optional(),
    slots: z.array(slot).min(1).max(5),
    slaHours: hours,
  })
  .strict();

export const reasonCodeSchema = z
  .object({
    code: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'lower-case letters, digits and underscores'),
    label: z.string().min(1).max(80),
    /** The types this reason may be given for. */
    types: z.array(z.enum(INTERVENTION_TYPES)).min(1),
  })
  .strict();

export const interventionTiersSchema = z
  .object({
    baseCurrency: z.record(z.string().min(1), z.string().regex(/^[A-Z]{3}$/)),
    tiers: z.array(interventionTierSchema).min(1).refine((t) => t.at(-1)?.types === undefined && t.at(-1)?.upToBase === undefined, { message: 'the last tier must have no type list and no band, so that every intervention finds a tier' }),
    reasonCodes: z
      .array(reasonCodeSchema)
      .min(1)
      .refine((codes) => new Set(codes.map((c) => c.code)).size === codes.length, { message: 'reason codes must be unique' })
      .refine((codes) => INTERVENTION_TYPES.every((t) => codes.some((c) => c.types.includes(t))), { message: 'every intervention type needs at least one reason code' }),
  })
  .strict();

export type InterventionTiersPolicy = z.infer<typeof interventionTiersSchema>;

const MONEY = [...MONEY_TYPES];
const ACCESS = ['reactivate', 'disable_trading', 'enable_trading', 'reset_permissions'] as const;

export const DEFAULT_INTERVENTION_TIERS: InterventionTiersPolicy = {
  baseCurrency: { eu: 'EUR', global: 'USD' },
  tiers: [
    { name: 'access change', types: [...ACCESS], slots: [{ roles: ['dealing_manager'] }], slaHours: 4 },
    { name: 'group or leverage', types: ['change_group', 'change_leverage'], slots: [{ roles: ['dealing_manager'] }], slaHours: 24 },
    { name: 'money up to 1,000', types: MONEY, upToBase: 100_000, slots: [{ roles: ['dealing_manager'] }], slaHours: 24 },
    { name: 'money up to 10,000', types: MONEY, upToBase: 1_000_000, slots: [{ roles: ['dealing_manager'] }, { roles: ['finance_manager'] }], slaHours: 24 },
    { name: 'money above 10,000', slots: [{ roles: ['dealing_manager'] }, { roles: ['finance_manager'] }, { roles: ['mlro'] }], slaHours: 48 },
  ],
  reasonCodes: [
    { code: 'trade_dispute', label: 'Trade dispute settled in the client\u2019s favour', types: ['balance_correction'] },
    { code: 'platform_error', label: 'Platform or price-feed error corrected', types: ['balance_correction', 'credit_out'] },
    { code: 'fee_refund', label: 'Fee or swap refunded', types: ['balance_correction'] },
    { code: 'bonus_campaign', label: 'Credit under an approved campaign', types: ['credit_in'] },
    { code: 'bonus_expired', label: 'Credit removed: campaign terms ended', types: ['credit_out'] },
    { code: 'compliance_hold', label: 'Compliance restriction', types: ['disable_trading', 'change_leverage', 'change_group'] },
    { code: 'restriction_lifted', label: 'Restriction lifted after review', types: ['enable_trading', 'reactivate', 'reset_permissions'] },
    { code: 'client_request', label: 'Client\u2019s written request', types: ['change_leverage', 'change_group', 'reactivate', 'reset_permissions', 'disable_trading'] },
    { code: 'professional_status', label: 'Professional client status granted or withdrawn', types: ['change_group', 'change_leverage'] },
    { code: 'risk_management', label: 'Dealing risk management', types: ['disable_trading', 'change_leverage', 'change_group'] },
  ],
};

export interface InterventionTierChoice {
  tier: string;
  slots: Array<{ roles: string[] }>;
  slaHours: number;
}

/** The first tier whose types and band match; an amount that could not be converted (null) fits no band. */
export function chooseInterventionTier(policy: InterventionTiersPolicy, c: { type: (typeof INTERVENTION_TYPES)[number]; baseMinor: bigint | null }): InterventionTierChoice {
  const tier = policy.tiers.find((t) => (t.types === undefined || t.types.includes(c.type)) && (t.upToBase === undefined || (c.baseMinor !== null && c.baseMinor <= BigInt(t.upToBase))))!;
  return { tier: tier.name, slots: tier.slots.map((s) => ({ roles: [...s.roles] })), slaHours: tier.slaHours };
}

export const accountTypeSchema = z
  .object({
    group: z.string().min(1).max(63),
    leverage: z.number().int().min(1).max(10_000),
    currency: z.string().regex(/^[A-Z]{3}$/),
  })
  .strict();

/** `platform.accounts`: per legal entity, the account types a client may choose and where each opens on MT5. */
export const platformAccountsSchema = z
  .object({
    entities: z.record(z.string().min(1), z.record(z.string().regex(/^[a-z][a-z0-9_]{1,29}$/), accountTypeSchema)),
    /** The account type used when the client chose none. */
    defaultAccountType: z.string().min(1),
  })
  .strict()
  .refine((p) => Object.values(p.entities).every((types) => Object.hasOwn(types, p.defaultAccountType)), { message: 'every legal entity must offer the default account type' });

export type PlatformAccountsPolicy = z.infer<typeof platformAccountsSchema>;

export const DEFAULT_PLATFORM_ACCOUNTS: PlatformAccountsPolicy = {
  entities: {
    eu: {
      standard: { group: 'real\\eu\\standard', leverage: 30, currency: 'EUR' },
      professional: { group: 'real\\eu\\professional', leverage: 100, currency: 'EUR' },
    },
    global: {
      standard: { group: 'real\\global\\standard', leverage: 200, currency: 'USD' },
      professional: { group: 'real\\global\\professional', leverage: 500, currency: 'USD' },
    },
  },
  defaultAccountType: 'standard',
};

/** Where a client's MT5 account opens: the type chosen where the entity offers it, else the default; none where the entity has no types. */
export function accountChoice(policy: PlatformAccountsPolicy, legalEntity: string, chosen: string): { type: string; account: z.infer<typeof accountTypeSchema> | undefined } {
  const types = policy.entities[legalEntity];
  const type = types?.[chosen] ? chosen : policy.defaultAccountType;
  return { type, account: types?.[type] };
}

/** An account choice as the execution log and a dry run name it. */
export function accountOutcome(choice: ReturnType<typeof accountChoice>): string {
  return choice.account ? `${choice.type}: ${choice.account.group}, 1:${choice.account.leverage}, ${choice.account.currency}` : 'no account types: failed';
}

/** The catalog's reason for the request's code, which must cover its type. */
export function reasonCodeFor(policy: InterventionTiersPolicy, input: { type: string; reasonCode: string }) {
  const reason = policy.reasonCodes.find((r) => r.code === input.reasonCode);
  if (!reason) throw new DomainError('VALIDATION_FAILED', `reasonCode: "${input.reasonCode}" is not in the catalog; known: ${policy.reasonCodes.map((r) => r.code).join(', ')}.`, { field: 'reasonCode' });
  if (!(reason.types as string[]).includes(input.type)) throw new DomainError('VALIDATION_FAILED', `reasonCode: "${input.reasonCode}" (${reason.label}) is not a reason for ${input.type.replaceAll('_', ' ')}; it covers ${reason.types.join(', ').replaceAll('_', ' ')}.`, { field: 'reasonCode' });
  return reason;
}
