// The unit of work every mutation runs in: one transaction holding the state change, its audit
// event(s) and its change-feed rows. No state changes without an audit event: a mutation that
// wrote rows but recorded no event is refused (rolled back, MissingAuditEventError); one that
// turned out to change nothing (a re-score that found the same risk, a reminder already queued)
// is rolled back too, and returns its result: nothing happened, so nothing is recorded.

import { EventEmitter } from 'node:events';
import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import type { AuditInput, AuditLog } from '../modules/audit/log.js';
import type { Actor } from './actor.js';
import type { Clock } from './clock.js';

export interface Mutation {
  readonly trx: Transaction<Database>;
  /** The mutation's time, used for its state rows and its audit events alike. */
  readonly now: string;
  readonly actor: Actor;
  /** The database engine: where PostgreSQL can take a number without holding a row to commit (posting numbers). */
  readonly engine: 'sqlite' | 'postgres';
  audit(event: AuditInput): void;
  changed(table: string, rowId: string, legalEntity: string | null, op: 'insert' | 'update' | 'delete'): void;
  /** Work that must follow the commit and never happen without it (an audit key taken into use). */
  afterCommit(work: () => Promise<void>): void;
  /**
   * Ends the mutation as one that changed nothing, answering `result`: for work that locked a row
   * (FOR UPDATE, which PostgreSQL counts as a write) and then found nothing to do.
   */
  unchanged<R>(result: R): never;
}

export type CommitEvent = { local: true; head: number } | { local: false };

export class MissingAuditEventError extends Error {
  override readonly name = 'MissingAuditEventError';
}

/** Rolls back a mutation that changed nothing, carrying its result out of the transaction. */
class NothingChanged {
  constructor(readonly result: unknown) {}
}

/**
 * Whether a mutation's work wrote anything, asked only of a mutation that recorded no event. SQLite:
 * the connection's running count of changed rows, before and after (one connection, one
 * transaction at a time), read before the work because it cannot be asked afterwards. PostgreSQL:
 * whether the transaction has been given an id, which happens at its first write (or row lock),
 * asked after the work only: a mutation with events pays nothing for the question.
 */
function writeProbe(db: Db): (trx: Transaction<Database>) => Promise<boolean> {
  if (db.sqliteGet) {
    const count = () => db.sqliteGet!<{ n: number }>('select total_changes() as n')!.n;
    const before = count();
    return () => Promise.resolve(count() > before);
  }
  return async (trx) => {
    const { rows } = await sql<{ wrote: boolean }>`select txid_current_if_assigned() is not null as wrote`.execute(trx);
    return rows[0]!.wrote;
  };
}

export class Store {
  /**
   * Emits `commit` after every committed mutation (the audit log moved), for live sync, with
   * `{ local: true, head }`; a commit another server announced (server/db/commit-signal.ts) is
   * emitted with `{ local: false }`.
   */
  readonly events = new EventEmitter();

  constructor(
    readonly db: Db,
    readonly audit: AuditLog,
    readonly clock: Clock,
  ) {
    this.events.setMaxListeners(0);
  }

  get kysely() {
    return this.db.kysely;
  }

  now(): string {
    return this.clock.now().toISOString();
  }

  async mutate<T>(actor: Actor, work: (m: Mutation) => Promise<T>): Promise<T> {
    const events: AuditInput[] = [];
    const changes: Array<{ table_name: string; row_id: string; legal_entity: string | null; op: 'insert' | 'update' | 'delete' }> = [];
    const after: Array<() => Promise<void>> = [];
    const now = this.now();
    const outcome = await this.db.kysely.transaction().execute(async (trx) => {
      const wrote = writeProbe(this.db);
      const result = await work({
        trx,
        now,
        actor,
        engine: this.db.engine,
        audit: (e) => events.push(e),
        changed: (table_name, row_id, legal_entity, op) => changes.push({ table_name, row_id, legal_entity, op }),
        afterCommit: (w) => after.push(w),
        unchanged: (r) => {
          if (events.length > 0 || changes.length > 0) throw new MissingAuditEventError('A mutation that recorded events cannot end as unchanged.');
          throw new NothingChanged(r);
        },
      });
      if (events.length === 0) {
        if ((await wrote(trx)) || changes.length > 0) throw new MissingAuditEventError('A mutation tried to commit written rows without an audit event.');
        throw new NothingChanged(result);
      }
      // Audit and feed rows go last, so the chain lock is held for as short a time as possible.
      const { checkpoint, rows } = await this.audit.append(trx, actor, now, events);
      if (changes.length > 0) {
        await trx.insertInto('change_feed').values(changes.map((c) => ({ ...c, at: now }))).execute();
      }
      return { result, checkpoint, head: rows.at(-1)!.seq };
    }).catch((error: unknown) => {
      if (error instanceof NothingChanged) return { result: error.result as T, checkpoint: null, unchanged: true };
      throw error;
    });
    if ('unchanged' in outcome) return outcome.result;
    const { result, checkpoint, head } = outcome;
    // Acknowledged only once on disk: the sync is shared with the commits made meanwhile.
    await this.db.durable();
    if (checkpoint) this.audit.mirror(checkpoint);
    this.events.emit('commit', { local: true, head } satisfies CommitEvent);
    for (const w of after) await w();
    return result;
  }
}
