// The audit explorer's filters must never scan the whole log: each one is answered from an index
// ending in seq, so that paging stays a range scan at 100M events. Checked on SQLite's planner,
// which plans without statistics and so shows the index choice the schema makes possible.

import { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../testing/harness.js';
import type { AuditSearch } from './service.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer('sqlite');
});
afterAll(() => t?.close());

const FILTERS: Array<[string, Partial<AuditSearch>, RegExp]> = [
  ['clientId', { clientId: 'CL-000001' }, /USING INDEX audit_client/],
  ['actor', { actor: 'admin' }, /USING INDEX audit_actor/],
  ['action', { action: 'auth.login' }, /USING INDEX audit_action/],
  ['caseRef', { caseRef: 'KYC-000001' }, /USING INDEX audit_case/],
  ['target', { targetType: 'user', targetId: 'USR-000001' }, /USING INDEX audit_target/],
  ['legalEntity', { legalEntity: 'eu' }, /USING INDEX audit_entity/],
  ['clientId with a cursor', { clientId: 'CL-000001', cursor: '1000' }, /USING INDEX audit_client \(client_id=\? AND seq<\?\)/],
];

it.each(FILTERS)('uses an index for %s', async (_name, filter, expected) => {
  const q = await t.server.services.audit.searchQuery(['eu', 'global'], { limit: 100, ...filter });
  const compiled = q.compile();
  const plan = await t.server.services.store.kysely.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]));
  const details = plan.rows.map((r) => r.detail).join('\n');
  expect(details).toMatch(expected);
  expect(details).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
});
