// The approval request (maker-checker) state machine: a pure function, authoritative on the server
// and used by the UI to offer only legal actions. It never looks at storage or the clock itself.

import type { Reason } from '../errors.js';
import type { Role } from '../access/permissions.js';
import { openSlots } from './slots.js';

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'executed', 'failed', 'expired', 'cancelled'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export interface ApprovalVote {
  readonly userId: string;
  readonly role: Role;
}

export interface ApprovalState {
  readonly status: ApprovalStatus;
  readonly makerId: string;
  /** People who may not approve besides the maker, e.g. the user a role grant is for. */
  readonly excludedApprovers: readonly string[];
  readonly requiredRoles: readonly Role[];
  readonly requiredCount: number;
  readonly approvals: readonly ApprovalVote[];
  readonly expiresAt: string;
  /**
   * An approval chain (rule changes): named slots, each filled by a different person holding one of
   * its roles; done when every slot is filled. Absent: any `requiredCount` holders of `requiredRoles`.
   */
  readonly chain?: ReadonlyArray<{ readonly name: string; readonly roles: readonly Role[] }> | null;
}

export type ApprovalEvent =
  | { type: 'approve'; by: string; rolesHeld: readonly Role[]; at: string }
  | { type: 'reject'; by: string; rolesHeld: readonly Role[]; at: string }
  | { type: 'needsChanges'; by: string; rolesHeld: readonly Role[]; at: string }
  | { type: 'cancel'; by: string; at: string }
  | { type: 'expire'; at: string }
  | { type: 'executed' }
  | { type: 'failed' };

export type Transition =
  | { ok: true; state: ApprovalState; execute: boolean }
  | { ok: false; reason: Reason; message: string };

const refuse = (reason: Reason, message: string): Transition => ({ ok: false, reason, message });

export function isLapsed(state: ApprovalState, at: string): boolean {
  return state.status === 'pending' && Date.parse(at) >= Date.parse(state.expiresAt);
}

export function transition(state: ApprovalState, event: ApprovalEvent): Transition {
  switch (event.type) {
    case 'approve':
    case 'reject':
    case 'needsChanges': {
      if (state.status !== 'pending') return refuse('ALREADY_DECIDED', `This request is already ${state.status}.`);
      if (isLapsed(state, event.at)) return refuse('ALREADY_DECIDED', `This request lapsed at ${state.expiresAt}.`);
      if (event.by === state.makerId) {
        return refuse('SAME_PERSON_APPROVAL', 'The person who made a request cannot decide it.');
      }
      if (state.excludedApprovers.includes(event.by)) {
        return refuse('SAME_PERSON_APPROVAL', 'You cannot decide a request that is about yourself.');
      }
      if (state.approvals.some((v) => v.userId === event.by)) {
        return refuse('DUPLICATE_APPROVER', 'You have already approved this request; one person counts once.');
      }
      let role = state.requiredRoles.find((r) => event.rolesHeld.includes(r));
      if (!role) {
        return refuse('FORBIDDEN_PERMISSION', `Deciding this request needs one of these roles: ${state.requiredRoles.join(', ')}.`);
      }
      if (event.type !== 'approve') return { ok: true, state: { ...state, status: 'rejected' }, execute: false };
      if (state.chain) {
        const given = state.approvals.map((a) => ({ roles: [a.role] }));
        const open = openSlots(state.chain, given);
        role = event.rolesHeld.find((r) => openSlots(state.chain!, [...given, { roles: [r] }]).length < open.length);
        if (!role) {
          return refuse('FORBIDDEN_PERMISSION', `This change still needs: ${open.map((s) => `${s.name} (${s.roles.join(' or ').replaceAll('_', ' ')})`).join('; ')}. Your roles (${event.rolesHeld.join(', ').replaceAll('_', ' ') || 'none'}) fill none of these.`);
        }
        const approvals = [...state.approvals, { userId: event.by, role }];
        const done = open.length === 1;
        return { ok: true, state: { ...state, approvals, status: done ? 'approved' : 'pending' }, execute: done };
      }
      const approvals = [...state.approvals, { userId: event.by, role }];
      const done = approvals.length >= state.requiredCount;
      return { ok: true, state: { ...state, approvals, status: done ? 'approved' : 'pending' }, execute: done };
    }
    case 'cancel':
      if (state.status !== 'pending') return refuse('ALREADY_DECIDED', `This request is already ${state.status}.`);
      if (event.by !== state.makerId) return refuse('FORBIDDEN_PERMISSION', 'Only the maker can withdraw a request.');
      return { ok: true, state: { ...state, status: 'cancelled' }, execute: false };
    case 'expire':
      if (!isLapsed(state, event.at)) return refuse('INVALID_TRANSITION', 'Only a pending request past its expiry can lapse.');
      return { ok: true, state: { ...state, status: 'expired' }, execute: false };
    case 'executed':
    case 'failed':
      if (state.status !== 'approved') {
        return refuse('INVALID_TRANSITION', `Only an approved request can be ${event.type}; this one is ${state.status}.`);
      }
      return { ok: true, state: { ...state, status: event.type }, execute: false };
  }
}

/** The actions a given user may take on a request now, for the UI. */
export function availableActions(
  state: ApprovalState,
  userId: string,
  rolesHeld: readonly Role[],
  at: string,
): Array<'approve' | 'reject' | 'cancel'> {
  const out: Array<'approve' | 'reject' | 'cancel'> = [];
  if (transition(state, { type: 'approve', by: userId, rolesHeld, at }).ok) out.push('approve');
  if (transition(state, { type: 'reject', by: userId, rolesHeld, at }).ok) out.push('reject');
  if (transition(state, { type: 'cancel', by: userId, at }).ok) out.push('cancel');
  return out;
}
