// A canary's segment (issue 19): the subjects a version applies to before it applies to everyone: a
// legal entity, a client country, a share of clients (by a stable hash of the client's id, so a
// client sees one version throughout the canary) or of new requests (by a hash of the request's
// reference, so one client's requests may fall either side), or any combination (all must hold).

import { z } from 'zod';

export const segmentSchema = z
  .object({
    legalEntity: z.string().min(1).max(40).optional(),
    country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166 alpha-2 code such as "DE"').optional(),
    sharePercent: z.number().int().min(1).max(99).optional(),
    /** what the share is of: clients (the default) or new requests */
    shareOf: z.enum(['clients', 'requests']).optional(),
  })
  .strict()
  .refine((s) => s.legalEntity !== undefined || s.country !== undefined || s.sharePercent !== undefined, { message: 'name a legal entity, a country or a share of clients or of new requests' })
  .refine((s) => s.shareOf === undefined || s.sharePercent !== undefined, { message: 'shareOf says what sharePercent is a share of; give sharePercent too', path: ['shareOf'] });

export type Segment = z.infer<typeof segmentSchema>;

export interface Subject {
  legalEntity: string | null;
  country: string | null;
  /** the client's id: what a share of clients is taken of */
  client: string;
  /** the request's reference (WD-…, INT-…, a KYC case): what a share of new requests is taken of; the client's id where there is none */
  request?: string | undefined;
}

/** 0..99 from the key, the same on every server (FNV-1a). */
export function bucketOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 100;
}

export function inSegment(segment: Segment, subject: Subject): boolean {
  if (segment.legalEntity !== undefined && subject.legalEntity !== segment.legalEntity) return false;
  if (segment.country !== undefined && subject.country !== segment.country) return false;
  if (segment.sharePercent !== undefined) {
    const key = segment.shareOf === 'requests' ? (subject.request ?? subject.client) : subject.client;
    if (bucketOf(key) >= segment.sharePercent) return false;
  }
  return true;
}

export function describeSegment(s: Segment): string {
  return [s.legalEntity && `legal entity ${s.legalEntity}`, s.country && `clients in ${s.country}`, s.sharePercent !== undefined && `${s.sharePercent}% of ${s.shareOf === 'requests' ? 'new requests' : 'clients'}`].filter(Boolean).join(', ');
}
