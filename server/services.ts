// Composition of the server's services over one database: built once per process (and per test).

import type { Config } from './config.js';
import type { Clock } from './core/clock.js';
import { Store } from './core/store.js';
import type { Db } from './db/connect.js';
import { AccessService } from './modules/access/service.js';
import { ApprovalKinds } from './modules/approvals/registry.js';
import { ApprovalsService } from './modules/approvals/service.js';
import { AuditLog } from './modules/audit/log.js';
import { AuditService } from './modules/audit/service.js';
import { loadSigner } from './modules/audit/signer.js';
import { PoliciesService } from './modules/policies/service.js';
import { ScreeningListsService } from './modules/screening/lists-service.js';
import { ScreeningService } from './modules/screening/service.js';
import { ClientsService } from './modules/clients/service.js';
import { AlertsService } from './modules/alerts/service.js';
import { KycService } from './modules/kyc/service.js';
import { DocumentStore } from './modules/documents/store.js';
import { SyncService } from './modules/sync/service.js';
import { KycProviderClient } from './modules/kyc/provider-client.js';
import { JobQueue } from './jobs/queue.js';
import { loadSecretBox } from './security/secretbox.js';

export interface Services {
  config: Config;
  store: Store;
  access: AccessService;
  approvals: ApprovalsService;
  policies: PoliciesService;
  audit: AuditService;
  auditLog: AuditLog;
  sync: SyncService;
  lists: ScreeningListsService;
  screening: ScreeningService;
  clients: ClientsService;
  alerts: AlertsService;
  kyc: KycService;
  jobs: JobQueue;
}

export function buildServices(config: Config, db: Db, clock: Clock): Services {
  const signer = loadSigner({ dataDir: config.dataDir, keyFromEnv: config.auditSigningKey });
  const auditLog = new AuditLog(db, signer, { dataDir: config.dataDir, checkpointEvery: config.auditCheckpointEvery });
  const store = new Store(db, auditLog, clock);
  const secrets = loadSecretBox({ dataDir: config.dataDir, keyFromEnv: config.secretsKey });
  const kinds = new ApprovalKinds();
  const approvals = new ApprovalsService(store, kinds);
  const policies = new PoliciesService(store, approvals);
  approvals.policies = policies;
  const access = new AccessService(store, config, secrets);
  access.approvals = approvals;
  access.registerKinds(kinds);
  policies.registerKinds(kinds);
  const lists = new ScreeningListsService(store, policies);
  const screening = new ScreeningService(store, lists, policies);
  const alerts = new AlertsService(store);
  const provider = config.kycProvider ? new KycProviderClient({ url: config.kycProvider.url, token: config.kycProvider.token, timeoutMs: config.kycProvider.timeoutMs }) : null;
  const kyc = new KycService(store, DocumentStore.open(config.dataDir, config.documentsKey), policies, provider);
  kyc.approvals = approvals;
  kyc.registerKinds(kinds);
  screening.onScreeningChanged = (m, clientId) => kyc.onClientChanged(m, clientId, ['screening']);
  const jobs = new JobQueue(store);
  jobs.handle('kyc.verifyDocument', (payload) => kyc.runVerification(String(payload.checkId)));
  return {
    config,
    store,
    access,
    approvals,
    policies,
    audit: new AuditService(store, signer, config.dataDir),
    auditLog,
    sync: new SyncService(store, approvals, screening, alerts, kyc),
    lists,
    screening,
    clients: new ClientsService(store, screening, kyc),
    alerts,
    kyc,
    jobs,
  };
}
