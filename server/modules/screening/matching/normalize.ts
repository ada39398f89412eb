// Name normalisation for screening: Unicode NFKC, transliteration to Latin,
// case and punctuation folding, honorifics, name particles and company legal
// forms. The output is a list of typed tokens the comparer aligns.
import anyAscii from 'any-ascii';
import doubleMetaphone from 'talisman/phonetics/double-metaphone.js';

export const ENTITY_SCHEMAS = ['Person', 'Company', 'Organization', 'Vessel'] as const;
export type EntitySchema = (typeof ENTITY_SCHEMAS)[number];

export function isOrganisation(schema: EntitySchema): boolean {
  return schema === 'Company' || schema === 'Organization';
}

export type TokenKind =
  /** an ordinary name part */
  | 'name'
  /** a particle such as al, bin, van, de: it counts, but little */
  | 'particle'
  /** a patronymic (Viktorovich, Ivanovna): often left out, so it counts less */
  | 'patronymic'
  /** a number: it must match exactly */
  | 'number'
  /** a company legal form, folded to its family (see LEGAL_FORMS) */
  | 'legal'
  /** an organisation filler word (of, the, and): it barely counts */
  | 'filler';

export interface Token {
  /** the folded Latin text */
  readonly text: string;
  readonly kind: TokenKind;
  /** came from an abjad script (Arabic, Hebrew, Syriac), where short vowels are not written */
  readonly abjad: boolean;
  /** double metaphone codes, for phonetic comparison */
  readonly phonetic: readonly string[];
  /** consonant skeleton, for comparing against abjad transliterations */
  readonly skeleton: string;
}

export interface NormalisedName {
  readonly original: string;
  readonly tokens: readonly Token[];
  /** the folded text of the whole name, its tokens in order, for display */
  readonly folded: string;
}

const HONORIFICS = new Set([
  'mr', 'mrs', 'ms', 'miss', 'mister', 'madam', 'dr', 'doctor', 'prof', 'professor', 'sir', 'dame', 'lord', 'lady',
  'sheikh', 'shaikh', 'shaykh', 'sheik', 'cheikh', 'sayyid', 'sayed', 'hajji', 'hadji', 'alhaji',
  'mullah', 'mulla', 'maulana', 'maulvi', 'mawlawi', 'imam', 'emir', 'amir',
  'his', 'her', 'excellency', 'he', 'hon', 'honourable', 'honorable', 'rev', 'reverend', 'fr', 'father',
  'gen', 'general', 'col', 'colonel', 'maj', 'major', 'capt', 'captain', 'lt', 'lieutenant', 'sgt', 'admiral', 'marshal',
  'president', 'presidente', 'praesident', 'prasident', 'predsjednik', 'presedintele', 'presiden', 'elnok',
  'prezident', 'prezydent', 'minister', 'senator', 'king', 'queen', 'prince', 'princess', 'herr', 'frau', 'senor', 'senora',
  'sr', 'jr', 'snr', 'jnr', 'esq', 'phd', 'md', 'gospodin',
]);

/** Name particles: they are part of the name but say little about who it is. */
const PARTICLES = new Set([
  'al', 'el', 'ul', 'ud', 'bin', 'ibn', 'ben', 'bint', 'bte', 'binti', 'abu', 'abou', 'umm', 'ould', 'wuld', 'ait',
  'de', 'da', 'di', 'do', 'dos', 'das', 'del', 'della', 'der', 'den', 'des', 'du', 'la', 'le', 'lo', 'van', 'von', 'vander',
  'y', 'e', 'zu', 'ter', 'ten', 'st', 'mac', 'mc', 'oglu', 'ogly', 'kyzy', 'uulu',
]);

/** East Slavic and Caucasian patronymics, as transliterated. */
const PATRONYMIC = /^[a-z]{3,}(ovich|evich|ovych|evych|ovitch|evitch|ovna|evna|ivna|ichna|ogly|oglu|kyzy|uly|ovici)$/u;

const FILLERS = new Set(['the', 'of', 'and', 'for', 'in', 'at', 'und', 'et', 'i', 'a']);

/**
 * Company legal forms, folded to a family, so that "Aktiengesellschaft" and
 * "AG", or "OAO" and "Open Joint Stock Company", compare equal. Multi-word
 * forms are matched on token sequences, longest first.
 */
const LEGAL_FORMS: ReadonlyArray<readonly [string, string]> = [
  // joint-stock companies (Russian and CIS forms included, transliterated)
  ['open joint stock company', 'jsc'], ['closed joint stock company', 'jsc'], ['public joint stock company', 'jsc'],
  ['joint stock company', 'jsc'], ['joint stock co', 'jsc'], ['aktsionernoe obshchestvo', 'jsc'],
  ['otkrytoe aktsionernoe obshchestvo', 'jsc'], ['zakrytoe aktsionernoe obshchestvo', 'jsc'],
  ['publichnoe aktsionernoe obshchestvo', 'jsc'], ['jsc', 'jsc'], ['ojsc', 'jsc'], ['cjsc', 'jsc'], ['pjsc', 'jsc'],
  ['oao', 'jsc'], ['zao', 'jsc'], ['pao', 'jsc'], ['ao', 'jsc'], ['jscb', 'jsc'], ['akb', 'jsc'], ['ad', 'jsc'],
  ['aktiengesellschaft', 'ag'], ['aktiengeselschaft', 'ag'], ['ag', 'ag'], ['societe anonyme', 'ag'], ['sa', 'ag'],
  ['sociedad anonima', 'ag'], ['spa', 'ag'], ['societa per azioni', 'ag'], ['nv', 'ag'], ['naamloze vennootschap', 'ag'],
  ['as', 'ag'], ['a s', 'ag'], ['asa', 'ag'], ['ab', 'ag'], ['oyj', 'ag'], ['se', 'ag'], ['kk', 'ag'], ['kabushiki kaisha', 'ag'],
  ['public limited company', 'plc'], ['plc', 'plc'],
  // limited liability
  ['limited liability company', 'llc'], ['limited liability partnership', 'llp'], ['llc', 'llc'], ['llp', 'llp'],
  ['obshchestvo s ogranichennoy otvetstvennostyu', 'llc'], ['obshchestvo s ogranichennoi otvetstvennostiu', 'llc'],
  ['ooo', 'llc'], ['too', 'llc'], ['tov', 'llc'],
  ['gesellschaft mit beschrankter haftung', 'llc'], ['gmbh', 'llc'], ['mbh', 'llc'], ['ug', 'llc'],
  ['societe a responsabilite limitee', 'llc'], ['sarl', 'llc'], ['srl', 'llc'], ['sro', 'llc'], ['spzoo', 'llc'],
  ['sp z oo', 'llc'], ['sp z o o', 'llc'], ['societatea cu raspundere limitata', 'llc'], ['bv', 'llc'], ['besloten vennootschap', 'llc'],
  ['proprietary limited', 'ltd'], ['pty ltd', 'ltd'], ['pty', 'ltd'], ['pvt ltd', 'ltd'], ['private limited', 'ltd'],
  ['limited', 'ltd'], ['ltd', 'ltd'], ['ltda', 'ltd'], ['lda', 'ltd'], ['co ltd', 'ltd'], ['company limited', 'ltd'],
  ['fzco', 'ltd'], ['fze', 'ltd'], ['fzc', 'ltd'], ['fzllc', 'llc'],
  // corporations
  ['incorporated', 'inc'], ['inc', 'inc'], ['corporation', 'corp'], ['corp', 'corp'],
  ['ano', 'npo'], ['autonomous non profit organization', 'npo'], ['avtonomnaya nekommercheskaya organizatsiya', 'npo'],
  ['company', 'co'], ['co', 'co'], ['cie', 'co'], ['kg', 'lp'], ['kft', 'llc'], ['lp', 'lp'], ['limited partnership', 'lp'],
  // more jurisdictions: Nordic, Baltic, Central and Eastern Europe, Iberia and Latin America, Asia
  ['oy', 'llc'], ['ab publ', 'ag'], ['aps', 'llc'], ['ivs', 'llc'], ['ehf', 'llc'], ['uab', 'llc'], ['sia', 'llc'],
  ['zrt', 'ag'], ['nyrt', 'ag'], ['doo', 'llc'], ['d o o', 'llc'], ['eood', 'llc'], ['ood', 'llc'], ['ead', 'ag'],
  ['spol s r o', 'llc'], ['s r o', 'llc'], ['kgaa', 'ag'], ['gmbh co kg', 'lp'], ['ohg', 'lp'],
  ['sas', 'llc'], ['sasu', 'llc'], ['snc', 'lp'], ['eurl', 'llc'], ['sprl', 'llc'], ['bvba', 'llc'], ['cvba', 'co'],
  ['slu', 'llc'], ['sau', 'ag'], ['sa de cv', 'ag'], ['sab de cv', 'ag'], ['s de rl', 'llc'], ['s de rl de cv', 'llc'],
  ['cia', 'co'], ['eireli', 'llc'], ['eirl', 'llc'], ['sac', 'ag'], ['saa', 'ag'], ['sae', 'ag'], ['sapa', 'lp'],
  ['pte', 'ltd'], ['pte ltd', 'ltd'], ['private limited company', 'ltd'], ['sdn bhd', 'ltd'], ['sendirian berhad', 'ltd'], ['bhd', 'ag'], ['berhad', 'ag'],
  ['tbk', 'ag'], ['pt', 'ltd'], ['pcl', 'plc'], ['public company limited', 'plc'], ['public co ltd', 'plc'], ['public co limited', 'plc'],
  ['gk', 'llc'], ['yk', 'llc'], ['wll', 'llc'], ['dmcc', 'ltd'], ['fz llc', 'llc'], ['pllc', 'llc'], ['lllp', 'lp'], ['pbc', 'corp'],
  ['ltd co', 'ltd'], ['llc co', 'llc'],
];

/**
 * Words so common in company and organisation names that sharing one says little: a hit resting on
 * them alone (with a short token or an acronym at most) is weakly founded (see the matcher).
 */
export const GENERIC_ORGANISATION_WORDS: ReadonlySet<string> = new Set([
  'holding', 'holdings', 'hldg', 'hldgs', 'group', 'groups', 'grp', 'gruppe', 'groupe', 'grupo', 'gruppa',
  'trading', 'trade', 'traders', 'handel', 'handels', 'torgovy', 'torgovyi', 'torgoviy', 'comercial', 'commercial', 'commerce',
  'service', 'services', 'servicios', 'svcs', 'invest', 'investment', 'investments', 'investors', 'inversiones', 'beteiligungs',
  'international', 'internacional', 'intl', 'global', 'worldwide', 'world', 'capital', 'management', 'mgmt', 'verwaltung',
  'partners', 'partner', 'partnership', 'associates', 'enterprise', 'enterprises', 'ventures', 'venture',
  'industries', 'industry', 'industrial', 'manufacturing', 'products', 'technologies', 'technology', 'tech', 'systems', 'solutions',
  'resources', 'consult', 'consulting', 'consultants', 'consultores', 'development', 'developments',
  'finance', 'financial', 'financials', 'bank', 'banks', 'bancorp', 'bankshares', 'bancshares', 'banco', 'credit', 'leasing',
  'securities', 'equity', 'insurance', 'assurance', 'trust', 'fund', 'funds', 'acquisition', 'acquisitions',
  'company', 'companies', 'corporation', 'kompaniya', 'sociedad', 'societe', 'compagnie', 'empresa',
  'network', 'networks', 'media', 'energy', 'power', 'oil', 'gas', 'petroleum', 'mining', 'minerals', 'metals', 'gold', 'silver',
  'shipping', 'maritime', 'marine', 'logistics', 'transport', 'real', 'estate', 'properties', 'property', 'realty', 'construction',
  'engineering', 'pharma', 'pharmaceuticals', 'therapeutics', 'bio', 'biotech', 'health', 'healthcare', 'medical',
  'food', 'foods', 'agro', 'agri', 'agriculture', 'export', 'import', 'exports', 'imports', 'supply', 'marketing',
  'general', 'national', 'united', 'universal', 'union', 'alliance', 'center', 'centre', 'institute', 'foundation',
  'association', 'society', 'organization', 'organisation', 'unit', 'office', 'agency', 'digital', 'online', 'new', 'first',
  'east', 'west', 'north', 'south', 'asia', 'europe', 'euro', 'america', 'american', 'africa', 'middle',
]);

const LEGAL_BY_LENGTH = (() => {
  const byWords = new Map<string, string>();
  for (const [form, family] of LEGAL_FORMS) byWords.set(form, family);
  const longest = Math.max(...LEGAL_FORMS.map(([form]) => form.split(' ').length));
  return { byWords, longest };
})();

const HAN_OR_KANA = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/u;
const HANGUL = /[\uac00-\ud7af]/u;
const ABJAD = /[\u0590-\u05ff\u0600-\u06ff\u0700-\u074f\u0750-\u077f\u08a0-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]/u;
const SPLIT = /[^a-z0-9]+/u;

/**
 * Transliterates one whitespace-separated word. Chinese, Japanese and Korean
 * are written without spaces between name parts, so each syllable becomes its
 * own token; the comparer re-joins neighbours to match a romanised compound.
 */
function transliterateWord(word: string): { text: string; abjad: boolean } {
  const abjad = ABJAD.test(word);
  if (HAN_OR_KANA.test(word) || HANGUL.test(word)) {
    const parts = Array.from(word, (ch) => anyAscii(ch));
    return { text: parts.join(' '), abjad };
  }
  return { text: anyAscii(word), abjad };
}

const ROMAN = /^(?=[ivxlc]+$)c{0,3}(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$/u;
const ROMAN_VALUE: Record<string, number> = { i: 1, v: 5, x: 10, l: 50, c: 100 };

function romanToNumber(text: string): number | undefined {
  // A lone "i", "v" or "c" is more often an initial than a numeral; so is a short word like "mix".
  if (text.length < 2 || !ROMAN.test(text)) return undefined;
  let total = 0;
  for (let i = 0; i < text.length; i += 1) {
    const value = ROMAN_VALUE[text[i]!]!;
    const next = ROMAN_VALUE[text[i + 1] ?? ''] ?? 0;
    total += value < next ? -value : value;
  }
  return total;
}

const UNITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
  'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const ORDINALS = new Map([['first', 1], ['second', 2], ['third', 3], ['fourth', 4], ['fifth', 5], ['sixth', 6], ['seventh', 7],
  ['eighth', 8], ['ninth', 9], ['tenth', 10]]);
const NUMBER_WORDS = new Map<string, number>([
  ...UNITS.map((word, value) => [word, value] as const),
  ...TENS.flatMap((word, i) => (word === '' ? [] : [[word, i * 10] as const])),
  ['fourty', 40], ...ORDINALS,
]);

/**
 * Writes numbers one way: words ("forty four"), ordinals ("1st", "first")
 * and roman numerals in organisation and vessel names become digits.
 */
function foldNumbers(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i]!;
    const ordinal = /^([0-9]+)(st|nd|rd|th)$/u.exec(word);
    if (ordinal !== null) {
      out.push(String(Number(ordinal[1])));
      continue;
    }
    const value = NUMBER_WORDS.get(word);
    if (value !== undefined) {
      const following = words[i + 1] ?? '';
      const next = /^[1-9]$/u.test(following) ? Number(following) : NUMBER_WORDS.get(following);
      if (value >= 20 && value % 10 === 0 && next !== undefined && next > 0 && next < 10) {
        out.push(String(value + next));
        i += 1;
      } else out.push(String(value));
      continue;
    }
    const roman = romanToNumber(word);
    out.push(roman === undefined ? word : String(roman));
  }
  return out;
}

/** Folds Latin text: case, apostrophes and dots vanish (O'Brien, p.l.c.), everything else separates. */
function fold(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/&/gu, ' and ')
    .replace(/['`´’‘ʼʻ.]/gu, '')
    .split(SPLIT)
    .filter((part) => part.length > 0);
}

const PHONETIC_CACHE = new Map<string, readonly string[]>();

function phoneticCodes(text: string): readonly string[] {
  let codes = PHONETIC_CACHE.get(text);
  if (codes === undefined) {
    if (/^[0-9]+$/u.test(text)) codes = [];
    else {
      const [primary, secondary] = doubleMetaphone(text);
      codes = primary === secondary ? [primary] : [primary, secondary];
    }
    if (PHONETIC_CACHE.size > 200_000) PHONETIC_CACHE.clear();
    PHONETIC_CACHE.set(text, codes);
  }
  return codes;
}

/**
 * A consonant skeleton: vowels and the semivowels abjads use for long vowels
 * are dropped, and consonants transliterations swap freely are folded together
 * (Arabic has no p or v; Hebrew's bet is b or v).
 */
export function skeleton(text: string): string {
  let out = '';
  for (const ch of text) {
    if ('aeiouywh'.includes(ch)) continue;
    const folded = ch === 'v' ? 'f' : ch === 'p' ? 'b' : ch === 'c' || ch === 'q' ? 'k' : ch === 'z' ? 's' : ch === 'j' ? 'g' : ch;
    if (out.endsWith(folded)) continue;
    out += folded;
  }
  return out;
}

export function makeToken(text: string, kind: TokenKind, abjad: boolean): Token {
  return { text, kind, abjad, phonetic: phoneticCodes(text), skeleton: skeleton(text) };
}

/** Replaces legal-form sequences with their family; longest match first. */
function markLegalForms(words: readonly string[]): Array<{ text: string; legal: boolean }> {
  const out: Array<{ text: string; legal: boolean }> = [];
  let i = 0;
  while (i < words.length) {
    let matched = false;
    for (let n = Math.min(LEGAL_BY_LENGTH.longest, words.length - i); n >= 1; n -= 1) {
      const family = LEGAL_BY_LENGTH.byWords.get(words.slice(i, i + n).join(' '));
      if (family !== undefined) {
        // A lone short form inside a longer name ("AS" in "Bank as Agent") only counts at the edges.
        const atEdge = i === 0 || i + n === words.length;
        if (n > 1 || atEdge || words[i]!.length > 3) {
          out.push({ text: family, legal: true });
          i += n;
          matched = true;
          break;
        }
      }
    }
    if (!matched) {
      out.push({ text: words[i]!, legal: false });
      i += 1;
    }
  }
  // A name made of nothing but legal forms ("Company Limited") keeps its words as names.
  if (out.every((word) => word.legal)) return words.map((text) => ({ text, legal: false }));
  return out;
}

const ABD = new Set(['abd', 'abdul', 'abdel', 'abdal', 'abdol', 'abdoul', 'abdil']);
const ARTICLE = new Set(['al', 'el', 'ul', 'ol']);

/**
 * "Abd al-Aziz", "Abdel Aziz" and "Abdul Aziz" are one name, the servant of
 * the Aziz: each is written "abdul aziz".
 */
function foldArabicCompounds(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i]!;
    if (ABD.has(word)) {
      out.push('abdul');
      if (ARTICLE.has(words[i + 1] ?? '')) i += 1;
    } else out.push(word);
  }
  return out;
}

/** Normalises one name as written in a list or by a client. */
export function normaliseName(name: string, schema: EntitySchema): NormalisedName {
  let nfkc = name.normalize('NFKC');
  // Lists write people "SURNAME, Given Names"; put the given names first again.
  const comma = nfkc.split(',');
  if (schema === 'Person' && comma.length === 2 && comma[0]!.trim() !== '' && comma[1]!.trim() !== '') {
    nfkc = `${comma[1]!.trim()} ${comma[0]!.trim()}`;
  }
  const words: Array<{ text: string; abjad: boolean }> = [];
  for (const raw of nfkc.split(/[\s,;/()[\]{}"“”«»„]+/u)) {
    if (raw.length === 0) continue;
    const { text, abjad } = transliterateWord(raw);
    for (const part of fold(text)) words.push({ text: part, abjad });
  }
  const organisation = isOrganisation(schema);
  const texts = schema === 'Person' ? foldArabicCompounds(words.map((word) => word.text)) : foldNumbers(words.map((word) => word.text));
  const marked = organisation ? markLegalForms(texts) : texts.map((text) => ({ text, legal: false }));
  const abjadAt = new Map(words.map((word) => [word.text, word.abjad]));

  const tokens: Token[] = [];
  const namePartCount = marked.filter((word) => !word.legal && !HONORIFICS.has(word.text)).length;
  for (const word of marked) {
    const abjad = abjadAt.get(word.text) ?? false;
    if (word.legal) tokens.push(makeToken(word.text, 'legal', false));
    else if (schema === 'Person' && HONORIFICS.has(word.text) && namePartCount > 0) continue;
    else if (/^[0-9]+$/u.test(word.text)) tokens.push(makeToken(word.text, 'number', false));
    else if (schema === 'Person' && PARTICLES.has(word.text)) tokens.push(makeToken(word.text, 'particle', abjad));
    else if (schema === 'Person' && PATRONYMIC.test(word.text)) tokens.push(makeToken(word.text, 'patronymic', abjad));
    else if (organisation && FILLERS.has(word.text)) tokens.push(makeToken(word.text, 'filler', false));
    else tokens.push(makeToken(word.text, 'name', abjad));
  }
  return { original: name, tokens, folded: tokens.map((token) => token.text).join(' ') };
}
