// Compares two normalised names: token by token, in any order, with
// edit-distance, phonetic, initial and transliteration similarity, joined
// compounds and acronyms. Every result carries its own explanation.
import { GENERIC_ORGANISATION_WORDS, isOrganisation, makeToken, type EntitySchema, type NormalisedName, type Token, type TokenKind } from './normalize.js';
import { compareTokens, levenshteinSimilarity, PAIR_FLOOR, SAME_WORD, type TokenHow } from './tokens.js';

export type { TokenHow } from './tokens.js';


export interface TokenPair {
  readonly query: string;
  readonly candidate: string;
  readonly score: number;
  readonly how: TokenHow;
}

export interface NameComparison {
  readonly score: number;
  readonly pairs: readonly TokenPair[];
  /** query tokens with no counterpart */
  readonly unmatchedQuery: readonly string[];
  /** candidate tokens with no counterpart */
  readonly unmatchedCandidate: readonly string[];
  /** adjustments applied after alignment, in words ("legal form differs: llc / jsc") */
  readonly notes: readonly string[];
  /**
   * For companies and organisations: set when the match rests on nothing distinctive, only an
   * acronym, short tokens (three letters or fewer, or a loose spelling of a short word) or generic
   * words (holding, trading, group...). The matcher caps such a hit unless evidence supports it.
   */
  readonly weakBasis?: 'acronym' | 'short' | 'generic';
}

/** A matched word that identifies an organisation: not generic, four letters or more, spelt closely. */
const DISTINCTIVE_PAIR = 0.85;

interface AlignedPair {
  readonly query: Slot;
  readonly candidate: Slot;
  readonly score: number;
  readonly how: TokenHow;
}

/** Written the same way, give or take a letter or two: not only sounding alike or sharing a beginning. */
function spelledAlike(p: AlignedPair): boolean {
  if (p.how === 'exact' || p.how === 'abbreviation') return true;
  // Short words must be the same word: "team" and "tem", "bwi" and "bae" are others.
  if (Math.min(p.query.text.length, p.candidate.text.length) < 4) return false;
  return levenshteinSimilarity(p.query.text, p.candidate.text) >= 0.7;
}

function weakBasisOf(pairs: readonly AlignedPair[], unmatched: readonly Slot[], acronym: boolean): 'acronym' | 'short' | 'generic' | undefined {
  if (acronym) return 'acronym';
  const matched = pairs.filter((p) => p.score >= SAME_WORD);
  const generic = (p: AlignedPair) => GENERIC_ORGANISATION_WORDS.has(p.query.text) || GENERIC_ORGANISATION_WORDS.has(p.candidate.text);
  // A word that identifies an organisation: not generic, four letters or more, spelt closely
  // (Quanterix and Quantorform share a beginning; Moatable and Mahtabal sound alike).
  const distinctive = matched.some(
    (p) => p.query.kind === 'name' && p.candidate.kind === 'name' && p.score >= DISTINCTIVE_PAIR && levenshteinSimilarity(p.query.text, p.candidate.text) >= 0.75 && Math.min(p.query.text.length, p.candidate.text.length) >= 4 && !generic(p),
  );
  if (distinctive) return undefined;
  const alike = matched.filter(spelledAlike);
  // The whole name on both sides, spelt alike, is the same name however short or plain ("BMW AG" /
  // "BMW Aktiengesellschaft", "The World Bank" / "World Bank"): it does not rest on a part of it.
  const complete = unmatched.length === 0 && pairs.every((p) => p.score >= SAME_WORD || (p.query.kind !== 'name' && p.query.kind !== 'number'));
  if (complete && alike.length === matched.length) return undefined;
  // Several generic words in common, each the same word ("First International Bank"), say more than
  // one; a generic word spelt nearly alike is usually another word (holding / bilding, bancorp / banco).
  const alikeGeneric = matched.filter((p) => generic(p) && (p.how === 'exact' || p.how === 'abbreviation'));
  if (alikeGeneric.length === matched.length && alikeGeneric.length >= 2) return undefined;
  return alikeGeneric.length > 0 && alikeGeneric.length === matched.length ? 'generic' : 'short';
}

const WEIGHT: Record<TokenKind, number> = { name: 1, number: 0.5, patronymic: 0.4, particle: 0.3, filler: 0.15, legal: 0 };

/** Below this a matched pair is a different word, not a variant of the same one. */
interface Slot {
  readonly text: string;
  readonly kind: TokenKind;
  readonly weight: number;
  readonly token: Token;
  /** positions of the original tokens this slot stands for */
  readonly from: number;
}

const SLOTS = new WeakMap<readonly Token[], Slot[]>();

/** A name's comparable tokens; worked out once per normalised name (list names are compared many times). */
function slots(tokens: readonly Token[]): Slot[] {
  let out = SLOTS.get(tokens);
  if (out === undefined) {
    out = tokens.map((token, from) => ({ text: token.text, kind: token.kind, weight: WEIGHT[token.kind], token, from })).filter((slot) => slot.kind !== 'legal');
    SLOTS.set(tokens, out);
  }
  return out;
}

/**
 * Joins neighbouring tokens on one side where their concatenation matches a
 * single token on the other ("Siemens AG" / "SiemensAG", "Xi Jin Ping" /
 * "Xi Jinping", "Mohammad Hasni" / "Mohammadhasni").
 */
function joinCompounds(side: Slot[], other: readonly Slot[]): { slots: Slot[]; joined: Map<number, TokenHow> } {
  const joined = new Map<number, TokenHow>();
  const out: Slot[] = [];
  if (side.length < 2) return { slots: side, joined };
  const present = new Set(side.map((slot) => slot.text));
  // What the other side could join with: words of four letters or more, and short ones (initials).
  const others = other.filter((slot) => !present.has(slot.text));
  if (others.length === 0) return { slots: side, joined };
  let i = 0;
  while (i < side.length) {
    let merged: Slot | undefined;
    for (let n = Math.min(4, side.length - i); n >= 2 && merged === undefined; n -= 1) {
      // Cheap bounds before any string is built: the run's joined length, and whether any word
      // on the other side could be its compound (within 15% of that length) or its initials.
      let length = 0;
      let plain = true;
      for (let k = i; k < i + n; k += 1) {
        const slot = side[k]!;
        if (slot.kind === 'number' || slot.kind === 'legal') plain = false;
        length += slot.text.length;
      }
      if (!plain) continue;
      const mayJoin = others.some((slot) => (slot.text.length >= 4 && Math.abs(slot.text.length - length) <= 0.15 * Math.max(slot.text.length, length)) || slot.text.length === n);
      if (!mayJoin) continue;
      const run = side.slice(i, i + n);
      const text = run.map((slot) => slot.text).join('');
      const initials = run.map((slot) => slot.text[0]).join('');
      const target = others.find(
        (slot) =>
          slot.text.length >= 4 &&
          // a cheap bound first: 85% similar strings differ in length by at most 15%
          Math.abs(slot.text.length - text.length) <= 0.15 * Math.max(slot.text.length, text.length) &&
          !present.has(slot.text) &&
          levenshteinSimilarity(slot.text, text) >= 0.85,
      );
      // "JC" for "Jean Claude", "US" for "United States": initials of a run, written as one word.
      const abbreviated = others.find((slot) => slot.text.length === n && slot.text === initials);
      if (target !== undefined || abbreviated !== undefined) {
        const merge = target === undefined ? initials : text;
        // A real token of the joined text, so that a comparison depends on the texts alone (the token cache relies on it).
        const token = makeToken(merge, 'name', run.some((slot) => slot.token.abjad));
        merged = { text: merge, kind: 'name', weight: 1, token, from: run[0]!.from };
        joined.set(out.length, target === undefined ? 'initials' : 'compound');
        i += n;
      }
    }
    if (merged === undefined) {
      out.push(side[i]!);
      i += 1;
    } else out.push(merged);
  }
  return { slots: out, joined };
}

function legalFamilies(tokens: readonly Token[]): string[] {
  return tokens.filter((token) => token.kind === 'legal').map((token) => token.text);
}

/** An acronym on one side spelled out on the other: "PLA" / "People's Liberation Army". */
function acronymScore(short: readonly Slot[], long: readonly Slot[]): number {
  if (short.length !== 1 || long.length < 2) return 0;
  const word = short[0]!.text;
  if (word.length < 2 || word.length > 6) return 0;
  const initials = long.filter((slot) => slot.kind === 'name' || slot.kind === 'number').map((slot) => slot.text[0]).join('');
  const withFillers = long.map((slot) => slot.text[0]).join('');
  return word === initials || word === withFillers ? 0.9 : 0;
}

/**
 * Aligns the tokens greedily, best pairs first, each token used once. The
 * score is how well the shorter name is covered, lowered for the longer
 * name's leftovers, so that a list entry's full name still matches a client
 * who gives two of its parts, while one shared word does not make a match.
 */
export function compareNames(query: NormalisedName, candidate: NormalisedName, schema: EntitySchema, opts: { explain?: boolean } = {}): NameComparison {
  const person = schema === 'Person';
  const organisation = isOrganisation(schema);
  const baseQ = slots(query.tokens);
  const baseC = slots(candidate.tokens);
  const q = joinCompounds(baseQ, baseC);
  const c = joinCompounds(baseC, q.slots);
  const qs = q.slots;
  const cs = c.slots;
  const notes: string[] = [];

  if (qs.length === 0 || cs.length === 0) {
    return { score: 0, pairs: [], unmatchedQuery: qs.map((s) => s.text), unmatchedCandidate: cs.map((s) => s.text), notes: ['nothing left to compare after normalisation'] };
  }

  const candidates: Array<{ qi: number; ci: number; score: number; how: TokenHow }> = [];
  for (let qi = 0; qi < qs.length; qi += 1) {
    for (let ci = 0; ci < cs.length; ci += 1) {
      const result = compareTokens(qs[qi]!.token, cs[ci]!.token, person);
      // Initials say less than the words they stand for.
      const score = q.joined.get(qi) === 'initials' || c.joined.get(ci) === 'initials' ? Math.min(result.score, 0.85) : result.score;
      if (score >= PAIR_FLOOR) candidates.push({ qi, ci, score, how: result.how });
    }
  }
  candidates.sort((x, y) => y.score - x.score || Math.abs(x.qi - x.ci) - Math.abs(y.qi - y.ci));
  const usedQ = new Map<number, { qi: number; ci: number; score: number; how: TokenHow }>();
  const usedC = new Set<number>();
  for (const pair of candidates) {
    if (usedQ.has(pair.qi) || usedC.has(pair.ci)) continue;
    usedQ.set(pair.qi, pair);
    usedC.add(pair.ci);
  }

  // A pair below SAME_WORD is a different word in the same place: a substitution, not a spelling.
  const strength = (score: number): number => (score >= SAME_WORD ? score : 0);
  const coverage = (side: readonly Slot[], scoreAt: (i: number) => number): number => {
    let total = 0;
    let got = 0;
    side.forEach((slot, i) => {
      total += slot.weight;
      got += slot.weight * strength(scoreAt(i));
    });
    return total === 0 ? 0 : got / total;
  };
  const scoreOfC = new Map<number, number>();
  for (const [, pair] of usedQ) scoreOfC.set(pair.ci, pair.score);
  const coverQ = coverage(qs, (i) => usedQ.get(i)?.score ?? 0);
  const coverC = coverage(cs, (i) => scoreOfC.get(i) ?? 0);
  const weightQ = qs.reduce((sum, slot) => sum + slot.weight, 0);
  const weightC = cs.reduce((sum, slot) => sum + slot.weight, 0);
  const [coverShort, coverLong] = weightQ <= weightC ? [coverQ, coverC] : [coverC, coverQ];
  let score = coverShort * Math.pow(coverLong, 0.3);

  // Leftover name parts on both sides mean one name was put where another stood:
  // father's name, clan or surname swapped. That is stronger evidence of a
  // different person than a part one side simply leaves out.
  const leftover = (side: readonly Slot[], scoreAt: (i: number) => number): number =>
    side.filter((slot, i) => (slot.kind === 'name' || slot.kind === 'patronymic') && strength(scoreAt(i)) === 0).length;
  const substitutions = Math.min(leftover(qs, (i) => usedQ.get(i)?.score ?? 0), leftover(cs, (i) => scoreOfC.get(i) ?? 0));
  if (substitutions > 0) {
    score *= Math.pow(0.8, substitutions);
    notes.push(substitutions === 1 ? 'one name part differs' : `${substitutions} name parts differ`);
  }

  const namesMatched = [...usedQ.values()].filter((pair) => cs[pair.ci]!.kind === 'name' && pair.score >= SAME_WORD).length;
  const shortNames = Math.min(qs.filter((s) => s.kind === 'name').length, cs.filter((s) => s.kind === 'name').length);
  if (person && namesMatched < 2 && Math.max(qs.length, cs.length) > 1) {
    score = Math.min(score, 0.6);
    notes.push('only one name part in common');
  } else if (!person && shortNames === 1 && Math.max(qs.length, cs.length) > 1 && namesMatched < 2) {
    score *= 0.9;
    // One word in common and a distinctive word on the other side that matches nothing ("Orange" /
    // "Orange Volunteers") is another organisation more often than the same one with a longer name
    // ("Faberlic" / "Faberlic Europe", where the extra word is generic).
    const unmatchedDistinctive = [...qs.filter((_, i) => !usedQ.has(i)), ...cs.filter((_, i) => !usedC.has(i))].some((slot) => slot.kind === 'name' && slot.text.length >= 4 && !GENERIC_ORGANISATION_WORDS.has(slot.text));
    if (unmatchedDistinctive) score *= 0.85;
    notes.push(unmatchedDistinctive ? 'only one word in common, the other name has a distinctive word more' : 'only one word in common');
  }

  const matched = [...usedQ.values()].filter((pair) => pair.score >= SAME_WORD);
  if (person && matched.length > 0 && matched.every((pair) => pair.how === 'initial' || q.joined.get(pair.qi) === 'initials' || c.joined.get(pair.ci) === 'initials')) {
    score = Math.min(score, 0.5);
    notes.push('only initials in common');
  }

  if (person && usedQ.size >= 3) {
    // Name parts moved out of order (other than surname first) suggest a different person: son and father swapped.
    const order = [...usedQ.entries()].sort(([a], [b]) => a - b).map(([, pair]) => pair.ci);
    // The first part staying first (middle names swapped) or the surname moved to the front are the usual variants.
    const anchored = order[0] === Math.min(...order);
    if (!anchored && !isRotation(order)) {
      score *= 0.6;
      notes.push('name parts in a different order');
    }
  }

  let weakBasis: NameComparison['weakBasis'];
  if (organisation) {
    const acronym = Math.max(acronymScore(qs, cs), acronymScore(cs, qs));
    const byAcronym = acronym > score;
    if (byAcronym) {
      score = acronym;
      notes.push('acronym');
    }
    const counts = (slot: Slot) => slot.kind === 'name' || slot.kind === 'number';
    const unmatched = [...qs.filter((slot, i) => counts(slot) && !usedQ.has(i)), ...cs.filter((slot, i) => counts(slot) && !usedC.has(i))];
    weakBasis = weakBasisOf([...usedQ.values()].map((pair) => ({ query: qs[pair.qi]!, candidate: cs[pair.ci]!, score: pair.score, how: pair.how })), unmatched, byAcronym);
    const fq = legalFamilies(query.tokens);
    const fc = legalFamilies(candidate.tokens);
    if (fq.length > 0 && fc.length > 0 && !fq.some((family) => fc.includes(family))) {
      score *= 0.85;
      notes.push(`legal form differs: ${fq.join(' ')} / ${fc.join(' ')}`);
    }
  }

  // Screening compares a subject with dozens of names and explains one: the others need their score alone.
  if (opts.explain === false) {
    return { score: round(Math.max(0, Math.min(1, score))), pairs: [], unmatchedQuery: [], unmatchedCandidate: [], notes, ...(weakBasis === undefined ? {} : { weakBasis }) };
  }
  const pairs: TokenPair[] = [...usedQ.entries()]
    .sort(([a], [b]) => a - b)
    .map(([qi, pair]) => {
      const joined = q.joined.get(qi) ?? c.joined.get(pair.ci);
      return {
        query: qs[qi]!.text,
        candidate: cs[pair.ci]!.text,
        score: round(pair.score),
        how: joined !== undefined && pair.how === 'exact' ? joined : pair.how,
      };
    });
  return {
    score: round(Math.max(0, Math.min(1, score))),
    pairs,
    unmatchedQuery: qs.filter((_, i) => !usedQ.has(i)).map((slot) => slot.text),
    unmatchedCandidate: cs.filter((_, i) => !usedC.has(i)).map((slot) => slot.text),
    notes,
    ...(weakBasis === undefined ? {} : { weakBasis }),
  };
}

function isRotation(order: readonly number[]): boolean {
  const start = order.indexOf(Math.min(...order));
  const rotated = [...order.slice(start), ...order.slice(0, start)];
  return rotated.every((ci, i) => i === 0 || ci > rotated[i - 1]!);
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
