// policies.diff and version names (issue 19) on both engines: a proposed version and a draft, each
// against the version in force, path by path; a version's name on list and get.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, expectReason, startTestServer, type TestServer } from '../../testing/harness.js';
import { A_CHANGE, last30Days } from '../../testing/changes.js';

describeEachEngine('policies.diff', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine);
  });
  afterAll(() => t?.close());

  it('shows what a proposed version and a draft change against the version in force, and names versions', async () => {
    const senior = (await t.login('senior')).client;
    const active = await senior.policies.get.query({ type: 'payments.withdrawalTiers' });
    expect(active.name).toBe(`PAYMENTS_WITHDRAWAL_TIERS_v${active.version}`);
    const document = structuredClone(active.document) as { tiers: Array<{ name: string; upToBase?: number }> };
    document.tiers.find((x) => x.name === 'up to 1,000')!.upToBase = 200_000;
    const proposal = await senior.policies.propose.mutate({ type: 'payments.withdrawalTiers', document, reason: 'Raise the one-approver band to 2,000 EUR', change: A_CHANGE, dryRun: last30Days(t) });
    const diff = await senior.policies.diff.query({ type: 'payments.withdrawalTiers', version: proposal.version });
    expect(diff).toEqual({
      type: 'payments.withdrawalTiers',
      against: { version: active.version, name: `PAYMENTS_WITHDRAWAL_TIERS_v${active.version}` },
      candidate: { version: proposal.version, name: `PAYMENTS_WITHDRAWAL_TIERS_v${proposal.version}` },
      changes: [{ path: 'tiers["up to 1,000"].upToBase', kind: 'changed', from: 100_000, to: 200_000 }],
    });
    const listed = await senior.policies.list.query({ type: 'payments.withdrawalTiers' });
    expect(listed.items.map((v) => v.name)).toContain(`PAYMENTS_WITHDRAWAL_TIERS_v${proposal.version}`);
    // A draft: validated as a proposal would be; the same document against itself changes nothing.
    expect((await senior.policies.diff.query({ type: 'payments.withdrawalTiers', document: active.document })).changes).toEqual([]);
    expect((await expectReason(senior.policies.diff.query({ type: 'payments.withdrawalTiers', document: { tiers: [] } }), 'POLICY_INVALID')).message).toMatch(/baseCurrency|tiers/);
    await expectReason(senior.policies.diff.query({ type: 'payments.withdrawalTiers' }), 'VALIDATION_FAILED');
    await expectReason(senior.policies.diff.query({ type: 'payments.withdrawalTiers', version: 999 }), 'NOT_FOUND');
  });
});
