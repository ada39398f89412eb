// The case pane's form as one reducer: which step is being prepared (request documents, escalate,
// approve, reject, override) and its fields, and what submitting it sends. Pure, so it is tested
// without a browser; the server checks what is sent (shared/kyc/schemas.ts) and says what is wrong.

import type { DocumentType, RejectionReason } from '../../../shared/kyc/machine.js';
import type { ChannelInput } from '../../../shared/desktop/api.js';

export type FormKind = 'requestDocuments' | 'escalate' | 'approve' | 'reject' | 'override';

export interface CaseForm {
  open: FormKind | null;
  note: string;
  basis: string;
  reason: RejectionReason;
  types: DocumentType[];
  overrideTo: 'approve' | 'reject';
}

export type FormEvent =
  | { type: 'open'; form: FormKind }
  | { type: 'close' }
  | { type: 'note'; value: string }
  | { type: 'basis'; value: string }
  | { type: 'reason'; value: RejectionReason }
  | { type: 'document'; document: DocumentType; wanted: boolean }
  | { type: 'overrideTo'; value: 'approve' | 'reject' }
  /** The step went through: close the form and clear what was typed. */
  | { type: 'submitted' }
  /** Another case was opened. */
  | { type: 'reset' };

export const EMPTY_FORM: CaseForm = { open: null, note: '', basis: '', reason: 'incomplete_information', types: [], overrideTo: 'approve' };

export function caseForm(state: CaseForm, event: FormEvent): CaseForm {
  switch (event.type) {
    case 'open':
      return { ...state, open: event.form };
    case 'close':
      return { ...state, open: null };
    case 'note':
      return { ...state, note: event.value };
    case 'basis':
      return { ...state, basis: event.value };
    case 'reason':
      return { ...state, reason: event.value };
    case 'overrideTo':
      return { ...state, overrideTo: event.value };
    case 'document': {
      const others = state.types.filter((t) => t !== event.document);
      return { ...state, types: event.wanted ? [...others, event.document] : others };
    }
    case 'submitted':
      return { ...EMPTY_FORM, reason: state.reason, overrideTo: state.overrideTo };
    case 'reset':
      return EMPTY_FORM;
  }
}

type Step<C extends 'kyc.requestDocuments' | 'kyc.escalate' | 'kyc.approve' | 'kyc.reject' | 'kyc.override'> = { channel: C; input: Omit<ChannelInput<C>, 'caseRef'>; done: string };
export type Submission =
  | Step<'kyc.requestDocuments'>
  | Step<'kyc.escalate'>
  | Step<'kyc.approve'>
  | Step<'kyc.reject'>
  | Step<'kyc.override'>;

/** What the open form sends, or null when no form is open. */
export function submission(form: CaseForm): Submission | null {
  const note = form.note.trim();
  switch (form.open) {
    case null:
      return null;
    case 'requestDocuments':
      return { channel: 'kyc.requestDocuments', input: { documentTypes: form.types, note }, done: 'documents requested' };
    case 'escalate':
      return { channel: 'kyc.escalate', input: { note }, done: 'escalated' };
    case 'approve':
      return { channel: 'kyc.approve', input: { note, policyBasis: form.basis.trim() }, done: 'approved' };
    case 'reject':
      return { channel: 'kyc.reject', input: { reason: form.reason, note }, done: 'rejected' };
    case 'override':
      return {
        channel: 'kyc.override',
        input: { decision: form.overrideTo, reason: note, ...(form.overrideTo === 'reject' ? { rejectionReason: form.reason } : {}) },
        done: 'override requested',
      };
  }
}
