import { describe, expect, it } from 'vitest';
import { humanize, KYC_STATUS_LABELS, labelOf, SCREENING_STATUS_LABELS } from './labels.js';

describe('labels', () => {
  it('reads codes from their maps, and turns every underscore of an unknown code into a space', () => {
    expect(labelOf(KYC_STATUS_LABELS, 'pending_documents')).toBe('Pending documents');
    expect(labelOf(SCREENING_STATUS_LABELS, 'false_positive')).toBe('False positive');
    expect(labelOf(KYC_STATUS_LABELS, 'a_new_status_code')).toBe('a new status code');
    expect(humanize('kyc_case_stuck')).toBe('kyc case stuck');
    expect(labelOf(KYC_STATUS_LABELS, null)).toBe('');
  });
});
