import { describe, expect, it } from 'vitest';
import { allowedTransitions, capabilities, checkTransition, CLIENT_STATUSES } from './lifecycle.js';

describe('client lifecycle', () => {
  it('states what each status allows', () => {
    expect(capabilities('registered')).toEqual({ deposit: false, withdraw: false, openPositions: false, closePositions: false });
    expect(capabilities('pending_review')).toMatchObject({ deposit: false, withdraw: false });
    expect(capabilities('pending_review', { depositWhilePendingReview: true })).toMatchObject({ deposit: true, withdraw: false });
    expect(capabilities('approved')).toEqual({ deposit: true, withdraw: true, openPositions: true, closePositions: true });
    expect(capabilities('restricted')).toMatchObject({ withdraw: false, openPositions: false, closePositions: true });
    expect(capabilities('closed')).toEqual({ deposit: false, withdraw: false, openPositions: false, closePositions: false });
  });

  it('takes away what a restriction removes, whatever the status', () => {
    expect(capabilities('approved', { restrictions: ['document_expired_address'] })).toEqual({ deposit: true, withdraw: false, openPositions: true, closePositions: true });
    expect(capabilities('approved', { restrictions: ['document_expired_identity'] })).toMatchObject({ withdraw: true, openPositions: false });
    expect(capabilities('restricted', { restrictions: ['sanctions_match'] })).toEqual({ deposit: false, withdraw: false, openPositions: false, closePositions: true });
  });

  it('refuses transitions the machine does not have, naming the way forward', () => {
    expect(checkTransition('registered', 'pending_review')).toEqual({ ok: true });
    const refused = checkTransition('registered', 'approved');
    expect(refused).toMatchObject({ ok: false, reason: 'INVALID_TRANSITION' });
    expect(!refused.ok && refused.message).toMatch(/registered cannot become approved; from here the client can become pending review, restricted, closed/);
    expect(checkTransition('closed', 'approved')).toMatchObject({ ok: false, message: expect.stringMatching(/a closed client stays closed/) });
  });

  it('lets every status but closed be restricted, and every status but closed be closed', () => {
    for (const s of CLIENT_STATUSES.filter((x) => x !== 'closed' && x !== 'restricted')) expect(allowedTransitions(s)).toContain('restricted');
    for (const s of CLIENT_STATUSES.filter((x) => x !== 'closed')) expect(allowedTransitions(s)).toContain('closed');
    expect(allowedTransitions('closed')).toEqual([]);
  });
});
