import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from './exporter.js';

describe('grid exports as CSV', () => {
  it('quotes what needs quoting and defuses cells a spreadsheet would run as a formula', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('-1+2')).toBe("'-1+2");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
  });

  it('writes the headers and each row as the grid formats it, masking client names when asked', () => {
    const columns = [
      { field: 'caseRef', header: 'Case' },
      { field: 'status', header: 'Status', format: (v: unknown) => String(v).replace('_', ' ') },
      { field: 'clientName', header: 'Client', pii: true },
    ];
    const rows = [{ caseRef: 'KYC-000001', status: 'pending_documents', clientName: 'Zoë Müller', _json: '{}' }, { caseRef: 'KYC-000002', status: 'open', clientName: null, _json: '{}' }];
    expect(toCsv(columns, rows, false)).toBe('\uFEFFCase,Status,Client\r\nKYC-000001,pending documents,Zoë Müller\r\nKYC-000002,open,\r\n');
    expect(toCsv(columns, rows, true)).toContain('KYC-000001,pending documents,•••\r\n');
  });
});
