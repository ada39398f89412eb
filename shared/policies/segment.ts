// A canary's segment (issue 19): the subjects a version applies to before it applies to everyone: a
// legal entity, a client country, a share of new requests (by a stable hash of the request's
// client, so a client sees one version throughout the canary), or any combination (all must hold).

import { z } from 'zod';

export const segmentSchema = z
  .object({
    legalEntity: z.string().min(1).max(40).optional(),
    country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166 alpha-2 code such as "DE"').optional(),
    sharePercent: z.number().int().min(1).max(99).optional(),
  })
  .strict()
  .refine((s) => s.legalEntity !== undefined || s.country !== undefined || s.sharePercent !== undefined, { message: 'name a legal entity, a country or a share of new requests' });

export type Segment = z.infer<typeof segmentSchema>;

export interface Subject {
  legalEntity: string | null;
  country: string | null;
  /** what the share is taken of: the client's id */
  key: string;
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
  if (segment.sharePercent !== undefined && bucketOf(subject.key) >= segment.sharePercent) return false;
  return true;
}

export function describeSegment(s: Segment): string {
  return [s.legalEntity && `legal entity ${s.legalEntity}`, s.country && `clients in ${s.country}`, s.sharePercent !== undefined && `${s.sharePercent}% of clients`].filter(Boolean).join(', ');
}
