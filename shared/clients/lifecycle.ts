// The client lifecycle: a pure state machine, authoritative on the server and read by the desktop
// app to offer only the legal actions. Each status states what the client may do; a restriction
// narrows that further while the client is restricted (a confirmed sanctions match stops
// withdrawals and new positions; an expired document stops withdrawals or trading).

import type { Reason } from '../errors.js';

export const CLIENT_STATUSES = ['registered', 'pending_review', 'pending_documents', 'approved', 'restricted', 'closed'] as const;
export type ClientStatus = (typeof CLIENT_STATUSES)[number];

export const CLIENT_TYPES = ['individual', 'corporate'] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];

/** What a client may do on the platform and with money. */
export interface Capabilities {
  readonly deposit: boolean;
  readonly withdraw: boolean;
  readonly openPositions: boolean;
  readonly closePositions: boolean;
}

export const STATUS_LABELS: Record<ClientStatus, string> = {
  registered: 'Registered',
  pending_review: 'Pending review',
  pending_documents: 'Pending documents',
  approved: 'Approved',
  restricted: 'Restricted',
  closed: 'Closed',
};

/**
 * Per status. `pending_review` may deposit only where the legal entity's policy allows it, so its
 * `deposit` here is the ceiling and `capabilities()` applies the entity's rule.
 */
const BASE: Record<ClientStatus, Capabilities> = {
  registered: { deposit: false, withdraw: false, openPositions: false, closePositions: false },
  pending_review: { deposit: true, withdraw: false, openPositions: false, closePositions: false },
  pending_documents: { deposit: false, withdraw: false, openPositions: false, closePositions: false },
  approved: { deposit: true, withdraw: true, openPositions: true, closePositions: true },
  restricted: { deposit: true, withdraw: false, openPositions: false, closePositions: true },
  closed: { deposit: false, withdraw: false, openPositions: false, closePositions: false },
};

/** Why a client is restricted, each with what it takes away beyond the status itself. */
export const RESTRICTION_KINDS = {
  sanctions_match: { label: 'Confirmed sanctions match', removes: ['deposit', 'withdraw', 'openPositions'] },
  document_expired_identity: { label: 'Identity document expired', removes: ['openPositions'] },
  document_expired_address: { label: 'Proof of address expired', removes: ['withdraw'] },
  compliance_hold: { label: 'Compliance hold', removes: ['withdraw', 'openPositions'] },
} as const satisfies Record<string, { label: string; removes: ReadonlyArray<keyof Capabilities> }>;

export type RestrictionKind = keyof typeof RESTRICTION_KINDS;

export function capabilities(status: ClientStatus, opts: { depositWhilePendingReview?: boolean; restrictions?: readonly RestrictionKind[] } = {}): Capabilities {
  const base = { ...BASE[status] };
  if (status === 'pending_review' && !opts.depositWhilePendingReview) base.deposit = false;
  for (const r of opts.restrictions ?? []) for (const key of RESTRICTION_KINDS[r].removes) base[key] = false;
  return base;
}

/** The transitions the lifecycle allows, with what each means. */
const TRANSITIONS: Record<ClientStatus, readonly ClientStatus[]> = {
  registered: ['pending_review', 'restricted', 'closed'],
  pending_review: ['pending_documents', 'approved', 'restricted', 'closed'],
  pending_documents: ['pending_review', 'restricted', 'closed'],
  approved: ['pending_review', 'restricted', 'closed'],
  restricted: ['approved', 'pending_review', 'closed'],
  closed: [],
};

export function allowedTransitions(from: ClientStatus): readonly ClientStatus[] {
  return TRANSITIONS[from];
}

export type ClientTransition = { ok: true } | { ok: false; reason: Reason; message: string };

export function checkTransition(from: ClientStatus, to: ClientStatus): ClientTransition {
  if (TRANSITIONS[from].includes(to)) return { ok: true };
  const allowed = TRANSITIONS[from];
  return {
    ok: false,
    reason: 'INVALID_TRANSITION',
    message: `A client who is ${STATUS_LABELS[from].toLowerCase()} cannot become ${STATUS_LABELS[to].toLowerCase()}` + (allowed.length ? `; from here the client can become ${allowed.map((s) => STATUS_LABELS[s].toLowerCase()).join(', ')}.` : '; a closed client stays closed.'),
  };
}

export function isClientStatus(value: string): value is ClientStatus {
  return (CLIENT_STATUSES as readonly string[]).includes(value);
}
