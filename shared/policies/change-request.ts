// What a rule change carries (issue 19): why it is made, whom it touches, what could go wrong, how it
// was tested and how it is undone. Checked on the server; the desktop's form asks for the same.

import { z } from 'zod';

const text = (what: string, min: number) => z.string().trim().min(min, `${what}: at least ${min} characters`).max(4000);

export const changeDetailsSchema = z
  .object({
    purpose: text('purpose', 10),
    segments: text('segments', 3),
    edgeCases: text('edgeCases', 3),
    testPlan: text('testPlan', 3),
    rollbackPlan: text('rollbackPlan', 3),
  })
  .strict();

export type ChangeDetails = z.infer<typeof changeDetailsSchema>;

/** What a rollback asks of the people who clean up after a bad version, by the kind of decision it made. */
export const REMEDIATION_TASKS: Record<string, string> = {
  withdrawal: 'Re-check the withdrawal against the restored tiers: its approvers and SLA; reconcile the money if it was paid',
  intervention: 'Re-check the MT5 intervention against the restored tiers; reverse the change on MT5 if it should not have been made',
  approval: 'Re-review the approval request: its approvers were chosen by the withdrawn version',
  kyc_case: 'Re-review the KYC case: its risk score or its automatic decision came from the withdrawn version',
  client: 'Re-score the client under the restored version and review any change of its risk level',
  screening_case: 'Re-review the screening case: the withdrawn thresholds opened it; close it if the restored ones would not have',
  screening_near_miss: 'Re-screen the client against the list entry: the withdrawn thresholds opened no case for this near match',
  deposit: 'Re-check the deposit against the restored deposits policy: whether KYC allowed it, and whether its failure sent the method to review',
  deposit_refusal: 'Tell the client whether they may deposit now: the withdrawn version refused a deposit while their KYC was pending',
  psp_event: 'Re-check the parked provider event: the withdrawn version decided how long it waited before a person looked',
  document: 'Re-check the restriction placed when the document expired: lift it where the restored review settings would not have placed it',
  mt5_account: 'Compare the MT5 account\u2019s group, leverage and currency with the restored account types; correct them by an intervention where they differ',
};

/**
 * Logged decisions a rollback opens no task for: a monitor's readings correct themselves, since the
 * job reads every monitor again under the restored version within minutes (alerts raised stay open).
 */
export const NO_REMEDIATION: readonly string[] = ['monitor'];

export function remediationTask(subjectType: string): string {
  return REMEDIATION_TASKS[subjectType] ?? 'Re-review the decision under the restored version';
}

/** What a FATF list update changes, as its change request says it. */
export function fatfChange(file: string): ChangeDetails {
  return {
    purpose: `Take the FATF high-risk and increased-monitoring lists from ${file} into client risk scoring`,
    segments: 'Clients whose country of residence or nationality joins or leaves a FATF list',
    edgeCases: 'A country moving between the two lists; a list taking effect on a date after today (older plenaries stay in force until then)',
    testPlan: 'Each plenary compared with the FATF public statement of its date; the risk scores of clients in changed countries recalculated at their next review',
    rollbackPlan: 'Roll kyc.risk back to the version in force before this one (policies.rollback), which restores the earlier lists',
  };
}
