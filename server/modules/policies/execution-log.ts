// Writing the execution log (issue 19): one row per automated decision, in the decision's own
// transaction, with the conditions evaluated and their values, the actions taken and the policy
// version that decided (a canary's, where the subject was in its segment). Read in executions.ts.

import type { Mutation } from '../../core/store.js';
import type { ConditionTrace } from '../../../shared/policies/explain.js';

export interface Execution {
  policy: { type: string; version: number; canary?: unknown };
  event: string;
  subjectType: string;
  subjectId: string;
  legalEntity: string | null;
  clientId: string | null;
  outcome: string;
  /** what was tested, as the rule names it, with the values seen */
  conditions: ConditionTrace[];
  actions: Array<Record<string, unknown>>;
  /** the facts the decision was taken on, where a dry run replays it from the log (see dry-run.ts) */
  inputs?: unknown;
}

export async function recordExecution(m: Mutation, e: Execution): Promise<void> {
  await m.trx
    .insertInto('policy_executions')
    .values({
      at: m.now,
      policy_type: e.policy.type,
      policy_version: e.policy.version,
      canary: e.policy.canary ? 1 : 0,
      event: e.event,
      subject_type: e.subjectType,
      subject_id: e.subjectId,
      legal_entity: e.legalEntity,
      client_id: e.clientId,
      outcome: e.outcome,
      conditions_json: JSON.stringify(e.conditions),
      actions_json: JSON.stringify(e.actions),
      inputs_json: e.inputs === undefined ? null : JSON.stringify(e.inputs),
    })
    .execute();
}

