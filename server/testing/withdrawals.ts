// A test server with the PSP simulator wired to it, and a withdrawal requested by a new approved
// client of an entity after a deposit the simulator paid: the change-control tests' decisions.

import { anApprovedClient } from './builders.js';
import { portalClientFor, startTestServer, type TestServer } from './harness.js';
import { startPspSimulator, type PspSimulator } from '../simulators/psp/provider.js';
import type { Engine } from '../db/connect.js';

/** The simulator signs with the server's clock, so its webhooks fall inside the signature tolerance. */
export async function startWithPsp(engine: Engine, opts: { start?: string } = {}): Promise<{ t: TestServer; sim: PspSimulator; close(): Promise<void> }> {
  let now = () => Date.now();
  const sim = await startPspSimulator({ provider: 'simpay', now: () => now() });
  const t = await startTestServer(engine, { env: { PSP_SIMPAY_SECRET: sim.secret, PSP_SIMPAY_URL: sim.url, LOG_LEVEL: 'error' }, ...opts });
  now = () => t.clock.now().getTime();
  sim.setWebhookUrl(`${t.url}/webhooks/psp/simpay`);
  return { t, sim, close: async () => void (await Promise.all([t.close(), sim.close()])) };
}

/** A new approved client of the entity deposits 20,000 (EUR in eu, USD elsewhere) and asks for `amount` back; answers the withdrawal's reference. */
export async function aWithdrawal(t: TestServer, sim: PspSimulator, legalEntity: string, amount: string): Promise<string> {
  const portal = portalClientFor(t.url).portal;
  const currency = legalEntity === 'eu' ? 'EUR' : 'USD';
  const { clientId, input } = await anApprovedClient(t, { legalEntity });
  const { depositRef } = await portal.initiateDeposit.mutate({ clientId, amount: '20000.00', currency, method: 'bank_transfer', provider: 'simpay' });
  await sim.pay({ reference: depositRef, amount: '20000.00', currency, payerName: `${input.firstName} ${input.lastName}` });
  await sim.drain();
  const { withdrawalRef } = await portal.requestWithdrawal.mutate({ clientId, amount, currency, method: 'bank_transfer', provider: 'simpay', destination: { accountHolder: `${input.firstName} ${input.lastName}`, account: 'CY17002001280000001200527600' } });
  return withdrawalRef;
}
