// Test helpers for rule changes (issue 19): a change request's details, approving through a chain
// as several demo users, and moving the clock out of the tier-3 release blackout.

import type { ChangeDetails } from '../../shared/policies/change-request.js';
import type { TestServer } from './harness.js';

export const A_CHANGE: ChangeDetails = {
  purpose: 'Test change made by the integration suite',
  segments: 'Every client of both legal entities',
  edgeCases: 'Amounts on a band boundary; clients with no risk level yet',
  testPlan: 'The suite checks the decisions before and after',
  rollbackPlan: 'policies.rollback to the version in force before',
};

/** Approves the request as each user in turn, as the server's services (no sign-in). */
export async function approveAs(t: TestServer, approvalId: string, usernames: string[], reason = 'Checked the change, its diff and its dry run'): Promise<string> {
  let status = '';
  for (const username of usernames) {
    const actor = { id: await t.userId(username), name: username, ip: null, userAgent: 'test', sessionId: null };
    status = (await t.server.services.approvals.approve(actor, approvalId, reason)).status;
  }
  return status;
}

/** Moves the clock to 19:30 UTC of the current day (after the weekday peak-payment blackout of tier 3) when earlier. */
export function afterPeakHours(t: TestServer): void {
  const now = t.clock.now();
  const evening = new Date(`${now.toISOString().slice(0, 10)}T19:30:00.000Z`);
  if (now < evening) t.clock.set(evening);
}

/** The 30 days of history up to the test clock's now, as a dry-run window. */
export function last30Days(t: TestServer): { from: string; to: string } {
  const to = t.clock.now().toISOString();
  return { from: new Date(Date.parse(to) - 30 * 86_400_000).toISOString(), to };
}
