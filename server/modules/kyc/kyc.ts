// The KYC module, split by job: the officer's workflow and decisions, document intake, the
// provider's checks, risk and re-review (with auto-verification), enhanced due diligence,
// overrides, the sweeps and figures, and the reads. Built here in dependency order.

import type { Store } from '../../core/store.js';
import type { ApprovalKinds } from '../approvals/registry.js';
import type { ApprovalsService } from '../approvals/service.js';
import type { DocumentStore } from '../documents/store.js';
import type { PolicyReader } from '../policies/reader.js';
import { KycEdd } from './edd.js';
import { KycIntake } from './intake.js';
import { KycOverrides } from './overrides.js';
import type { KycProviderClient } from './provider-client.js';
import { KycReads } from './reads.js';
import { KycRisk } from './risk.js';
import { KycSweeps } from './sweeps.js';
import { KycVerification } from './verification.js';
import { KycWorkflow } from './workflow.js';

export interface Kyc {
  workflow: KycWorkflow;
  intake: KycIntake;
  verification: KycVerification;
  risk: KycRisk;
  edd: KycEdd;
  overrides: KycOverrides;
  sweeps: KycSweeps;
  reads: KycReads;
}

export function buildKyc(deps: { store: Store; documents: DocumentStore; policies: PolicyReader; provider: KycProviderClient | null; approvals: ApprovalsService; kinds: ApprovalKinds }): Kyc {
  const { store, documents } = deps;
  const risk = new KycRisk(store, deps.policies);
  const verification = new KycVerification(store, documents, deps.provider, risk);
  const overrides = new KycOverrides(store, deps.approvals);
  overrides.registerKinds(deps.kinds);
  return {
    workflow: new KycWorkflow(store),
    intake: new KycIntake(store, documents, verification, risk),
    verification,
    risk,
    edd: new KycEdd(store),
    overrides,
    sweeps: new KycSweeps(store, risk),
    reads: new KycReads(store, documents, risk),
  };
}
