// The KYC module's JSON columns read through schemas: a case's risk assessment, and a provider
// check's extraction, results and mismatches. Each is typed against the shape the code writes, so
// a column that does not hold it stops with its name instead of travelling on as the wrong type.

import { z } from 'zod';
import type { RiskAssessment } from '../../../shared/kyc/risk.js';
import { countryListSchema, RISK_LEVELS } from '../../../shared/policies/kyc.js';
import type { Mismatch } from './evidence.js';
import { providerCheck } from './provider-client.js';

/** `kyc_cases.risk_json` */
export const riskAssessment: z.ZodType<RiskAssessment> = z.object({
  score: z.number(),
  level: z.enum(RISK_LEVELS),
  factors: z.array(z.object({ factor: z.string(), label: z.string(), points: z.number(), detail: z.string() })),
  policyRef: z.string(),
  countryListDate: z.string().nullable(),
  assessedOn: z.string(),
});

/** `document_checks.extracted_json`: what the provider read off the document. */
export const extractedDocument = providerCheck.shape.document;

/** `document_checks.checks_json`: the MRZ, liveness and face-match results and the provider's verdict. */
export const storedChecks = z.object({
  mrz: providerCheck.shape.document.unwrap().shape.mrz.nullable(),
  liveness: providerCheck.shape.liveness,
  faceMatch: providerCheck.shape.faceMatch,
  providerResult: providerCheck.shape.result,
});

/** `document_checks.mismatches_json` */
export const mismatches: z.ZodType<Mismatch[]> = z.array(z.object({ field: z.string(), declared: z.string().nullable(), extracted: z.string().nullable(), message: z.string() }));

/** `audit_events.after_json` of `kyc.country_lists.applied`: the FATF lists the last re-scoring applied. */
export const appliedCountryLists = z.object({ list: countryListSchema.nullable() });
