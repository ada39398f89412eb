import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import { FileKeyWrapper } from './keys.js';
import { CacheStore } from './store.js';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'fxbo-cache-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const auditRow = (seq: number, over: Record<string, string | number | null> = {}) => ({
  seq, at: new Date(Date.UTC(2026, 2, 2, 9, 0, seq)).toISOString(), actor: seq % 2 ? 'admin' : 'compliance', action: seq % 3 ? 'auth.login' : 'access.role.granted',
  targetType: 'user', targetId: `USR-${seq}`, clientId: seq % 5 === 0 ? `CL-${seq}` : null, legalEntity: seq % 2 ? 'eu' : 'global', caseRef: `APR-${String(seq).padStart(6, '0')}`,
  reason: `Grant for Zoë Müller ${seq}`, ip: '127.0.0.1', ...over,
});

function open(dir: string, userId = 'USR-000001') {
  return CacheStore.open({ dir, userId, wrapper: new FileKeyWrapper(path.join(dir, 'keys')) });
}

describe('encrypted cache', () => {
  it('leaves no plaintext in its files', () => {
    const dir = tmp();
    const cache = open(dir);
    cache.apply({ upserts: { audit: [auditRow(1, { reason: 'PLAINTEXT-MARKER-42' })] }, deletes: {}, cursor: 'c1' });
    cache.close();
    const bytes = fs.readdirSync(dir).filter((f) => f.includes('.cache')).map((f) => fs.readFileSync(path.join(dir, f)));
    expect(bytes.length).toBeGreaterThan(0);
    for (const b of bytes) {
      expect(b.includes('PLAINTEXT-MARKER-42')).toBe(false);
      expect(b.includes('SQLite format 3')).toBe(false);
    }
    expect(fs.statSync(cache.keyFile).mode & 0o077).toBe(0);
  });

  it('cannot be opened with another key', () => {
    const dir = tmp();
    const cache = open(dir);
    cache.apply({ upserts: { audit: [auditRow(1)] }, deletes: {}, cursor: 'c1' });
    cache.close();
    const db = new Database(cache.file);
    db.pragma(`cipher='sqlcipher'`);
    db.pragma('legacy=4');
    db.pragma(`key="x'${'11'.repeat(32)}'"`);
    expect(() => db.prepare('select * from v_audit').all()).toThrow(/not a database/);
    db.close();
  });

  it('reopens with its key and keeps rows and cursor', () => {
    const dir = tmp();
    open(dir).apply({ upserts: { audit: [auditRow(1), auditRow(2)] }, deletes: {}, cursor: 'c2' });
    const again = open(dir);
    expect(again.outcome).toBe('opened');
    expect(again.cursor()).toBe('c2');
    expect(again.count('audit')).toBe(2);
  });

  it('rebuilds a corrupt file, a foreign file and one whose key is gone, never trusting them', () => {
    const dir = tmp();
    const first = open(dir);
    first.apply({ upserts: { audit: [auditRow(1)] }, deletes: {}, cursor: 'c1' });
    first.close();
    fs.writeFileSync(first.file, Buffer.alloc(8192, 7));
    const rebuilt = open(dir);
    expect(rebuilt.outcome).toBe('rebuilt');
    expect(rebuilt.count('audit')).toBe(0);
    expect(rebuilt.cursor()).toBeNull();
    rebuilt.close();

    // Another user's file under this user's name is refused by the owner check.
    const other = open(dir, 'USR-000002');
    other.apply({ upserts: { audit: [auditRow(9)] }, deletes: {}, cursor: 'x' });
    other.close();
    fs.copyFileSync(other.file, rebuilt.file);
    fs.copyFileSync(other.keyFile, rebuilt.keyFile);
    const refused = open(dir);
    expect(refused.outcome).toBe('rebuilt');
    expect(refused.count('audit')).toBe(0);
    refused.close();

    fs.rmSync(refused.keyFile);
    expect(open(dir).outcome).toBe('rebuilt');
  });

  it('applies a batch all or nothing', () => {
    const cache = open(tmp());
    cache.apply({ upserts: { audit: [auditRow(1)] }, deletes: {}, cursor: 'c1' });
    expect(() => cache.apply({ upserts: { audit: [auditRow(2), { ...auditRow(3), seq: null as unknown as number }] }, deletes: {}, cursor: 'c3' })).toThrow();
    expect(cache.count('audit')).toBe(1);
    expect(cache.cursor()).toBe('c1');
  });

  it('upserts, deletes, filters, sorts and quick-filters', () => {
    const cache = open(tmp());
    cache.apply({ upserts: { audit: Array.from({ length: 30 }, (_, i) => auditRow(i + 1)) }, deletes: {}, cursor: 'c' });
    cache.apply({ upserts: { audit: [auditRow(4, { actor: 'mlro' })] }, deletes: { audit: [5, 6] }, cursor: 'c2' });
    expect(cache.count('audit')).toBe(28);
    const mlro = cache.query({ view: 'audit', filterModel: { actor: { filterType: 'text', type: 'equals', filter: 'MLRO' } }, sortModel: [], startRow: 0, endRow: 100 });
    expect(mlro.rows.map((r) => r.seq)).toEqual([4]);
    const sorted = cache.query({ view: 'audit', filterModel: {}, sortModel: [{ colId: 'seq', sort: 'desc' }], startRow: 0, endRow: 3 });
    expect(sorted.rows.map((r) => r.seq)).toEqual([30, 29, 28]);
    expect(sorted.lastRow).toBeNull();
    // Quick filter: every word, prefix, case and accent insensitive.
    const quick = cache.query({ view: 'audit', filterModel: {}, sortModel: [], quickFilter: 'zoe MULL 000012', startRow: 0, endRow: 100 });
    expect(quick.rows.map((r) => r.seq)).toEqual([12]);
    expect(quick.lastRow).toBe(1);
  });

  it('lists the values a text column holds, sorted, for its checkbox filter', () => {
    const cache = open(tmp());
    cache.apply({ upserts: { audit: Array.from({ length: 12 }, (_, i) => auditRow(i + 1, i === 3 ? { actor: '' } : {})) }, deletes: {}, cursor: 'c' });
    expect(cache.distinct('audit', 'actor')).toEqual(['admin', 'compliance']);
    expect(() => cache.distinct('audit', 'seq')).toThrow(/no text column "seq"/);
    expect(() => cache.distinct('audit', 'x" from sqlite_master --')).toThrow(/no text column/);
  });

  it('counts what the grid shows: the user’s filters, the tab’s scope and the quick filter together', () => {
    const cache = open(tmp());
    cache.apply({ upserts: { audit: Array.from({ length: 30 }, (_, i) => auditRow(i + 1)) }, deletes: {}, cursor: 'c' });
    const eu = { legalEntity: { filterType: 'set' as const, values: ['EU'] } };
    const admin = { actor: { filterType: 'text' as const, type: 'equals' as const, filter: 'admin' } };
    // Odd rows are admin's and in eu: the tab's scope and the user's filter on another column combine.
    expect(cache.count('audit', {}, { scope: eu })).toBe(15);
    expect(cache.count('audit', admin, { scope: eu })).toBe(15);
    expect(cache.count('audit', { actor: { filterType: 'text', type: 'equals', filter: 'compliance' } }, { scope: eu })).toBe(0);
    // The quick filter narrows the count exactly as it narrows the rows.
    const quick = cache.query({ view: 'audit', filterModel: {}, scope: eu, sortModel: [], quickFilter: 'zoe 1', startRow: 0, endRow: 100 });
    expect(cache.count('audit', {}, { scope: eu, quickFilter: 'zoe 1' })).toBe(quick.rows.length);
    expect(quick.rows.every((r) => r.legalEntity === 'eu')).toBe(true);
    // A list of values with an empty cell: clients or none.
    expect(cache.count('audit', { clientId: { filterType: 'set', values: ['cl-5', null] } })).toBe(25);
  });

  it('pages through a sorted, filtered view by keyset with nothing lost or repeated', () => {
    const cache = open(tmp());
    cache.apply({ upserts: { audit: Array.from({ length: 95 }, (_, i) => auditRow(i + 1)) }, deletes: {}, cursor: 'c' });
    const base = { view: 'audit' as const, filterModel: { legalEntity: { filterType: 'text' as const, type: 'equals' as const, filter: 'eu' } }, sortModel: [{ colId: 'action', sort: 'asc' as const }] };
    const seen: number[] = [];
    for (let start = 0; ; start += 10) {
      const page = cache.query({ ...base, startRow: start, endRow: start + 10 });
      seen.push(...page.rows.map((r) => r.seq as number));
      if (page.lastRow !== null) break;
    }
    expect(seen).toHaveLength(48);
    expect(new Set(seen).size).toBe(48);
  });

  it('answers the grid queries from indexes, not full scans with a temporary sort', () => {
    const cache = open(tmp());
    const plan = cache.explain({ view: 'audit', filterModel: { actor: { filterType: 'text', type: 'equals', filter: 'admin' } }, sortModel: [{ colId: 'at', sort: 'desc' }], startRow: 0, endRow: 100 });
    expect(plan.join('\n')).toMatch(/USING INDEX v_audit_at/);
    expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
  });

  it('wipes its database and key', () => {
    const dir = tmp();
    const cache = open(dir);
    cache.apply({ upserts: { audit: [auditRow(1)] }, deletes: {}, cursor: 'c1' });
    cache.wipe();
    expect(fs.existsSync(cache.file)).toBe(false);
    expect(fs.existsSync(cache.keyFile)).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.cache-wal'))).toEqual([]);
  });

  it('gives the same quick-filter answer whichever plan it picks, in the requested order', () => {
    const cache = open(tmp());
    const rows = Array.from({ length: 6000 }, (_, i) => auditRow(i + 1, { reason: i % 3 ? 'Reviewed and approved' : `Escalated to MLRO case ${i + 1}` }));
    cache.apply({ upserts: { audit: rows }, deletes: {}, cursor: 'c' });
    const expected = (pred: (r: (typeof rows)[number]) => boolean, sort: (a: (typeof rows)[number], b: (typeof rows)[number]) => number) => rows.filter(pred).sort(sort).map((r) => r.seq);
    // Many matches (index walk), few matches (fetch and sort), and key order straight from the index.
    const many = cache.query({ view: 'audit', filterModel: {}, sortModel: [{ colId: 'at', sort: 'desc' }], quickFilter: 'escalated', startRow: 0, endRow: 50 });
    expect(many.rows.map((r) => r.seq)).toEqual(expected((r) => r.reason.startsWith('Escalated'), (a, b) => (a.at < b.at ? 1 : -1)).slice(0, 50));
    const few = cache.query({ view: 'audit', filterModel: {}, sortModel: [{ colId: 'at', sort: 'asc' }], quickFilter: 'case 4000', startRow: 0, endRow: 50 });
    expect(few.rows.map((r) => r.seq)).toEqual([4000]);
    // A reference is one phrase: APR-000012 is the row with that case, not rows holding "apr" and "000012" apart.
    cache.apply({ upserts: { audit: [auditRow(6001, { reason: 'Follows up item 000012' })] }, deletes: {}, cursor: 'c2' });
    const ref = cache.query({ view: 'audit', filterModel: {}, sortModel: [{ colId: 'at', sort: 'asc' }], quickFilter: 'APR-000012', startRow: 0, endRow: 50 });
    expect(ref.rows.map((r) => r.seq)).toEqual([12]);
    const byKey = [0, 1, 2].flatMap((p) => cache.query({ view: 'audit', filterModel: { legalEntity: { filterType: 'text', type: 'equals', filter: 'eu' } }, sortModel: [{ colId: 'seq', sort: 'desc' }], quickFilter: 'mlro', startRow: p * 40, endRow: p * 40 + 40 }).rows.map((r) => r.seq));
    expect(byKey).toEqual(expected((r) => r.reason.includes('MLRO') && r.legalEntity === 'eu', (a, b) => b.seq - a.seq).slice(0, 120));
  });
});
