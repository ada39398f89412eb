import { describe, expect, it } from 'vitest';
import { DEFAULT_SCREENING_THRESHOLDS as policy } from '../../../../shared/policies/screening.js';
import { compareNames } from './compare.js';
import { birthDateEvidence, ListMatcher, explain, type MatchableEntry } from './matcher.js';
import { normaliseName, type EntitySchema } from './normalize.js';
import { SubjectIndex } from './subject-index.js';

function score(a: string, b: string, schema: EntitySchema = 'Person'): number {
  return compareNames(normaliseName(a, schema), normaliseName(b, schema), schema).score;
}

describe('normalisation', () => {
  it('folds case, accents, punctuation and honorifics', () => {
    expect(normaliseName('Dr. François  HOLLANDE', 'Person').folded).toBe('francois hollande');
    expect(normaliseName("Sheikh Usama bin Ladin", 'Person').tokens.map((t) => t.kind)).toEqual(['name', 'particle', 'name']);
  });

  it('transliterates Cyrillic, Greek, Georgian, Arabic and splits CJK syllables', () => {
    expect(normaliseName('Владимир Путин', 'Person').folded).toBe('vladimir putin');
    expect(normaliseName('Βλαδίμηρος Πούτιν', 'Person').folded).toBe('vladimiros poytin');
    expect(normaliseName('ვლადიმერ პუტინი', 'Person').folded).toBe('vladimer putini');
    expect(normaliseName('习近平', 'Person').folded).toBe('xi jin ping');
    expect(normaliseName('بوتين', 'Person').tokens[0]!.abjad).toBe(true);
  });

  it('folds company legal forms to their family and keeps the name', () => {
    const a = normaliseName('Siemens Aktiengesellschaft', 'Company');
    expect(a.tokens.map((t) => [t.text, t.kind])).toEqual([['siemens', 'name'], ['ag', 'legal']]);
    expect(normaliseName('OAO Gazprom', 'Company').tokens.find((t) => t.kind === 'legal')?.text).toBe('jsc');
    expect(normaliseName('Open Joint Stock Company Gasprom', 'Company').tokens.find((t) => t.kind === 'legal')?.text).toBe('jsc');
  });

  it('puts "SURNAME, Given" list names in reading order', () => {
    expect(normaliseName('PUTIN, Vladimir Vladimirovich', 'Person').folded).toBe('vladimir vladimirovich putin');
  });

  it('writes numbers one way in organisation names', () => {
    expect(normaliseName('Brigade Forty-Four', 'Organization').folded).toBe('brigade 44');
    expect(normaliseName('KKR Asian Fund IV', 'Company').folded).toBe('kkr asian fund 4');
  });
});

describe('name comparison', () => {
  it.each([
    ['Vladimir Putin', 'PUTIN, Vladimir Vladimirovich'],
    ['Владимир Путин', 'Vladimir Putin'],
    ['Olaf Scholze', 'Olaf Scholz'],
    ['Usama bin Ladin', 'Osama bin Laden'],
    ['JC Juncker', 'Jean-Claude Juncker'],
    ['Ted Doe', 'Theodore Doe'],
    ['MOHAMMAD HASNI HAJI SSAD KHAN ZARKARI', 'HAJI ASAD KHAN ZARKARI MOHAMMADHASNI'],
  ])('matches %s with %s', (a, b) => {
    expect(score(a, b)).toBeGreaterThanOrEqual(policy.match);
  });

  it.each([
    ['Octavian Scholz', 'Olaf Scholz'],
    ['JAWHAR MAJID AL-MOSULI', 'JAWHAR MAJID AL-DURI'],
    ['SALMAN BIN MUHAMMAD AL-RAWI', 'MUHAMMAD BIN SALMAN AL-RAWI'],
    ['WALIJAN ABDUL GHAFOOR HAQQANI', 'WALIJAN'],
    ['Sergey Ivanevich Lavrov', 'Sergey Viktorovich LAVROV'],
    ['N.N.', 'Nursultan Nazarbayev'],
  ])('does not match %s with %s', (a, b) => {
    expect(score(a, b)).toBeLessThan(policy.match);
  });

  it('matches companies across legal forms and spellings, and tells different ones apart', () => {
    expect(score('OAO Gazprom', 'Gazprom JSC', 'Company')).toBeGreaterThanOrEqual(policy.match);
    expect(score('SiemensAG', 'Siemens AG', 'Company')).toBeGreaterThanOrEqual(policy.match);
    expect(score('PLA', "People's Liberation Army", 'Organization')).toBeGreaterThanOrEqual(policy.match);
    expect(score('Volkswagen Aktiengesellschaft', 'Siemens Aktiengesellschaft', 'Company')).toBeLessThan(policy.match);
  });

  it('explains which tokens matched and how', () => {
    const result = compareNames(normaliseName('Olaf Scholze', 'Person'), normaliseName('Olaf Scholz', 'Person'), 'Person');
    expect(result.pairs).toEqual([
      { query: 'olaf', candidate: 'olaf', score: 1, how: 'exact' },
      expect.objectContaining({ query: 'scholze', candidate: 'scholz' }),
    ]);
    expect(result.unmatchedQuery).toEqual([]);
  });

  it('is symmetric enough that the order of the two names does not decide a match', () => {
    for (const [a, b] of [['Olaf Scholze', 'Olaf Scholz'], ['Octavian Scholz', 'Olaf Scholz'], ['AKHTAR MANSOUR', 'AKHTAR MOHAMMAD MANSOUR SHAH MOHAMMED']] as const) {
      expect(score(a, b) >= policy.match).toBe(score(b, a) >= policy.match);
    }
  });
});

describe('secondary evidence', () => {
  it('raises an exact date of birth, tolerates approximate ranges and lowers a conflict', () => {
    expect(birthDateEvidence({ year: 1952, month: 10, day: 7 }, [{ year: 1952, month: 10, day: 7 }], policy)?.effect).toBe(policy.evidence.birthDateExact);
    expect(birthDateEvidence({ year: 1961 }, [{ year: 1960, toYear: 1962 }], policy)?.effect).toBe(policy.evidence.birthYear);
    expect(birthDateEvidence({ year: 1951 }, [{ year: 1950, approximate: true }], policy)?.effect).toBe(policy.evidence.birthYear);
    expect(birthDateEvidence({ year: 1990 }, [{ year: 1952 }], policy)?.effect).toBe(-policy.evidence.birthDateConflict);
    expect(birthDateEvidence({ year: 1990 }, [], policy)).toBeUndefined();
  });
});

const ENTRIES: MatchableEntry[] = [
  { source: 'test', key: '1', schema: 'Person', names: ['PUTIN, Vladimir Vladimirovich', 'Владимир Путин'], birthDates: [{ year: 1952, month: 10, day: 7 }], nationalities: ['RU'], countries: [], identifiers: [], programs: ['RUSSIA'], topics: ['sanction'] },
  { source: 'test', key: '2', schema: 'Company', names: ['BANCO NACIONAL DE CUBA', 'NATIONAL BANK OF CUBA'], birthDates: [], nationalities: [], countries: ['CU'], identifiers: [], programs: ['CUBA'], topics: ['sanction'] },
  { source: 'test', key: '3', schema: 'Person', names: ['John Smith'], birthDates: [{ year: 1950 }], nationalities: ['US'], countries: [], identifiers: [{ type: 'Passport', value: 'X1234567' }], programs: [], topics: ['sanction'] },
];

describe('list matcher', () => {
  const matcher = new ListMatcher(ENTRIES);

  it('finds an entry by any name variant and explains the hit', () => {
    const [hit] = matcher.search({ name: 'Vladimir Putin', schema: 'Person', birthDate: { year: 1952, month: 10, day: 7 }, nationality: 'RU' }, policy);
    expect(hit?.entryKey).toBe('1');
    expect(hit!.score).toBe(1);
    expect(hit!.evidence.map((e) => e.kind)).toEqual(['birth_date', 'nationality']);
    expect(explain(hit!)).toContain('same date of birth');
  });

  it('keeps people and companies apart', () => {
    expect(matcher.search({ name: 'Banco Nacional de Cuba', schema: 'Person' }, policy)).toEqual([]);
    expect(matcher.search({ name: 'National Bank of Cuba', schema: 'Company' }, policy)[0]?.entryKey).toBe('2');
  });

  it('lowers a hit by a conflicting date of birth, and raises it by a shared passport', () => {
    const [conflict] = matcher.search({ name: 'John Smith', schema: 'Person', birthDate: { year: 1988 } }, policy);
    expect(conflict?.score).toBeCloseTo(1 - policy.evidence.birthDateConflict, 4);
    expect(matcher.search({ name: 'Jon Smith', schema: 'Person', birthDate: { year: 1988 } }, policy)).toEqual([]);
    const [hit] = matcher.search({ name: 'Jon Smith', schema: 'Person', identifiers: [{ type: 'Passport', value: 'x123 4567' }] }, policy);
    expect(hit?.evidence.some((e) => e.kind === 'identifier')).toBe(true);
  });
});

describe('subject index (re-screen direction)', () => {
  it('finds the clients a new entry hits, and only those', () => {
    const index = new SubjectIndex();
    index.add('c1', { name: 'Vladimir Putin', schema: 'Person' });
    index.add('c2', { name: 'Olaf Scholz', schema: 'Person' });
    index.add('c3', { name: 'National Bank of Cuba', schema: 'Company' });
    const hits = index.screenEntries(ENTRIES.slice(0, 2), policy);
    expect(hits.map((h) => h.subjectId).sort()).toEqual(['c1', 'c3']);
  });
});

describe('company names: what a hit may rest on', () => {
  const company = (key: string, name: string, countries: string[] = [], identifiers: MatchableEntry['identifiers'] = []): MatchableEntry => ({ source: 'test', key, schema: 'Company', names: [name], birthDates: [], nationalities: [], countries, identifiers, programs: [], topics: ['sanction'] });
  const matcher = new ListMatcher([
    company('1', 'AB TRADING LLC', ['IR']),
    company('2', 'XY GLOBAL TRADING FZE', ['AE']),
    company('3', 'CASTLE INVEST HOLDING', ['RU']),
    company('4', 'PEDEX', ['SY']),
    company('5', 'SUMBER ALFARIA TRIJAYA', ['ID']),
    company('6', 'NORDIC MARINE SERVICES', ['NO']),
    company('7', 'BMW Aktiengesellschaft', ['DE']),
    company('8', 'ORANGE VOLUNTEERS', ['GB']),
    company('9', 'SAP', ['IR'], [{ type: 'registration', value: 'IR-123456' }]),
  ]);
  const hits = (name: string, extra: { nationality?: string; identifiers?: MatchableEntry['identifiers'] } = {}) => matcher.search({ name, schema: 'Company', ...extra }, policy).map((h) => h.entryKey);

  it('strips legal forms of many jurisdictions before comparing', () => {
    const legal = (name: string) => normaliseName(name, 'Company').tokens.filter((t) => t.kind === 'legal').map((t) => t.text);
    expect(legal('Nordic Marine Services Oy')).toEqual(['llc']);
    expect(legal('PT Sumber Alfaria Trijaya Tbk')).toEqual(['ltd', 'ag']);
    expect(legal('Kovacs Kft')).toEqual(['llc']);
    expect(legal('Kowalski sp. z o.o.')).toEqual(['llc']);
    expect(legal('Rossi S.p.A.')).toEqual(['ag']);
    expect(legal('Dupont SARL')).toEqual(['llc']);
    expect(legal('Janssen B.V.')).toEqual(['llc']);
    expect(legal('Nordmann ASA')).toEqual(['ag']);
    expect(hits('PT Sumber Alfaria Trijaya Tbk')).toEqual(['5']);
  });

  it('does not open a case on a shared acronym, short token or generic word alone', () => {
    expect(hits('AB Consult AS')).toEqual([]);
    expect(hits('AB Trading Services AB')).toEqual([]);
    expect(hits('XY Holding')).toEqual([]);
    expect(hits('Royalty Invest Holding')).toEqual([]);
    expect(hits('BTCS Inc.')).toEqual([]);
    expect(hits('Perfect Orange Ltd')).toEqual([]);
    expect(hits('Orange')).toEqual([]);
  });

  it('still finds the whole name, however short, and a weak one when the country or an identifier supports it', () => {
    expect(hits('BMW AG')).toEqual(['7']);
    expect(hits('Nordic Marine Services Oy')).toEqual(['6']);
    expect(hits('SAP Holding SE')).toEqual([]);
    expect(hits('SAP Holding SE', { identifiers: [{ type: 'registration', value: 'IR 123456' }] })).toEqual(['9']);
    const supported = matcher.search({ name: 'XY Trading', schema: 'Company', nationality: 'AE' }, policy);
    expect(supported.map((h) => h.entryKey)).toEqual(['2']);
    const weak = matcher.search({ name: 'XY Trading', schema: 'Company' }, policy, { threshold: 0 }).find((h) => h.entryKey === '2')!;
    expect(weak.score).toBe(policy.weakOrganisationNameCap);
    expect(explain(weak)).toContain('no country or identifier supports it: capped at 0.6');
  });
});
