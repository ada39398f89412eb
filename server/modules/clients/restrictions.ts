// Status changes and restrictions of a client, inside a caller's mutation. Every change goes
// through the lifecycle machine (shared/clients/lifecycle.ts) and is audited with its actor,
// reason, before and after, so the client's timeline shows why they could or could not trade.

import { checkTransition, type ClientStatus, type RestrictionKind, RESTRICTION_KINDS } from '../../../shared/clients/lifecycle.js';
import { DomainError } from '../../../shared/errors.js';
import type { Mutation } from '../../core/store.js';
import type { ClientRow } from '../../db/schema.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';

export async function loadClient(m: Mutation, clientId: string): Promise<ClientRow> {
  const row = await m.trx.selectFrom('clients').selectAll().where('id', '=', clientId).executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', `Client ${clientId} does not exist.`);
  return row;
}

export function restrictionsOf(row: Pick<ClientRow, 'restrictions_json'>): RestrictionKind[] {
  return readJson(JSON_COLUMNS.restrictions, row.restrictions_json, 'clients.restrictions_json');
}

/** Moves a client to another lifecycle status, or refuses with INVALID_TRANSITION. */
export async function transitionClient(
  m: Mutation,
  client: ClientRow,
  to: ClientStatus,
  opts: { reason: string; caseRef?: string; policyRef?: string },
): Promise<ClientRow> {
  const from = client.status;
  if (from === to) return client;
  const check = checkTransition(from, to);
  if (!check.ok) throw new DomainError(check.reason, check.message, { from, to });
  await m.trx.updateTable('clients').set({ status: to, status_changed_at: m.now, updated_at: m.now }).where('id', '=', client.id).execute();
  m.audit({
    action: 'client.status_changed',
    targetType: 'client',
    targetId: client.id,
    clientId: client.id,
    legalEntity: client.legal_entity,
    before: { status: from },
    after: { status: to },
    reason: opts.reason,
    caseRef: opts.caseRef,
    policyRef: opts.policyRef,
  });
  m.changed('clients', client.id, client.legal_entity, 'update');
  return { ...client, status: to, status_changed_at: m.now, updated_at: m.now };
}

/**
 * Adds a restriction and moves the client to `restricted` (the lifecycle allows it from every
 * status but closed): a confirmed sanctions match must stop withdrawals and new positions
 * whatever the onboarding stage.
 */
export async function restrictClient(m: Mutation, client: ClientRow, kind: RestrictionKind, opts: { reason: string; caseRef?: string; policyRef?: string }): Promise<ClientRow> {
  if (client.status === 'closed') throw new DomainError('INVALID_TRANSITION', `Client ${client.id} is closed; a closed client cannot be restricted.`);
  const before = restrictionsOf(client);
  const after = before.includes(kind) ? before : [...before, kind];
  if (after !== before) {
    await m.trx.updateTable('clients').set({ restrictions_json: JSON.stringify(after), updated_at: m.now }).where('id', '=', client.id).execute();
    m.audit({
      action: 'client.restricted',
      targetType: 'client',
      targetId: client.id,
      clientId: client.id,
      legalEntity: client.legal_entity,
      before: { restrictions: before },
      after: { restrictions: after, removes: RESTRICTION_KINDS[kind].removes },
      reason: `${RESTRICTION_KINDS[kind].label}: ${opts.reason}`,
      caseRef: opts.caseRef,
      policyRef: opts.policyRef,
    });
    m.changed('clients', client.id, client.legal_entity, 'update');
  }
  const next = { ...client, restrictions_json: JSON.stringify(after) };
  return client.status === 'restricted' ? next : transitionClient(m, next, 'restricted', opts);
}
