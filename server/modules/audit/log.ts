// Appending to the audit log inside a mutation's transaction, and signing checkpoints.
// Appends are serialised across processes (a PostgreSQL advisory lock held to commit; SQLite has
// one writer), and seq is the primary key assigned as head + 1, so the chain can never fork. Each
// event carries a MAC under a key the database never holds (mac.ts). Before signing a checkpoint,
// the signer checks the events since the previous one (links, hashes, MACs): a segment with a row
// inserted or rewritten by SQL is never signed, and the break is reported (onBrokenChain).

import fs from 'node:fs';
import path from 'node:path';
import { sql, type Transaction } from 'kysely';
import type { Actor } from '../../core/actor.js';
import type { Db } from '../../db/connect.js';
import type { AuditEventRow, Database } from '../../db/schema.js';
import { canonicalJson, eventHash, GENESIS_HASH, type HashedFields } from './canonical.js';
import type { AuditMacKey } from './mac.js';
import { merkleRoot } from './merkle.js';
import { checkpoint, type Checkpoint, type CheckpointSigner } from './signer.js';

/** What is wrong with a stretch of the chain: the first bad sequence number and why. */
export interface ChainBreak {
  seq: number;
  problem: string;
}

/**
 * Checks events in order against the hash of the event before them: each links to it, matches its
 * own hash, and (from the first event that has one on) carries a valid MAC. Returns the first break.
 */
export function checkEvents(rows: readonly AuditEventRow[], prevHash: string, expectedSeq: number, macKeys: ReadonlyMap<string, AuditMacKey>, state: { macsStarted: boolean }): ChainBreak | null {
  let prev = prevHash;
  let expected = expectedSeq;
  for (const row of rows) {
    if (row.seq !== expected) return { seq: expected, problem: `event ${expected} is missing (next present is ${row.seq})` };
    if (row.prev_hash !== prev) return { seq: row.seq, problem: `event ${row.seq} does not link to the hash of event ${row.seq - 1}` };
    if (eventHash(row) !== row.hash) return { seq: row.seq, problem: `event ${row.seq} was altered: its content does not match its hash` };
    if (row.mac === null) {
      if (state.macsStarted) return { seq: row.seq, problem: `event ${row.seq} has no MAC: it was not written by the application (inserted with SQL?)` };
    } else {
      state.macsStarted = true;
      const key = macKeys.get(row.mac_key_id ?? '');
      if (key === undefined) return { seq: row.seq, problem: `event ${row.seq} carries a MAC under key ${row.mac_key_id ?? '(none)'}, which this verifier does not hold` };
      if (!key.verify(row.seq, row.hash, row.mac)) return { seq: row.seq, problem: `event ${row.seq} has a MAC that does not match: it was inserted or rewritten outside the application` };
    }
    prev = row.hash;
    expected += 1;
  }
  return null;
}

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
  /** Who did it, when one mutation records the work of several (deliveries of provider webhooks batched together); the mutation's actor otherwise. */
  actor?: Actor | undefined;
}

const AUDIT_LOCK_KEY = 7_203_319;

export function checkpointMirrorFile(dataDir: string): string {
  return path.join(dataDir, 'audit', 'checkpoints.jsonl');
}

export class AuditLog {
  /** Called (after commit, at most once per break) when a segment due for a checkpoint is broken. */
  onBrokenChain: ((found: ChainBreak) => void) | null = null;
  #knownBreak: ChainBreak | null = null;
  #lastCheckpointSeq: number | null = null;
  #signer: CheckpointSigner;

  constructor(
    private readonly db: Db,
    signer: CheckpointSigner,
    private readonly macKey: AuditMacKey,
    private readonly opts: { dataDir: string; checkpointEvery: number },
  ) {
    this.#signer = signer;
  }

  get macKeyId(): string {
    return this.macKey.keyId;
  }

  /** An event row as the log writes it: its hash over the content and the previous hash, and the MAC over that. */
  seal(fields: HashedFields): AuditEventRow {
    const hash = eventHash(fields);
    return { ...fields, hash, mac: this.macKey.mac(fields.seq, hash), mac_key_id: this.macKey.keyId };
  }

  get keyId(): string {
    return this.#signer.keyId;
  }

  /** The current signing key's signature over a statement of this server (an evidence pack's manifest or attestation). */
  signBytes(message: Buffer): { keyId: string; signature: string; publicKeyPem: string } {
    return { keyId: this.#signer.keyId, signature: this.#signer.signBytes(message), publicKeyPem: this.#signer.publicKeyPem() };
  }

  /**
   * Takes a new signing key into use after an approved rotation: the current key first signs the
   * head, which holds the rotation event, so that a verifier who trusts the old key learns the new
   * one from a signed record; every later checkpoint is signed with the new key.
   */
  async rotate(next: CheckpointSigner, at: string): Promise<void> {
    await this.checkpointNow(at, true);
    this.#signer = next;
  }

  async lock(trx: Transaction<Database>): Promise<void> {
    if (this.db.engine === 'postgres') await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(trx);
  }

  async head(trx: Transaction<Database>): Promise<{ seq: number; hash: string }> {
    // On SQLite, read on the transaction's own connection without building the query each time.
    const row = this.db.sqliteGet
      ? this.db.sqliteGet<{ seq: number; hash: string }>('select seq, hash from audit_events order by seq desc limit 1')
      : await trx.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
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
      const by = e.actor ?? actor;
      const fields = {
        seq,
        at,
        actor_id: by.id,
        actor_name: by.name,
        ip: by.ip,
        user_agent: by.userAgent?.slice(0, 512) ?? null,
        session_id: by.sessionId,
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
      const row = this.seal(fields);
      hash = row.hash;
      rows.push(row);
    }
    for (let i = 0; i < rows.length; i += 500) {
      await trx.insertInto('audit_events').values(rows.slice(i, i + 500)).execute();
    }
    let checkpoint: Checkpoint | null = null;
    // Once a break is known, signing waits for the timer's attempt, not every append. The last
    // checkpoint's position is remembered between appends (checkpoints only move forward) and read
    // again when one looks due, so an append costs no extra query.
    if (this.#knownBreak === null && seq - (this.#lastCheckpointSeq ?? 0) >= this.opts.checkpointEvery) {
      const last = await this.lastCheckpoint(trx);
      this.#lastCheckpointSeq = last.seq;
      if (seq - last.seq >= this.opts.checkpointEvery) checkpoint = await this.signIfIntact(trx, last, seq, hash, at, rows[0]!.seq, rows.map((r) => r.hash));
    }
    return { rows, checkpoint };
  }

  private async lastCheckpoint(trx: Transaction<Database>): Promise<{ seq: number; hash: string }> {
    const row = await trx.selectFrom('audit_checkpoints').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    return row ?? { seq: 0, hash: GENESIS_HASH };
  }

  /**
   * Checks the events after the last checkpoint up to `upTo` (those from `trustedFrom` on were
   * written by this process in this transaction: `trustedHashes`), then signs the head with the
   * segment's first event and Merkle root (format 2); a broken segment is never signed.
   */
  private async signIfIntact(trx: Transaction<Database>, last: { seq: number; hash: string }, upTo: number, hash: string, at: string, trustedFrom = upTo + 1, trustedHashes: readonly string[] = []): Promise<Checkpoint | null> {
    const hashes: string[] = [];
    const found = await this.checkSegment(trx, last, Math.min(upTo, trustedFrom - 1), hashes);
    if (found !== null) {
      const isNew = this.#knownBreak?.seq !== found.seq;
      this.#knownBreak = found;
      if (isNew) queueMicrotask(() => this.onBrokenChain?.(found));
      return null;
    }
    this.#knownBreak = null;
    hashes.push(...trustedHashes);
    const cp = this.#signer.sign(upTo, hash, at, { firstSeq: last.seq + 1, root: merkleRoot(hashes) });
    await trx.insertInto('audit_checkpoints').values(cp).execute();
    // Remembered only for this transaction's outcome: a rollback leaves the older position, read again next time.
    this.#lastCheckpointSeq = null;
    return cp;
  }

  /** Events (last.seq, upTo], read in batches, checked against the last checkpoint's hash; their hashes are added to `hashes`. */
  private async checkSegment(trx: Transaction<Database>, last: { seq: number; hash: string }, upTo: number, hashes: string[]): Promise<ChainBreak | null> {
    const keys = new Map([[this.macKey.keyId, this.macKey]]);
    // Events before the first MAC (written before migration 0007) are the only ones allowed none.
    const before = last.seq === 0 ? undefined : await trx.selectFrom('audit_events').select('mac').where('seq', '=', last.seq).executeTakeFirst();
    const state = { macsStarted: before !== undefined && before.mac !== null };
    let prev = last.hash;
    let from = last.seq + 1;
    while (from <= upTo) {
      const rows = await trx.selectFrom('audit_events').selectAll().where('seq', '>=', from).where('seq', '<=', upTo).orderBy('seq').limit(5000).execute();
      if (rows.length === 0) return { seq: from, problem: `event ${from} is missing` };
      const found = checkEvents(rows, prev, from, keys, state);
      if (found !== null) return found;
      for (const row of rows) hashes.push(row.hash);
      prev = rows.at(-1)!.hash;
      from = rows.at(-1)!.seq + 1;
    }
    return null;
  }

  /**
   * Signs the head if it moved since the last checkpoint (timer and shutdown), when the segment is
   * intact. `required`: a checkpoint that must exist (before a key rotation) fails loudly instead.
   */
  async checkpointNow(at: string, required = false): Promise<Checkpoint | null> {
    const cp = await this.db.kysely.transaction().execute(async (trx) => {
      await this.lock(trx);
      const head = await this.head(trx);
      const last = await this.lastCheckpoint(trx);
      if (head.seq === 0 || head.seq <= last.seq) return null;
      return this.signIfIntact(trx, last, head.seq, head.hash, at);
    });
    if (cp) {
      await this.db.durable();
      this.mirror(cp);
    } else if (required && this.#knownBreak) throw new Error(`the audit log is broken at event ${this.#knownBreak.seq}; the signing key is not rotated over a broken segment`);
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
  return readCheckpointFile(checkpointMirrorFile(dataDir));
}

/** Checkpoints from a mirror file (one JSON object a line); none when the file is absent. */
export function readCheckpointFile(file: string): Checkpoint[] {
  if (!fs.existsSync(file)) return [];
  const out: Checkpoint[] = [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // A torn last line (crash mid-write) carries no checkpoint; the database copy still does.
      continue;
    }
    const parsed = checkpoint.safeParse(value);
    if (!parsed.success) throw new Error(`${file} line ${i + 1} is not a checkpoint (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? ''}); the mirror has been altered.`);
    out.push(parsed.data);
  }
  return out;
}
