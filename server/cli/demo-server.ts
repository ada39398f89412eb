// The demo server: seeds ./data/demo on first run and starts the server with DEMO=1. `npm start`
// runs it as its own process beside the desktop host; `npm run demo:server` runs it alone.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from '../app.js';
import { loadConfig } from '../config.js';
import { SeedIncompleteError, seedDemo, writeCredentials } from '../seed/demo.js';
import { parseFlags } from './args.js';
import { startKycProviderSimulator } from '../simulators/kyc/provider.js';
import { startPspSimulator } from '../simulators/psp/provider.js';
import { startMt5Simulator } from '../simulators/mt5/simulator.js';
import { seedPlatform } from '../seed/platform.js';
import { seedPayments } from '../seed/payments.js';
import { seedRuleChanges } from '../seed/rules.js';

const { values } = parseFlags({ 'data-dir': { type: 'string' } }, 'npm run demo:server [-- --data-dir DIR]');
const dataDir = path.resolve(values['data-dir'] ?? process.env.DATA_DIR ?? './data/demo');

// The demo's client portal key: PORTAL_API_KEY when set, otherwise one made on first run and kept
// (owner-only) in DATA_DIR/keys/demo-portal.key, so scripts can register demo clients.
const portalKeyFile = path.join(dataDir, 'keys', 'demo-portal.key');
if (!process.env.PORTAL_API_KEY && !fs.existsSync(portalKeyFile)) {
  fs.mkdirSync(path.dirname(portalKeyFile), { recursive: true, mode: 0o700 });
  fs.writeFileSync(portalKeyFile, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
}
const portalKey = process.env.PORTAL_API_KEY ?? fs.readFileSync(portalKeyFile, 'utf8').trim();

// The demo's KYC provider is the simulator (unless a real one is configured), on a loopback port.
const kycSim = process.env.KYC_PROVIDER_URL ? null : await startKycProviderSimulator();
// The demo's payment provider "simpay" is the PSP simulator: its webhook secret is made on first run
// and kept (owner-only) beside the portal key, and it remembers its payments and payouts in the
// data folder, as a real provider would across a restart.
const pspSecretFile = path.join(dataDir, 'keys', 'demo-psp.secret');
fs.mkdirSync(path.dirname(pspSecretFile), { recursive: true, mode: 0o700 });
if (!fs.existsSync(pspSecretFile)) fs.writeFileSync(pspSecretFile, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
const pspSim = await startPspSimulator({ provider: 'simpay', secret: fs.readFileSync(pspSecretFile, 'utf8').trim(), stateFile: path.join(dataDir, 'psp-simulator.json') });
pspSim.faults({ hangMs: 4000 });
// The demo's MT5 is the Web API simulator: its manager passwords are made on first run and kept
// (owner-only) beside the other keys, and its users and deals live in the data folder.
const mt5KeysFile = path.join(dataDir, 'keys', 'demo-mt5.json');
if (!fs.existsSync(mt5KeysFile)) fs.writeFileSync(mt5KeysFile, `${JSON.stringify({ password: `Bo!${randomBytes(9).toString('base64url')}`, dealerPassword: `Dl!${randomBytes(9).toString('base64url')}` })}\n`, { mode: 0o600 });
const mt5Keys = JSON.parse(fs.readFileSync(mt5KeysFile, 'utf8')) as { password: string; dealerPassword: string };
const mt5Sim = await startMt5Simulator({ ...mt5Keys, stateFile: path.join(dataDir, 'mt5-simulator.json') });
const closeSimulators = () => Promise.all([kycSim?.close(), pspSim.close(), mt5Sim.close()]);
// Its certificate is made at each start; the server pins the one written here.
const mt5CertFile = path.join(dataDir, 'keys', 'demo-mt5.pem');
fs.writeFileSync(mt5CertFile, mt5Sim.certificate, { mode: 0o600 });
const config = loadConfig({
  PSP_TIMEOUT_MS: '3000',
  ...process.env,
  DATA_DIR: dataDir,
  DEMO: '1',
  PORTAL_API_KEY: portalKey,
  PSP_SIMPAY_SECRET: pspSim.secret,
  PSP_SIMPAY_URL: pspSim.url,
  MT5_URL: mt5Sim.url,
  MT5_LOGIN: String(mt5Sim.login),
  MT5_PASSWORD: mt5Sim.password,
  MT5_CERTIFICATE_FILE: mt5CertFile,
  ...(kycSim ? { KYC_PROVIDER_URL: kycSim.url, KYC_PROVIDER_TOKEN: kycSim.apiKey } : {}),
});
const server = await startServer(config).catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  await closeSimulators();
  process.exit(1);
});
pspSim.setWebhookUrl(`${server.url}/webhooks/psp/${pspSim.provider}`);
// The data folder beside the repository, when it is there: FATF lists and an OFAC SDN list are
// loaded before the demo clients register, so they are scored and screened.
const sharedData = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data');
const seeded = await seedDemo(server.services, { seed: 1, stories: true, sharedData: fs.existsSync(sharedData) ? sharedData : null, log: (line) => console.log(line) }).catch(async (error: unknown) => {
  if (!(error instanceof SeedIncompleteError)) throw error;
  console.error(error.advice(dataDir, config.databaseUrl));
  await Promise.all([server.close(), closeSimulators()]);
  process.exit(1);
});
const { credentials, created } = seeded;
await seedPayments(server.services, pspSim, (line) => console.log(line));
await seedPlatform(server.services, mt5Sim, (line) => console.log(line));
await seedRuleChanges(server.services, (line) => console.log(line));
// Where scripts find the simulators (CONTRACT: DATA_DIR/simulators.json).
const mt5 = { url: mt5Sim.url, login: mt5Sim.login, password: mt5Sim.password, dealerLogin: mt5Sim.dealerLogin, dealerPassword: mt5Sim.dealerPassword, certificate: mt5Sim.certificate, controlToken: mt5Sim.controlToken };
fs.writeFileSync(path.join(dataDir, 'simulators.json'), `${JSON.stringify({ mt5, psp: { url: pspSim.url, provider: pspSim.provider, secret: pspSim.secret }, ...(kycSim ? { kyc: { url: kycSim.url } } : {}) }, null, 2)}\n`, { mode: 0o600 });
// Ready once the start-up jobs (the FATF lists in force) are done, so the first screen is current.
await server.startupJobs;
const file = writeCredentials(dataDir, credentials);
const storage = server.db.engine === 'sqlite' ? `sqlite ${server.db.location}` : `postgres ${server.db.location}`;
console.log(`fx-backoffice server listening on ${server.url} (storage: ${storage}, demo mode)`);
console.log(`${created ? 'Seeded the demo brokerage' : 'Demo brokerage already seeded'}; sign-in credentials and TOTP secrets: ${file}`);
if (!process.env.PORTAL_API_KEY) console.log(`Client portal key (X-Portal-Key): ${portalKeyFile}`);
if (kycSim) console.log(`KYC-provider simulator on ${kycSim.url}`);
console.log(`MT5 Web API simulator on ${mt5Sim.url} (self-signed; manager ${mt5Sim.login}, dealer ${mt5Sim.dealerLogin})`);
console.log(`PSP simulator (provider ${pspSim.provider}) on ${pspSim.url}; URLs and secrets for scripts: ${path.join(dataDir, 'simulators.json')}`);
const stop = () => {
  Promise.all([server.close(), closeSimulators()]).then(() => process.exit(0), () => process.exit(1));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
