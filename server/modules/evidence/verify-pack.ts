// Checks an evidence pack offline (decision 0027), trusting nothing in it but what the given public
// keys signed: the manifest's signature; every file against the manifest (a changed byte, a swapped
// or added document); every event's hash from its content; every event's Merkle proof to its
// checkpoint's root; every checkpoint (and attestation) under a trusted key; the events against the
// manifest's list (a dropped or added event); each document against the SHA-256 its event recorded.
// It reports every problem it finds, each naming the file, event or document.

import { createHash, createPublicKey } from 'node:crypto';
import { unzipSync } from 'fflate';
import type { z } from 'zod';
import { eventHash } from '../audit/canonical.js';
import { verifyMerkleProof } from '../audit/merkle.js';
import { keyIdOf, verifyCheckpoint, verifySigned, type TrustedKeys } from '../audit/signer.js';
import { attestationMessage, CHECKPOINTS, EVENTS, eventLine, manifest as manifestSchema, MANIFEST, MANIFEST_SIG, manifestSignature, packCheckpoints, PROOFS, proofs as proofsSchema, type EventLine, type Manifest } from './pack-format.js';

export interface PackVerdict {
  ok: boolean;
  problems: string[];
  /** What was checked, for the summary line. */
  subject: string | null;
  events: number;
  documents: number;
  checkpoints: number;
  /** The keys trusted and whence: given by the caller, or (with a warning) carried in the pack. */
  trust: 'given' | 'pack';
  keyIds: string[];
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function parseJson<T>(files: Record<string, Uint8Array>, name: string, schema: z.ZodType<T>, problems: string[]): T | null {
  const bytes = files[name];
  if (!bytes) {
    problems.push(`${name} is missing from the pack`);
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    problems.push(`${name} is not JSON (${(error as Error).message})`);
    return null;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    problems.push(`${name} is not in the pack format (${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'})`);
    return null;
  }
  return parsed.data;
}

function readEvents(bytes: Uint8Array | undefined, problems: string[]): EventLine[] {
  if (!bytes) {
    problems.push(`${EVENTS} is missing from the pack`);
    return [];
  }
  const out: EventLine[] = [];
  for (const [i, text] of Buffer.from(bytes).toString('utf8').split('\n').entries()) {
    if (!text.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      problems.push(`${EVENTS} line ${i + 1} is not JSON`);
      continue;
    }
    const parsed = eventLine.safeParse(value);
    if (parsed.success) out.push(parsed.data);
    else problems.push(`${EVENTS} line ${i + 1} is not an event (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? ''})`);
  }
  return out;
}

function trustedKeys(given: readonly string[], m: Manifest | null, problems: string[]): { keys: TrustedKeys; trust: 'given' | 'pack' } {
  const byId = new Map<string, ReturnType<typeof createPublicKey>>();
  const pems = given.length > 0 ? given : (m?.keys.map((k) => k.publicKey) ?? []);
  for (const pem of pems) {
    try {
      const key = createPublicKey(pem);
      byId.set(keyIdOf(key), key);
    } catch (error) {
      problems.push(`a public key ${given.length > 0 ? 'given' : 'in the manifest'} is not a PEM public key (${(error as Error).message})`);
    }
  }
  return { keys: { byId }, trust: given.length > 0 ? 'given' : 'pack' };
}

/** Verifies the pack's bytes; `publicKeys` are the PEM keys the auditor trusts (none: the pack's own, which proves integrity but not origin). */
export function verifyPack(zip: Uint8Array, publicKeys: readonly string[] = []): PackVerdict {
  const problems: string[] = [];
  const verdict = (m: Manifest | null, extra: Partial<PackVerdict>): PackVerdict => ({ ok: problems.length === 0, problems, subject: m ? `${m.subject.kind} ${m.subject.id}` : null, events: 0, documents: 0, checkpoints: 0, trust: publicKeys.length > 0 ? 'given' : 'pack', keyIds: [], ...extra });
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip);
  } catch (error) {
    problems.push(`not a ZIP archive (${(error as Error).message})`);
    return verdict(null, {});
  }
  const m = parseJson(files, MANIFEST, manifestSchema, problems);
  const sig = parseJson(files, MANIFEST_SIG, manifestSignature, problems);
  const { keys, trust } = trustedKeys(publicKeys, m, problems);
  if (!m || !sig) return verdict(m, { trust, keyIds: [...keys.byId.keys()] });

  // 1. The manifest is the server's: everything else is checked against it.
  if (!keys.byId.has(sig.keyId)) problems.push(`${MANIFEST_SIG}: signed with key ${sig.keyId}, which is not a trusted key (${[...keys.byId.keys()].join(', ') || 'none'})`);
  else if (!verifySigned(keys, sig.keyId, Buffer.from(files[MANIFEST]!), sig.signature)) problems.push(`${MANIFEST}: its signature does not match: the manifest was changed after it was signed`);

  // 2. Every file is the one the manifest lists, and nothing was added.
  const listed = new Map(m.files.map((f) => [f.path, f]));
  for (const f of m.files) {
    const bytes = files[f.path];
    if (!bytes) problems.push(`${f.path}: listed in the manifest but missing from the pack`);
    else if (sha256(bytes) !== f.sha256) problems.push(`${f.path}: its SHA-256 is not the one in the manifest: the file was changed or replaced`);
  }
  for (const name of Object.keys(files)) {
    if (name !== MANIFEST && name !== MANIFEST_SIG && !name.endsWith('/') && !listed.has(name)) problems.push(`${name}: in the pack but not in the manifest: added after export`);
  }

  // 3. The events: each one listed, each hash from its content, each proven to a signed checkpoint.
  const events = readEvents(files[EVENTS], problems);
  const proofs = parseJson(files, PROOFS, proofsSchema, problems) ?? [];
  const checkpoints = parseJson(files, CHECKPOINTS, packCheckpoints, problems) ?? [];
  const bySeq = new Map(events.map((e) => [e.seq, e]));
  const listedSeqs = new Set(m.events.seqs);
  for (const seq of m.events.seqs) if (!bySeq.has(seq)) problems.push(`event ${seq}: listed in the manifest but missing from ${EVENTS}: the event was dropped`);
  for (const e of events) if (!listedSeqs.has(e.seq)) problems.push(`event ${e.seq}: in ${EVENTS} but not listed in the manifest: added after export`);
  const maskedSeqs = new Set(m.events.masked);
  for (const e of events) {
    if (e.masked !== maskedSeqs.has(e.seq)) problems.push(`event ${e.seq}: ${e.masked ? 'masked' : 'whole'} in ${EVENTS} but not so in the manifest`);
    if (!e.masked && (e.event.seq !== e.seq || eventHash(e.event) !== e.hash)) problems.push(`event ${e.seq}: its content does not match its hash: the event was altered`);
  }
  const cpBySeq = new Map(checkpoints.map((c) => [c.seq, c]));
  for (const c of checkpoints) {
    if (!verifyCheckpoint(keys, c)) problems.push(`checkpoint ${c.seq}: no valid signature from a trusted key (key ${c.key_id})`);
    if (c.root === null) {
      const a = c.attestation;
      if (!a) problems.push(`checkpoint ${c.seq}: format 1 without the exporter's attestation of its segment`);
      else if (!verifySigned(keys, a.keyId, attestationMessage(a.firstSeq, c.seq, c.hash, a.root), a.signature)) problems.push(`checkpoint ${c.seq}: the attestation of its segment has no valid signature from a trusted key`);
    }
  }
  const proofBySeq = new Map(proofs.map((p) => [p.seq, p]));
  for (const e of events) {
    const p = proofBySeq.get(e.seq);
    const c = p ? cpBySeq.get(p.checkpointSeq) : undefined;
    if (!p) problems.push(`event ${e.seq}: no proof of its place in the chain`);
    else if (!c) problems.push(`event ${e.seq}: its proof names checkpoint ${p.checkpointSeq}, which is not in the pack`);
    else {
      const firstSeq = c.first_seq ?? c.attestation?.firstSeq ?? 0;
      const root = c.root ?? c.attestation?.root ?? '';
      if (p.index !== e.seq - firstSeq || !verifyMerkleProof(e.hash, p.index, c.seq - firstSeq + 1, p.siblings, root)) {
        problems.push(`event ${e.seq}: not part of the chain signed at checkpoint ${c.seq} (its hash does not fold to the signed root at position ${e.seq})`);
      }
    }
  }

  // 4. Each included document is the one its event recorded.
  for (const d of m.documents) {
    if (d.path === null) continue;
    const bytes = files[d.path];
    if (bytes && sha256(bytes) !== d.sha256) problems.push(`${d.path}: not document ${d.documentId} (SHA-256 ${d.sha256.slice(0, 16)}…): the document was swapped`);
    const recorded = d.recordedBySeq === null ? undefined : bySeq.get(d.recordedBySeq);
    if (recorded && !recorded.masked && recorded.event.after_json !== null) {
      const after = JSON.parse(recorded.event.after_json) as { sha256?: unknown };
      if (after.sha256 !== d.sha256) problems.push(`document ${d.documentId}: event ${d.recordedBySeq} recorded SHA-256 ${String(after.sha256).slice(0, 16)}…, not the ${d.sha256.slice(0, 16)}… listed`);
    }
  }
  return verdict(m, { events: events.length, documents: m.documents.filter((d) => d.path).length, checkpoints: checkpoints.length, trust, keyIds: [...keys.byId.keys()] });
}
