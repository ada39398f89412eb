import { describe, expect, it } from 'vitest';
import { mayActOnCase } from './who.js';

const officer = { userId: 'USR-1', senior: false };
const senior = { userId: 'USR-9', senior: true };

describe('who may act on a KYC case', () => {
  it('gives an open case to its assignee and to senior officers', () => {
    const kase = { id: 'KYC-1', status: 'open', assigneeId: 'USR-1', escalatedTo: null };
    expect(mayActOnCase(kase, officer)).toEqual({ ok: true });
    expect(mayActOnCase(kase, senior)).toEqual({ ok: true });
    expect(mayActOnCase(kase, { userId: 'USR-2', senior: false })).toMatchObject({ ok: false, reason: 'NOT_ASSIGNED', message: expect.stringMatching(/assigned to someone else/) });
    expect(mayActOnCase({ ...kase, assigneeId: null }, officer)).toMatchObject({ ok: false, reason: 'NOT_ASSIGNED', message: expect.stringMatching(/not assigned/) });
  });

  it('gives an escalated case to senior officers only, its assignee included', () => {
    const kase = { id: 'KYC-2', status: 'escalated', assigneeId: 'USR-1', escalatedTo: 'mlro' };
    expect(mayActOnCase(kase, officer)).toMatchObject({ ok: false, reason: 'FORBIDDEN_PERMISSION', message: expect.stringMatching(/escalated to the mlro/) });
    expect(mayActOnCase(kase, senior)).toEqual({ ok: true });
  });
});
