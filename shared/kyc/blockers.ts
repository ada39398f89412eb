// What stands between a KYC case and its approval: one rule for the server, which refuses an
// approval while any blocker stands, and for the case pane, which lists them and disables Approve
// with the reason instead of offering a step the server would refuse.

import type { ClientType } from '../clients/lifecycle.js';
import { DOCUMENT_TYPES, REQUIRED_CATEGORIES, type DocumentCategory, type DocumentType } from './machine.js';

export type Blocker = { reason: 'KYC_INCOMPLETE' | 'DOCUMENT_EXPIRED'; message: string };

/** The facts about a case the rule reads; the server gathers them from the database, the pane from the case view. */
export interface ApprovalFacts {
  clientType: ClientType;
  /** The client's documents; only received and accepted ones count. */
  documents: ReadonlyArray<{ type: DocumentType; status: string; expiresAt: string | null }>;
  /** Documents requested from the client and not yet received. */
  requested: readonly DocumentType[];
  screeningStatus: 'not_screened' | 'clear' | 'potential_match' | 'confirmed_match';
  verificationStatus: string;
  /** The enhanced-due-diligence checklist, when the case needs one. */
  edd: ReadonlyArray<{ label: string; done: boolean }> | null;
}

const CATEGORY_LABELS: Record<DocumentCategory, string> = {
  identity: 'identity document',
  address: 'proof of address',
  corporate: 'certificate of incorporation',
  edd: 'source of wealth evidence',
};

const SCREENING_BLOCKERS: Partial<Record<ApprovalFacts['screeningStatus'], string>> = {
  not_screened: 'The client has not been screened: no sanctions or PEP list is loaded.',
  potential_match: 'Screening hits are still open; decide them in the screening review first.',
  confirmed_match: 'The client is a confirmed sanctions match; it cannot be approved.',
};

/** Missing or expired documents, outstanding requests, screening not done or not cleared, a provider check running, open EDD items. `today` is a UTC date. */
export function approvalBlockers(facts: ApprovalFacts, today: string): Blocker[] {
  const usable = facts.documents.filter((d) => d.status === 'received' || d.status === 'accepted');
  const out: Blocker[] = [];
  for (const category of REQUIRED_CATEGORIES[facts.clientType]) {
    const ofCategory = usable.filter((d) => DOCUMENT_TYPES[d.type].category === category);
    const label = CATEGORY_LABELS[category];
    if (ofCategory.length === 0) out.push({ reason: 'KYC_INCOMPLETE', message: `No ${label} has been received.` });
    else if (ofCategory.every((d) => d.expiresAt !== null && d.expiresAt <= today)) {
      out.push({ reason: 'DOCUMENT_EXPIRED', message: `The ${label} expired on ${ofCategory.map((d) => d.expiresAt).join(', ')}; request a current one.` });
    }
  }
  if (facts.requested.length) out.push({ reason: 'KYC_INCOMPLETE', message: `Requested documents not yet received: ${facts.requested.map((t) => DOCUMENT_TYPES[t].label).join(', ')}.` });
  const screening = SCREENING_BLOCKERS[facts.screeningStatus];
  if (screening) out.push({ reason: 'KYC_INCOMPLETE', message: screening });
  if (facts.verificationStatus === 'pending') out.push({ reason: 'KYC_INCOMPLETE', message: 'The KYC provider\u2019s document check is still running.' });
  const open = facts.edd?.filter((i) => !i.done) ?? [];
  if (open.length) out.push({ reason: 'KYC_INCOMPLETE', message: `Enhanced due diligence is incomplete: ${open.map((i) => i.label).join('; ')}.` });
  return out;
}
