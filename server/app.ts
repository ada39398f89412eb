// Builds a server: database, migrations, services, background jobs and the Fastify instance with
// tRPC at /trpc and GET /healthz. `main.ts` listens; tests call `startServer` on port 0.

import fastify, { type FastifyInstance } from 'fastify';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import type { Config } from './config.js';
import { DomainError } from '../shared/errors.js';
import { SYSTEM_ACTOR } from './core/actor.js';
import { systemClock, type Clock } from './core/clock.js';
import { openDatabase, type Db } from './db/connect.js';
import { migrate } from './db/migrate.js';
import { appRouter, type AppRouter } from './router.js';
import { buildServices, type Services } from './services.js';
import type { Context } from './trpc.js';
import { CommitSignal } from './db/commit-signal.js';
import type { CommitEvent } from './core/store.js';
import { registerWebhooks } from './modules/payments/webhooks.js';
import { pollOverdueDeposits } from './modules/payments/deposit-polling.js';

export const VERSION = '0.1.0';

export interface Server {
  app: FastifyInstance;
  services: Services;
  db: Db;
  url: string;
  /** The jobs run once at start (FATF lists in force); settles when they are done, failures logged. */
  startupJobs: Promise<void>;
  close(): Promise<void>;
}

export async function createServer(config: Config, opts: { clock?: Clock; db?: Db } = {}): Promise<Omit<Server, 'url'>> {
  const db = opts.db ?? openDatabase(config);
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  const services = buildServices(config, db, opts.clock ?? systemClock);
  try {
    await services.auditKeys.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  await services.policies.bootstrap();
  // A log written before event MACs existed: mark, with a MAC'd event, where every later event must carry one.
  const head = await db.kysely.selectFrom('audit_events').select(['seq', 'mac']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  if (head && head.mac === null) {
    await services.store.mutate(SYSTEM_ACTOR, async (m) => {
      m.audit({ action: 'audit.mac.enabled', after: { macKeyId: services.auditLog.macKeyId, fromSeq: head.seq + 1 }, reason: 'From this event on, every audit event carries a MAC under a key kept outside the database' });
    });
  }
  await services.policies.addMissingApprovalKinds();

  const app = fastify({
    routerOptions: { maxParamLength: 5000 },
    bodyLimit: 25 * 1024 * 1024,
    // Only the proxies named in TRUST_PROXY may say who the client is (X-Forwarded-For); nobody else.
    trustProxy: config.trustProxy ?? false,
    logger:
      config.logLevel === 'silent'
        ? false
        : {
            level: config.logLevel,
            // Tokens, portal keys and bodies (passwords) never reach the logs.
            redact: ['req.headers.authorization', 'req.headers["x-portal-key"]', 'req.headers.cookie'],
          },
  });

  app.get('/healthz', async () => ({ status: 'ok', storage: db.engine, version: VERSION }));

  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: ({ req }): Context => ({
        services,
        req: { ip: req.ip ?? null, userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null },
        authorization: typeof req.headers.authorization === 'string' ? req.headers.authorization : null,
        portalKey: typeof req.headers['x-portal-key'] === 'string' ? req.headers['x-portal-key'] : null,
        state: { auth: null },
      }),
      // A throttled sign-in says when to try again, in the header HTTP clients and proxies read.
      responseMeta: ({ errors }) => {
        const wait = errors.map((e) => (e.cause instanceof DomainError ? e.cause.details?.retryAfterSeconds : undefined)).find((v) => typeof v === 'number');
        return wait === undefined ? {} : { headers: { 'retry-after': String(wait) } };
      },
      onError: ({ error, path }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') app.log.error({ err: error.cause ?? error, path }, 'procedure failed');
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  });

  services.deposits.onCreatedFailed = (ref, err) => app.log.warn({ err, depositRef: ref }, 'applying the events that came before this deposit failed; the sweep applies them');

  await registerWebhooks(app, { formats: services.webhookFormats, events: services.providerEvents, store: services.store, log: app.log });

  // Background jobs (see backgroundJobs): timers for the interval ones, croner for the scheduled
  // ones, the job queue (provider checks) polled; the start-up ones run once now (the FATF lists in
  // force, for a day the server was down).
  const jobs = backgroundJobs(services, config);
  // A run still going when its interval comes round again is not joined by a second one.
  const running = new Set<string>();
  const timers = jobs.flatMap((job) =>
    job.everyMs === undefined
      ? []
      : [
          setInterval(() => {
            if (running.has(job.name)) return;
            running.add(job.name);
            job
              .run()
              .catch((err: unknown) => app.log.error({ err, job: job.name }, `${job.name} failed`))
              .finally(() => running.delete(job.name));
          }, job.everyMs),
        ],
  );
  for (const t of timers) t.unref();
  services.jobs.log = app.log;
  // Several servers on one PostgreSQL: each tells the others of its commits, so that their
  // desktops' change streams move at once (the desktops' poll stays as the safety net).
  const signal = db.engine === 'postgres' && config.databaseUrl ? new CommitSignal(config.databaseUrl, () => services.store.events.emit('commit', { local: false } satisfies CommitEvent), app.log) : null;
  const announce = (e: CommitEvent) => {
    if (e.local) signal?.announce(e.head);
  };
  if (signal) {
    await signal.start();
    services.store.events.on('commit', announce);
  }
  const raiseBreak = services.auditLog.onBrokenChain;
  services.auditLog.onBrokenChain = (found) => {
    app.log.error({ seq: found.seq }, `audit log broken at event ${found.seq}: ${found.problem}; no checkpoint is signed until it is resolved`);
    raiseBreak?.(found);
  };
  const startupJobs = Promise.all(
    jobs
      .filter((job) => job.atStart === true)
      .map((job) =>
        job.run().then(
          () => undefined,
          (err: unknown) => {
            app.log.error({ err, job: job.name }, `${job.name} failed at start`);
          },
        ),
      ),
  ).then(() => undefined);
  services.jobs.start({ pollMs: config.jobsPollMs, schedules: jobs.flatMap((job) => (job.pattern === undefined ? [] : [{ name: job.name, pattern: job.pattern, run: job.run }])) });

  let closed = false;
  return {
    app,
    services,
    db,
    startupJobs,
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearInterval(t);
      await services.jobs.stop();
      await startupJobs;
      await services.signIn.flushDenials(true).catch(() => undefined);
      await app.close();
      services.mt5?.session.close();
      services.store.events.off('commit', announce);
      await signal?.close();
      // A last checkpoint, so that cutting events off the end is detectable right after a stop.
      await services.auditLog.checkpointNow(services.store.now()).catch(() => undefined);
      await db.close();
    },
  };
}

export interface BackgroundJob {
  name: string;
  /** cron pattern, UTC (croner, with seconds) */
  pattern?: string;
  /** or a fixed interval */
  everyMs?: number;
  /** also once when the server starts */
  atStart?: boolean;
  run(): Promise<unknown>;
}

/**
 * Every job the server runs by itself, in one list: each has a test for the run in which there is
 * nothing to do (server/jobs/quiet-day.int.test.ts runs every entry of this list on a quiet system).
 */
async function runPlatform(services: Services): Promise<void> {
  if (!services.mt5) return;
  await services.mt5Accounts.enqueueApproved();
  await services.mt5Accounts.processDue();
  await services.accessSync.run();
  await services.depositCredits.sweep();
  await services.mt5.operations.processDue();
  await services.interventions.sweep();
}

export function backgroundJobs(services: Services, config: Pick<Config, 'auditCheckpointIntervalMs' | 'mt5'>): BackgroundJob[] {
  return [
    // Checkpoint the audit head at every interval with activity.
    { name: 'audit.checkpoint', everyMs: config.auditCheckpointIntervalMs, run: () => services.auditLog.checkpointNow(services.store.now()) },
    { name: 'approvals.expiry', everyMs: 60_000, run: () => services.approvals.expireLapsed() },
    // Repeated refused sign-ins, recorded as one event per address, username and reason a minute.
    { name: 'auth.denials', everyMs: 60_000, run: () => services.signIn.flushDenials() },
    // Temporary role grants past their end date are recorded as lapsed (their rights ended on time already).
    { name: 'access.grantExpiry', everyMs: 60_000, atStart: true, run: () => services.grants.lapseGrants() },
    // FATF lists take effect on their plenary's date: daily at 00:05 UTC, and once at start.
    { name: 'kyc.countryLists', pattern: '0 5 0 * * *', atStart: true, run: () => services.kyc.risk.applyCountryLists() },
    // Yesterday's figures per legal entity, taken once just after midnight UTC (reports: a past day never changes).
    { name: 'reports.snapshots', pattern: '10 0 0 * * *', atStart: true, run: () => services.reports.takeDailySnapshots() },
    // The rules' monitors: a breach raises an alert, and after a recent change may propose its rollback;
    // a rollback still waiting for its approver past the target (15 minutes) is escalated.
    { name: 'policies.monitors', everyMs: 300_000, run: async () => ({ alerts: await services.policyMonitors.run(), overdueRollbacks: await services.policyRollbacks.escalateOverdue() }) },
    { name: 'kyc.documentExpiry', pattern: '0 15 2 * * *', run: () => services.kyc.sweeps.sweepDocumentExpiry() },
    { name: 'kyc.sla', pattern: '0 */15 * * * *', run: () => services.kyc.sweeps.sweepSla() },
    // Provider events stored but not applied, parked ones tried again, those parked too long handed to a person.
    { name: 'payments.events', everyMs: 30_000, atStart: true, run: () => services.providerEvents.sweep() },
    // Deposits without news from their provider past the policy's time are asked of it.
    { name: 'payments.overdueDeposits', everyMs: 60_000, run: () => pollOverdueDeposits(services.store, services.policies, services.providerEvents, services.pspApis) },
    // Approved payouts never answered are sent again under their key; unclear ones asked of the provider; overdue ones handed to a person.
    { name: 'payments.withdrawals', everyMs: 60_000, run: () => services.withdrawals.sweep() },
    // MT5: accounts for newly approved clients, restrictions and closures pushed (and given back),
    // deposits waiting for their MT5 credit, operations and account changes due (retries after
    // MT5 was down, unclear outcomes reconciled against the deal history), what MT5 reads back.
    { name: 'platform.operations', everyMs: 2_000, run: () => runPlatform(services) },
    // Manager operations made on MT5 with no case: new deals and changed accounts.
    { name: 'platform.scan', everyMs: config.mt5?.scanMs ?? 60_000, run: () => services.managerOps.scan() },
    // The job queue's work (provider checks) runs as it is polled; draining it is a job like the others.
    { name: 'jobs.drain', run: () => services.jobs.drain() },
  ];
}

export async function startServer(config: Config, opts: { clock?: Clock; db?: Db } = {}): Promise<Server> {
  const server = await createServer(config, opts);
  try {
    const address = await server.app.listen({ host: config.host, port: config.port });
    const url = address.replace('[::1]', 'localhost');
    return { ...server, url };
  } catch (error) {
    await server.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`Port ${config.port} on ${config.host} is already in use (is another fx-backoffice server running?). Stop it, or set PORT to a free port.`);
    }
    throw error;
  }
}
