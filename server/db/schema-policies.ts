// Tables of rule change control (migration 0021, issue 19).

import type { Generated } from 'kysely';

export interface PolicyChangeTable {
  /** CHG-… */
  id: string;
  type: string;
  version: number;
  /** publish | canary | promote | rollback */
  action: string;
  approval_id: string;
  tier: number;
  purpose: string;
  /** segments, edge cases, test plan, rollback plan; a rollback's reason and remediation summary */
  details_json: string;
  segment_json: string | null;
  /** the dry run the server ran on submission: window, counts, by segment */
  dry_run_json: string | null;
  created_by: string;
  created_at: string;
}

export interface PolicyExecutionTable {
  id: Generated<number>;
  at: string;
  policy_type: string;
  policy_version: number;
  /** 1 when the version applied as a canary to the subject's segment */
  canary: number;
  event: string;
  subject_type: string;
  subject_id: string;
  legal_entity: string | null;
  client_id: string | null;
  outcome: string;
  conditions_json: string;
  actions_json: string;
  /** the facts the decision was taken on, JSON, for dry runs (0022); null on rows before it and for types replayed from their own tables */
  inputs_json: string | null;
}

export interface PolicyRemediationTable {
  /** REM-… */
  id: string;
  rollback_approval_id: string;
  policy_type: string;
  bad_version: number;
  execution_id: number;
  subject_type: string;
  subject_id: string;
  legal_entity: string | null;
  decided_at: string;
  task: string;
  status: 'open' | 'closed';
  closed_by: string | null;
  closed_at: string | null;
  close_reason: string | null;
  created_at: string;
}

export interface PolicyReleaseSnapshotTable {
  id: Generated<number>;
  approval_id: string;
  taken_at: string;
  content: string;
  content_hash: string;
}
