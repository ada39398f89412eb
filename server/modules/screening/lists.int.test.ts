import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../core/actor.js';
import { DomainError } from '../../../shared/errors.js';
import { describeEachEngine, startTestServer, type TestServer } from '../../testing/harness.js';
import { parseListFiles } from './lists/read.js';

const actor = { ...SYSTEM_ACTOR, id: 'test:lists', name: 'lists test' };

function ofacCsv(rows: ReadonlyArray<readonly [number, string, string]>): Buffer {
  return Buffer.from(rows.map(([id, name, remarks]) => `${id},"${name}","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"${remarks}"`).join('\r\n') + '\r\n\u001a');
}

const BASE = Array.from({ length: 40 }, (_, i) => [1000 + i, `PERSON${i}, Test`, `DOB ${1950 + i}`] as const);

async function reason(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof DomainError) return error.reason;
    throw error;
  }
  throw new Error('expected a refusal');
}

describeEachEngine('sanctions list versions', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores a version, then diffs the next by stable key: added, removed, changed', async () => {
    const lists = t.server.services.lists;
    const first = await lists.importList(actor, await parseListFiles([{ name: 'sdn.csv', bytes: ofacCsv(BASE) }]));
    expect(first).toMatchObject({ source: 'us_ofac_sdn', entries: 40, added: 40, removed: 0, changed: 0, previousVersion: null });

    const next = [...BASE.slice(1, 39), [1039, 'PERSON39, Test', 'DOB 1999; nationality Iran'] as const, [2000, 'NEWLY, Listed', 'DOB 1970'] as const];
    const second = await lists.importList(actor, await parseListFiles([{ name: 'sdn.csv', bytes: ofacCsv(next) }]));
    expect(second).toMatchObject({ entries: 40, added: 1, removed: 1, changed: 1, previousVersion: first.versionId });
    expect([...second.addedOrChanged].sort()).toEqual(['1039', '2000']);
    expect(await lists.diff(second.versionId)).toEqual([
      { key: '2000', op: 'added', name: 'NEWLY, Listed' },
      { key: '1039', op: 'changed', name: 'PERSON39, Test' },
      { key: '1000', op: 'removed', name: 'PERSON0, Test' },
    ]);
    const versions = await lists.versions('us_ofac_sdn');
    expect(versions.map((v) => [v.id, v.current])).toEqual([[second.versionId, true], [first.versionId, false]]);
    const entries = await lists.allEntries();
    expect(entries).toHaveLength(40);
    expect(entries.find((e) => e.key === '1039')?.nationalities).toEqual(['IR']);
  });

  it('refuses the same file twice, and an update that drops more than the policy allows, keeping the current version', async () => {
    const lists = t.server.services.lists;
    const before = await lists.versions('us_ofac_sdn');
    const current = [...BASE.slice(1, 39), [1039, 'PERSON39, Test', 'DOB 1999; nationality Iran'] as const, [2000, 'NEWLY, Listed', 'DOB 1970'] as const];
    expect(await reason(lists.importList(actor, await parseListFiles([{ name: 'sdn.csv', bytes: ofacCsv(current) }])))).toBe('ALREADY_EXISTS');
    const shrunk = await parseListFiles([{ name: 'sdn.csv', bytes: ofacCsv(BASE.slice(0, 20)) }]);
    expect(await reason(lists.importList(actor, shrunk))).toBe('LIST_REFUSED');
    expect(await lists.versions('us_ofac_sdn')).toEqual(before);
    expect(await lists.allEntries()).toHaveLength(40);
    const refused = await t.server.services.store.kysely.selectFrom('audit_events').select(['action', 'reason']).where('action', '=', 'screening.list.refused').execute();
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toMatch(/would remove 21 of 40 entries/u);
  });

  it('audits every import with its counts and the policy it was checked against', async () => {
    const rows = await t.server.services.store.kysely.selectFrom('audit_events').select(['action', 'after_json', 'policy_ref']).where('action', '=', 'screening.list.imported').orderBy('seq').execute();
    expect(rows).toHaveLength(2);
    expect(JSON.parse(rows[1]!.after_json!)).toMatchObject({ added: 1, removed: 1, changed: 1 });
    expect(rows[1]!.policy_ref).toBe('screening.thresholds@1');
  });
});
