// The demo's money, played through the real paths on first start: the client portal initiates
// deposits and requests withdrawals, the PSP simulator pays, fails, refunds and charges back with
// signed webhooks, demo staff approve, hold and reject, and the simulator's faults leave a payout
// whose answer was lost (`needs_assistance`). Both entities, every state. Runs once: the audit log
// keeps `seed.payments.completed`.

import { portalActor } from '../core/actor.js';
import type { Services } from '../services.js';
import type { PspSimulator } from '../simulators/psp/provider.js';
import { staff } from './kyc-stories.js';

const SEED_PORTAL = portalActor(null, 'demo seed');

interface Person {
  id: string;
  name: string;
}

export async function seedPayments(services: Services, sim: PspSimulator, log: (line: string) => void): Promise<void> {
  const db = services.store.kysely;
  if (await db.selectFrom('audit_events').select('seq').where('action', '=', 'seed.payments.completed').limit(1).executeTakeFirst()) return;
  if (await db.selectFrom('deposits').select('ref').limit(1).executeTakeFirst()) {
    log('Demo payments were seeded only in part by an earlier start; they are left as they are.');
    return;
  }
  const clients = await db.selectFrom('clients').select(['id', 'first_name', 'last_name', 'company_name', 'status', 'legal_entity']).where('external_id', 'in', ['demo-eu-0001', 'demo-gl-0006', 'demo-gl-0002']).execute();
  const byName = (first: string): Person | undefined => {
    const c = clients.find((r) => r.first_name === first);
    return c ? { id: c.id, name: `${c.first_name} ${c.last_name}` } : undefined;
  };
  const maria = byName('Maria');
  const adaeze = byName('Adaeze');
  const priya = byName('Priya');
  if (!maria || !adaeze || !priya) {
    log('Demo payments skipped: the demo cast (Maria Georgiou, Adaeze Okonkwo, Priya Raman) is not in this database.');
    return;
  }
  const unapproved = clients.filter((c) => c.status !== 'approved');
  if (unapproved.length) {
    // Without a sanctions list (the data folder beside the repository) nobody is screened, so nobody is approved and may pay.
    log(`Demo payments skipped: ${unapproved.map((c) => `${c.first_name} ${c.last_name}`).join(', ')} not approved (no sanctions list loaded to screen them), so they may not deposit.`);
    return;
  }
  const yesterday = new Date(Date.parse(services.store.now()) - 86_400_000).toISOString();
  await services.fx.record(SEED_PORTAL, { base: 'EUR', quote: 'USD', rate: '1.0850', source: 'ECB euro reference rate, entered for the demo', asOf: yesterday });
  await services.fx.record(SEED_PORTAL, { base: 'GBP', quote: 'EUR', rate: '1.1720', source: 'ECB euro reference rate, entered for the demo', asOf: yesterday });

  const deposit = async (who: Person, amount: string, currency: string, method: 'card' | 'bank_transfer', opts: { fail?: string; payer?: string; paid?: string } = {}) => {
    const { depositRef } = await services.deposits.initiate(SEED_PORTAL, { clientId: who.id, amount, currency, method, provider: sim.provider });
    if (opts.paid !== 'never') await sim.pay({ reference: depositRef, amount: opts.paid ?? amount, currency, payerName: opts.payer ?? who.name, ...(opts.fail ? { fail: opts.fail } : {}) });
    await sim.drain();
    return depositRef;
  };
  const withdraw = async (who: Person, amount: string, currency: string) => {
    const { withdrawalRef } = await services.withdrawals.request(SEED_PORTAL, { clientId: who.id, amount, currency, method: 'bank_transfer', provider: sim.provider, destination: { accountHolder: who.name, account: 'CY17002001280000001200527600' } });
    return withdrawalRef;
  };
  const [finance, finmanager] = await Promise.all([staff(services, 'finance'), staff(services, 'finmanager')]);
  const approve = (auth: typeof finance, ref: string, reason: string) => services.withdrawals.approve(auth, { ref, reason });

  // Maria Georgiou (EU, approved, low risk): money in and out in every state.
  await deposit(maria, '5000.00', 'EUR', 'bank_transfer');
  await deposit(maria, '25000.00', 'EUR', 'bank_transfer');
  await deposit(maria, '250.00', 'EUR', 'card', { fail: 'insufficient_funds' });
  await deposit(maria, '1000.00', 'EUR', 'card', { payer: 'Andreas Georgiou' });
  const refunded = await deposit(maria, '300.00', 'EUR', 'card');
  await sim.refund(refunded, '300.00');
  await deposit(maria, '150.00', 'EUR', 'card', { paid: '1500.00' });
  await deposit(maria, '2000.00', 'EUR', 'bank_transfer', { paid: 'never' });
  await sim.drain();

  // In this order, so that the day's velocity limit (five) is not reached.
  const paid = await withdraw(maria, '500.00', 'EUR');
  await approve(finance, paid, 'Client confirmed by phone; account in her name');
  await approve(finmanager, paid, 'First withdrawal: second approval');
  await sim.drain();
  sim.faults({ payouts: ['fail'] });
  const failed = await withdraw(maria, '200.00', 'EUR');
  await approve(finance, failed, 'Regular withdrawal to her own account');
  await sim.drain();
  const rejected = await withdraw(maria, '300.00', 'EUR');
  await services.withdrawals.reject(finance, { ref: rejected, reason: 'Client cancelled the request by e-mail' });
  // The money leaves, the answer and the webhook are lost, and the provider's reporting is down
  // for it until the simulator restarts: the withdrawal needs assistance.
  const unclear = await withdraw(maria, '1200.00', 'EUR');
  sim.faults({ payouts: ['timeout_sent'], lossRate: 1, lookupsFail: [unclear] });
  await approve(finance, unclear, 'Regular withdrawal to her own account');
  await approve(finmanager, unclear, 'Second approval: amount above 1,000');
  sim.faults({ lossRate: 0 });
  const held = await withdraw(maria, '700.00', 'EUR');
  await services.withdrawals.hold(finmanager, { ref: held, reason: 'Client asked to wait until she confirms the new bank account' });
  await withdraw(maria, '800.00', 'EUR');
  const large = await withdraw(maria, '15000.00', 'EUR');
  await approve(finmanager, large, 'Funds deposited by bank transfer from her own account');
  await sim.drain();

  // Adaeze Okonkwo (global, approved, high risk: the MLRO approves).
  await deposit(adaeze, '50000.00', 'USD', 'bank_transfer');
  const highRisk = await withdraw(adaeze, '3000.00', 'USD');
  await approve(finmanager, highRisk, 'Source of wealth evidenced in the EDD file');

  // Priya Raman (global, pending review: may deposit, not withdraw): a chargeback, and a request the checks stop.
  const charged = await deposit(priya, '800.00', 'USD', 'card');
  await sim.chargeback(charged, '800.00', 'fraudulent');
  await deposit(priya, '400.00', 'USD', 'card');
  await sim.drain();
  await withdraw(priya, '100.00', 'USD');

  await services.store.mutate(SEED_PORTAL, async (m) => {
    m.audit({ action: 'seed.payments.completed', reason: 'demo payments played through the PSP simulator' });
  });
  log('Demo payments played through the PSP simulator: deposits and withdrawals in every state, in both entities');
}
