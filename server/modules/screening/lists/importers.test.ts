import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_DATA_MISSING, dataFile, sharedDataPresent } from '../../../testing/shared-data.js';
import { ListImportError, type ListRefusal } from './model.js';
import { countryCode, countryCodes, parseBirthDate } from './parse-helpers.js';
import { parseListFiles, readListFiles } from './read.js';

async function refusal(call: Promise<unknown>): Promise<ListRefusal> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ListImportError) return error.reason;
    throw error;
  }
  throw new Error('expected the import to be refused');
}

describe('dates and countries as lists write them', () => {
  it.each([
    ['10 Dec 1948', { year: 1948, month: 12, day: 10 }],
    ['Dec 1948', { year: 1948, month: 12 }],
    ['circa 1950', { year: 1950, approximate: true }],
    ['1960 to 1962', { year: 1960, toYear: 1962 }],
    ['05/02/1969', { year: 1969, month: 2, day: 5 }],
    ['00/00/1980', { year: 1980 }],
    ['1924-02-21', { year: 1924, month: 2, day: 21 }],
  ])('reads %s', (text, expected) => {
    expect(parseBirthDate(text)).toEqual(expected);
  });

  it('refuses what is not a date', () => {
    expect(parseBirthDate('unknown')).toBeUndefined();
    expect(parseBirthDate('1600')).toBeUndefined();
  });

  it('names countries by ISO 3166 alpha-2, Namibia included', () => {
    expect(countryCode('NA')).toBe('NA');
    expect(countryCode('Korea, North')).toBe('KP');
    expect(countryCode('IRQ')).toBe('IQ');
    expect(countryCode('Tunisian')).toBe('TN');
    expect(countryCode('Atlantis')).toBeUndefined();
    expect(countryCodes('(1) Bosnia and Herzegovina (2) Iraq and Syria')).toEqual(['BA', 'IQ', 'SY']);
  });
});

describe('EU FSF XML 1.1 (fixture written from the XSD)', () => {
  it('reads people and enterprises with aliases, birth dates, citizenship and documents', async () => {
    const path = join(import.meta.dirname, 'fixtures', 'eu_fsf_1_1_sample.xml');
    const list = await readListFiles([path]);
    expect(list).toMatchObject({ source: 'eu_fsf', format: 'eu_fsf_xml', publishedAt: '2026-03-02' });
    expect(list.entries[0]).toMatchObject({
      key: '9001',
      schema: 'Person',
      names: ['Ivan Petrovich TESTOV', 'Иван Петрович ТЕСТОВ'],
      birthDates: [{ year: 1970, month: 5, day: 4 }],
      nationalities: ['RU'],
      identifiers: [{ type: 'National passport', value: '751234567', country: 'RU' }],
      programs: ['UKR'],
    });
    expect(list.entries[1]).toMatchObject({ key: '9002', schema: 'Organization', countries: ['RU'], names: ['Joint Stock Company Testprom', 'AO Testprom'] });
  });

  it('refuses the same file cut short, naming the line', async () => {
    const bytes = readFileSync(join(import.meta.dirname, 'fixtures', 'eu_fsf_1_1_sample.xml'));
    const cut = bytes.subarray(0, Math.floor(bytes.length * 0.6));
    expect(['TRUNCATED', 'MALFORMED']).toContain(await refusal(parseListFiles([{ name: 'fsf.xml', bytes: cut }])));
  });
});

describe('bad files', () => {
  it('refuses an empty file, an unknown format and a file that holds no entries', async () => {
    expect(await refusal(parseListFiles([{ name: 'empty.csv', bytes: Buffer.from('  \n') }]))).toBe('EMPTY_FILE');
    expect(await refusal(parseListFiles([{ name: 'notes.txt', bytes: Buffer.from('hello world\n') }]))).toBe('UNKNOWN_FORMAT');
    expect(await refusal(parseListFiles([{ name: 'x.xml', bytes: Buffer.from('<?xml version="1.0"?><CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>') }]))).toBe('NO_ENTRIES');
  });

  it('refuses an OFAC CSV whose last row is cut off', async () => {
    const csv = '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n173,"ANGLO-CARIBBEAN CO., LTD.",-0- ,"CU';
    expect(['TRUNCATED', 'MALFORMED']).toContain(await refusal(parseListFiles([{ name: 'sdn.csv', bytes: Buffer.from(csv) }])));
  });

  it('refuses an OFAC sdnList XML whose record count disagrees with its entries', async () => {
    const xml = '<?xml version="1.0"?><sdnList xmlns="http://tempuri.org/sdnList.xsd"><publshInformation><Publish_Date>04/06/2018</Publish_Date><Record_Count>2</Record_Count></publshInformation><sdnEntry><uid>1</uid><lastName>TEST</lastName><sdnType>Entity</sdnType></sdnEntry></sdnList>';
    expect(await refusal(parseListFiles([{ name: 'consolidated.xml', bytes: Buffer.from(xml) }]))).toBe('TRUNCATED');
  });
});

describe.skipIf(!sharedDataPresent)('the official formats in ../shared/data', () => {
  it.each([
    [['sanctions/ofac/sdn_2024-05-03/sdn.csv'], 'us_ofac_sdn', 'ofac_csv', 14_965],
    [['sanctions/ofac/set_2021-07/sdn.csv', 'sanctions/ofac/set_2021-07/alt.csv', 'sanctions/ofac/set_2021-07/add.csv', 'sanctions/ofac/set_2021-07/sdn_comments.csv'], 'us_ofac_sdn', 'ofac_csv', 8_976],
    [['sanctions/ofac/consolidated_nonsdn_2018-04-06/consolidated.xml'], 'us_ofac_cons', 'ofac_xml', 639],
    [['sanctions/un/un_consolidated_2026-02-27.xml'], 'un_sc', 'un_xml', 1_003],
    [['sanctions/eu/legacy_v1_global_2016-02-11_subset.xml'], 'eu_fsf', 'eu_legacy_xml', 595],
    [['sanctions/uk/hmt_conlist_2016-02-12_subset.csv'], 'gb_ofsi', 'uk_conlist_csv', 463],
    [['sanctions/uk/ofsi_conlist_2025-04-10.xlsx'], 'gb_ofsi', 'uk_conlist_xlsx', 4_686],
    [['sanctions/us_other/bis_dpl.txt'], 'us_bis_dpl', 'bis_dpl', 546],
    [['sanctions/us_other/trade_gov_csl_sample.csv'], 'us_trade_csl', 'trade_csl', 115],
    [['sanctions/us_other/trade_gov_csl_2023_sample.csv'], 'us_trade_csl', 'trade_csl', 13],
    [['sanctions/opensanctions/ua_war_sanctions_targets.simple.csv'], 'opensanctions_ukraine_war_and_sanctions', 'os_targets_csv', 5_600],
    [['sanctions/opensanctions/wd_persons_export_bundle/entities.ftm.json'], 'opensanctions_wd_persons', 'ftm_json', 9],
  ])('reads %s as %s (%s), every entry keyed and named', async (files, source, format, count) => {
    const list = await readListFiles(files.map((file) => dataFile(file)));
    expect(list).toMatchObject({ source, format });
    expect(list.entries).toHaveLength(count);
    expect(new Set(list.entries.map((e) => e.key)).size).toBe(count);
    expect(list.entries.every((e) => e.names.length > 0)).toBe(true);
    expect(list.nonCommercial).toBe(source.startsWith('opensanctions'));
  }, 30_000);

  it('reads OFAC remarks: date of birth, nationality, passport, aliases', async () => {
    const list = await readListFiles([dataFile('sanctions/ofac/sdn_2024-05-03/sdn.csv')]);
    const zawahiri = list.entries.find((e) => e.key === '2676')!;
    expect(zawahiri.birthDates).toEqual([{ year: 1951, month: 6, day: 19 }]);
    expect(zawahiri.identifiers[0]).toMatchObject({ type: 'Passport', value: '1084010', country: 'EG' });
    expect(list.entries.find((e) => e.key === '306')!.names).toContain('BNC');
  });

  it('reads UN date ranges and the OFSI aliases grouped by Group ID', async () => {
    const un = await readListFiles([dataFile('sanctions/un/un_consolidated_2026-02-27.xml')]);
    expect(un.entries.some((e) => e.birthDates.some((d) => d.toYear !== undefined))).toBe(true);
    expect(un.entries.some((e) => e.birthDates.some((d) => d.approximate === true))).toBe(true);
    const uk = await readListFiles([dataFile('sanctions/uk/hmt_conlist_2016-02-12_subset.csv')]);
    expect(uk.entries.find((e) => e.key === '7087')).toMatchObject({ nationalities: ['TN'], birthDates: [{ year: 1969, month: 2, day: 5 }] });
  }, 30_000);

  it('refuses the HTML page served in place of the EU list', async () => {
    expect(await refusal(readListFiles([dataFile('sanctions/eu/negative_html_served_instead_of_csv.html')]))).toBe('HTML_NOT_A_LIST');
  });

  it('refuses an OpenSanctions delta as a full version', async () => {
    expect(await refusal(readListFiles([dataFile('sanctions/opensanctions/yente_fixtures/t2/20240527194702-wnk/entities.delta.json')]))).toBe('UNKNOWN_FORMAT');
  });
});

if (!sharedDataPresent) console.warn(`importers.test.ts: real-list tests ${SHARED_DATA_MISSING}`);
