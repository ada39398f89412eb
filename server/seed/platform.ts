// The demo's MT5 side, played through the real paths on first start: every approved demo client
// gets an MT5 account from the simulator; dealers request interventions that a dealing manager
// approves or rejects and the dealer executes (one MT5 refuses, because a "dealer in the MT5
// Manager" removed the credit first); and that same dealer's manager login plants operations with
// no case for the scan to find. Runs once: the audit log keeps `seed.platform.completed`.

import type { Services } from '../services.js';
import type { Mt5Simulator } from '../simulators/mt5/simulator.js';
import { Mt5Session } from '../platform/session.js';
import { staff } from './kyc-stories.js';

export async function seedPlatform(services: Services, sim: Mt5Simulator, log: (line: string) => void): Promise<void> {
  const db = services.store.kysely;
  if (!services.mt5) return;
  if (await db.selectFrom('audit_events').select('seq').where('action', '=', 'seed.platform.completed').limit(1).executeTakeFirst()) return;
  if (await db.selectFrom('interventions').select('ref').limit(1).executeTakeFirst()) {
    log('Demo MT5 interventions were seeded only in part by an earlier start; they are left as they are.');
    return;
  }
  await services.mt5Accounts.enqueueApproved(1000);
  for (let i = 0; i < 20 && (await services.mt5Accounts.processDue(200)) > 0; i++);
  const accounts = await db
    .selectFrom('mt5_accounts as a')
    .innerJoin('clients as c', 'c.id', 'a.client_id')
    .select(['a.login', 'a.currency', 'c.external_id'])
    .where('a.status', '=', 'active')
    .where('c.external_id', 'in', ['demo-eu-0001', 'demo-gl-0002'])
    .execute();
  const maria = accounts.find((a) => a.external_id === 'demo-eu-0001');
  const priya = accounts.find((a) => a.external_id === 'demo-gl-0002');
  if (!maria || !priya) {
    log('Demo MT5 interventions skipped: Maria Georgiou and Priya Raman have no MT5 accounts in this database.');
    return;
  }
  const [dealer, manager, finmanager] = await Promise.all([staff(services, 'dealer'), staff(services, 'dealmanager'), staff(services, 'finmanager')]);
  const iv = services.interventions;
  const m = { login: Number(maria.login), currency: maria.currency };
  const p = { login: Number(priya.login), currency: priya.currency };

  // Executed: a correction after a trade dispute, a campaign credit, trading disabled for a while.
  const correction = await iv.request(dealer, { type: 'balance_correction', login: m.login, amount: '1250.00', currency: m.currency, reasonCode: 'trade_dispute', note: 'Slippage on a EURUSD stop during the ECB announcement refunded after review of the tick data.' });
  await iv.approve(manager, { caseRef: correction.caseRef, reason: 'Tick data checked; the stop filled 14 pips through.' });
  await iv.approve(finmanager, { caseRef: correction.caseRef, reason: 'Amount agreed with finance.' });
  await iv.execute(dealer, correction);
  const credit = await iv.request(dealer, { type: 'credit_in', login: p.login, amount: '500.00', currency: p.currency, reasonCode: 'bonus_campaign', note: 'Welcome credit under the Q4 campaign approved by marketing and compliance.' });
  await iv.approve(manager, { caseRef: credit.caseRef });
  await iv.execute(dealer, credit);
  const disable = await iv.request(dealer, { type: 'disable_trading', login: p.login, reasonCode: 'risk_management', note: 'Latency arbitrage pattern under investigation by the dealing desk.' });
  await iv.approve(manager, { caseRef: disable.caseRef });
  await iv.execute(dealer, disable);

  // Waiting: one for approval, one approved for the operator, one rejected.
  await iv.request(dealer, { type: 'credit_in', login: m.login, amount: '300.00', currency: m.currency, reasonCode: 'bonus_campaign', note: 'Loyalty credit requested by the account manager for the client\u2019s first year.' });
  const leverage = await iv.request(dealer, { type: 'change_leverage', login: m.login, value: '20', reasonCode: 'client_request', note: 'The client asked in writing for lower leverage (ticket 88412).' });
  await iv.approve(manager, { caseRef: leverage.caseRef });
  const rejected = await iv.request(dealer, { type: 'credit_in', login: p.login, amount: '2000.00', currency: p.currency, reasonCode: 'bonus_campaign', note: 'Second campaign credit asked for by the introducing broker.' });
  await iv.reject(manager, { caseRef: rejected.caseRef, reason: 'One campaign credit per client; the client has had the welcome credit.' });

  // Failed on MT5: the credit was removed in the MT5 Manager before the operator executed the case.
  const creditOut = await iv.request(dealer, { type: 'credit_out', login: p.login, amount: '500.00', currency: p.currency, reasonCode: 'bonus_expired', note: 'Campaign terms ended without the trading volume required.' });
  await iv.approve(manager, { caseRef: creditOut.caseRef });
  const manual = new Mt5Session({ url: sim.url, login: sim.dealerLogin, password: sim.dealerPassword, certificate: sim.certificate });
  try {
    await manual.call('/api/trade/balance', { login: p.login, type: 3, balance: '-500.00', comment: 'bonus removed', check_margin: 1 });
    await iv.execute(dealer, creditOut);
    // Made in the MT5 Manager with no case at all: a goodwill payment and a leverage change.
    await manual.call('/api/trade/balance', { login: m.login, type: 2, balance: '150.00', comment: 'goodwill', check_margin: 1 });
    await manual.call('/api/user/update', { login: p.login, leverage: 400 });
  } finally {
    manual.close();
  }
  await services.managerOps.scan();

  await services.store.mutate(dealer.actor, async (mu) => {
    mu.audit({ action: 'seed.platform.completed', reason: 'demo MT5 accounts, interventions and manager operations played through the MT5 simulator' });
  });
  log('Demo MT5 played through the simulator: accounts for the approved clients, interventions in every state, manager operations with no case');
}
