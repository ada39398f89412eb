// Proofs that a pack's events are part of the signed audit chain (decision 0027). Each event lies in
// one checkpoint's segment (the events after the previous checkpoint up to it). A format-2
// checkpoint signed the segment's Merkle root: the segment's hashes are read, folded and compared
// with it. A format-1 checkpoint signed only the head: the segment is read whole and checked the way
// the signer checks one (links from the previous checkpoint's hash, each event's content against its
// hash, MACs), and the exporter signs an attestation of its root. Either way a segment that no
// longer matches its checkpoint stops the export: no pack is signed over a broken chain.

import type { Kysely } from 'kysely';
import { DomainError } from '../../../shared/errors.js';
import type { Database } from '../../db/schema.js';
import { GENESIS_HASH } from '../audit/canonical.js';
import { checkEvents, type AuditLog } from '../audit/log.js';
import type { AuditMacKey } from '../audit/mac.js';
import { merkleLevels, merkleProof } from '../audit/merkle.js';
import { attestationMessage, type EventProofs, type PackCheckpoint } from './pack-format.js';

const BATCH = 10_000;

function broken(problem: string): DomainError {
  return new DomainError('AUDIT_CHAIN_BROKEN', `${problem}; no evidence pack is signed over a broken chain (run audit:verify).`);
}

/** The hashes of events first..last in order, checked to be all there. */
async function segmentHashes(db: Kysely<Database>, first: number, last: number): Promise<string[]> {
  const hashes: string[] = [];
  for (let from = first; from <= last; from += BATCH) {
    const to = Math.min(last, from + BATCH - 1);
    const rows = await db.selectFrom('audit_events').select(['seq', 'hash']).where('seq', '>=', from).where('seq', '<=', to).orderBy('seq').execute();
    for (const [i, r] of rows.entries()) if (r.seq !== from + i) throw broken(`event ${from + i} is missing from the audit log`);
    if (rows.length !== to - from + 1) throw broken(`event ${from + rows.length} is missing from the audit log`);
    hashes.push(...rows.map((r) => r.hash));
  }
  return hashes;
}

/** A format-1 segment read whole and checked from the previous checkpoint's hash to this one's. */
async function checkedSegmentHashes(db: Kysely<Database>, prev: { seq: number; hash: string }, cp: { seq: number; hash: string }, macKey: AuditMacKey): Promise<string[]> {
  const hashes: string[] = [];
  const before = prev.seq === 0 ? undefined : await db.selectFrom('audit_events').select('mac').where('seq', '=', prev.seq).executeTakeFirst();
  const state = { macsStarted: before !== undefined && before.mac !== null };
  let link = prev.hash;
  for (let from = prev.seq + 1; from <= cp.seq; ) {
    const rows = await db.selectFrom('audit_events').selectAll().where('seq', '>=', from).where('seq', '<=', cp.seq).orderBy('seq').limit(BATCH).execute();
    if (rows.length === 0) throw broken(`event ${from} is missing from the audit log`);
    const found = checkEvents(rows, link, from, new Map([[macKey.keyId, macKey]]), state);
    if (found) throw broken(found.problem);
    hashes.push(...rows.map((r) => r.hash));
    link = rows.at(-1)!.hash;
    from = rows.at(-1)!.seq + 1;
  }
  if (link !== cp.hash) throw broken(`events ${prev.seq + 1}..${cp.seq} no longer match the checkpoint signed at event ${cp.seq}`);
  return hashes;
}

/**
 * The checkpoints covering `seqs` (ascending) with each event's Merkle proof. Every event must be
 * covered: the caller signs the head first (AuditLog.checkpointNow).
 */
export async function proveEvents(db: Kysely<Database>, auditLog: AuditLog, macKey: AuditMacKey, seqs: readonly number[]): Promise<{ checkpoints: PackCheckpoint[]; proofs: EventProofs }> {
  if (seqs.length === 0) return { checkpoints: [], proofs: [] };
  const prevRow = await db.selectFrom('audit_checkpoints').select(['seq', 'hash']).where('seq', '<', seqs[0]!).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  let prev = prevRow ?? { seq: 0, hash: GENESIS_HASH };
  const covering = await db.selectFrom('audit_checkpoints').selectAll().where('seq', '>=', seqs[0]!).orderBy('seq').execute();
  const checkpoints: PackCheckpoint[] = [];
  const proofs: EventProofs = [];
  let i = 0;
  for (const cp of covering) {
    if (i >= seqs.length) break;
    const inSegment: number[] = [];
    while (i < seqs.length && seqs[i]! <= cp.seq) inSegment.push(seqs[i++]!);
    if (inSegment.length > 0) {
      const firstSeq = cp.first_seq ?? prev.seq + 1;
      const hashes = cp.root !== null ? await segmentHashes(db, firstSeq, cp.seq) : await checkedSegmentHashes(db, prev, cp, macKey);
      const levels = merkleLevels(hashes);
      const root = levels.at(-1)![0]!.toString('hex');
      if (cp.root !== null && root !== cp.root) throw broken(`events ${firstSeq}..${cp.seq} no longer match the Merkle root signed at event ${cp.seq}`);
      if (hashes.at(-1) !== cp.hash) throw broken(`event ${cp.seq} no longer matches its signed checkpoint`);
      let attestation: PackCheckpoint['attestation'] = null;
      if (cp.root === null) {
        const signed = auditLog.signBytes(attestationMessage(firstSeq, cp.seq, cp.hash, root));
        attestation = { firstSeq, root, keyId: signed.keyId, signature: signed.signature };
      }
      checkpoints.push({ seq: cp.seq, hash: cp.hash, at: cp.at, key_id: cp.key_id, signature: cp.signature, first_seq: cp.first_seq, root: cp.root, attestation });
      for (const seq of inSegment) proofs.push({ seq, checkpointSeq: cp.seq, index: seq - firstSeq, siblings: merkleProof(levels, seq - firstSeq) });
    }
    prev = { seq: cp.seq, hash: cp.hash };
  }
  if (i < seqs.length) throw new DomainError('INVALID_TRANSITION', `Event ${seqs[i]} is not covered by a signed checkpoint yet; try again in a moment.`);
  return { checkpoints, proofs };
}
