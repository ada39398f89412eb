// The KYC case: its statuses, the documents it needs, and the transitions a reviewer may take. A
// pure function used by the server (authoritative) and the desktop app (to offer only legal actions).

import type { Reason } from '../errors.js';

export const KYC_STATUSES = ['open', 'pending_documents', 'escalated', 'approved', 'rejected'] as const;
export type KycStatus = (typeof KYC_STATUSES)[number];

export const KYC_ACTIONS = ['assign', 'requestDocuments', 'escalate', 'approve', 'reject'] as const;
export type KycAction = (typeof KYC_ACTIONS)[number];

export const DOCUMENT_TYPES = {
  passport: { label: 'Passport', category: 'identity', expires: true },
  national_id: { label: 'National identity card', category: 'identity', expires: true },
  driving_licence: { label: 'Driving licence', category: 'identity', expires: true },
  proof_of_address: { label: 'Proof of address (utility bill or bank statement)', category: 'address', expires: false },
  company_registration: { label: 'Certificate of incorporation', category: 'corporate', expires: false },
  ownership_structure: { label: 'Register of shareholders and ownership chart', category: 'corporate', expires: false },
  source_of_wealth: { label: 'Source of wealth evidence', category: 'edd', expires: false },
} as const;

export type DocumentType = keyof typeof DOCUMENT_TYPES;

/** The document types a client of this type may be asked for: its required categories, and source-of-wealth evidence. */
export function documentTypesFor(clientType: keyof typeof REQUIRED_CATEGORIES): DocumentType[] {
  const wanted = new Set<DocumentCategory>([...REQUIRED_CATEGORIES[clientType], 'edd']);
  return (Object.keys(DOCUMENT_TYPES) as DocumentType[]).filter((t) => wanted.has(DOCUMENT_TYPES[t].category));
}

/** The document types that serve one category (identity: passport, national identity card, driving licence). */
export function typesOfCategory(category: (typeof DOCUMENT_TYPES)[DocumentType]['category']): DocumentType[] {
  return (Object.keys(DOCUMENT_TYPES) as DocumentType[]).filter((t) => DOCUMENT_TYPES[t].category === category);
}
export type DocumentCategory = (typeof DOCUMENT_TYPES)[DocumentType]['category'];
export const DOCUMENT_TYPE_NAMES = Object.keys(DOCUMENT_TYPES) as [DocumentType, ...DocumentType[]];

/** What a case needs before approval, per client type: one accepted, unexpired document of each category. */
export const REQUIRED_CATEGORIES: Record<'individual' | 'corporate', readonly DocumentCategory[]> = {
  individual: ['identity', 'address'],
  corporate: ['corporate', 'address'],
};

/** Proof of address counts for this many days from its issue date. */
export const PROOF_OF_ADDRESS_VALID_DAYS = 90;

/** Why a document or a case is rejected: a closed catalog, so reports can count them. */
export const REJECTION_REASONS = {
  document_unreadable: 'The document cannot be read (blurred, cropped or glare)',
  document_expired: 'The document has expired',
  document_mismatch: 'The document does not match the declared details',
  document_suspected_forgery: 'The document shows signs of alteration or forgery',
  address_too_old: 'The proof of address is older than three months',
  sanctions_match: 'The client is a confirmed sanctions match',
  high_risk_not_accepted: 'The client is outside the broker\u2019s risk appetite',
  incomplete_information: 'The client did not provide the information requested',
  duplicate_account: 'The client already holds an account',
} as const;

export type RejectionReason = keyof typeof REJECTION_REASONS;
export const REJECTION_REASON_NAMES = Object.keys(REJECTION_REASONS) as [RejectionReason, ...RejectionReason[]];

const TRANSITIONS: Record<KycStatus, Partial<Record<KycAction, KycStatus>>> = {
  open: { assign: 'open', requestDocuments: 'pending_documents', escalate: 'escalated', approve: 'approved', reject: 'rejected' },
  pending_documents: { assign: 'pending_documents', escalate: 'escalated', reject: 'rejected' },
  escalated: { assign: 'escalated', requestDocuments: 'pending_documents', approve: 'approved', reject: 'rejected' },
  approved: {},
  rejected: {},
};

export type KycTransition = { ok: true; to: KycStatus } | { ok: false; reason: Reason; message: string };

export function kycTransition(from: KycStatus, action: KycAction): KycTransition {
  const to = TRANSITIONS[from][action];
  if (to) return { ok: true, to };
  const allowed = Object.keys(TRANSITIONS[from]);
  return {
    ok: false,
    reason: 'INVALID_TRANSITION',
    message: `A KYC case that is ${from.replace('_', ' ')} cannot be ${ACTION_PAST[action]}` + (allowed.length ? `; it can be ${allowed.map((a) => ACTION_PAST[a as KycAction]).join(', ')}.` : '; it is decided (an override goes through kyc.override).'),
  };
}

const ACTION_PAST: Record<KycAction, string> = {
  assign: 'assigned',
  requestDocuments: 'sent a document request',
  escalate: 'escalated',
  approve: 'approved',
  reject: 'rejected',
};

export function allowedKycActions(status: KycStatus): KycAction[] {
  return Object.keys(TRANSITIONS[status]) as KycAction[];
}

export function isKycStatus(value: string): value is KycStatus {
  return (KYC_STATUSES as readonly string[]).includes(value);
}
