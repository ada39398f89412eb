// Composition of the server's services over one database: built once per process (and per test).

import { hostname } from 'node:os';
import type { Config } from './config.js';
import { SYSTEM_ACTOR } from './core/actor.js';
import type { Clock } from './core/clock.js';
import { Store } from './core/store.js';
import type { Db } from './db/connect.js';
import { AccessReviewService } from './modules/access/review.js';
import { RoleGrantsService } from './modules/access/role-grants.js';
import { SessionsService } from './modules/access/sessions.js';
import { SignInService } from './modules/access/signin.js';
import { UsersService } from './modules/access/users.js';
import { ApprovalKinds } from './modules/approvals/registry.js';
import { ApprovalsService } from './modules/approvals/service.js';
import { AuditLog, type ChainBreak } from './modules/audit/log.js';
import { AuditService } from './modules/audit/service.js';
import { loadMacKey } from './modules/audit/mac.js';
import { loadSigner } from './modules/audit/signer.js';
import { SigningKeys } from './modules/audit/keys.js';
import { PolicyReader } from './modules/policies/reader.js';
import { PoliciesService } from './modules/policies/service.js';
import { ScreeningListsService } from './modules/screening/lists-service.js';
import { ScreeningService } from './modules/screening/service.js';
import { ClientsService } from './modules/clients/service.js';
import { AlertsService, raiseAlert } from './modules/alerts/service.js';
import { buildKyc, type Kyc } from './modules/kyc/kyc.js';
import { DocumentStore } from './modules/documents/store.js';
import { SyncService } from './modules/sync/service.js';
import { KycProviderClient } from './modules/kyc/provider-client.js';
import { JobQueue } from './jobs/queue.js';
import { loadSecretBox } from './security/secretbox.js';
import { ExportsService } from './modules/audit/exports.js';
import { ClientSearch } from './modules/clients/search.js';
import { ClientOverview } from './modules/clients/overview.js';
import { DepositsService } from './modules/payments/deposits.js';
import { ProviderEvents } from './modules/payments/provider-events.js';
import { webhookFormats } from './modules/payments/psp/index.js';
import type { WebhookFormat } from './modules/payments/psp/event.js';
import { WithdrawalsService } from './modules/payments/withdrawals.js';
import { WithdrawalReads } from './modules/payments/withdrawal-rows.js';
import { FxRates } from './modules/payments/fx.js';
import { PspApiClient } from './modules/payments/payout-client.js';
import { Reconciliation } from './modules/payments/reconciliation.js';
import { PaymentExceptions } from './modules/payments/exception-work.js';
import { Mt5Session } from './platform/session.js';
import { Mt5Operations } from './platform/operations.js';
import { InterventionsService } from './modules/platform/interventions.js';
import { EvidenceService } from './modules/evidence/views.js';
import { EvidencePacks } from './modules/evidence/pack.js';
import { ReportsService } from './modules/reports/service.js';
import { PolicyDryRun } from './modules/policies/dry-run.js';
import { PolicyTransfer } from './modules/policies/transfer.js';
import { PolicyChanges } from './modules/policies/changes.js';
import { PolicyRollbacks } from './modules/policies/rollback.js';
import { PolicyExecutions } from './modules/policies/executions.js';
import { PolicyChangeReads } from './modules/policies/change-reads.js';
import { PolicyMonitors } from './modules/policies/monitors.js';
import type { Mt5Link } from './platform/link.js';
import { InterventionReads } from './modules/platform/intervention-rows.js';
import { ManagerOperations } from './modules/platform/unlinked.js';
import { AccessSync, PlatformAccounts } from './modules/platform/accounts.js';
import { DepositCredits } from './modules/platform/deposit-credits.js';
import { Mt5Reconciliation } from './modules/platform/reconciliation.js';
import { marginOf } from './modules/platform/margin.js';

export interface Services {
  config: Config;
  store: Store;
  signIn: SignInService;
  sessions: SessionsService;
  users: UsersService;
  grants: RoleGrantsService;
  accessReview: AccessReviewService;
  approvals: ApprovalsService;
  policies: PoliciesService;
  audit: AuditService;
  auditLog: AuditLog;
  auditKeys: SigningKeys;
  exports: ExportsService;
  sync: SyncService;
  lists: ScreeningListsService;
  screening: ScreeningService;
  clients: ClientsService;
  clientSearch: ClientSearch;
  clientOverview: ClientOverview;
  alerts: AlertsService;
  kyc: Kyc;
  jobs: JobQueue;
  deposits: DepositsService;
  providerEvents: ProviderEvents;
  /** The payment providers whose webhooks the server verifies, by name. */
  webhookFormats: ReadonlyMap<string, WebhookFormat>;
  withdrawals: WithdrawalsService;
  withdrawalReads: WithdrawalReads;
  fx: FxRates;
  /** Providers' APIs in the generic format (payouts, lookups), by provider name. */
  pspApis: ReadonlyMap<string, PspApiClient>;
  reconciliation: Reconciliation;
  paymentExceptions: PaymentExceptions;
  /** The MT5 session and its operations queue; null where MT5 is not configured. */
  mt5: Mt5Link | null;
  interventions: InterventionsService;
  evidence: EvidenceService;
  evidencePacks: EvidencePacks;
  reports: ReportsService;
  policyDryRun: PolicyDryRun;
  policyTransfer: PolicyTransfer;
  policyChanges: PolicyChanges;
  policyRollbacks: PolicyRollbacks;
  policyExecutions: PolicyExecutions;
  policyChangeReads: PolicyChangeReads;
  policyMonitors: PolicyMonitors;
  interventionReads: InterventionReads;
  managerOps: ManagerOperations;
  mt5Accounts: PlatformAccounts;
  depositCredits: DepositCredits;
  /** Restrictions and closures pushed to MT5, and given back when they end. */
  accessSync: AccessSync;
  mt5Reconciliation: Mt5Reconciliation;
}

/** One MT5 session per server process, and the queue of operations it executes. */
function connectMt5(config: Config, store: Store): Mt5Link | null {
  if (!config.mt5) return null;
  const session = new Mt5Session({ url: config.mt5.url, login: config.mt5.login, password: config.mt5.password, certificate: config.mt5.certificate, timeoutMs: config.mt5.timeoutMs });
  const operations = new Mt5Operations(store, session, { instance: `${hostname()}:${process.pid}`, leaseMs: Math.max(60_000, config.mt5.timeoutMs * 3), graceMs: Math.max(30_000, config.mt5.timeoutMs * 2) });
  return { session, operations };
}

export function buildServices(config: Config, db: Db, clock: Clock): Services {
  const loaded = loadSigner({ dataDir: config.dataDir, keyFromEnv: config.auditSigningKey });
  const macKey = loadMacKey({ dataDir: config.dataDir, keyFromEnv: config.auditMacKey });
  const auditLog = new AuditLog(db, loaded.signer, macKey, { dataDir: config.dataDir, checkpointEvery: config.auditCheckpointEvery });
  const store = new Store(db, auditLog, clock);
  const secrets = loadSecretBox({ dataDir: config.dataDir, keyFromEnv: config.secretsKey });
  const kinds = new ApprovalKinds();
  const approvals = new ApprovalsService(store, kinds, new PolicyReader());
  const policies = new PoliciesService(store);
  const policyDryRun = new PolicyDryRun(store);
  const policyChanges = new PolicyChanges(store, policies, approvals, policyDryRun, auditLog);
  const policyRollbacks = new PolicyRollbacks(store, policies, policyChanges);
  const users = new UsersService(store, config, secrets, approvals);
  users.registerKinds(kinds);
  const grants = new RoleGrantsService(store, approvals);
  grants.registerKinds(kinds);
  policyChanges.registerKinds(kinds);
  policyRollbacks.registerKinds(kinds);
  const auditKeys = new SigningKeys(store, auditLog, approvals, loaded, macKey, config.dataDir);
  auditKeys.registerKinds(kinds);
  const lists = new ScreeningListsService(store, policies);
  const screening = new ScreeningService(store, lists, policies);
  const alerts = new AlertsService(store);
  const provider = config.kycProvider ? new KycProviderClient({ url: config.kycProvider.url, token: config.kycProvider.token, timeoutMs: config.kycProvider.timeoutMs }) : null;
  const documents = DocumentStore.open(config.dataDir, config.documentsKey);
  const kyc = buildKyc({ store, documents, policies, provider, approvals, kinds });
  screening.onScreeningChanged = (m, clientId) => kyc.risk.onClientChanged(m, clientId, ['screening']);
  // A broken audit segment is never signed; the MLRO of every entity hears of it at once.
  auditLog.onBrokenChain = (found) => {
    void raiseChainBreak(store, found).catch(() => undefined);
  };
  const jobs = new JobQueue(store);
  jobs.handle('kyc.verifyDocument', (payload) => kyc.verification.runVerification(payload.checkId));
  const formats = webhookFormats(config);
  const providerEvents = new ProviderEvents(store, policies);
  const deposits = new DepositsService(store, policies, () => new Set(formats.keys()));
  deposits.onCreated = (ref) => providerEvents.applyParked(ref);
  const apis = new Map(Object.entries(config.pspApis).map(([provider, url]) => [provider, new PspApiClient(provider, url, config.pspSecrets[provider]!, config.pspTimeoutMs, () => Math.floor(clock.now().getTime() / 1000))]));
  const withdrawals = new WithdrawalsService(store, policies, apis, () => new Set(formats.keys()));
  const withdrawalReads = new WithdrawalReads(store);
  const paymentExceptions = new PaymentExceptions(store);
  const mt5 = connectMt5(config, store);
  const interventionReads = new InterventionReads(store);
  const evidence = new EvidenceService(store, interventionReads);
  const depositCredits = new DepositCredits(store, policies, mt5);
  withdrawals.marginOf = (clientId, currency) => marginOf(store, mt5, clientId, currency);
  providerEvents.onDepositCredited = (m, deposit) => depositCredits.onCredited(m, deposit);
  const managerOps = new ManagerOperations(store, policies, mt5, { offsetMinutes: config.mt5?.offsetMinutes ?? 0 });
  return {
    config,
    store,
    signIn: new SignInService(store, config, secrets),
    sessions: new SessionsService(store, config),
    users,
    grants,
    accessReview: new AccessReviewService(store),
    approvals,
    policies,
    audit: new AuditService(store, { dataDir: config.dataDir, macKey, checkpointIntervalMs: config.auditCheckpointIntervalMs, pinnedKeyFile: loaded.pinnedFile }),
    auditLog,
    auditKeys,
    exports: new ExportsService(store),
    sync: new SyncService(store, approvals, screening, alerts, kyc.reads, withdrawalReads, deposits, paymentExceptions, interventionReads, managerOps),
    lists,
    screening,
    clients: new ClientsService(store, screening, kyc.risk),
    clientSearch: new ClientSearch(store),
    clientOverview: new ClientOverview(store),
    alerts,
    kyc,
    jobs,
    deposits,
    providerEvents,
    webhookFormats: formats,
    withdrawals,
    withdrawalReads,
    fx: new FxRates(store),
    pspApis: apis,
    reconciliation: new Reconciliation(store, policies),
    paymentExceptions,
    mt5,
    interventions: new InterventionsService(store, policies, mt5),
    evidence,
    reports: new ReportsService(store),
    policyDryRun,
    policyTransfer: new PolicyTransfer(store, policies, policyChanges, auditLog),
    policyChanges,
    policyRollbacks,
    policyExecutions: new PolicyExecutions(store, policies),
    policyChangeReads: new PolicyChangeReads(store, policies, approvals),
    policyMonitors: new PolicyMonitors(store, policies),
    evidencePacks: new EvidencePacks(store, evidence, auditLog, macKey, auditKeys, documents),
    interventionReads,
    managerOps,
    mt5Accounts: new PlatformAccounts(store, policies, secrets, mt5),
    depositCredits,
    accessSync: new AccessSync(store, mt5),
    mt5Reconciliation: new Mt5Reconciliation(store, policies, mt5, config.mt5?.offsetMinutes ?? 0),
  };
}

/** One critical alert per legal entity for a break in the audit chain, once per broken event. */
async function raiseChainBreak(store: Store, found: ChainBreak): Promise<void> {
  const sourceRef = `audit:${found.seq}`;
  await store.mutate(SYSTEM_ACTOR, async (m) => {
    const entities = await m.trx.selectFrom('legal_entities').select('id').orderBy('id').execute();
    for (const { id } of entities) {
      const open = await m.trx.selectFrom('alerts').select('id').where('kind', '=', 'audit_chain_broken').where('source_ref', '=', sourceRef).where('legal_entity', '=', id).executeTakeFirst();
      if (open) continue;
      await raiseAlert(m, {
        kind: 'audit_chain_broken',
        legalEntity: id,
        clientId: null,
        severity: 'critical',
        forRole: 'mlro',
        summary: `The audit log is broken at event ${found.seq}: no checkpoint is signed until it is resolved`,
        details: { seq: found.seq, problem: found.problem },
        sourceRef,
      });
    }
  });
}
