import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../access/permissions.js';
import { availableActions, transition, type ApprovalEvent, type ApprovalState } from './machine.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const users = ['maker', 'u1', 'u2', 'u3', 'grantee'];

const arbState = fc.record({
  requiredRoles: fc.subarray([...ROLES], { minLength: 1, maxLength: 3 }),
  requiredCount: fc.integer({ min: 1, max: 3 }),
});

const arbEvent: fc.Arbitrary<ApprovalEvent> = fc.oneof(
  fc.record({ type: fc.constantFrom('approve' as const, 'reject' as const), by: fc.constantFrom(...users), rolesHeld: fc.subarray([...ROLES] as Role[], { maxLength: 3 }), minutes: fc.integer({ min: 0, max: 200 }) }).map((e) => ({ type: e.type, by: e.by, rolesHeld: e.rolesHeld, at: new Date(T0 + e.minutes * 60_000).toISOString() })),
  fc.record({ by: fc.constantFrom(...users), minutes: fc.integer({ min: 0, max: 200 }) }).map((e) => ({ type: 'cancel' as const, by: e.by, at: new Date(T0 + e.minutes * 60_000).toISOString() })),
  fc.integer({ min: 0, max: 200 }).map((m) => ({ type: 'expire' as const, at: new Date(T0 + m * 60_000).toISOString() })),
  fc.constantFrom({ type: 'executed' as const }, { type: 'failed' as const }),
);

function initial(s: { requiredRoles: Role[]; requiredCount: number }): ApprovalState {
  return { status: 'pending', makerId: 'maker', excludedApprovers: ['grantee'], requiredRoles: s.requiredRoles, requiredCount: s.requiredCount, approvals: [], expiresAt: new Date(T0 + 120 * 60_000).toISOString() };
}

const TERMINAL = new Set(['rejected', 'executed', 'failed', 'expired', 'cancelled']);

describe('approval state machine (property tests)', () => {
  it('never lets the maker or an excluded person approve, counts each person once, and needs the required roles', () => {
    fc.assert(
      fc.property(arbState, fc.array(arbEvent, { maxLength: 30 }), (s, events) => {
        let state = initial(s);
        for (const e of events) {
          const before = state;
          const r = transition(state, e);
          if (!r.ok) continue;
          state = r.state;
          const ids = state.approvals.map((a) => a.userId);
          expect(ids).not.toContain('maker');
          expect(ids).not.toContain('grantee');
          expect(new Set(ids).size).toBe(ids.length);
          expect(state.approvals.every((a) => s.requiredRoles.includes(a.role))).toBe(true);
          expect(state.approvals.length).toBeLessThanOrEqual(s.requiredCount);
          // Only the approval that reaches the count asks for execution, and only once.
          expect(r.execute).toBe(before.status === 'pending' && state.status === 'approved');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses every decision on a decided request, and terminal states never change', () => {
    fc.assert(
      fc.property(arbState, fc.array(arbEvent, { maxLength: 30 }), (s, events) => {
        let state = initial(s);
        for (const e of events) {
          const r = transition(state, e);
          if (TERMINAL.has(state.status)) {
            expect(r.ok).toBe(false);
            if (!r.ok && (e.type === 'approve' || e.type === 'reject' || e.type === 'cancel')) expect(r.reason).toBe('ALREADY_DECIDED');
          }
          if (state.status === 'approved') expect(r.ok).toBe(e.type === 'executed' || e.type === 'failed');
          if (r.ok) state = r.state;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('reaches executed only through approved with the full count of distinct approvers', () => {
    fc.assert(
      fc.property(arbState, fc.array(arbEvent, { maxLength: 40 }), (s, events) => {
        let state = initial(s);
        const seen: string[] = [state.status];
        for (const e of events) {
          const r = transition(state, e);
          if (r.ok) {
            state = r.state;
            seen.push(state.status);
          }
        }
        if (state.status === 'executed' || state.status === 'failed') {
          expect(seen).toContain('approved');
          expect(state.approvals.length).toBe(s.requiredCount);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('offers in the UI exactly the actions the machine accepts', () => {
    fc.assert(
      fc.property(arbState, fc.constantFrom(...users), fc.subarray([...ROLES] as Role[]), (s, user, roles) => {
        const state = initial(s);
        const at = new Date(T0).toISOString();
        const offered = availableActions(state, user, roles, at);
        expect(offered.includes('approve')).toBe(transition(state, { type: 'approve', by: user, rolesHeld: roles, at }).ok);
        expect(offered.includes('cancel')).toBe(user === 'maker');
      }),
    );
  });

  it('names the rule that refused', () => {
    const s = initial({ requiredRoles: ['administrator'], requiredCount: 1 });
    const at = new Date(T0).toISOString();
    expect(transition(s, { type: 'approve', by: 'maker', rolesHeld: ['administrator'], at })).toMatchObject({ ok: false, reason: 'SAME_PERSON_APPROVAL' });
    expect(transition(s, { type: 'approve', by: 'u1', rolesHeld: ['dealer'], at })).toMatchObject({ ok: false, reason: 'FORBIDDEN_PERMISSION' });
    expect(transition(s, { type: 'approve', by: 'u1', rolesHeld: ['administrator'], at: new Date(T0 + 121 * 60_000).toISOString() })).toMatchObject({ ok: false, reason: 'ALREADY_DECIDED' });
  });
});
