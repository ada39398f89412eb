// Live sync across servers on one PostgreSQL. Every server announces its commits with NOTIFY on one
// channel (the payload names the server and the audit head, never data), and listens on one
// dedicated connection: a commit made through server A wakes the change streams of server B's
// desktops at once instead of at their next poll. The notification only says "the feed moved";
// each stream re-reads from its own cursor, so a missed notification costs a delay, never data.
// After a lost connection the listener reconnects with backoff and signals once, so that streams
// re-read whatever they missed. SQLite has one server per database: nothing to fan out.

import { randomUUID } from 'node:crypto';
import pg from 'pg';

export const COMMIT_CHANNEL = 'fxbo_commit';

export interface CommitSignalLog {
  warn(obj: object, msg: string): void;
}

export class CommitSignal {
  readonly instance = randomUUID();
  #client: pg.Client | null = null;
  #closed = false;
  #retryMs = 500;
  #timer: NodeJS.Timeout | null = null;
  #announcer: pg.Pool;

  constructor(
    private readonly url: string,
    /** Called when another server committed (or after a reconnect, when anything may have been missed). */
    private readonly onRemoteCommit: () => void,
    private readonly log: CommitSignalLog | null = null,
  ) {
    this.#announcer = new pg.Pool({ connectionString: url, max: 1 });
    this.#announcer.on('error', () => undefined);
  }

  async start(): Promise<void> {
    await this.connect(false);
  }

  private async connect(reconnected: boolean): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (n) => {
      if (n.channel === COMMIT_CHANNEL && !n.payload?.startsWith(`${this.instance}:`)) this.onRemoteCommit();
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, null));
    try {
      await client.connect();
      await client.query(`listen ${COMMIT_CHANNEL}`);
    } catch (err) {
      this.lost(client, err as Error);
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#retryMs = 500;
    if (reconnected) this.onRemoteCommit();
  }

  private lost(client: pg.Client, err: Error | null): void {
    if (this.#closed || (this.#client !== null && this.#client !== client)) return;
    this.#client = null;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    this.log?.warn({ err }, `the commit listener lost its PostgreSQL connection; reconnecting in ${this.#retryMs} ms (desktops fall back to polling meanwhile)`);
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.connect(true);
    }, this.#retryMs);
    this.#timer.unref();
    this.#retryMs = Math.min(this.#retryMs * 2, 30_000);
  }

  /** Tells the other servers that the log moved to `head`; never waited for, never fails a mutation. */
  announce(head: number): void {
    if (this.#closed) return;
    this.#announcer.query('select pg_notify($1, $2)', [COMMIT_CHANNEL, `${this.instance}:${head}`]).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = null;
    client?.removeAllListeners('end');
    await client?.end().catch(() => undefined);
    await this.#announcer.end().catch(() => undefined);
  }
}
