// Evidence packs (issue 18, decision 0027): one client's, staff member's or MT5 operation's
// evidence as a signed ZIP an auditor verifies offline (`npm run evidence:verify`). The export
// first signs the chain's head, so every event is covered by a checkpoint; proves each event to
// its checkpoint (proofs.ts); writes the events with every hashed field, the documents they
// recorded, the view and a PDF report; lists every file's SHA-256 in a manifest the server signs;
// and records the export itself in the audit log with the manifest's hash.
//
// Personal data goes in only as the exporter may see it (server/core/disclosure.ts): an event the
// exporter would see masked is written masked and proven by its hash alone, and the documents
// (identity papers) are included only where the exporter holds `clients.pii` in the client's entity.

import { createHash } from 'node:crypto';
import { zipSync, type Zippable } from 'fflate';
import { DomainError } from '../../../shared/errors.js';
import type { AuthContext } from '../../core/auth.js';
import { disclose, disclosureFor, type Disclosure } from '../../core/disclosure.js';
import type { Store } from '../../core/store.js';
import type { AuditEventRow } from '../../db/schema.js';
import type { SigningKeys } from '../audit/keys.js';
import type { AuditLog } from '../audit/log.js';
import type { AuditMacKey } from '../audit/mac.js';
import type { DocumentStore } from '../documents/store.js';
import { CHECKPOINTS, EVENTS, MANIFEST, MANIFEST_SIG, PACK_FORMAT, PROOFS, REPORT, VIEW, type EventLine, type Manifest } from './pack-format.js';
import { reportOf } from './pack-report.js';
import { proveEvents } from './proofs.js';
import { renderReport } from './report.js';
import { item, type EvidenceService } from './views.js';

/** Events one pack carries at most: far beyond any one subject's history, a bound on memory all the same. */
const PACK_LIMIT = 1_000_000;

export type PackSubject = { clientId: string } | { userId: string } | { caseRef: string };

export interface Pack {
  fileName: string;
  sha256: string;
  manifestSha256: string;
  content: Buffer;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function fileSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
}

function hashedFields(row: AuditEventRow) {
  const { hash: _hash, mac: _mac, mac_key_id: _macKeyId, ...fields } = row;
  return fields;
}

/** One event as the exporter may see it: whole (the verifier recomputes its hash) or masked (proven by its hash). */
function eventLineOf(row: AuditEventRow, d: Disclosure): { line: EventLine; shown: ReturnType<typeof item> } {
  const whole = item(row);
  if (d.everywhere) return { line: { seq: row.seq, hash: row.hash, masked: false, event: hashedFields(row) }, shown: whole };
  const shown = disclose(whole, d);
  if (JSON.stringify(shown) === JSON.stringify(whole)) return { line: { seq: row.seq, hash: row.hash, masked: false, event: hashedFields(row) }, shown: whole };
  return { line: { seq: row.seq, hash: row.hash, masked: true, shown }, shown };
}

export class EvidencePacks {
  constructor(
    private readonly store: Store,
    private readonly views: EvidenceService,
    private readonly auditLog: AuditLog,
    private readonly macKey: AuditMacKey,
    private readonly keys: SigningKeys,
    private readonly documents: DocumentStore,
  ) {}

  async export(auth: AuthContext, subject: PackSubject): Promise<Pack> {
    const exportedAt = this.store.now();
    // Every event to be packed must lie under a signed checkpoint: sign the head now. A broken
    // chain is refused here (nothing is signed over it).
    try {
      await this.auditLog.checkpointNow(exportedAt, true);
    } catch (error) {
      throw new DomainError('AUDIT_CHAIN_BROKEN', `${(error as Error).message}; no evidence pack is signed over a broken chain (run audit:verify).`);
    }
    const d = disclosureFor(auth);
    const { kind, id, legalEntity, label, view, rows, documents } = await this.read(auth, subject, d);
    const shownView = disclose(view, d);
    const lines = rows.map((r) => eventLineOf(r, d));
    const { checkpoints, proofs } = await proveEvents(this.store.kysely, this.auditLog, this.macKey, rows.map((r) => r.seq));

    const files: Record<string, Uint8Array> = {};
    files[EVENTS] = Buffer.from(lines.map((l) => JSON.stringify(l.line)).join('\n') + (lines.length ? '\n' : ''), 'utf8');
    files[PROOFS] = Buffer.from(JSON.stringify(proofs), 'utf8');
    files[CHECKPOINTS] = Buffer.from(JSON.stringify(checkpoints, null, 1), 'utf8');
    files[VIEW] = Buffer.from(JSON.stringify({ ...shownView, events: undefined }, null, 1), 'utf8');
    const packedDocuments: Manifest['documents'] = [];
    for (const doc of documents) {
      const recordedBy = rows.find((r) => r.action === 'kyc.document.received' && r.target_type === 'document' && r.target_id === doc.id);
      const path = doc.included ? `documents/${fileSafe(doc.id)}-${fileSafe(doc.fileName)}` : null;
      if (path) files[path] = this.documents.get(doc.sha256);
      packedDocuments.push({ documentId: doc.id, sha256: doc.sha256, path, recordedBySeq: recordedBy?.seq ?? null });
    }
    const personalData = d.everywhere || (legalEntity !== null && d.entities.has(legalEntity)) ? 'included' : 'masked';
    const signedKey = this.auditLog.signBytes(Buffer.alloc(0));
    const keys = await this.keys.publicKeys();
    if (!keys.some((k) => k.keyId === signedKey.keyId)) keys.push({ keyId: signedKey.keyId, publicKey: signedKey.publicKeyPem });
    files[REPORT] = await renderReport(
      reportOf({ kind, id, label, legalEntity, view: shownView, shownEvents: lines.map((l) => l.shown), checkpoints, exportedAt, exporter: auth.actor.name, keyId: signedKey.keyId, personalData, documents: packedDocuments }),
      exportedAt,
    );

    const manifest: Manifest = {
      format: PACK_FORMAT,
      subject: { kind, id, legalEntity, label },
      exportedAt,
      exportedBy: { id: auth.actor.id, name: auth.actor.name },
      files: Object.entries(files).map(([path, bytes]) => ({ path, sha256: sha256(bytes), size: bytes.length })),
      events: { count: rows.length, seqs: rows.map((r) => r.seq), masked: lines.filter((l) => l.line.masked).map((l) => l.line.seq) },
      documents: packedDocuments,
      keys,
      personalData,
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 1), 'utf8');
    const signed = this.auditLog.signBytes(manifestBytes);
    const zipped: Zippable = {};
    const mtime = new Date(exportedAt);
    for (const [path, bytes] of Object.entries({ ...files, [MANIFEST]: manifestBytes, [MANIFEST_SIG]: Buffer.from(JSON.stringify({ keyId: signed.keyId, signature: signed.signature }), 'utf8') })) {
      zipped[path] = [bytes, { level: path.endsWith('.pdf') || path.startsWith('documents/') ? 0 : 6, mtime }];
    }
    const content = Buffer.from(zipSync(zipped));
    const pack: Pack = { fileName: `evidence-${kind}-${fileSafe(id)}-${exportedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.zip`, sha256: sha256(content), manifestSha256: sha256(manifestBytes), content };
    await this.store.mutate(auth.actor, async (m) => {
      m.audit({
        action: 'evidence.exported',
        targetType: kind === 'staff' ? 'user' : kind === 'client' ? 'client' : 'case',
        targetId: id,
        clientId: kind === 'client' ? id : undefined,
        legalEntity,
        after: { fileName: pack.fileName, manifestSha256: pack.manifestSha256, packSha256: pack.sha256, events: rows.length, maskedEvents: manifest.events.masked.length, documents: packedDocuments.filter((x) => x.path).length, personalData, keyId: signed.keyId },
      });
    });
    return pack;
  }

  private async read(auth: AuthContext, subject: PackSubject, d: Disclosure) {
    if ('clientId' in subject) {
      const { view, rows } = await this.views.clientEvidence(auth, subject, PACK_LIMIT);
      const entity = view.subject.legalEntity;
      const included = d.everywhere || d.entities.has(entity);
      return {
        kind: 'client' as const,
        id: view.subject.clientId,
        legalEntity: entity,
        label: included ? view.subject.name : view.subject.clientId,
        view,
        rows,
        documents: view.documents.map((doc) => ({ id: doc.documentId, sha256: doc.sha256, fileName: doc.fileName, included: included && this.documents.has(doc.sha256) })),
      };
    }
    if ('userId' in subject) {
      if (!auth.permissions.has('access.read')) throw new DomainError('FORBIDDEN_PERMISSION', 'A staff member\'s evidence needs "access.read" (staff records) as well as "evidence.read".');
      const { view, rows } = await this.views.staffEvidence(auth, { userId: subject.userId }, PACK_LIMIT);
      return { kind: 'staff' as const, id: view.subject.username, legalEntity: null, label: `${view.subject.displayName} (${view.subject.username})`, view, rows, documents: [] };
    }
    const { view, rows } = await this.views.operationEvidence(auth, subject, PACK_LIMIT);
    const s = view.subject;
    const legalEntity = 'legalEntity' in s && typeof s.legalEntity === 'string' ? s.legalEntity : null;
    return { kind: 'operation' as const, id: s.caseRef, legalEntity, label: `${s.kind === 'intervention' ? 'Intervention' : 'MT5 manager operation'} ${s.caseRef}`, view, rows, documents: [] };
  }
}
