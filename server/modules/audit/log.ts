// Appending to the audit log inside a mutation's transaction, and signing checkpoints.
// Appends are serialised across processes (a PostgreSQL advisory lock held to commit; SQLite has
// one writer), and seq is the primary key assigned as head + 1, so the chain can never fork.

import fs from 'node:fs';
import path from 'node:path';
import { sql, type Transaction } from 'kysely';
import type { Actor } from '../../core/actor.js';
import type { Db } from '../../db/connect.js';
import type { AuditEventRow, Database } from '../../db/schema.js';
import { canonicalJson, eventHash, GENESIS_HASH } from './canonical.js';
import type { Checkpoint, CheckpointSigner } from './signer.js';

/** One audit event as a service describes it. */
export interface AuditInput {
  action: string;
  targetType?: string | undefined;
  targetId?: string | undefined;
  clientId?: string | undefined;
  legalEntity?: string | null | undefined;
  before?: unknown;
  after?: unknown;
  reason?: string | undefined;
  approvers?: string[] | undefined;
  caseRef?: string | undefined;
  policyRef?: string | undefined;
}

const AUDIT_LOCK_KEY = 7_203_319;

export function checkpointMirrorFile(dataDir: string): string {
  return path.join(dataDir, 'audit', 'checkpoints.jsonl');
}

export class AuditLog {
  constructor(
    private readonly db: Db,
    private readonly signer: CheckpointSigner,
    private readonly opts: { dataDir: string; checkpointEvery: number },
  ) {}

  get keyId(): string {
    return this.signer.keyId;
  }

  async lock(trx: Transaction<Database>): Promise<void> {
    if (this.db.engine === 'postgres') await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(trx);
  }

  async head(trx: Transaction<Database>): Promise<{ seq: number; hash: string }> {
    const row = await trx.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    return row ?? { seq: 0, hash: GENESIS_HASH };
  }

  /**
   * Appends the events under the chain lock; the caller's transaction commits them with its state
   * change. Returns a checkpoint to mirror after commit when one was due.
   */
  async append(
    trx: Transaction<Database>,
    actor: Actor,
    at: string,
    events: readonly AuditInput[],
  ): Promise<{ rows: AuditEventRow[]; checkpoint: Checkpoint | null }> {
    await this.lock(trx);
    let { seq, hash } = await this.head(trx);
    const rows: AuditEventRow[] = [];
    for (const e of events) {
      seq += 1;
      const fields = {
        seq,
        at,
        actor_id: actor.id,
        actor_name: actor.name,
        ip: actor.ip,
        user_agent: actor.userAgent?.slice(0, 512) ?? null,
        session_id: actor.sessionId,
        action: e.action,
        target_type: e.targetType ?? null,
        target_id: e.targetId ?? null,
        client_id: e.clientId ?? null,
        legal_entity: e.legalEntity ?? null,
        before_json: e.before === undefined ? null : canonicalJson(e.before),
        after_json: e.after === undefined ? null : canonicalJson(e.after),
        reason: e.reason ?? null,
        approvers_json: e.approvers === undefined ? null : canonicalJson(e.approvers),
        case_ref: e.caseRef ?? null,
        policy_ref: e.policyRef ?? null,
        prev_hash: hash,
      };
      hash = eventHash(fields);
      rows.push({ ...fields, hash });
    }
    for (let i = 0; i < rows.length; i += 500) {
      await trx.insertInto('audit_events').values(rows.slice(i, i + 500)).execute();
    }
    let checkpoint: Checkpoint | null = null;
    const last = await this.lastCheckpointSeq(trx);
    if (seq - last >= this.opts.checkpointEvery) checkpoint = await this.writeCheckpoint(trx, seq, hash, at);
    return { rows, checkpoint };
  }

  async lastCheckpointSeq(trx: Transaction<Database>): Promise<number> {
    const row = await trx.selectFrom('audit_checkpoints').select('seq').orderBy('seq', 'desc').limit(1).executeTakeFirst();
    return row?.seq ?? 0;
  }

  private async writeCheckpoint(trx: Transaction<Database>, seq: number, hash: string, at: string): Promise<Checkpoint> {
    const cp = this.signer.sign(seq, hash, at);
    await trx.insertInto('audit_checkpoints').values(cp).execute();
    return cp;
  }

  /** Signs the head if it moved since the last checkpoint (timer and shutdown). */
  async checkpointNow(at: string): Promise<Checkpoint | null> {
    const cp = await this.db.kysely.transaction().execute(async (trx) => {
      await this.lock(trx);
      const head = await this.head(trx);
      if (head.seq === 0 || head.seq <= (await this.lastCheckpointSeq(trx))) return null;
      return this.writeCheckpoint(trx, head.seq, head.hash, at);
    });
    if (cp) this.mirror(cp);
    return cp;
  }

  /**
   * A copy of each checkpoint outside the database: someone with SQL access alone can delete the
   * tail of the log and the checkpoints in the table, but not this file.
   */
  mirror(cp: Checkpoint): void {
    const file = checkpointMirrorFile(this.opts.dataDir);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.appendFileSync(file, `${JSON.stringify(cp)}\n`, { mode: 0o600 });
  }
}

export function readCheckpointMirror(dataDir: string): Checkpoint[] {
  const file = checkpointMirrorFile(dataDir);
  if (!fs.existsSync(file)) return [];
  const out: Checkpoint[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as Checkpoint);
    } catch {
      // A torn last line (crash mid-write) carries no checkpoint; the database copy still does.
    }
  }
  return out;
}
