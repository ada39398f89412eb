// Approval kinds register here: how to validate a payload, which legal entity it belongs to, who may
// not approve it, and what executes once it is approved. Registering a kind twice is refused.

import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type { Database } from '../../db/schema.js';
import type { Mutation } from '../../core/store.js';
import type { Role } from '../../../shared/access/permissions.js';

/** Who approves a request, when its kind decides that itself rather than the approval-tiers policy. */
export interface Requirement {
  tier: string;
  roles: Role[];
  count: number;
  /** named slots, each filled by a different person (a rule change's chain); null: any `count` holders of `roles` */
  chain: Array<{ name: string; roles: Role[] }> | null;
  expiresInHours: number;
  /** the policy the requirement comes from */
  policy: { type: string; version: number; ref: string };
}

export interface ApprovedRequest {
  id: string;
  makerId: string;
  approvers: string[];
  reason: string;
  policyRef: string;
}

export interface ApprovalKind<P> {
  kind: string;
  payload: z.ZodType<P>;
  legalEntity(payload: P): string | null;
  /**
   * Legal entities in which every decider must hold one of the tier's roles, all of them, when the
   * request concerns something spanning entities (a user with grants in several). Read when each
   * decision is made; absent, the request's `legalEntity` alone decides (any entity when null).
   */
  scopeEntities?(payload: P, trx: Transaction<Database>): Promise<string[]>;
  /**
   * What a request is about (a user's role in an entity, a KYC case): while one is pending, another
   * request of the kind with the same key is refused (ALREADY_EXISTS). Absent: no limit.
   */
  pendingKey?(payload: P): string;
  /** The client the request is about, if any: every event of the request goes into that client's history. */
  clientId?(payload: P): string | null;
  /** Users besides the maker who may not decide, e.g. the person a grant is for. */
  excludedApprovers(payload: P): string[];
  /** Who approves, read from the kind's own policy (rule changes); absent: the approval-tiers policy's tier for the kind. */
  requirement?(payload: P, trx: Transaction<Database>): Promise<Requirement>;
  /**
   * Checked when the last approval would execute the action (a release window): a DomainError here
   * refuses that approval, which is not recorded, and the request stays pending.
   */
  ready?(m: Mutation, payload: P): Promise<void>;
  /** One line for queues and notifications, naming people by username. */
  summary(payload: P, trx: Transaction<Database>): Promise<string> | string;
  /**
   * Applies the approved action inside the deciding transaction. A DomainError here marks the
   * request `failed` with its message and nothing of the action is kept. The value returned goes to
   * the approver once (a temporary password, say) and is never stored.
   */
  execute(m: Mutation, payload: P, request: ApprovedRequest): Promise<Record<string, unknown> | void>;
}

export class ApprovalKinds {
  readonly #kinds = new Map<string, ApprovalKind<unknown>>();

  register<P>(kind: ApprovalKind<P>): void {
    if (this.#kinds.has(kind.kind)) throw new Error(`approval kind ${kind.kind} is registered twice`);
    this.#kinds.set(kind.kind, kind as ApprovalKind<unknown>);
  }

  get(kind: string): ApprovalKind<unknown> {
    const k = this.#kinds.get(kind);
    if (!k) throw new Error(`approval kind ${kind} is not registered`);
    return k;
  }

  names(): string[] {
    return [...this.#kinds.keys()];
  }
}
