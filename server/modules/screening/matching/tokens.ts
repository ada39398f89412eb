// How alike two name tokens are, 0..1, and why: exact, written backwards, an initial, a known short
// form or abbreviation, edit distance, a shared beginning, sounding alike, or the same consonants
// in a script written without vowels. Memoised: names repeat across clients and lists.

import damerauLevenshtein from 'talisman/metrics/damerau-levenshtein.js';
import jaroWinkler from 'talisman/metrics/jaro-winkler.js';
import type { Token } from './normalize.js';

export type TokenHow = 'exact' | 'fuzzy' | 'phonetic' | 'initial' | 'initials' | 'nickname' | 'transliteration' | 'compound' | 'abbreviation' | 'reversed';

/** A pair at least this alike is the same word spelt differently; below, a different word in its place. */
export const SAME_WORD = 0.7;

/**
 * Common given-name short forms, both ways. A short form is a variant of a
 * name, not a spelling of it, so it scores below an exact match.
 */
const NICKNAMES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['alexander', ['alex', 'sasha', 'sandy', 'alec']], ['alexandra', ['alex', 'sasha', 'sandra']],
  ['abdullah', ['abdallah']], ['albert', ['al', 'bert']], ['andrew', ['andy', 'drew']], ['anthony', ['tony']],
  ['barack', ['barry']], ['benjamin', ['ben', 'benny', 'bibi']], ['charles', ['charlie', 'chuck']],
  ['christopher', ['chris', 'kit']], ['daniel', ['dan', 'danny']], ['david', ['dave']], ['donald', ['don']],
  ['edward', ['ed', 'eddie', 'ted', 'ned']], ['elizabeth', ['liz', 'beth', 'betty', 'lisa']], ['frederick', ['fred', 'freddie']],
  ['gregory', ['greg']], ['henry', ['harry', 'hank']], ['james', ['jim', 'jimmy', 'jamie']], ['jennifer', ['jen', 'jenny']],
  ['john', ['johnny', 'jack']], ['jonathan', ['jon']], ['joseph', ['joe', 'joey']], ['katherine', ['kate', 'kathy', 'katie']],
  ['kenneth', ['ken']], ['lawrence', ['larry']], ['margaret', ['maggie', 'peggy', 'meg']], ['matthew', ['matt']],
  ['michael', ['mike', 'mick', 'misha']], ['mohammed', ['mo']], ['nicholas', ['nick', 'nicky']], ['patrick', ['pat', 'paddy']],
  ['peter', ['pete']], ['richard', ['rick', 'dick', 'rich']], ['robert', ['rob', 'bob', 'bobby', 'bert']],
  ['ronald', ['ron', 'ronnie']], ['samuel', ['sam']], ['stephen', ['steve']], ['steven', ['steve']], ['susan', ['sue', 'susie']],
  ['theodore', ['ted', 'teddy', 'theo']], ['thomas', ['tom', 'tommy']], ['timothy', ['tim']], ['victoria', ['vicky', 'tori']],
  ['vladimir', ['vova', 'volodya']], ['william', ['bill', 'billy', 'will', 'willy']], ['yevgeny', ['zhenya']],
  ['dmitry', ['dima']], ['aleksandr', ['sasha']], ['ivan', ['vanya']], ['nikolai', ['kolya']], ['sergey', ['seryozha']],
];
const NICKNAME_INDEX = (() => {
  const index = new Map<string, Set<string>>();
  const link = (a: string, b: string): void => {
    const set = index.get(a) ?? new Set<string>();
    set.add(b);
    index.set(a, set);
  };
  for (const [name, shorts] of NICKNAMES) for (const short of shorts) { link(name, short); link(short, name); }
  return index;
})();

/** Common abbreviations in organisation names; both sides are expanded. */
const ABBREVIATIONS = new Map([
  ['intl', 'international'], ['int', 'international'], ['natl', 'national'], ['nat', 'national'], ['bros', 'brothers'],
  ['mfg', 'manufacturing'], ['svcs', 'services'], ['svc', 'services'], ['assn', 'association'], ['assoc', 'association'],
  ['dept', 'department'], ['govt', 'government'], ['univ', 'university'], ['inst', 'institute'], ['tech', 'technology'],
  ['ind', 'industries'], ['inds', 'industries'], ['grp', 'group'], ['hldgs', 'holdings'], ['hldg', 'holding'],
  ['mgmt', 'management'], ['invest', 'investment'], ['dev', 'development'], ['ctr', 'centre'], ['center', 'centre'],
  ['organisation', 'organization'], ['st', 'saint'], ['mt', 'mount'], ['ft', 'fort'],
]);

/** Below this a token pair is not taken as a counterpart at all. */
export const PAIR_FLOOR = 0.6;

export function levenshteinSimilarity(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  if (longest === 0) return 1;
  return 1 - damerauLevenshtein(a, b) / longest;
}

/**
 * Memoised token comparisons, since names repeat across clients and lists: one table per kind of
 * comparison (person or not, abjad or not, number or not), each keyed by the two texts without
 * building a key string. Results are shared and never changed.
 */
const TOKEN_CACHES: Array<Map<string, Map<string, { readonly score: number; readonly how: TokenHow }>>> = Array.from({ length: 8 }, () => new Map());
const TOKEN_CACHE_LIMIT = 500_000;
let tokenCacheSize = 0;

/** How alike two tokens are, 0..1, and why. */
export function compareTokens(a: Token, b: Token, person: boolean): { readonly score: number; readonly how: TokenHow } {
  const table = TOKEN_CACHES[(person ? 1 : 0) | (a.abjad || b.abjad ? 2 : 0) | (a.kind === 'number' || b.kind === 'number' ? 4 : 0)]!;
  let row = table.get(a.text);
  const cached = row?.get(b.text);
  if (cached !== undefined) return cached;
  const result = Object.freeze(computeTokenSimilarity(a, b, person));
  if (tokenCacheSize >= TOKEN_CACHE_LIMIT) {
    for (const t of TOKEN_CACHES) t.clear();
    tokenCacheSize = 0;
    row = undefined;
  }
  if (row === undefined) {
    row = new Map();
    table.set(a.text, row);
  }
  row.set(b.text, result);
  tokenCacheSize += 1;
  return result;
}

function computeTokenSimilarity(a: Token, b: Token, person: boolean): { score: number; how: TokenHow } {
  if (a.text === b.text) return { score: 1, how: 'exact' };
  // Written backwards, a known way of slipping a name past a filter.
  if (a.text.length >= 4 && a.text === [...b.text].reverse().join('')) return { score: 0.85, how: 'reversed' };
  if (a.kind === 'number' || b.kind === 'number') return { score: 0, how: 'fuzzy' };
  if (a.text.length === 1 || b.text.length === 1) {
    if (person && a.text[0] === b.text[0]) return { score: 0.85, how: 'initial' };
    return { score: 0, how: 'fuzzy' };
  }
  if (person && NICKNAME_INDEX.get(a.text)?.has(b.text) === true) return { score: 0.9, how: 'nickname' };
  const expandedA = ABBREVIATIONS.get(a.text) ?? a.text;
  const expandedB = ABBREVIATIONS.get(b.text) ?? b.text;
  if (expandedA === expandedB) return { score: 0.95, how: 'abbreviation' };

  let best: { score: number; how: TokenHow } = { score: levenshteinSimilarity(a.text, b.text), how: 'fuzzy' };
  // Jaro-Winkler rewards a shared beginning; it is damped so that it cannot by
  // itself accept a different name with the same first letters.
  const jw = jaroWinkler(a.text, b.text);
  const shortest = Math.min(a.text.length, b.text.length);
  if (shortest >= 4) {
    const damped = jw - 0.1;
    if (damped > best.score) best = { score: damped, how: 'fuzzy' };
  }
  if (shortest >= 2 && a.phonetic.some((code) => code.length > 0 && b.phonetic.includes(code))) {
    // Sounding alike lifts a spelling variant; for short words it is most of the evidence.
    const phonetic = shortest <= 4 ? Math.max(0.8, Math.min(0.92, best.score + 0.15)) : Math.min(0.92, best.score + 0.12);
    if (phonetic > best.score) best = { score: phonetic, how: 'phonetic' };
  }
  if ((a.abjad || b.abjad) && a.skeleton.length > 1 && b.skeleton.length > 1) {
    const skeletal = levenshteinSimilarity(a.skeleton, b.skeleton) * 0.92;
    if (skeletal > best.score) best = { score: skeletal, how: 'transliteration' };
  }
  return best;
}
