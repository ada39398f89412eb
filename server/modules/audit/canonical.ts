// Canonical JSON (sorted keys, no whitespace, no undefined) and the event hash. The hash covers
// exactly what is stored, so that verification never depends on how an engine returns types.

import { createHash } from 'node:crypto';
import type { AuditEventRow } from '../../db/schema.js';

export const GENESIS_HASH = '0'.repeat(64);

export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
      return JSON.stringify(value);
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot serialise a ${typeof value}`);
  }
}

/** The fields the hash covers: every column but the hash and the MAC over it. */
export type HashedFields = Omit<AuditEventRow, 'hash' | 'mac' | 'mac_key_id'>;

export function eventHash(fields: HashedFields): string {
  const body = canonicalJson({
    seq: fields.seq,
    at: fields.at,
    actor_id: fields.actor_id,
    actor_name: fields.actor_name,
    ip: fields.ip,
    user_agent: fields.user_agent,
    session_id: fields.session_id,
    action: fields.action,
    target_type: fields.target_type,
    target_id: fields.target_id,
    client_id: fields.client_id,
    legal_entity: fields.legal_entity,
    before_json: fields.before_json,
    after_json: fields.after_json,
    reason: fields.reason,
    approvers_json: fields.approvers_json,
    case_ref: fields.case_ref,
    policy_ref: fields.policy_ref,
  });
  return createHash('sha256').update(fields.prev_hash).update('\n').update(body).digest('hex');
}
