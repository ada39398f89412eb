// `npm run policy -- fatf FILE --proposer USERNAME --reason TEXT --data-dir DIR [--database-url URL]`:
// proposes a new `kyc.risk` version whose FATF lists are those of FILE (the format of
// ../shared/data/country/fatf_lists.json: one entry per plenary with its date), everything else as
// in the active version. The proposer must hold `policies.propose`; the version takes effect only
// when a second person approves it (Approvals view, or `approvals.approve`). Nothing is approved here.

import fs from 'node:fs';
import { createServer } from '../app.js';
import { permissionsOf } from '../../shared/access/permissions.js';
import { DomainError } from '../../shared/errors.js';
import { countryListsFromFatf } from '../../shared/kyc/risk.js';
import { parseFlags, storageConfig } from './args.js';
import { fatfChange } from '../../shared/policies/change-request.js';

const USAGE = 'npm run policy -- fatf FILE --proposer USERNAME --reason TEXT --data-dir DIR [--database-url URL]';
const { values, positionals } = parseFlags({ 'data-dir': { type: 'string' }, 'database-url': { type: 'string' }, proposer: { type: 'string' }, reason: { type: 'string' } }, USAGE);
function usage(message: string): never {
  console.error(`${message}\n\nUsage: ${USAGE}`);
  process.exit(2);
}
const [command, file, ...extra] = positionals;
if (command !== 'fatf') usage(command === undefined ? 'Name a command (fatf).' : `Unknown command "${command}".`);
if (!file || extra.length) usage('Name one FATF lists file.');
if (!values.proposer) usage('--proposer: the username of the person proposing the change.');
if (!values.reason || values.reason.trim().length < 10) usage('--reason: say why (at least 10 characters), e.g. "FATF plenary of 2026-06-19".');

let lists;
try {
  lists = countryListsFromFatf(JSON.parse(fs.readFileSync(file, 'utf8')) as unknown);
} catch (error) {
  console.error(`${file}: ${error instanceof SyntaxError ? `not JSON (${error.message})` : (error as Error).message}`);
  process.exit(1);
}

const server = await createServer(storageConfig(values));
try {
  const db = server.services.store.kysely;
  const user = await db.selectFrom('users').select(['id', 'username', 'status']).where('username', '=', values.proposer).executeTakeFirst();
  if (!user || user.status !== 'active') throw new DomainError('NOT_FOUND', `--proposer: no active user "${values.proposer}".`);
  const roles = [...new Set((await server.services.grants.grantsOf(user.id)).map((g) => g.role))];
  if (!permissionsOf(roles).has('policies.propose')) throw new DomainError('FORBIDDEN_PERMISSION', `--proposer: ${user.username} does not hold policies.propose (roles: ${roles.join(', ') || 'none'}).`);
  const active = await server.services.policies.require(db, 'kyc.risk');
  if (JSON.stringify(active.document.countryLists) === JSON.stringify(lists)) throw new DomainError('ALREADY_EXISTS', `${active.ref} already holds these lists; nothing proposed.`);
  const proposal = await server.services.policyChanges.submit({ id: user.id, name: user.username, ip: null, userAgent: 'npm run policy', sessionId: null }, { type: 'kyc.risk', document: { ...active.document, countryLists: lists }, reason: values.reason.trim(), change: fatfChange(file.split('/').slice(-1)[0]!), dryRun: await server.services.policyChanges.minimumWindow('kyc.risk') });
  console.log(`Proposed kyc.risk version ${proposal.version} with ${lists.length} FATF plenaries (${lists.map((l) => l.effectiveDate).join(', ')}), replacing those of ${active.ref}.`);
  console.log(`Change ${proposal.changeId}, approval request ${proposal.approvalId}: the tier-${proposal.tier} chain approves it in the Approvals view (or policies.review); until then ${active.ref} stays in force.`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await server.close();
}
