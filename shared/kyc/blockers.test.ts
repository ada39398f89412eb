import { describe, expect, it } from 'vitest';
import { approvalBlockers, type ApprovalFacts } from './blockers.js';

const ready: ApprovalFacts = {
  clientType: 'individual',
  documents: [
    { type: 'passport', status: 'accepted', expiresAt: '2030-01-01' },
    { type: 'proof_of_address', status: 'received', expiresAt: null },
  ],
  requested: [],
  screeningStatus: 'clear',
  verificationStatus: 'verified',
  edd: null,
};
const today = '2026-11-30';
const reasons = (facts: Partial<ApprovalFacts>) => approvalBlockers({ ...ready, ...facts }, today).map((b) => `${b.reason}: ${b.message}`);

describe('what blocks a KYC approval', () => {
  it('nothing, for an individual with a current identity document and an address proof, screened clear', () => {
    expect(reasons({})).toEqual([]);
  });

  it('names the missing category, counting only received or accepted documents', () => {
    expect(reasons({ documents: [ready.documents[0]!, { type: 'proof_of_address', status: 'rejected', expiresAt: null }] })).toEqual(['KYC_INCOMPLETE: No proof of address has been received.']);
    expect(reasons({ clientType: 'corporate' })).toContain('KYC_INCOMPLETE: No certificate of incorporation has been received.');
  });

  it('blocks when every identity document expired by today, not while one is current', () => {
    expect(reasons({ documents: [{ type: 'passport', status: 'accepted', expiresAt: today }, ready.documents[1]!] })).toEqual([`DOCUMENT_EXPIRED: The identity document expired on ${today}; request a current one.`]);
    expect(reasons({ documents: [{ type: 'passport', status: 'accepted', expiresAt: '2020-01-01' }, { type: 'national_id', status: 'accepted', expiresAt: '2031-01-01' }, ready.documents[1]!] })).toEqual([]);
  });

  it('names outstanding requests, open or confirmed screening, a running provider check and open EDD items', () => {
    expect(reasons({ requested: ['source_of_wealth'] })[0]).toMatch(/^KYC_INCOMPLETE: Requested documents not yet received: /);
    expect(reasons({ screeningStatus: 'potential_match' })).toEqual(['KYC_INCOMPLETE: Screening hits are still open; decide them in the screening review first.']);
    expect(reasons({ screeningStatus: 'confirmed_match' })[0]).toMatch(/confirmed sanctions match/);
    expect(reasons({ screeningStatus: 'not_screened' })[0]).toMatch(/has not been screened/);
    expect(reasons({ verificationStatus: 'pending' })[0]).toMatch(/still running/);
    expect(reasons({ edd: [{ label: 'Source of wealth evidenced', done: true }, { label: 'Senior management approval', done: false }] })).toEqual(['KYC_INCOMPLETE: Enhanced due diligence is incomplete: Senior management approval.']);
  });
});
