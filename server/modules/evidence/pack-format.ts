// What an evidence pack holds (decision 0027), shared by the exporter and the offline verifier:
//
//   manifest.json     the subject, the exporter, every other file's SHA-256 and size, the events'
//                     sequence numbers, the documents and the keys; manifest.sig signs it
//   manifest.sig      { keyId, signature }: Ed25519 over the bytes of manifest.json
//   events.jsonl      one audited event a line, with every field its hash covers (or, where the
//                     exporter may not see a client's personal data, masked and proven by its hash)
//   proofs.json       for each event, its checkpoint segment, its index there and the sibling hashes
//                     up to the segment's Merkle root
//   checkpoints.json  the signed checkpoints of those segments (format 2 signs the root; a format-1
//                     checkpoint comes with an attestation the exporter signed after re-checking
//                     its segment)
//   view.json         the evidence view as the exporter saw it (subject, documents, policies, grants)
//   documents/…       the documents the events recorded, where the exporter may see them
//   report.pdf        the same, for people

import { z } from 'zod';

export const PACK_FORMAT = 'fx-backoffice/evidence-pack/v1';
export const MANIFEST = 'manifest.json';
export const MANIFEST_SIG = 'manifest.sig';
export const EVENTS = 'events.jsonl';
export const PROOFS = 'proofs.json';
export const CHECKPOINTS = 'checkpoints.json';
export const VIEW = 'view.json';
export const REPORT = 'report.pdf';

/** What the exporter signs for a format-1 checkpoint's segment after checking it the way the signer checks one. */
export function attestationMessage(firstSeq: number, seq: number, hash: string, root: string): Buffer {
  return Buffer.from(`fx-backoffice/evidence-attestation/v1\n${firstSeq}\n${seq}\n${hash}\n${root}`, 'utf8');
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in hex');

/** Every field an audit event's hash covers, as stored (canonical.ts). */
export const hashedEvent = z.object({
  seq: z.number().int().positive(),
  at: z.string(),
  actor_id: z.string(),
  actor_name: z.string(),
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  session_id: z.string().nullable(),
  action: z.string(),
  target_type: z.string().nullable(),
  target_id: z.string().nullable(),
  client_id: z.string().nullable(),
  legal_entity: z.string().nullable(),
  before_json: z.string().nullable(),
  after_json: z.string().nullable(),
  reason: z.string().nullable(),
  approvers_json: z.string().nullable(),
  case_ref: z.string().nullable(),
  policy_ref: z.string().nullable(),
  prev_hash: hex64,
});

export const eventLine = z.discriminatedUnion('masked', [
  z.object({ seq: z.number().int().positive(), hash: hex64, masked: z.literal(false), event: hashedEvent }),
  // Shown as the exporter may see it (personal data masked): proven part of the chain by its hash, not recomputed.
  z.object({ seq: z.number().int().positive(), hash: hex64, masked: z.literal(true), shown: z.record(z.string(), z.unknown()) }),
]);
export type EventLine = z.infer<typeof eventLine>;

export const proofs = z.array(z.object({ seq: z.number().int().positive(), checkpointSeq: z.number().int().positive(), index: z.number().int().nonnegative(), siblings: z.array(hex64) }));
export type EventProofs = z.infer<typeof proofs>;

export const packCheckpoint = z.object({
  seq: z.number().int().positive(),
  hash: hex64,
  at: z.string(),
  key_id: z.string(),
  signature: z.string(),
  first_seq: z.number().int().positive().nullable(),
  root: hex64.nullable(),
  /** For a format-1 checkpoint: the segment and its root, signed at export. */
  attestation: z.object({ firstSeq: z.number().int().positive(), root: hex64, keyId: z.string(), signature: z.string() }).nullable(),
});
export const packCheckpoints = z.array(packCheckpoint);
export type PackCheckpoint = z.infer<typeof packCheckpoint>;

export const manifest = z.object({
  format: z.literal(PACK_FORMAT),
  subject: z.object({ kind: z.enum(['client', 'staff', 'operation']), id: z.string(), legalEntity: z.string().nullable(), label: z.string() }),
  exportedAt: z.string(),
  exportedBy: z.object({ id: z.string(), name: z.string() }),
  files: z.array(z.object({ path: z.string(), sha256: hex64, size: z.number().int().nonnegative() })),
  events: z.object({ count: z.number().int().nonnegative(), seqs: z.array(z.number().int().positive()), masked: z.array(z.number().int().positive()) }),
  documents: z.array(z.object({ documentId: z.string(), sha256: hex64, path: z.string().nullable(), recordedBySeq: z.number().int().positive().nullable() })),
  /** The public keys of every signature in the pack (checkpoints, attestations, manifest), by key id. */
  keys: z.array(z.object({ keyId: z.string(), publicKey: z.string() })),
  personalData: z.enum(['included', 'masked']),
});
export type Manifest = z.infer<typeof manifest>;

export const manifestSignature = z.object({ keyId: z.string(), signature: z.string() });
