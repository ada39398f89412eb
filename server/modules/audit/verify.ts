// Verifies the audit log: the hash chain from the first event to the head, with no gaps, and every
// signed checkpoint (from the database and from the mirror file) against the trusted public keys.
// Reports the first broken sequence number.

import type { Db } from '../../db/connect.js';
import { eventHash, GENESIS_HASH } from './canonical.js';
import { verifyCheckpoint, type Checkpoint, type TrustedKeys } from './signer.js';

export interface VerifyResult {
  ok: boolean;
  checked: number;
  headSeq: number;
  checkpoints: number;
  firstBrokenSeq?: number;
  problem?: string;
}

const BATCH = 10_000;

export async function verifyAuditLog(db: Db, keys: TrustedKeys, mirrored: Checkpoint[] = []): Promise<VerifyResult> {
  const broken = (seq: number, problem: string, checked: number, headSeq: number, checkpoints = 0): VerifyResult => ({
    ok: false,
    checked,
    headSeq,
    checkpoints,
    firstBrokenSeq: seq,
    problem,
  });

  // Hashes at checkpointed positions, filled in while walking the chain.
  const stored = await db.kysely.selectFrom('audit_checkpoints').selectAll().execute();
  const bySeq = new Map<string, Checkpoint>();
  for (const cp of [...stored, ...mirrored]) bySeq.set(`${cp.seq}:${cp.hash}:${cp.signature}`, cp);
  const checkpoints = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  const wanted = new Set(checkpoints.map((c) => c.seq));
  const hashAt = new Map<number, string>();

  let prev = GENESIS_HASH;
  let expected = 1;
  let checked = 0;
  for (;;) {
    const rows = await db.kysely
      .selectFrom('audit_events')
      .selectAll()
      .where('seq', '>=', expected)
      .orderBy('seq')
      .limit(BATCH)
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      if (row.seq !== expected) return broken(expected, `event ${expected} is missing (next present is ${row.seq})`, checked, row.seq);
      if (row.prev_hash !== prev) return broken(row.seq, `event ${row.seq} does not link to the hash of event ${row.seq - 1}`, checked, row.seq);
      if (eventHash(row) !== row.hash) return broken(row.seq, `event ${row.seq} was altered: its content does not match its hash`, checked, row.seq);
      if (wanted.has(row.seq)) hashAt.set(row.seq, row.hash);
      prev = row.hash;
      expected += 1;
      checked += 1;
    }
  }
  const headSeq = expected - 1;

  // The chain is self-consistent; checkpoints catch a rewritten chain and a cut-off tail.
  let lastGood = 0;
  for (const cp of checkpoints) {
    if (!verifyCheckpoint(keys, cp)) {
      return broken(cp.seq, `the checkpoint at event ${cp.seq} has no valid signature from a trusted key`, checked, headSeq, checkpoints.length);
    }
    if (cp.seq > headSeq) {
      return broken(headSeq + 1, `the log ends at event ${headSeq} but a signed checkpoint covers event ${cp.seq}: events were deleted from the end`, checked, headSeq, checkpoints.length);
    }
    if (hashAt.get(cp.seq) !== cp.hash) {
      return broken(lastGood + 1, `events ${lastGood + 1}..${cp.seq} were rewritten: event ${cp.seq} no longer matches its signed checkpoint`, checked, headSeq, checkpoints.length);
    }
    lastGood = cp.seq;
  }
  return { ok: true, checked, headSeq, checkpoints: checkpoints.length };
}
