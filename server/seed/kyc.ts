// KYC policy data for the demo and the tests: the FATF lists from the product's data folder,
// proposed as a new `kyc.risk` version and approved by a second person (the seeded MLRO), the same
// maker-checker path an officer's proposal takes.

import { fatfChange } from '../../shared/policies/change-request.js';
import fs from 'node:fs';
import { countryListsFromFatf } from '../../shared/kyc/risk.js';
import type { KycRiskPolicy } from '../../shared/policies/kyc.js';
import type { Actor } from '../core/actor.js';
import type { Services } from '../services.js';

/** The active kyc.risk document with its country lists replaced by those of a FATF lists file. */
export async function kycRiskWithFatf(services: Services, file: string): Promise<KycRiskPolicy> {
  const lists = countryListsFromFatf(JSON.parse(fs.readFileSync(file, 'utf8')) as unknown);
  const active = await services.policies.require(services.store.kysely, 'kyc.risk');
  return { ...active.document, countryLists: lists };
}

/** Proposes the FATF lists as a kyc.risk version (maker: the user `makerUsername`) and approves it through the tier-2 chain as `approvers`. */
export async function activateFatfLists(services: Services, file: string, makerUsername = 'senior', approvers = ['mlro', 'admin', 'compliance']): Promise<{ version: number }> {
  const document = await kycRiskWithFatf(services, file);
  const actorOf = async (username: string): Promise<Actor> => {
    const user = await services.store.kysely.selectFrom('users').select(['id', 'username']).where('username', '=', username).executeTakeFirstOrThrow();
    return { id: user.id, name: user.username, ip: null, userAgent: 'demo seed', sessionId: null };
  };
  const name = file.split('/').slice(-1)[0]!;
  const proposal = await services.policyChanges.submit(await actorOf(makerUsername), { type: 'kyc.risk', document, reason: `FATF lists from ${name}`, change: fatfChange(name), dryRun: await services.policyChanges.minimumWindow('kyc.risk') });
  for (const approver of approvers) await services.approvals.approve(await actorOf(approver), proposal.approvalId, 'Lists checked against the FATF statements');
  return { version: proposal.version };
}
