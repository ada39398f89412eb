// Reading the audit log: search with cursor paging over indexed columns, filtered to the caller's
// legal entities, and verification of the chain and its signed checkpoints.

import { DomainError } from '../../../shared/errors.js';
import type { Store } from '../../core/store.js';
import type { AuditEventRow } from '../../db/schema.js';
import { readCheckpointMirror } from './log.js';
import type { AuditMacKey } from './mac.js';
import fs from 'node:fs';
import { trustedKeysFromPem } from './signer.js';
import { verifyAuditLog } from './verify.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';

export interface AuditSearch {
  actor?: string | undefined;
  clientId?: string | undefined;
  legalEntity?: string | undefined;
  action?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  caseRef?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

export function auditItem(r: AuditEventRow) {
  return {
    seq: r.seq,
    at: r.at,
    actor: r.actor_name,
    actorId: r.actor_id,
    ip: r.ip,
    userAgent: r.user_agent,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    clientId: r.client_id,
    legalEntity: r.legal_entity,
    before: r.before_json === null ? null : readJson(JSON_COLUMNS.json, r.before_json, `audit_events.before_json of ${r.seq}`),
    after: r.after_json === null ? null : readJson(JSON_COLUMNS.json, r.after_json, `audit_events.after_json of ${r.seq}`),
    reason: r.reason,
    approvers: r.approvers_json === null ? null : readJson(JSON_COLUMNS.userIds, r.approvers_json, `audit_events.approvers_json of ${r.seq}`),
    caseRef: r.case_ref,
    policyRef: r.policy_ref,
    hash: r.hash,
  };
}

export type AuditItem = ReturnType<typeof auditItem>;

export class AuditService {
  constructor(
    private readonly store: Store,
    private readonly opts: { dataDir: string; macKey: AuditMacKey; checkpointIntervalMs: number; pinnedKeyFile: string },
  ) {}

  async search(scope: string[], f: AuditSearch): Promise<{ items: AuditItem[]; nextCursor: string | null }> {
    const rows = await (await this.searchQuery(scope, f)).execute();
    const page = rows.slice(0, f.limit);
    return { items: page.map(auditItem), nextCursor: rows.length > f.limit ? String(page.at(-1)!.seq) : null };
  }

  /** The query behind `search`, separate so that its plan can be checked (every filter has an index). */
  async searchQuery(scope: string[], f: AuditSearch) {
    if (f.legalEntity && !scope.includes(f.legalEntity)) {
      throw new DomainError('OUT_OF_ENTITY_SCOPE', `Legal entity ${f.legalEntity} is outside your audit scope (${scope.join(', ') || 'none'}).`);
    }
    let cursor: number | undefined;
    if (f.cursor !== undefined) {
      if (!/^\d{1,15}$/.test(f.cursor)) throw new DomainError('VALIDATION_FAILED', 'cursor: not a cursor returned by audit.search');
      cursor = Number(f.cursor);
    }
    let q = this.store.kysely.selectFrom('audit_events').selectAll();
    // Events bound to a legal entity are visible within scope; staff-level events (no entity) to all readers.
    q = q.where((eb) => eb.or([eb('legal_entity', 'is', null), ...(scope.length ? [eb('legal_entity', 'in', scope)] : [])]));
    if (f.actor) {
      const user = await this.store.kysely.selectFrom('users').select('id').where('username', '=', f.actor.toLowerCase()).executeTakeFirst();
      q = q.where('actor_id', '=', user?.id ?? f.actor);
    }
    if (f.clientId) q = q.where('client_id', '=', f.clientId);
    if (f.legalEntity) q = q.where('legal_entity', '=', f.legalEntity);
    if (f.action) q = q.where('action', '=', f.action);
    if (f.targetType) q = q.where('target_type', '=', f.targetType);
    if (f.targetId) q = q.where('target_id', '=', f.targetId);
    if (f.caseRef) q = q.where('case_ref', '=', f.caseRef);
    if (f.from) q = q.where('at', '>=', f.from);
    if (f.to) q = q.where('at', '<', f.to);
    if (cursor !== undefined) q = q.where('seq', '<', cursor);
    return q.orderBy('seq', 'desc').limit(f.limit + 1);
  }

  async verify() {
    // The first key, pinned in the data folder; later keys are learned from the rotations it signed.
    const keys = trustedKeysFromPem([fs.readFileSync(this.opts.pinnedKeyFile, 'utf8')]);
    return verifyAuditLog(this.store.db, keys, { macKeys: [this.opts.macKey], mirrored: readCheckpointMirror(this.opts.dataDir), checkpointIntervalMs: this.opts.checkpointIntervalMs });
  }
}
