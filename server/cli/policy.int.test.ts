// `npm run policy -- fatf FILE`: proposes a kyc.risk version with a FATF lists file, as a named
// proposer who must hold policies.propose; the tier-2 chain approves it. Bad files, unknown or
// unentitled proposers and a proposal identical to the active lists are refused with the reason.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage, startTestServer, type StorageHandle } from '../testing/harness.js';
import { runTool } from '../testing/processes.js';

describe('npm run policy -- fatf', () => {
  let storage: StorageHandle;
  let file: string;
  const args = (...extra: string[]) => ['fatf', file, '--data-dir', storage.dataDir, ...extra];

  beforeAll(async () => {
    storage = await createStorage('sqlite');
    const t = await startTestServer('sqlite', { storage });
    await t.close();
    file = path.join(storage.dataDir, 'fatf.json');
    const plenary = (date: string, grey: string[]) => ({ effective_date: date, plenary: `FATF plenary ${date}`, call_for_action: [{ iso_alpha2: 'KP' }, { iso_alpha2: 'IR' }], increased_monitoring: grey.map((c) => ({ iso_alpha2: c })) });
    fs.writeFileSync(file, JSON.stringify({ versions: [plenary('2026-02-13', ['BG', 'MC']), plenary('2026-06-19', ['BG'])] }));
  }, 60_000);
  afterAll(() => storage?.drop());

  it('proposes a version as the named proposer and leaves it for a second person', () => {
    const r = runTool('server/cli/policy.ts', args('--proposer', 'senior', '--reason', 'FATF plenary of 2026-06-19'));
    expect(r.stderr.replace(/npm warn.*\n/g, '')).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Proposed kyc\.risk version 2 with 2 FATF plenaries \(2026-02-13, 2026-06-19\), replacing those of kyc\.risk@1\./);
    expect(r.stdout).toMatch(/Change CHG-\d{6}, approval request APR-\d{6}: the tier-2 chain approves it .*until then kyc\.risk@1 stays in force\./);
  });

  it('refuses what it cannot propose, with the reason', () => {
    const cases: Array<[string[], RegExp, number]> = [
      [args('--proposer', 'support', '--reason', 'FATF plenary of 2026-06-19'), /support does not hold policies\.propose \(roles: support\)/, 1],
      [args('--proposer', 'nobody', '--reason', 'FATF plenary of 2026-06-19'), /no active user "nobody"/, 1],
      [args('--proposer', 'senior'), /--reason: say why/, 2],
      [['fatf', path.join(storage.dataDir, 'missing.json'), '--data-dir', storage.dataDir, '--proposer', 'senior', '--reason', 'FATF plenary of 2026-06-19'], /missing\.json: ENOENT/, 1],
    ];
    for (const [argv, message, status] of cases) {
      const r = runTool('server/cli/policy.ts', argv);
      expect({ status: r.status, stderr: r.stderr }).toMatchObject({ status, stderr: expect.stringMatching(message) });
    }
    fs.writeFileSync(path.join(storage.dataDir, 'bad.json'), '{"versions": [{"effective_date": "2026-06-19"}]}');
    const bad = runTool('server/cli/policy.ts', ['fatf', path.join(storage.dataDir, 'bad.json'), '--data-dir', storage.dataDir, '--proposer', 'senior', '--reason', 'FATF plenary of 2026-06-19']);
    expect(bad).toMatchObject({ status: 1, stderr: expect.stringMatching(/FATF version 0: needs effective_date, call_for_action and increased_monitoring/) });
  });
});
