// Verifies the audit log: the hash chain from the first event to the head with no gaps, every
// event's MAC under a key the database never holds (from the first event that carries one: events
// written before MACs existed are checked by the chain and the checkpoints alone), and every signed
// checkpoint (from the database and from the mirror copies) against the trusted public keys.
// A log with events but no checkpoint, or whose newest checkpoint is older than the checkpoint
// interval allows while later events exist, fails: its tail could have been rewritten unseen.
// Reports the first broken sequence number.

import type { Db } from '../../db/connect.js';
import { GENESIS_HASH } from './canonical.js';
import { checkEvents } from './log.js';
import type { AuditMacKey } from './mac.js';
import { rotationOf, verifyCheckpoint, type Checkpoint, type Rotation, type TrustedKeys } from './signer.js';
import { createPublicKey } from 'node:crypto';

export interface VerifyResult {
  ok: boolean;
  checked: number;
  headSeq: number;
  checkpoints: number;
  /** events before the first one with a MAC (written before MACs existed) */
  legacyEvents: number;
  firstBrokenSeq?: number;
  problem?: string;
}

export interface VerifyOptions {
  macKeys: readonly AuditMacKey[];
  /** checkpoint copies kept outside the database (the mirror files) */
  mirrored?: readonly Checkpoint[];
  /** the server's checkpoint interval: a newer event this much after the newest checkpoint means a missing one */
  checkpointIntervalMs: number;
}

const BATCH = 10_000;

export async function verifyAuditLog(db: Db, keys: TrustedKeys, opts: VerifyOptions): Promise<VerifyResult> {
  let checked = 0;
  let headSeq = 0;
  let legacyEvents = 0;
  let checkpointCount = 0;
  const broken = (seq: number, problem: string): VerifyResult => ({ ok: false, checked, headSeq, checkpoints: checkpointCount, legacyEvents, firstBrokenSeq: seq, problem });

  // Hashes at checkpointed positions, filled in while walking the chain.
  const stored = await db.kysely.selectFrom('audit_checkpoints').selectAll().execute();
  const bySeq = new Map<string, Checkpoint>();
  for (const cp of [...stored, ...(opts.mirrored ?? [])]) bySeq.set(`${cp.seq}:${cp.hash}:${cp.signature}`, cp);
  const checkpoints = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  checkpointCount = checkpoints.length;
  const wanted = new Set(checkpoints.map((c) => c.seq));
  const hashAt = new Map<number, string>();
  const macKeys = new Map(opts.macKeys.map((k) => [k.keyId, k]));
  const state = { macsStarted: false };
  // Key rotations, each trusted once a checkpoint signed by an already trusted key covers it.
  const rotations: Rotation[] = [];

  let prev = GENESIS_HASH;
  let expected = 1;
  let lastAt = '';
  // When each event was written, for the stretch after the newest checkpoint (read once the chain is walked).
  const newestCheckpointSeq = checkpoints.at(-1)?.seq ?? 0;
  let firstUncheckpointedAt: string | null = null;
  for (;;) {
    const rows = await db.kysely.selectFrom('audit_events').selectAll().where('seq', '>=', expected).orderBy('seq').limit(BATCH).execute();
    if (rows.length === 0) break;
    const found = checkEvents(rows, prev, expected, macKeys, state);
    if (found !== null) {
      headSeq = rows.at(-1)!.seq;
      checked += found.seq - expected;
      return broken(found.seq, found.problem);
    }
    for (const row of rows) {
      if (row.mac === null) legacyEvents += 1;
      if (row.seq === newestCheckpointSeq + 1) firstUncheckpointedAt = row.at;
      if (wanted.has(row.seq)) hashAt.set(row.seq, row.hash);
      const rotation = rotationOf(row);
      if (rotation) rotations.push(rotation);
    }
    prev = rows.at(-1)!.hash;
    lastAt = rows.at(-1)!.at;
    expected = rows.at(-1)!.seq + 1;
    checked += rows.length;
  }
  headSeq = expected - 1;

  // The chain is self-consistent; checkpoints catch a rewritten chain and a cut-off tail.
  let lastGood = 0;
  const trusted: TrustedKeys = { byId: new Map(keys.byId) };
  let learned = 0;
  for (const cp of checkpoints) {
    if (!verifyCheckpoint(trusted, cp)) return broken(cp.seq, `the checkpoint at event ${cp.seq} has no valid signature from a trusted key`);
    if (cp.seq > headSeq) return broken(headSeq + 1, `the log ends at event ${headSeq} but a signed checkpoint covers event ${cp.seq}: events were deleted from the end`);
    if (hashAt.get(cp.seq) !== cp.hash) return broken(lastGood + 1, `events ${lastGood + 1}..${cp.seq} were rewritten: event ${cp.seq} no longer matches its signed checkpoint`);
    lastGood = cp.seq;
    // A rotation this checkpoint covers came from a trusted key's record: its new key is trusted from here on.
    while (learned < rotations.length && rotations[learned]!.seq <= cp.seq) {
      const r = rotations[learned]!;
      if (trusted.byId.has(r.fromKeyId)) trusted.byId.set(r.toKeyId, createPublicKey(r.publicKey));
      learned += 1;
    }
  }
  if (headSeq > 0 && checkpoints.length === 0) {
    return broken(1, `the log holds ${headSeq} events but no signed checkpoint: nothing proves it was not rewritten (checkpoint table emptied? give the mirror with --checkpoints DIR)`);
  }
  const newest = checkpoints.at(-1);
  if (newest !== undefined && headSeq > newest.seq && firstUncheckpointedAt !== null) {
    // While events keep coming the server signs the head every interval, so the events after the
    // newest checkpoint span less than that (one interval of slack). Counted from the first of
    // them, not from the checkpoint: a server restarted after a day down writes its first events a
    // day after its last checkpoint, rightly.
    const spanMs = Date.parse(lastAt) - Date.parse(firstUncheckpointedAt);
    if (spanMs > 2 * opts.checkpointIntervalMs) {
      return broken(newest.seq + 1, `events ${newest.seq + 1}..${headSeq} were written over ${Math.round(spanMs / 1000)} s after the newest signed checkpoint (event ${newest.seq}), longer than the checkpoint interval allows: a checkpoint is missing (deleted, or the signer stopped)`);
    }
  }
  return { ok: true, checked, headSeq, checkpoints: checkpoints.length, legacyEvents };
}
