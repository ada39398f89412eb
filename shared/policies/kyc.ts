// KYC rules as policy data. `kyc.risk`: the weights of each risk factor, the FATF lists by the date
// they take effect, the thresholds to low, medium and high, and the enhanced-due-diligence checklist
// a high-risk client must complete. `kyc.review`: how the queue is run (auto-verification, SLA per
// status, when a case counts as stuck, expiry reminders and what an expired document restricts).

import { z } from 'zod';
import { DOCUMENT_TYPE_NAMES } from '../kyc/machine.js';

const points = z.number().int().min(0).max(1000);
const iso2 = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD');

export const PAYMENT_METHODS = ['bank_transfer', 'card', 'e_wallet', 'crypto'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export const SOURCES_OF_FUNDS = ['employment', 'savings', 'investments', 'pension', 'business', 'inheritance', 'gift', 'other'] as const;
export type SourceOfFunds = (typeof SOURCES_OF_FUNDS)[number];

export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** One FATF plenary's lists, effective from its date until the next one. */
export const countryListSchema = z
  .object({
    effectiveDate: isoDate,
    source: z.string().min(1).max(500),
    /** 'High-Risk Jurisdictions subject to a Call for Action' (the black list) */
    callForAction: z.array(iso2).max(250),
    /** 'Jurisdictions under Increased Monitoring' (the grey list) */
    increasedMonitoring: z.array(iso2).max(250),
  })
  .strict();

export type CountryList = z.infer<typeof countryListSchema>;

const countryWeights = z.object({ callForAction: points, increasedMonitoring: points }).strict();

/** How an item of the enhanced-due-diligence checklist is satisfied. */
export const EDD_EVIDENCE = ['document', 'senior_signoff', 'attestation'] as const;

export const eddItemSchema = z
  .object({
    key: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case'),
    label: z.string().min(3).max(200),
    /** document: a received document of `documentType`; senior_signoff: a senior officer or the MLRO ticks it; attestation: the reviewer ticks it with a note */
    evidence: z.enum(EDD_EVIDENCE),
    documentType: z.enum(DOCUMENT_TYPE_NAMES).optional(),
  })
  .strict()
  .refine((i) => (i.evidence === 'document') === (i.documentType !== undefined), { message: 'a document item names its documentType, and only a document item does', path: ['documentType'] });

export type EddItem = z.infer<typeof eddItemSchema>;

export const kycRiskSchema = z
  .object({
    countryLists: z
      .array(countryListSchema)
      .max(200)
      .refine((l) => new Set(l.map((x) => x.effectiveDate)).size === l.length, { message: 'two country lists share an effective date' }),
    weights: z
      .object({
        residence: countryWeights,
        nationality: countryWeights,
        pep: points,
        screening: z.object({ potentialMatch: points, confirmedMatch: points, notScreened: points }).strict(),
        clientType: z.object({ individual: points, corporate: points }).strict(),
        corporate: z
          .object({
            /** each party (director, shareholder, owner) resident in or a national of a listed country */
            partyInListedCountry: points,
            /** no beneficial owner of 25% or more declared */
            noBeneficialOwner: points,
            /** more parties than this add `perExtraParty` each */
            partiesIncluded: z.number().int().min(0).max(100),
            perExtraParty: points,
          })
          .strict(),
        paymentMethod: z.record(z.enum(PAYMENT_METHODS), points),
        /** a payment method not declared yet */
        paymentMethodUnknown: points,
        sourceOfFunds: z.record(z.enum(SOURCES_OF_FUNDS), points),
        sourceOfFundsUnknown: points,
      })
      .strict(),
    /** a score at or above `medium` is medium risk, at or above `high` is high risk */
    thresholds: z.object({ medium: points, high: points }).strict(),
    /** the enhanced-due-diligence checklist a high-risk case completes before approval */
    edd: z.array(eddItemSchema).min(1).max(20),
  })
  .strict()
  .refine((p) => p.thresholds.high > p.thresholds.medium, { message: 'high must be above medium', path: ['thresholds', 'high'] })
  .refine((p) => new Set(p.edd.map((i) => i.key)).size === p.edd.length, { message: 'two checklist items share a key', path: ['edd'] });

export type KycRiskPolicy = z.infer<typeof kycRiskSchema>;

/**
 * Shipped without FATF lists: they are facts that change three times a year and must come from a
 * dated source. `npm run policy -- fatf <file>` proposes a version with them (maker-checker).
 */
export const DEFAULT_KYC_RISK: KycRiskPolicy = {
  countryLists: [],
  weights: {
    residence: { callForAction: 100, increasedMonitoring: 30 },
    nationality: { callForAction: 60, increasedMonitoring: 15 },
    pep: 50,
    screening: { potentialMatch: 20, confirmedMatch: 100, notScreened: 10 },
    clientType: { individual: 0, corporate: 10 },
    corporate: { partyInListedCountry: 20, noBeneficialOwner: 25, partiesIncluded: 4, perExtraParty: 5 },
    paymentMethod: { bank_transfer: 0, card: 5, e_wallet: 10, crypto: 30 },
    paymentMethodUnknown: 5,
    sourceOfFunds: { employment: 0, pension: 0, savings: 5, investments: 5, business: 10, inheritance: 10, gift: 20, other: 25 },
    sourceOfFundsUnknown: 10,
  },
  thresholds: { medium: 25, high: 50 },
  edd: [
    { key: 'source_of_wealth', label: 'Source of wealth evidenced', evidence: 'document', documentType: 'source_of_wealth' },
    { key: 'adverse_media', label: 'Adverse media search done and recorded', evidence: 'attestation' },
    { key: 'senior_approval', label: 'Senior management approval of the relationship', evidence: 'senior_signoff' },
  ],
};

export const KYC_EXPIRY_RESTRICTIONS = ['trading', 'withdrawals', 'none'] as const;

export const kycReviewSchema = z
  .object({
    autoVerify: z
      .object({
        /** clean, low-risk cases whose documents the provider verified are approved without a reviewer */
        enabled: z.boolean(),
        legalEntities: z.array(z.string().min(1)).max(50),
      })
      .strict(),
    sla: z
      .object({
        /** hours a case may stay in each status before its SLA is breached */
        hours: z.object({ open: z.number().int().min(1), pending_documents: z.number().int().min(1), escalated: z.number().int().min(1) }).strict(),
        /** a case with no change for this many hours is flagged as stuck */
        stuckAfterHours: z.number().int().min(1),
      })
      .strict(),
    documents: z
      .object({
        reminderDaysBefore: z.array(z.number().int().min(1).max(365)).min(1).max(5),
        onExpiry: z.object({ identity: z.enum(KYC_EXPIRY_RESTRICTIONS), address: z.enum(KYC_EXPIRY_RESTRICTIONS) }).strict(),
      })
      .strict(),
  })
  .strict();

export type KycReviewPolicy = z.infer<typeof kycReviewSchema>;

export const DEFAULT_KYC_REVIEW: KycReviewPolicy = {
  autoVerify: { enabled: true, legalEntities: ['global'] },
  sla: { hours: { open: 48, pending_documents: 240, escalated: 72 }, stuckAfterHours: 120 },
  documents: { reminderDaysBefore: [60, 30], onExpiry: { identity: 'trading', address: 'withdrawals' } },
};
