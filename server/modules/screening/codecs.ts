// The screening module's JSON columns, read through schemas: a list entry as the importers store
// it, and a hit as the matcher recorded it (with the subject and the entry as they stood). Each
// schema is typed against the interface it reads, so the two cannot drift apart.

import { z } from 'zod';
import type { Identifier, ListEntry, PartialDate } from './lists/model.js';
import type { NameComparison, TokenPair } from './matching/compare.js';
import type { Evidence, Hit, MatchableEntry, Subject } from './matching/matcher.js';
import { ENTITY_SCHEMAS } from './matching/normalize.js';

const entitySchema = z.enum(ENTITY_SCHEMAS);

const partialDate: z.ZodType<PartialDate> = z.object({
  year: z.number().int(),
  month: z.number().int().optional(),
  day: z.number().int().optional(),
  toYear: z.number().int().optional(),
  approximate: z.boolean().optional(),
});

const identifier: z.ZodType<Identifier> = z.object({ type: z.string(), value: z.string(), country: z.string().optional() });

const listEntryShape = {
  key: z.string(),
  schema: entitySchema,
  names: z.array(z.string()),
  birthDates: z.array(partialDate),
  nationalities: z.array(z.string()),
  countries: z.array(z.string()),
  identifiers: z.array(identifier),
  programs: z.array(z.string()),
  topics: z.array(z.string()),
  remarks: z.string().optional(),
  listedOn: z.string().optional(),
};

export const listEntry: z.ZodType<ListEntry> = z.object(listEntryShape);
const matchableEntry: z.ZodType<MatchableEntry> = z.object({ ...listEntryShape, source: z.string() });

const subject: z.ZodType<Subject> = z.object({
  name: z.string(),
  schema: entitySchema,
  aliases: z.array(z.string()).optional(),
  birthDate: partialDate.optional(),
  nationality: z.string().optional(),
  identifiers: z.array(identifier).optional(),
});

const tokenPair: z.ZodType<TokenPair> = z.object({
  query: z.string(),
  candidate: z.string(),
  score: z.number(),
  how: z.enum(['exact', 'fuzzy', 'phonetic', 'initial', 'initials', 'nickname', 'transliteration', 'compound', 'abbreviation', 'reversed']),
});

const nameComparison: z.ZodType<NameComparison> = z.object({
  score: z.number(),
  pairs: z.array(tokenPair),
  unmatchedQuery: z.array(z.string()),
  unmatchedCandidate: z.array(z.string()),
  notes: z.array(z.string()),
  weakBasis: z.enum(['acronym', 'short', 'generic']).optional(),
});

const evidence: z.ZodType<Evidence> = z.object({ kind: z.enum(['birth_date', 'nationality', 'identifier', 'name_basis']), effect: z.number(), detail: z.string() });

const hit: z.ZodType<Hit> = z.object({
  source: z.string(),
  entryKey: z.string(),
  entryName: z.string(),
  schema: entitySchema,
  topics: z.array(z.string()),
  score: z.number(),
  nameScore: z.number(),
  queryName: z.string(),
  matchedName: z.string(),
  comparison: nameComparison,
  evidence: z.array(evidence),
});

/** `screening_cases.hit_json`: the hit, its explanation, and the subject and entry as they stood when it was found. */
export const storedHit = z.object({ hit, explanation: z.string(), subject, entry: matchableEntry });

/** `policy_executions.inputs_json` of a screening decision: the pair that was scored, as it stood. */
export const hitInputs = z.object({ subject, entry: matchableEntry });
