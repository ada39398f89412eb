// MT5 accounts and interventions end to end against the MT5 simulator, on both engines: an approved
// client gets an account in the group its entity maps; a balance correction is requested by a
// dealer, approved by a dealing manager and executed by the dealer (never by its approver), with
// the case reference in the deal comment and MT5's state before and after on the case; account
// changes are read back; bad input is refused before anything is written; a dropped connection
// after MT5 applied the operation is found in the history, not repeated; MT5 refusing for a while
// leaves the case waiting in a visible queue; and manager operations made directly on MT5 with no
// case are found, linked to a case or escalated.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, expectReason, startTestServer, type TestServer } from '../../testing/harness.js';
import { startMt5Simulator, type Mt5Simulator } from '../../simulators/mt5/simulator.js';
import { anApprovedClient } from '../../testing/builders.js';
import { loadClient, restrictClient, transitionClient } from '../clients/restrictions.js';
import { Mt5Session } from '../../platform/session.js';
import { USER_RIGHTS } from '../../platform/webapi.js';
import { portalClientFor } from '../../testing/harness.js';
import { signGeneric } from '../payments/psp/generic.js';

const SIMPAY_SECRET = 'simpay-webhook-secret-0123456789';

/** Polls until `check` answers something truthy (the platform job runs beside the test). */
async function until<T>(check: () => Promise<T | null | undefined | false>, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describeEachEngine('MT5 accounts and interventions', (engine) => {
  let t: TestServer | undefined;
  let sim: Mt5Simulator;
  let login = 0;
  let clientId = '';
  let payer = '';

  const server = () => t!.server.services;
  const statusOf = async (caseRef: string) => (await server().store.kysely.selectFrom('interventions').select('status').where('ref', '=', caseRef).executeTakeFirstOrThrow()).status;

  beforeAll(async () => {
    sim = await startMt5Simulator({ offsetSeconds: 2 * 3600, now: () => (t ? t.clock.now().getTime() : Date.parse('2026-03-02T09:00:00.000Z')) });
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'mt5-cert-'));
    const certFile = path.join(dir, 'mt5.pem');
    fs.writeFileSync(certFile, sim.certificate);
    t = await startTestServer(engine, { env: { MT5_URL: sim.url, MT5_LOGIN: String(sim.login), MT5_PASSWORD: sim.password, MT5_CERTIFICATE_FILE: certFile, MT5_TIMEOUT_MS: '1500', MT5_TIME_OFFSET_MINUTES: '120', PSP_SIMPAY_SECRET: SIMPAY_SECRET } });
    const approved = await anApprovedClient(t, { legalEntity: 'eu', accountType: 'standard' });
    clientId = approved.clientId;
    payer = `${approved.input.firstName} ${approved.input.lastName}`;
    await server().mt5Accounts.enqueueApproved();
    await server().mt5Accounts.processDue();
    const account = await until(() => server().store.kysely.selectFrom('mt5_accounts').selectAll().where('client_id', '=', clientId).where('status', '=', 'active').executeTakeFirst(), 'the client\u2019s MT5 account');
    login = Number(account.login);
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  it('opens an approved client\u2019s account in the group, leverage and currency its entity maps, once, and hands the password to the portal once', async () => {
    const accounts = await server().store.kysely.selectFrom('mt5_accounts').selectAll().where('client_id', '=', clientId).execute();
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ account_type: 'standard', mt5_group: 'real\\eu\\standard', leverage: 30, currency: 'EUR', status: 'active' });
    const user = sim.state.user(login);
    expect(user).toMatchObject({ Group: 'real\\eu\\standard', Leverage: 30, Comment: accounts[0]!.id });
    // Running the job again opens nothing more.
    await server().mt5Accounts.enqueueApproved();
    expect(await server().store.kysely.selectFrom('mt5_accounts').select('id').where('client_id', '=', clientId).execute()).toHaveLength(1);
    const first = await server().mt5Accounts.collectCredentials({ id: 'portal', name: 'client portal', ip: null, userAgent: null, sessionId: null }, clientId);
    expect(first.accounts).toEqual([{ login, password: user.PassMain, group: 'real\\eu\\standard', currency: 'EUR' }]);
    const second = await server().mt5Accounts.collectCredentials({ id: 'portal', name: 'client portal', ip: null, userAgent: null, sessionId: null }, clientId);
    expect(second.accounts).toEqual([]);
    // The search box finds the client by the MT5 login.
    const dealer = await t!.login('dealer');
    const found = await dealer.client.clients.search.query({ query: String(login) });
    expect(found.items.map((i) => [i.clientId, i.matchedBy])).toEqual([[clientId, 'MT5 login']]);
    // The password is in no audit event.
    const events = await server().store.kysely.selectFrom('audit_events').select(['after_json']).where('client_id', '=', clientId).execute();
    expect(events.some((e) => (e.after_json ?? '').includes(user.PassMain))).toBe(false);
  });

  it('runs a balance correction from request to execution with three different people, and keeps the deal and the state before and after', async () => {
    const dealer = await t!.login('dealer');
    const manager = await t!.login('dealmanager');
    const { caseRef } = await dealer.client.interventions.request.mutate({ type: 'balance_correction', login, amount: '250.00', currency: 'EUR', reasonCode: 'trade_dispute', note: 'Requote on EURUSD on 1 March refunded after review.' });
    await expectReason(dealer.client.interventions.execute.mutate({ caseRef }), 'INVALID_TRANSITION');
    await expectReason(dealer.client.interventions.approve.mutate({ caseRef }), 'FORBIDDEN_PERMISSION');
    const own = await manager.client.interventions.request.mutate({ type: 'credit_in', login, amount: '5.00', currency: 'EUR', reasonCode: 'bonus_campaign', note: 'A request its maker then tries to approve.' });
    await expectReason(manager.client.interventions.approve.mutate({ caseRef: own.caseRef }), 'SAME_PERSON_APPROVAL');
    expect(await manager.client.interventions.approve.mutate({ caseRef, reason: 'Checked the trade log.' })).toEqual({ status: 'approved', approvalsNeeded: 0 });
    await expectReason(manager.client.interventions.execute.mutate({ caseRef }), 'SAME_PERSON_APPROVAL');
    const done = await dealer.client.interventions.execute.mutate({ caseRef });
    expect(done).toMatchObject({ status: 'executed', retcode: 0 });
    const deal = sim.state.deals.find((d) => String(d.Deal) === done.dealTicket)!;
    expect(deal).toMatchObject({ Login: login, Comment: caseRef, Profit: 250, Action: 5 });
    expect(sim.state.user(login).Balance).toBe(250);
    const view = await dealer.client.interventions.get.query({ caseRef });
    expect(view).toMatchObject({ status: 'executed', dealTicket: done.dealTicket, operatorName: 'dealer', requestedByName: 'dealer', before: { balance: '0.00', group: 'real\\eu\\standard' }, after: { balance: '250.00' }, deal: { ticket: done.dealTicket, comment: caseRef } });
    expect(view.approvals.map((a) => a.by)).toEqual(['dealmanager']);
    const actions = await server().store.kysely.selectFrom('audit_events').select('action').where('case_ref', '=', caseRef).orderBy('seq').execute();
    expect(actions.map((a) => a.action)).toEqual(['intervention.requested', 'intervention.approval_given', 'platform.operation.recorded', 'intervention.executing', 'platform.operation.sending', 'platform.operation.applied', 'intervention.executed', 'intervention.read_back']);
  });

  it('refuses what MT5 would refuse, and a request it cannot place, before anything is written', async () => {
    const dealer = await t!.login('dealer');
    const before = await server().store.kysely.selectFrom('interventions').select('ref').execute();
    const missing = await expectReason(dealer.client.interventions.request.mutate({ type: 'credit_in', login: 999_999, amount: '10.00', currency: 'EUR', reasonCode: 'bonus_campaign', note: 'A credit on a login that is not there.' }), 'NOT_FOUND');
    expect(missing.message).toMatch(/999999 does not exist.*13 Not found/);
    const broke = await expectReason(dealer.client.interventions.request.mutate({ type: 'balance_correction', login, amount: '-5000.00', currency: 'EUR', reasonCode: 'platform_error', note: 'Taking back more than the client holds.' }), 'INSUFFICIENT_BALANCE');
    expect(broke.message).toMatch(/10019/);
    const group = await expectReason(dealer.client.interventions.request.mutate({ type: 'change_group', login, value: 'real\\eu\\nowhere', reasonCode: 'client_request', note: 'A move to a group MT5 does not have.' }), 'VALIDATION_FAILED');
    expect(group.message).toMatch(/real\\eu\\nowhere" does not exist/);
    const leverage = await expectReason(dealer.client.interventions.request.mutate({ type: 'change_leverage', login, value: '500', reasonCode: 'client_request', note: 'Leverage above what the group allows.' }), 'VALIDATION_FAILED');
    expect(leverage.message).toMatch(/up to 1:30/);
    const reason = await expectReason(dealer.client.interventions.request.mutate({ type: 'credit_in', login, amount: '10.00', currency: 'EUR', reasonCode: 'trade_dispute', note: 'A reason given for the wrong type.' }), 'VALIDATION_FAILED');
    expect(reason.message).toMatch(/not a reason for credit in/);
    const currency = await expectReason(dealer.client.interventions.request.mutate({ type: 'credit_in', login, amount: '10.00', currency: 'USD', reasonCode: 'bonus_campaign', note: 'The wrong currency for the account.' }), 'VALIDATION_FAILED');
    expect(currency.message).toMatch(/is in EUR/);
    expect(await server().store.kysely.selectFrom('interventions').select('ref').execute()).toEqual(before);
  });

  it('disables trading through user/update and reads the rights back', async () => {
    const dealer = await t!.login('dealer');
    const manager = await t!.login('dealmanager');
    const { caseRef } = await dealer.client.interventions.request.mutate({ type: 'disable_trading', login, reasonCode: 'risk_management', note: 'Toxic flow under investigation by dealing.' });
    await manager.client.interventions.approve.mutate({ caseRef });
    const done = await dealer.client.interventions.execute.mutate({ caseRef });
    expect(done.status).toBe('executed');
    expect(sim.state.user(login).Rights & USER_RIGHTS.TRADE_DISABLED).toBe(USER_RIGHTS.TRADE_DISABLED);
    const view = await dealer.client.interventions.get.query({ caseRef });
    expect(view.before!.rights & USER_RIGHTS.TRADE_DISABLED).toBe(0);
    expect(view.after!.rights & USER_RIGHTS.TRADE_DISABLED).toBe(USER_RIGHTS.TRADE_DISABLED);
    // The back office's known state follows, so the scan reports nothing for it.
    const account = await server().store.kysely.selectFrom('mt5_accounts').select('rights').where('login', '=', login).executeTakeFirstOrThrow();
    expect(account.rights).toBe(sim.state.user(login).Rights);
  });

  it('pushes a restriction and a closure to MT5, gives back only what it took, and lets no intervention give trading back meanwhile', async () => {
    const db = () => server().store.kysely;
    const pushed = async (l: number) => (await db().selectFrom('mt5_accounts').select(['pushed_access', 'status']).where('login', '=', l).executeTakeFirstOrThrow());
    const tradeDisabled = () => (sim.state.user(login).Rights & USER_RIGHTS.TRADE_DISABLED) !== 0;
    const setClient = (restrict: boolean) =>
      server().store.mutate({ id: 'test', name: 'test', ip: null, userAgent: null, sessionId: null }, async (m) => {
        const client = await loadClient(m, clientId);
        if (restrict) await restrictClient(m, client, 'compliance_hold', { reason: 'test: compliance hold' });
        else {
          await m.trx.updateTable('clients').set({ restrictions_json: '[]' }).where('id', '=', clientId).execute();
          await transitionClient(m, client, 'approved', { reason: 'test: hold lifted' });
        }
      });
    // Trading is disabled already (the dealer's case above): the hold finds it so and leaves it so when lifted.
    expect(tradeDisabled()).toBe(true);
    await setClient(true);
    await server().accessSync.run();
    await until(async () => (await pushed(login)).pushed_access === 'trading_was_disabled', 'the hold recorded');
    const dealer = await t!.login('dealer');
    const refused = await expectReason(dealer.client.interventions.request.mutate({ type: 'enable_trading', login, reasonCode: 'restriction_lifted', note: 'Trying to give trading back during a hold.' }), 'CLIENT_RESTRICTED');
    expect(refused.message).toMatch(/keeps trading disabled on MT5 until the restriction ends/);
    await setClient(false);
    await server().accessSync.run();
    await until(async () => (await pushed(login)).pushed_access === null, 'the hold lifted');
    expect(tradeDisabled()).toBe(true);

    // Trading given back by a case; a new hold takes it, and lifting the hold gives it back.
    const manager = await t!.login('dealmanager');
    const { caseRef } = await dealer.client.interventions.request.mutate({ type: 'enable_trading', login, reasonCode: 'restriction_lifted', note: 'Investigation closed without findings.' });
    await manager.client.interventions.approve.mutate({ caseRef });
    expect((await dealer.client.interventions.execute.mutate({ caseRef })).status).toBe('executed');
    expect(tradeDisabled()).toBe(false);
    await setClient(true);
    await server().accessSync.run();
    await until(async () => (await pushed(login)).pushed_access === 'trading_disabled', 'the second hold pushed');
    expect(tradeDisabled()).toBe(true);
    await setClient(false);
    await server().accessSync.run();
    await until(async () => (await pushed(login)).pushed_access === null && !tradeDisabled(), 'trading given back');
    expect(await db().selectFrom('audit_events').select('action').where('client_id', '=', clientId).where('action', '=', 'platform.account.access_pushed').execute()).toHaveLength(4);

    // A closed client's account is disabled on MT5.
    const other = await anApprovedClient(t!, { legalEntity: 'global', accountType: 'professional' });
    await server().mt5Accounts.enqueueApproved();
    await server().mt5Accounts.processDue();
    const account = await until(() => db().selectFrom('mt5_accounts').selectAll().where('client_id', '=', other.clientId).where('status', '=', 'active').executeTakeFirst(), 'the second account');
    expect(account).toMatchObject({ mt5_group: 'real\\global\\professional', leverage: 500, currency: 'USD' });
    await server().store.mutate({ id: 'test', name: 'test', ip: null, userAgent: null, sessionId: null }, async (m) => {
      await transitionClient(m, await loadClient(m, other.clientId), 'closed', { reason: 'test: account closed at the client\u2019s request' });
    });
    await server().accessSync.run();
    await until(async () => (await pushed(Number(account.login))).status === 'closed', 'the account disabled');
    expect(sim.state.user(Number(account.login)).Rights & USER_RIGHTS.ENABLED).toBe(0);
  });

  it('finds a credit MT5 applied before the connection dropped in the deal history, and never sends it twice', async () => {
    const dealer = await t!.login('dealer');
    const manager = await t!.login('dealmanager');
    const { caseRef } = await dealer.client.interventions.request.mutate({ type: 'credit_in', login, amount: '40.00', currency: 'EUR', reasonCode: 'bonus_campaign', note: 'Spring campaign credit, approved by marketing.' });
    await manager.client.interventions.approve.mutate({ caseRef });
    sim.faults({ balance: ['drop_after_apply'] });
    const first = await dealer.client.interventions.execute.mutate({ caseRef });
    expect(first.status).toBe('executing');
    t!.clock.advance(10 * 60_000);
    await server().mt5!.operations.processDue();
    await until(() => statusOf(caseRef).then((s) => s === 'executed'), 'the case settled from the history');
    const deals = sim.state.deals.filter((d) => d.Comment === caseRef);
    expect(deals).toHaveLength(1);
    const view = await dealer.client.interventions.get.query({ caseRef });
    expect(view.dealTicket).toBe(String(deals[0]!.Deal));
    const reconciled = await server().store.kysely.selectFrom('audit_events').select('action').where('case_ref', '=', caseRef).where('action', '=', 'platform.operation.reconciled').execute();
    expect(reconciled).toHaveLength(1);
  });

  it('keeps a case waiting, visibly, while MT5 refuses for a while, and executes it once MT5 answers', async () => {
    const dealer = await t!.login('dealer');
    const manager = await t!.login('dealmanager');
    const { caseRef } = await dealer.client.interventions.request.mutate({ type: 'credit_in', login, amount: '15.00', currency: 'EUR', reasonCode: 'bonus_campaign', note: 'Second campaign credit while MT5 is busy.' });
    await manager.client.interventions.approve.mutate({ caseRef });
    sim.faults({ balance: [10, 10, 10] });
    expect((await dealer.client.interventions.execute.mutate({ caseRef })).status).toBe('executing');
    const status = await dealer.client.platform.status.query({});
    expect(status).toMatchObject({ configured: true });
    expect(status.waiting).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 5; i++) {
      t!.clock.advance(10 * 60_000);
      await server().mt5!.operations.processDue();
    }
    await until(() => statusOf(caseRef).then((s) => s === 'executed'), 'the case executed once MT5 answered');
    expect(sim.state.deals.filter((d) => d.Comment === caseRef)).toHaveLength(1);
  });

  it('credits a deposit on MT5 once it is in the ledger, with the deposit reference as the comment, even when the answer is lost', async () => {
    const pay = async (depositRef: string, amount: string) => {
      const body = JSON.stringify({ id: `evt_${depositRef}`, type: 'payment.succeeded', data: { reference: depositRef, providerTxId: `tx_${depositRef}`, amount, currency: 'EUR', payerName: payer } });
      const res = await fetch(`${t!.url}/webhooks/psp/simpay`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signGeneric(body, SIMPAY_SECRET, Math.floor(t!.clock.now().getTime() / 1000)) }, body });
      expect(res.status).toBe(200);
    };
    const step = async (ref: string) => (await server().store.kysely.selectFrom('deposits').select('platform_step').where('ref', '=', ref).executeTakeFirstOrThrow()).platform_step;
    const balanceBefore = sim.state.user(login).Balance;
    const { depositRef } = await portalClientFor(t!.url).portal.initiateDeposit.mutate({ clientId, amount: '300.00', currency: 'EUR', method: 'bank_transfer', provider: 'simpay' });
    await pay(depositRef, '300.00');
    await until(async () => (await step(depositRef)) === 'credited', 'the deposit credited on MT5');
    expect(sim.state.deals.filter((d) => d.Comment === depositRef)).toMatchObject([{ Login: login, Action: 2, Profit: 300 }]);
    expect(sim.state.user(login).Balance).toBe(balanceBefore + 300);

    // The answer is lost after MT5 applied it: found in the history, not sent twice.
    sim.faults({ balance: ['drop_after_apply'] });
    const second = await portalClientFor(t!.url).portal.initiateDeposit.mutate({ clientId, amount: '45.50', currency: 'EUR', method: 'bank_transfer', provider: 'simpay' });
    await pay(second.depositRef, '45.50');
    await until(async () => (await server().store.kysely.selectFrom('platform_operations').select('status').where('reference', '=', second.depositRef).executeTakeFirst())?.status === 'unclear', 'the unclear outcome');
    expect(await step(second.depositRef)).toBe('awaiting_connector');
    t!.clock.advance(10 * 60_000);
    await server().mt5!.operations.processDue();
    await until(async () => (await step(second.depositRef)) === 'credited', 'the second deposit settled from the history');
    expect(sim.state.deals.filter((d) => d.Comment === second.depositRef)).toHaveLength(1);
    // The scan knows these deals for the back office's own.
    await server().managerOps.scan();
    expect(await server().store.kysely.selectFrom('platform_manager_ops').select('id').where('comment', 'in', [depositRef, second.depositRef]).execute()).toEqual([]);
  });

  it('finds balance deals and account changes made directly on MT5 with no case, and has them linked or escalated', async () => {
    // "A dealer in the MT5 Manager": the simulator's second manager login, with no case.
    const manual = new Mt5Session({ url: sim.url, login: sim.dealerLogin, password: sim.dealerPassword, certificate: sim.certificate });
    try {
      const { Ticket } = await manual.call<{ Ticket: string }>('/api/trade/balance', { login, type: 2, balance: '75.00', comment: 'goodwill', check_margin: 1 });
      await manual.call('/api/user/update', { login, leverage: 10 });
      await server().managerOps.scan();
      const dealer = await t!.login('dealer');
      const found = await dealer.client.interventions.unlinked.query({});
      const deal = found.items.find((i) => i.dealTicket === Ticket)!;
      expect(deal).toMatchObject({ login, type: 'balance', amount: '75.00', currency: 'EUR', dealer: String(sim.dealerLogin), comment: 'goodwill', status: 'unlinked', clientId });
      const change = found.items.find((i) => i.kind === 'leverage' && i.login === login)!;
      expect(change).toMatchObject({ valueBefore: '30', valueAfter: '10', status: 'unlinked' });
      expect(found.unlinked).toBeGreaterThanOrEqual(2);
      // The dealers' view says how many wait and how old the oldest is.
      expect(await dealer.client.platform.status.query({})).toMatchObject({ configured: true, unlinked: found.unlinked, oldestUnlinkedHours: expect.any(Number) });
      // Our own deals (the corrections and credits above) are not among them.
      expect(found.items.filter((i) => i.comment.startsWith('INT-'))).toEqual([]);
      // A second scan finds nothing new.
      await server().managerOps.scan();
      expect((await dealer.client.interventions.unlinked.query({})).items.filter((i) => i.login === login)).toHaveLength(2);

      const manager = await t!.login('dealmanager');
      const { caseRef } = await manager.client.interventions.request.mutate({ type: 'balance_correction', login, amount: '75.00', currency: 'EUR', reasonCode: 'trade_dispute', note: 'Retroactive case for the goodwill deal made in the MT5 Manager.' });
      await expectReason(dealer.client.interventions.link.mutate({ dealId: deal.dealId, caseRef: 'INT-999999', reason: 'No such case exists here.' }), 'NOT_FOUND');
      expect(await dealer.client.interventions.link.mutate({ dealId: deal.dealId, caseRef, reason: 'Goodwill agreed by phone; case opened after the fact.' })).toEqual({ status: 'linked' });
      await expectReason(dealer.client.interventions.link.mutate({ dealId: deal.dealId, caseRef, reason: 'Linking the same deal twice over.' }), 'INVALID_TRANSITION');
      const escalated = await manager.client.interventions.escalate.mutate({ dealId: change.dealId, reason: 'Nobody on the desk made this leverage change.' });
      const alert = await server().store.kysely.selectFrom('alerts').selectAll().where('id', '=', escalated.alertId).executeTakeFirstOrThrow();
      expect(alert).toMatchObject({ kind: 'mt5_unlinked_operation', client_id: clientId, for_role: 'compliance_officer', severity: 'high' });
      const after = await dealer.client.interventions.unlinked.query({});
      expect(after.items.filter((i) => i.login === login)).toEqual([]);
      const linked = await dealer.client.interventions.unlinked.query({ status: 'linked' });
      expect(linked.items.find((i) => i.dealId === deal.dealId)).toMatchObject({ caseRef, decidedBy: 'dealer' });
      // The account's known leverage moved on: the change is reported once.
      await server().managerOps.scan();
      expect(await server().store.kysely.selectFrom('platform_manager_ops').select('id').where('kind', '=', 'leverage').where('login', '=', login).execute()).toHaveLength(1);
    } finally {
      manual.close();
    }
  });

  it('reconciles the back office\u2019s money on MT5 with the deal history: a deal applied twice and a deal carrying a reference nothing of ours made are exceptions', async () => {
    const manual = new Mt5Session({ url: sim.url, login: sim.dealerLogin, password: sim.dealerPassword, certificate: sim.certificate });
    const executed = await server().store.kysely.selectFrom('interventions').select(['ref', (eb) => eb.cast<string>('amount', 'text').as('amount')]).where('type', '=', 'balance_correction').where('status', '=', 'executed').orderBy('ref').executeTakeFirstOrThrow();
    try {
      // Someone repeats the case's correction by hand in the MT5 Manager, and types a deposit reference that does not exist.
      await manual.call('/api/trade/balance', { login, type: 5, balance: (Number(executed.amount) / 100).toFixed(2), comment: executed.ref, check_margin: 1 });
      await manual.call('/api/trade/balance', { login, type: 2, balance: '60.00', comment: 'DEP-999999', check_margin: 1 });
    } finally {
      manual.close();
    }
    const finmanager = await t!.login('finmanager');
    const run = await finmanager.client.reconciliation.run.mutate({ from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' });
    expect('mismatches' in run.mt5).toBe(true);
    const mt5 = run.mt5 as Extract<typeof run.mt5, { mismatches: unknown }>;
    expect(mt5.mismatches.map((x) => [x.kind, x.reference, x.login]).sort()).toEqual([
      ['mt5_duplicate_deal', executed.ref, login],
      ['mt5_unknown_deal', 'DEP-999999', login],
    ]);
    const exceptions = await server().store.kysely.selectFrom('payment_exceptions').select(['kind', 'client_id', 'summary']).where('kind', 'like', 'mt5_%').execute();
    expect(exceptions.map((e) => e.kind).sort()).toEqual(['mt5_duplicate_deal', 'mt5_unknown_deal']);
    expect(exceptions.every((e) => e.client_id === clientId)).toBe(true);
    // The totals per login show the back office's money beside what MT5 holds under its references.
    expect(mt5.totals.find((x) => x.login === login)).toBeDefined();
    // A second run finds the same and opens nothing new.
    await finmanager.client.reconciliation.run.mutate({ from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' });
    expect(await server().store.kysely.selectFrom('payment_exceptions').select('ref').where('kind', 'like', 'mt5_%').execute()).toHaveLength(2);
  });

  it('lets a third-party Web API client (mt5-sdk) sign in and read the deals the connector made, with their case references', async () => {
    const require = createRequire(import.meta.url);
    type Sdk = { auth: { auth(callback: (error?: unknown) => void): void }; http: { get(path: string, callback: (error: unknown, res: { statusCode?: number }, body: string) => void): void } };
    const Metatrader = require('mt5-sdk') as new (host: string, port: number, auth: { login: string; password: string; build: string; agent: string }) => Sdk;
    const sdk = new Metatrader('127.0.0.1', Number(new URL(sim.url).port), { login: String(sim.login), password: sim.password, build: '4410', agent: 'mt5sdk' });
    const now = Math.floor(t!.clock.now().getTime() / 1000) + 2 * 3600;
    const body = await new Promise<string>((resolve, reject) => sdk.auth.auth((error) => (error ? reject(error) : sdk.http.get(`/api/deal/get_batch?login=${login}&from=${now - 7 * 86_400}&to=${now + 86_400}`, (e, _res, text) => (e ? reject(e) : resolve(text))))));
    const answer = JSON.parse(body) as { retcode: string; answer: Array<{ Deal: string; Comment: string; Profit: string }> };
    expect(answer.retcode).toBe('0 Done');
    const cases = await server().store.kysely.selectFrom('interventions').select(['ref', 'deal_ticket']).where('login', '=', login).where('status', '=', 'executed').where('deal_ticket', 'is not', null).execute();
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) expect(answer.answer.filter((d) => d.Comment === c.ref).map((d) => d.Deal)).toContain(c.deal_ticket);
  });

  it('checks a withdrawal against the free margin MT5 reports for the client\u2019s open positions', async () => {
    const finance = await t!.login('finance');
    const margin = async (withdrawalRef: string) => (await finance.client.withdrawals.get.query({ ref: withdrawalRef })).checks.find((c) => c.code === 'open_position_margin')!;
    const destination = { accountHolder: payer, account: 'CY17002001280000001200527600' };
    sim.state.positions.push({ Position: 9001, Login: login, Symbol: 'EURUSD', Action: 0, TimeCreate: Math.floor(t!.clock.now().getTime() / 1000), PriceOpen: 1.1, PriceCurrent: 1.1, Volume: 100, Profit: 0, Comment: '' });
    const small = await finance.client.withdrawals.request.mutate({ clientId, amount: '20.00', currency: 'EUR', method: 'bank_transfer', provider: 'simpay', destination });
    expect(await margin(small.withdrawalRef)).toMatchObject({ outcome: 'passed', data: { login } });
    // A position that takes nearly all the equity as margin: the next withdrawal would leave it under-margined.
    const account = await server().store.kysely.selectFrom('mt5_accounts').select('login').where('login', '=', login).executeTakeFirstOrThrow();
    expect(Number(account.login)).toBe(login);
    const u = sim.state.user(login);
    sim.state.positions[sim.state.positions.length - 1]!.Volume = Math.floor(((u.Balance + u.Credit) * u.Leverage * 10_000) / (100_000 * 1.1));
    const large = await finance.client.withdrawals.request.mutate({ clientId, amount: '30.00', currency: 'EUR', method: 'bank_transfer', provider: 'simpay', destination });
    const check = await margin(large.withdrawalRef);
    expect(check).toMatchObject({ outcome: 'failed', blocking: false });
    expect(check.detail).toMatch(/would leave open positions under-margined/);
    sim.state.positions.pop();
  });
});
