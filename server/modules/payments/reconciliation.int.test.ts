// Reconciliation on both engines: deposits paid through the PSP simulator, a settlement report that
// agrees on some and not others, and a run that finds each kind of mismatch once, with an exception
// a person takes and resolves with a code. Bad reports are refused whole, naming the line.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, expectReason, portalClientFor, startTestServer, type TestServer } from '../../testing/harness.js';
import { anApprovedClient } from '../../testing/builders.js';
import { startPspSimulator, type PspSimulator } from '../../simulators/psp/provider.js';

describeEachEngine('reconciliation of the ledger against a provider’s settlement report', (engine) => {
  let t: TestServer;
  let sim: PspSimulator;
  let now = () => Date.now();

  beforeAll(async () => {
    sim = await startPspSimulator({ provider: 'simpay', now: () => now() });
    t = await startTestServer(engine, { env: { PSP_SIMPAY_SECRET: sim.secret, PSP_SIMPAY_URL: sim.url } });
    now = () => t.clock.now().getTime();
    sim.setWebhookUrl(`${t.url}/webhooks/psp/simpay`);
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  const csv = (lines: string[]) => Buffer.from(`${lines.join('\r\n')}\r\n`).toString('base64');

  it('finds amounts that differ, lines missing on either side and lines reported twice, once each, as exceptions a person resolves', async () => {
    const { clientId } = await anApprovedClient(t);
    const pay = async (amount: string) => {
      const { depositRef } = await portalClientFor(t.url).portal.initiateDeposit.mutate({ clientId, amount, currency: 'EUR', method: 'bank_transfer', provider: 'simpay' });
      const payment = await sim.pay({ reference: depositRef, amount, currency: 'EUR' });
      await sim.drain();
      return { ref: depositRef, tx: payment.id };
    };
    const a = await pay('100.00');
    const b = await pay('200.00');
    const c = await pay('300.00');
    await sim.refund(c.ref, '50.00');
    await sim.drain();

    const manager = await t.login('finmanager');
    const day = t.clock.now().toISOString().slice(0, 10);
    const report = csv([
      'date,type,reference,provider_tx_id,amount,currency',
      `${day},payment,${a.ref},${a.tx},100.00,EUR`,
      `${day},payment,${a.ref},${a.tx},100.00,EUR`,
      `${day},payment,${b.ref},${b.tx},250.00,EUR`,
      `${day},refund,${c.ref},${c.tx},50.00,EUR`,
      `${day},payment,,pay_unknown_${engine},75.00,EUR`,
    ]);
    expect(await manager.client.reconciliation.importSettlement.mutate({ provider: 'simpay', fileName: 'simpay-settlement.csv', contentBase64: report })).toMatchObject({ rows: 5 });
    await expectReason(manager.client.reconciliation.importSettlement.mutate({ provider: 'simpay', fileName: 'again.csv', contentBase64: report }), 'ALREADY_EXISTS');

    const from = `${day}T00:00:00.000Z`;
    const to = new Date(Date.parse(from) + 86_400_000).toISOString();
    const run = await manager.client.reconciliation.run.mutate({ provider: 'simpay', from, to });
    expect(run.notCompared).toEqual([]);
    const found = run.mismatches.map((x) => ({ kind: x.kind, tx: x.providerTxId, ledger: x.ledgerAmount, provider: x.providerAmount })).sort((x, y) => x.kind.localeCompare(y.kind));
    expect(found).toEqual([
      { kind: 'amount_differs', tx: b.tx, ledger: '200.00', provider: '250.00' },
      { kind: 'duplicate', tx: a.tx, ledger: null, provider: '100.00' },
      { kind: 'missing_at_provider', tx: c.tx, ledger: '300.00', provider: null },
      { kind: 'missing_in_ledger', tx: `pay_unknown_${engine}`, ledger: null, provider: '75.00' },
    ]);
    // Run again: the same exceptions, not new ones.
    const again = await manager.client.reconciliation.run.mutate({ provider: 'simpay', from, to });
    expect(again.mismatches.map((x) => x.exceptionRef).sort()).toEqual(run.mismatches.map((x) => x.exceptionRef).sort());

    const open = await manager.client.reconciliation.exceptions.query({ status: 'open', kind: 'amount_differs' });
    const mine = open.items.find((x) => x.subjectRef?.includes(b.tx))!;
    expect(mine).toMatchObject({ legalEntity: 'eu', clientId, status: 'open', owner: null });
    const finance = await t.login('finance');
    expect(await finance.client.reconciliation.takeException.mutate({ ref: mine.ref })).toEqual({ owner: 'finance' });
    await finance.client.reconciliation.resolveException.mutate({ ref: mine.ref, resolutionCode: 'provider_corrected', note: 'Provider confirmed 200.00; their report was wrong' });
    await expectReason(finance.client.reconciliation.resolveException.mutate({ ref: mine.ref, resolutionCode: 'no_action_needed', note: 'again' }), 'ALREADY_DECIDED');
    const closed = (await manager.client.reconciliation.exceptions.query({ status: 'resolved', kind: 'amount_differs' })).items.find((x) => x.ref === mine.ref);
    expect(closed).toMatchObject({ status: 'resolved', owner: 'finance', resolutionCode: 'provider_corrected', resolvedBy: 'finance' });
    // An officer without reconciliation rights runs nothing.
    await expectReason(finance.client.reconciliation.run.mutate({ from, to }), 'FORBIDDEN_PERMISSION');
  });

  it('refuses a report whole, naming what is wrong', async () => {
    const manager = await t.login('finmanager');
    const bad = async (lines: string[], message: RegExp) => {
      const error = await expectReason(manager.client.reconciliation.importSettlement.mutate({ provider: 'simpay', fileName: 'bad.csv', contentBase64: csv(lines) }), 'VALIDATION_FAILED');
      expect(error.message).toMatch(message);
    };
    await bad(['when,what', '2026-03-02,payment'], /first line must be the columns date,type,reference,provider_tx_id,amount,currency/);
    await bad(['date,type,reference,provider_tx_id,amount,currency'], /no lines/);
    await bad(['date,type,reference,provider_tx_id,amount,currency', '2026-03-02,payment,,tx1,10.00,EUR', '2026-03-02,payment,,tx2,10.001,EUR'], /bad.csv line 3, amount: .*more than 2 decimals/);
    await bad(['date,type,reference,provider_tx_id,amount,currency', '02/03/2026,payment,,tx1,10.00,EUR'], /line 2, date: "02\/03\/2026" is not a date/);
    await bad(['date,type,reference,provider_tx_id,amount,currency', '2026-03-02,bonus,,tx1,10.00,EUR'], /line 2, type: "bonus" is not one of/);
    const files = await t.server.services.store.kysely.selectFrom('psp_settlement_files').select('file_name').where('file_name', '=', 'bad.csv').execute();
    expect(files).toEqual([]);
  });
});
