// A rule version promoted from a staging server to production unchanged (issue 19), on both
// engines: exported as a signed file on one server, imported on another as a proposal of the same
// document with the same content hash, through the same approval; a file changed after export, one
// whose document does not match its hash, and one that is not a policy file are each refused, naming why.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, expectReason, startTestServer, type TestServer } from '../../testing/harness.js';
import { A_CHANGE, afterPeakHours, approveAs, last30Days } from '../../testing/changes.js';

describeEachEngine('policy versions from one server to another', (engine) => {
  let staging: TestServer;
  let production: TestServer;
  beforeAll(async () => {
    staging = await startTestServer(engine);
    production = await startTestServer(engine);
  });
  afterAll(async () => {
    await staging?.close();
    await production?.close();
  });

  it('exports a version signed, imports it elsewhere as the same content through approval, and refuses a changed file', async () => {
    const s = (await staging.login('senior')).client;
    const active = await s.policies.get.query({ type: 'payments.withdrawalTiers' });
    const document = structuredClone(active.document) as { tiers: Array<{ name: string; slaHours: number }> };
    document.tiers.find((x) => x.name === 'up to 1,000')!.slaHours = 12;
    const proposed = await s.policies.propose.mutate({ type: 'payments.withdrawalTiers', document, reason: 'Faster SLA for small withdrawals', change: A_CHANGE, dryRun: last30Days(staging) });
    const file = await s.policies.exportVersion.mutate({ type: 'payments.withdrawalTiers', version: proposed.version });
    expect(file.fileName).toBe(`PAYMENTS_WITHDRAWAL_TIERS_v${proposed.version}.json`);
    const exported = await staging.server.services.store.kysely.selectFrom('audit_events').select('after_json').where('action', '=', 'policy.exported').executeTakeFirstOrThrow();
    expect(JSON.parse(exported.after_json!)).toMatchObject({ version: proposed.version, documentHash: file.documentHash });

    let p = (await production.login('senior')).client;
    const imported = await p.policies.importVersion.mutate({ content: file.content, reason: 'Promoted after the staging dry run', change: A_CHANGE, dryRun: last30Days(production) });
    expect(imported).toMatchObject({ type: 'payments.withdrawalTiers', documentHash: file.documentHash, from: `PAYMENTS_WITHDRAWAL_TIERS_v${proposed.version}` });
    const there = await p.policies.get.query({ type: 'payments.withdrawalTiers', version: imported.version });
    expect(there.documentHash).toBe(file.documentHash);
    expect(there.active).toBe(false);
    expect(there.reason).toMatch(/^Imported PAYMENTS_WITHDRAWAL_TIERS_v\d+ \(content [0-9a-f]{16}, signed by key [0-9a-f]{16}\): Promoted after the staging dry run$/);
    // It takes effect only through the same approval as any version.
    afterPeakHours(production);
    expect(await approveAs(production, imported.approvalId, ['finmanager', 'admin', 'mlro', 'risk'])).toBe('executed');
    p = (await production.login('senior')).client;
    expect((await p.policies.get.query({ type: 'payments.withdrawalTiers' })).documentHash).toBe(file.documentHash);

    const parsed = JSON.parse(file.content) as { document: { tiers: Array<{ slaHours: number }> }; documentHash: string };
    const changed = structuredClone(parsed);
    changed.document.tiers[1]!.slaHours = 1;
    expect((await expectReason(p.policies.importVersion.mutate({ content: JSON.stringify(changed), reason: 'Promoted after the staging dry run', change: A_CHANGE }), 'VALIDATION_FAILED')).message).toMatch(/signature does not match/);
    const rehashed = { ...parsed, documentHash: '0'.repeat(64) };
    expect((await expectReason(p.policies.importVersion.mutate({ content: JSON.stringify(rehashed), reason: 'Promoted after the staging dry run', change: A_CHANGE }), 'VALIDATION_FAILED')).message).toMatch(/signature does not match/);
    expect((await expectReason(p.policies.importVersion.mutate({ content: '{"format":"something else"}', reason: 'Promoted after the staging dry run', change: A_CHANGE }), 'VALIDATION_FAILED')).message).toMatch(/not a policy version file \(format/);
    expect((await expectReason(p.policies.importVersion.mutate({ content: 'not json', reason: 'Promoted after the staging dry run', change: A_CHANGE }), 'VALIDATION_FAILED')).message).toMatch(/not JSON/);
    await expectReason((await production.login('dealer')).client.policies.exportVersion.mutate({ type: 'payments.withdrawalTiers', version: 1 }), 'FORBIDDEN_PERMISSION');
  });
});
