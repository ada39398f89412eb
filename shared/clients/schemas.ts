// Client portal intake and client procedures: the shapes, validated by zod on the server. Country
// codes are checked against ISO 3166 on the server (the renderer never needs the table).

import { z } from 'zod';
import { PAYMENT_METHODS, SOURCES_OF_FUNDS } from '../policies/kyc.js';
import { CLIENT_TYPES } from './lifecycle.js';

export const countryCode = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code in capitals, e.g. CY');
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'is not a calendar date');
/**
 * Characters no name is written with, which make a name display other than it reads (or hide in
 * it): C0 and C1 controls and NUL, direction embeddings, overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069), the left-to-right and right-to-left marks, zero-width spaces and the BOM. The
 * zero-width joiner and non-joiner stay: Persian and Indic names need them.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE_IN_NAMES = /[\u0000-\u001f\u007f-\u009f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;

function unsafeCharacter(text: string): string | null {
  const m = UNSAFE_IN_NAMES.exec(text);
  return m ? `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : null;
}

const name = z
  .string()
  .trim()
  .min(1)
  .max(120)
  .superRefine((text, ctx) => {
    const found = unsafeCharacter(text);
    if (found) ctx.addIssue({ code: 'custom', message: `holds a control or text-direction character (${found}) that no name is written with; send the name as it is written` });
  });

export const PARTY_ROLES = ['director', 'shareholder', 'ubo'] as const;
export type PartyRole = (typeof PARTY_ROLES)[number];

/** Ultimate beneficial owners are those holding this share or more. */
export const UBO_THRESHOLD_PERCENT = 25;

export const partyInput = z
  .object({
    firstName: name,
    lastName: name,
    roles: z.array(z.enum(PARTY_ROLES)).min(1).max(3),
    dateOfBirth: isoDate.optional(),
    nationality: countryCode.optional(),
    country: countryCode.optional(),
    /** percent of shares or voting rights, up to two decimals */
    ownershipPercent: z.number().min(0).max(100).multipleOf(0.01).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.roles.includes('ubo') && (p.ownershipPercent ?? 0) < UBO_THRESHOLD_PERCENT) {
      ctx.addIssue({ code: 'custom', path: ['ownershipPercent'], message: `an ultimate beneficial owner holds ${UBO_THRESHOLD_PERCENT}% or more; give the share` });
    }
    if (p.roles.includes('shareholder') && p.ownershipPercent === undefined) {
      ctx.addIssue({ code: 'custom', path: ['ownershipPercent'], message: 'give a shareholder\u2019s share in percent' });
    }
  });

export const registerClientInput = z
  .object({
    externalId: z.string().trim().min(1).max(64).regex(/^[\w.:-]+$/, 'may hold letters, digits and . _ : - only'),
    type: z.enum(CLIENT_TYPES),
    legalEntity: z.string().min(1).max(32),
    firstName: name.optional(),
    lastName: name.optional(),
    companyName: name.optional(),
    email: z.email().max(254),
    phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be in international format, e.g. +35722000000').optional(),
    country: countryCode,
    nationality: countryCode.optional(),
    dateOfBirth: isoDate.optional(),
    accountType: z.string().min(1).max(32),
    parties: z.array(partyInput).max(50).optional(),
    /** the client declares being (or being close to) a politically exposed person */
    politicallyExposed: z.boolean().optional(),
    paymentMethod: z.enum(PAYMENT_METHODS).optional(),
    sourceOfFunds: z.enum(SOURCES_OF_FUNDS).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.type === 'individual') {
      for (const f of ['firstName', 'lastName', 'dateOfBirth'] as const) if (!c[f]) ctx.addIssue({ code: 'custom', path: [f], message: 'is required for an individual client' });
      if (c.companyName) ctx.addIssue({ code: 'custom', path: ['companyName'], message: 'is for corporate clients only' });
      if (c.parties?.length) ctx.addIssue({ code: 'custom', path: ['parties'], message: 'directors, shareholders and owners are for corporate clients only' });
    } else {
      if (!c.companyName) ctx.addIssue({ code: 'custom', path: ['companyName'], message: 'is required for a corporate client' });
      if (!c.parties?.some((p) => p.roles.includes('director'))) ctx.addIssue({ code: 'custom', path: ['parties'], message: 'name at least one director of a corporate client' });
    }
  });

export type RegisterClientInput = z.infer<typeof registerClientInput>;

export const updateClientInput = z
  .object({
    clientId: z.string().regex(/^CL-\d{6,}$/),
    firstName: name.optional(),
    lastName: name.optional(),
    companyName: name.optional(),
    email: z.email().max(254).optional(),
    phone: z.string().regex(/^\+[1-9]\d{6,14}$/).optional(),
    country: countryCode.optional(),
    nationality: countryCode.optional(),
    dateOfBirth: isoDate.optional(),
    politicallyExposed: z.boolean().optional(),
    paymentMethod: z.enum(PAYMENT_METHODS).optional(),
    sourceOfFunds: z.enum(SOURCES_OF_FUNDS).optional(),
  })
  .strict()
  .refine((u) => Object.keys(u).length > 1, { message: 'name at least one field to change' });

export type UpdateClientInput = z.infer<typeof updateClientInput>;

export const clientId = z.string().regex(/^CL-\d{6,}$/, 'must be a client reference like CL-000123');
