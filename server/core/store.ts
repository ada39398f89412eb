// The unit of work every mutation runs in: one transaction holding the state change, its audit
// event(s) and its change-feed rows. A mutation that records no audit event is refused, so no
// state can change without one.

import { EventEmitter } from 'node:events';
import type { Transaction } from 'kysely';
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
  audit(event: AuditInput): void;
  changed(table: string, rowId: string, legalEntity: string | null, op: 'insert' | 'update' | 'delete'): void;
}

export class MissingAuditEventError extends Error {
  override readonly name = 'MissingAuditEventError';
}

export class Store {
  /** Emits `commit` after every committed mutation (the audit log moved), for live sync. */
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
    const now = this.now();
    const { result, checkpoint } = await this.db.kysely.transaction().execute(async (trx) => {
      const result = await work({
        trx,
        now,
        actor,
        audit: (e) => events.push(e),
        changed: (table_name, row_id, legal_entity, op) => changes.push({ table_name, row_id, legal_entity, op }),
      });
      if (events.length === 0) throw new MissingAuditEventError('A mutation tried to commit without an audit event.');
      // Audit and feed rows go last, so the chain lock is held for as short a time as possible.
      const { checkpoint } = await this.audit.append(trx, actor, now, events);
      if (changes.length > 0) {
        await trx.insertInto('change_feed').values(changes.map((c) => ({ ...c, at: now }))).execute();
      }
      return { result, checkpoint };
    });
    if (checkpoint) this.audit.mirror(checkpoint);
    this.events.emit('commit');
    return result;
  }
}
