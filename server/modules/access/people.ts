// What the access services share about people: finding a user and naming them in summaries, the
// entity coverage an administrator needs to act on someone, and ending someone's sessions.

import { DomainError } from '../../../shared/errors.js';
import type { Actor } from '../../core/actor.js';
import type { Mutation, Store } from '../../core/store.js';
import type { ApprovedRequest } from '../approvals/registry.js';
import { entitiesOfUser } from './grants.js';

/** What an administrator acts with: who they are and the entities their permission covers. */
export interface AdminScope {
  actor: Actor;
  /** Legal entities in which the caller holds the permission the procedure needs. */
  scope: string[];
}

/** An audit event on its own (a refused sign-in, a rejected session). */
export async function recordEvent(store: Store, actor: Actor, event: Parameters<Mutation['audit']>[0]): Promise<void> {
  await store.mutate(actor, async (m) => m.audit(event));
}

export async function assertUser(m: Mutation, userId: string) {
  const user = await m.trx.selectFrom('users').select(['id', 'username', 'status']).where('id', '=', userId).executeTakeFirst();
  if (!user) throw new DomainError('NOT_FOUND', `User ${userId} does not exist.`);
  return user;
}

/** "username (USR-000123)" for summaries; the id alone when the user is gone. */
export async function usernameOf(trx: Mutation['trx'], userId: string): Promise<string> {
  const row = await trx.selectFrom('users').select('username').where('id', '=', userId).executeTakeFirst();
  return row ? `${row.username} (${userId})` : userId;
}

/**
 * An administrator scoped to some legal entities acts only on users whose grants in force all lie
 * within them: an EU administrator cannot disable, reset or sign out someone who also works for
 * another entity. A user without grants is anyone's to act on.
 */
export async function assertCovers(m: Mutation, admin: AdminScope, userId: string, username: string): Promise<void> {
  const outside = (await entitiesOfUser(m.trx, userId, m.now)).filter((e) => !admin.scope.includes(e));
  if (outside.length > 0) {
    throw new DomainError(
      'OUT_OF_ENTITY_SCOPE',
      `${username} holds roles in ${outside.join(', ')}, outside the entities you administer (${admin.scope.join(', ') || 'none'}): an administrator of every entity they work in must ask.`,
    );
  }
}

/** Ends the user's open sessions (or the one named), by the mutation's actor, and says how many. */
export async function endSessions(m: Mutation, userId: string, why: string, only?: string): Promise<number> {
  let q = m.trx.updateTable('sessions').set({ revoked_at: m.now, revoked_by: m.actor.id, revoke_reason: why }).where('user_id', '=', userId).where('revoked_at', 'is', null);
  if (only) q = q.where('id', '=', only);
  return Number((await q.executeTakeFirst()).numUpdatedRows);
}

/** The fields every audit event of an approved action carries. */
export const decided = (request: ApprovedRequest) => ({ reason: request.reason, approvers: request.approvers, caseRef: request.id, policyRef: request.policyRef });
