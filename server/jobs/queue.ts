// The durable job queue: work that must happen after a commit (calling a provider) or on a schedule
// (document expiry, SLA sweeps). A job is enqueued inside the mutation that causes it, so it exists
// exactly when that change committed. Runners claim a job with a lease (PostgreSQL: FOR UPDATE SKIP
// LOCKED, so several server instances share the queue); a job that throws is retried with backoff
// up to its limit, then kept as `failed` with the error for an operator to read.

import { Cron } from 'croner';
import { sql } from 'kysely';
import type { Mutation, Store } from '../core/store.js';
import type { JobRow } from '../db/schema.js';
import { JOB_KINDS, type JobKind, type JobPayload } from './kinds.js';
import { JSON_COLUMNS, readJson } from '../db/json.js';

export type JobHandler<K extends JobKind = JobKind> = (payload: JobPayload<K>, job: JobRow) => Promise<void>;

const LEASE_MS = 5 * 60_000;

/** Retry delays: 5 s, 30 s, 3 min, 15 min, then hourly. */
function backoffMs(attempts: number): number {
  return [5_000, 30_000, 180_000, 900_000][attempts - 1] ?? 3_600_000;
}

export function enqueue<K extends JobKind>(m: Mutation, kind: K, payload: JobPayload<K>, opts: { runAfter?: string; maxAttempts?: number } = {}): Promise<unknown> {
  return m.trx
    .insertInto('jobs')
    .values({ kind, payload_json: JSON.stringify(payload), status: 'queued', run_after: opts.runAfter ?? m.now, attempts: 0, max_attempts: opts.maxAttempts ?? 5, lease_until: null, last_error: null, created_at: m.now, finished_at: null })
    .execute();
}

export class JobQueue {
  readonly #handlers = new Map<string, (payload: unknown, job: JobRow) => Promise<void>>();
  readonly #schedules: Cron[] = [];
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<number> | null = null;

  constructor(
    private readonly store: Store,
    /** set by the server to its logger */
    public log?: { error(obj: object, msg: string): void; warn(obj: object, msg: string): void },
  ) {}

  handle<K extends JobKind>(kind: K, handler: JobHandler<K>): void {
    if (this.#handlers.has(kind)) throw new Error(`job kind ${kind} has two handlers`);
    const schema = JOB_KINDS[kind];
    this.#handlers.set(kind, (payload, job) => {
      const parsed = schema.safeParse(payload);
      if (!parsed.success) throw new Error(`job ${job.id} (${kind}): its payload does not fit the kind: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ')}`);
      return handler(parsed.data, job);
    });
  }

  /** Claims one due job, or none. */
  private async claim(): Promise<JobRow | null> {
    const db = this.store.kysely;
    const now = this.store.now();
    const leaseUntil = new Date(Date.parse(now) + LEASE_MS).toISOString();
    return db.transaction().execute(async (trx) => {
      let q = trx
        .selectFrom('jobs')
        .selectAll()
        .where((w) => w.or([w.and([w('status', '=', 'queued'), w('run_after', '<=', now)]), w.and([w('status', '=', 'running'), w('lease_until', '<', now)])]))
        .orderBy('run_after')
        .orderBy('id')
        .limit(1);
      if (this.store.db.engine === 'postgres') q = q.forUpdate().skipLocked();
      const job = await q.executeTakeFirst();
      if (!job) return null;
      const claimed = await trx
        .updateTable('jobs')
        .set({ status: 'running', lease_until: leaseUntil, attempts: sql<number>`attempts + 1` })
        .where('id', '=', job.id)
        .where('status', '=', job.status)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) return null;
      return { ...job, status: 'running' as const, lease_until: leaseUntil, attempts: job.attempts + 1 };
    });
  }

  private async runOne(job: JobRow): Promise<void> {
    const db = this.store.kysely;
    const handler = this.#handlers.get(job.kind);
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      await handler(readJson(JSON_COLUMNS.json, job.payload_json, `jobs.payload_json of ${job.id}`), job);
      await db.updateTable('jobs').set({ status: 'done', lease_until: null, finished_at: this.store.now(), last_error: null }).where('id', '=', job.id).execute();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const last = job.attempts >= job.max_attempts;
      this.log?.[last ? 'error' : 'warn']({ err: error, job: job.id, kind: job.kind, attempt: job.attempts }, last ? 'job failed for good' : 'job failed; will retry');
      await db
        .updateTable('jobs')
        .set(last ? { status: 'failed', lease_until: null, last_error: message, finished_at: this.store.now() } : { status: 'queued', lease_until: null, last_error: message, run_after: new Date(Date.parse(this.store.now()) + backoffMs(job.attempts)).toISOString() })
        .where('id', '=', job.id)
        .execute();
    }
  }

  /** Runs due jobs until none is left (or `max`); returns how many ran. One run at a time per process. */
  async drain(max = 1000): Promise<number> {
    while (this.#running) await this.#running;
    this.#running = (async () => {
      let ran = 0;
      for (; ran < max; ran++) {
        const job = await this.claim();
        if (!job) break;
        await this.runOne(job);
      }
      return ran;
    })();
    try {
      return await this.#running;
    } finally {
      this.#running = null;
    }
  }

  /** Polls for due jobs and starts the schedules (cron patterns in UTC). */
  start(opts: { pollMs: number; schedules: Array<{ name: string; pattern: string; run: () => Promise<unknown> }> }): void {
    const tick = () => {
      this.drain().catch((err: unknown) => this.log?.error({ err }, 'job queue poll failed'));
    };
    this.#timer = setInterval(tick, opts.pollMs);
    this.#timer.unref();
    for (const s of opts.schedules) {
      this.#schedules.push(
        new Cron(s.pattern, { timezone: 'UTC', protect: true, unref: true }, () => {
          s.run().catch((err: unknown) => this.log?.error({ err, schedule: s.name }, 'scheduled job failed'));
        }),
      );
    }
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    for (const c of this.#schedules) c.stop();
    this.#schedules.length = 0;
    while (this.#running) await this.#running.catch(() => 0);
  }
}
