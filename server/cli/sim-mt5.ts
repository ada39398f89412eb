// `npm run sim:mt5 -- [--port P] [--state FILE] [--offset-hours H]`: the MT5 Web API simulator
// alone (HTTPS, a self-signed certificate made at start). Prints its URL, the back office's manager
// login and password, the dealer's (the "MT5 Manager" login that makes changes with no case), the
// certificate's fingerprint and the control token for faults. Runs until Ctrl+C. Simulator only.

import { startMt5Simulator } from '../simulators/mt5/simulator.js';
import { parseFlags } from './args.js';

const USAGE = 'npm run sim:mt5 -- [--port P] [--state FILE] [--offset-hours H]';
const { values } = parseFlags({ port: { type: 'string' }, state: { type: 'string' }, 'offset-hours': { type: 'string' } }, USAGE);
const port = values.port === undefined ? 0 : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number (0-65535), not "${values.port}".\nUsage: ${USAGE}`);
  process.exit(2);
}
const offsetHours = values['offset-hours'] === undefined ? 0 : Number(values['offset-hours']);
if (!Number.isFinite(offsetHours) || Math.abs(offsetHours) > 14) {
  console.error(`--offset-hours must be the trade server's hours from UTC (-14 to 14), not "${values['offset-hours']}".\nUsage: ${USAGE}`);
  process.exit(2);
}
const sim = await startMt5Simulator({ port, offsetSeconds: Math.round(offsetHours * 3600), ...(values.state ? { stateFile: values.state } : {}) }).catch((error: unknown) => {
  console.error(`The MT5 simulator could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
console.log(`MT5 Web API simulator on ${sim.url} (self-signed certificate, SHA-256 ${sim.fingerprint})`);
console.log(`Manager (the back office): login ${sim.login}, password ${sim.password}`);
console.log(`Dealer in the MT5 Manager (changes with no case): login ${sim.dealerLogin}, password ${sim.dealerPassword}`);
console.log(`Faults: POST ${sim.url}/sim/faults with header x-sim-token: ${sim.controlToken}`);
const stop = () => void sim.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
