// An in-memory candidate index over names: token, phonetic, prefix/suffix and
// character n-gram blocking keys, weighted by rarity, so that a search
// compares a query with a few dozen likely names instead of every name on
// every list. Used both ways: list entries searched by a client's name, and
// (for the re-screen after a list update) clients searched by an entry's names.

import type { NormalisedName, Token } from './normalize.js';

const INDEXED_KINDS = new Set(['name', 'patronymic', 'number']);

/** Keys longer posting lists than this are too common to narrow anything down. */
const MAX_POSTING = 5_000;

function tokenKeys(token: Token, out: Set<string>): void {
  const text = token.text;
  if (text.length < 2 && token.kind !== 'number') return;
  out.add(`t:${text}`);
  for (const code of token.phonetic) if (code.length >= 2) out.add(`p:${code}`);
  if (token.abjad && token.skeleton.length >= 2) out.add(`s:${token.skeleton}`);
  if (text.length >= 5) {
    out.add(`a:${text.slice(0, 4)}`);
    out.add(`z:${text.slice(-4)}`);
    for (let i = 0; i + 3 <= text.length; i += 1) out.add(`g:${text.slice(i, i + 3)}`);
  }
}

/** The blocking keys of one name: its tokens' keys, plus neighbours joined (compounds) and initials. */
export function blockingKeys(name: NormalisedName): Set<string> {
  const out = new Set<string>();
  const tokens = name.tokens.filter((token) => INDEXED_KINDS.has(token.kind));
  for (const token of tokens) tokenKeys(token, out);
  for (let i = 0; i + 1 < tokens.length; i += 1) {
    out.add(`t:${tokens[i]!.text}${tokens[i + 1]!.text}`);
  }
  if (tokens.length === 0) for (const token of name.tokens) tokenKeys(token, out);
  return out;
}

function keyWeight(key: string): number {
  switch (key[0]) {
    case 't':
      return 3;
    case 'p':
    case 's':
      return 2;
    case 'a':
    case 'z':
      return 1.5;
    default:
      return 0.5;
  }
}

export class NameIndex {
  private readonly postings = new Map<string, number[]>();
  /** name slot -> owning record */
  private readonly owner: number[] = [];
  private scores = new Float32Array(0);
  private sizeNames = 0;

  /** Adds one record's names; returns nothing, the record is found by its number. */
  add(record: number, names: readonly NormalisedName[]): void {
    for (const name of names) {
      const slot = this.sizeNames;
      this.sizeNames += 1;
      this.owner.push(record);
      for (const key of blockingKeys(name)) {
        let list = this.postings.get(key);
        if (list === undefined) {
          list = [];
          this.postings.set(key, list);
        }
        list.push(slot);
      }
    }
  }

  get names(): number {
    return this.sizeNames;
  }

  /**
   * The records most likely to match, best first, at most `limit`. A record
   * qualifies when the query shares at least one whole token or sound with
   * it, or enough n-grams to be a misspelling of one.
   */
  candidates(query: readonly NormalisedName[], limit = 40): number[] {
    if (this.scores.length < this.sizeNames) this.scores = new Float32Array(this.sizeNames);
    const scores = this.scores;
    const touched: number[] = [];
    const keys = new Set<string>();
    for (const name of query) for (const key of blockingKeys(name)) keys.add(key);
    // N-grams are for misspellings: a token whose exact form or sound is indexed needs none.
    const known = new Set<string>();
    for (const name of query) {
      for (const token of name.tokens) {
        if (this.postings.has(`t:${token.text}`) || token.phonetic.some((code) => this.postings.has(`p:${code}`))) known.add(token.text);
      }
    }
    const total = this.sizeNames || 1;
    const visit = (key: string): void => {
      const list = this.postings.get(key);
      if (list === undefined || list.length > MAX_POSTING) return;
      // Rarer keys say more: weight by inverse document frequency.
      const weight = keyWeight(key) * Math.log(1 + total / list.length);
      for (const slot of list) {
        if (scores[slot] === 0) touched.push(slot);
        scores[slot] = scores[slot]! + weight;
      }
    };
    for (const key of keys) if (!key.startsWith('g:')) visit(key);
    for (const name of query) {
      for (const token of name.tokens) {
        if (known.has(token.text) || token.text.length < 5) continue;
        for (let i = 0; i + 3 <= token.text.length; i += 1) visit(`g:${token.text.slice(i, i + 3)}`);
      }
    }
    // Candidates far behind the best share too little to be worth comparing.
    let top = 0;
    for (const slot of touched) if (scores[slot]! > top) top = scores[slot]!;
    const floor = top * 0.3;
    const kept = touched.filter((slot) => scores[slot]! >= floor);
    kept.sort((a, b) => scores[b]! - scores[a]!);
    const records: number[] = [];
    const seen = new Set<number>();
    for (const slot of kept) {
      const record = this.owner[slot]!;
      if (!seen.has(record)) {
        seen.add(record);
        records.push(record);
        if (records.length >= limit) break;
      }
    }
    for (const slot of touched) scores[slot] = 0;
    return records;
  }
}
