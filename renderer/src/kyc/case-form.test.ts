import { describe, expect, it } from 'vitest';
import { caseForm, EMPTY_FORM, submission, type FormEvent } from './case-form.js';

const run = (...events: FormEvent[]) => events.reduce(caseForm, EMPTY_FORM);

describe('the KYC case form', () => {
  it('sends nothing while no form is open', () => {
    expect(submission(run({ type: 'note', value: 'typed ahead' }))).toBeNull();
  });

  it('requests the ticked documents once each, with the trimmed note', () => {
    const form = run(
      { type: 'open', form: 'requestDocuments' },
      { type: 'document', document: 'proof_of_address', wanted: true },
      { type: 'document', document: 'passport', wanted: true },
      { type: 'document', document: 'proof_of_address', wanted: true },
      { type: 'document', document: 'passport', wanted: false },
      { type: 'note', value: '  the bill is cut off  ' },
    );
    expect(submission(form)).toEqual({ channel: 'kyc.requestDocuments', input: { documentTypes: ['proof_of_address'], note: 'the bill is cut off' }, done: 'documents requested' });
  });

  it('approves with the policy basis and rejects with the chosen reason', () => {
    expect(submission(run({ type: 'open', form: 'approve' }, { type: 'basis', value: ' AML 4.2 ' }, { type: 'note', value: 'ok' }))).toMatchObject({ channel: 'kyc.approve', input: { policyBasis: 'AML 4.2', note: 'ok' } });
    expect(submission(run({ type: 'open', form: 'reject' }, { type: 'reason', value: 'document_suspected_forgery' }))).toMatchObject({ channel: 'kyc.reject', input: { reason: 'document_suspected_forgery' } });
  });

  it('sends a rejection reason with an override only when the override rejects', () => {
    const toApprove = submission(run({ type: 'open', form: 'override' }, { type: 'note', value: 'MLRO accepted the source of wealth' }));
    expect(toApprove).toEqual({ channel: 'kyc.override', input: { decision: 'approve', reason: 'MLRO accepted the source of wealth' }, done: 'override requested' });
    const toReject = submission(run({ type: 'open', form: 'override' }, { type: 'overrideTo', value: 'reject' }, { type: 'reason', value: 'sanctions_match' }, { type: 'note', value: 'n' }));
    expect(toReject).toMatchObject({ input: { decision: 'reject', rejectionReason: 'sanctions_match' } });
  });

  it('closes and clears what was typed once the step went through, and starts empty on another case', () => {
    const sent = run({ type: 'open', form: 'approve' }, { type: 'basis', value: 'AML 4.2' }, { type: 'note', value: 'n' }, { type: 'submitted' });
    expect(sent).toMatchObject({ open: null, note: '', basis: '', types: [] });
    expect(run({ type: 'open', form: 'reject' }, { type: 'reason', value: 'sanctions_match' }, { type: 'reset' })).toEqual(EMPTY_FORM);
  });
});
