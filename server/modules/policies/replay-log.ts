// Dry runs of the rule types whose decisions are replayed from the execution log (issue 19): each
// logged decision carries the facts it was taken on (`inputs_json`, migration 0022), so a draft is
// evaluated on exactly those facts: a client's risk inputs on the day it was scored, an approval
// request's kind and payload, a verified KYC case's state, a screened name and the list entry it was
// scored against (cases opened and near misses), a deposits-policy decision (deposit-decisions.ts),
// the account type a client's MT5 account opened with, a monitor's reading. Rows logged before the facts were kept
// are not replayed (and so not counted).

import { z } from 'zod';
import { assessRisk, type RiskInputs } from '../../../shared/kyc/risk.js';
import { selectTier, type ApprovalTiersPolicy } from '../../../shared/policies/approval-tiers.js';
import { autoVerifies, type AutoVerifyFacts } from '../../../shared/policies/explain.js';
import type { KycReviewPolicy, KycRiskPolicy } from '../../../shared/policies/kyc.js';
import type { PolicyType } from '../../../shared/policies/types.js';
import { readJson } from '../../db/json.js';
import type { ScreeningThresholds } from '../../../shared/policies/screening.js';
import { replayScreening } from '../screening/execution.js';
import type { Reader } from './reader.js';
import { replayDeposits } from '../payments/deposit-decisions.js';
import type { DepositsPolicy } from '../../../shared/policies/payments.js';
import { accountChoice, accountOutcome, type PlatformAccountsPolicy } from '../../../shared/policies/platform.js';
import { replayReading, type MonitorsPolicy } from '../../../shared/policies/monitors.js';

/** A decision as a dry run compares it: its fields, compared as a whole. */
export type Decision = Record<string, string | number | string[] | null>;

export interface Replayed {
  ref: string;
  legalEntity: string;
  at: string;
  policyRef: string;
  before: Decision;
  after: Decision;
}

/** The legal entity shown for a decision that has none (an approval request spanning entities). */
export const NO_ENTITY = 'all entities';
const BATCH = 5_000;

const riskInputsJson = z.object({ risk: z.custom<RiskInputs>((v) => typeof v === 'object' && v !== null), date: z.string() });
const approvalInputsJson = z.object({ kind: z.string(), payload: z.unknown() });
const autoVerifyJson = z.custom<AutoVerifyFacts>((v) => typeof v === 'object' && v !== null && 'legalEntity' in v);
const accountInputsJson = z.object({ legalEntity: z.string(), chosen: z.string() });
const readingJson = z.object({ monitor: z.string(), metric: z.string(), value: z.number().nullable() });
const routeAction = z.array(z.object({ approvers: z.string().optional(), score: z.number().optional() }).passthrough());

type Replayer = (inputsJson: string, row: { outcome: string; actions_json: string; subject_id: string }) => { ref?: string; before: Decision; after: Decision };

/** Per rule type replayed from the log: how a draft decides again on a logged decision's facts. */
const LOG_REPLAYERS = {
  'kyc.risk': (document: unknown): Replayer => {
    const policy = document as KycRiskPolicy;
    return (inputs, row) => {
      const i = readJson(riskInputsJson, inputs, `policy_executions.inputs_json of ${row.subject_id}`);
      const a = assessRisk(policy, 'draft', i.risk, i.date);
      const score = readJson(routeAction, row.actions_json, `policy_executions.actions_json of ${row.subject_id}`)[0]?.score ?? null;
      return { before: { level: row.outcome, score }, after: { level: a.level, score: a.score } };
    };
  },
  'approvals.tiers': (document: unknown): Replayer => {
    const policy = document as ApprovalTiersPolicy;
    return (inputs, row) => {
      const i = readJson(approvalInputsJson, inputs, `policy_executions.inputs_json of ${row.subject_id}`);
      const approvers = readJson(routeAction, row.actions_json, `policy_executions.actions_json of ${row.subject_id}`)[0]?.approvers ?? null;
      const t = selectTier(policy, i.kind, i.payload);
      return { before: { tier: row.outcome, approvers }, after: { tier: t.name, approvers: `${t.count} of ${t.roles.join(' or ')}` } };
    };
  },
  'kyc.review': (document: unknown): Replayer => {
    const policy = document as KycReviewPolicy;
    return (inputs, row) => {
      const facts = readJson(autoVerifyJson, inputs, `policy_executions.inputs_json of ${row.subject_id}`);
      return { before: { outcome: row.outcome }, after: { outcome: autoVerifies(policy, facts) ? 'approved' : 'left for review' } };
    };
  },
  'screening.thresholds': (document: unknown): Replayer => replayScreening(document as ScreeningThresholds),
  'payments.deposits': (document: unknown): Replayer => replayDeposits(document as DepositsPolicy),
  'platform.accounts': (document: unknown): Replayer => {
    const policy = document as PlatformAccountsPolicy;
    return (inputs, row) => {
      const i = readJson(accountInputsJson, inputs, `policy_executions.inputs_json of ${row.subject_id}`);
      return { before: { outcome: row.outcome }, after: { outcome: accountOutcome(accountChoice(policy, i.legalEntity, i.chosen)) } };
    };
  },
  'policies.monitors': (document: unknown): Replayer => {
    const policy = document as MonitorsPolicy;
    return (inputs, row) => ({ before: { outcome: row.outcome }, after: { outcome: replayReading(policy, readJson(readingJson, inputs, `policy_executions.inputs_json of ${row.subject_id}`)) } });
  },
} satisfies Partial<Record<PolicyType, (document: unknown) => Replayer>>;

export type LogReplayed = keyof typeof LOG_REPLAYERS;
export const LOG_REPLAYABLE = Object.keys(LOG_REPLAYERS) as readonly LogReplayed[];

/** The logged decisions of the type in the window, in the entities (entity-less ones too), each replayed under the draft. */
export async function* replayLog(db: Reader, type: LogReplayed, document: unknown, entities: string[], from: string, to: string): AsyncGenerator<Replayed> {
  const replay = LOG_REPLAYERS[type](document);
  for (let after = 0; ; ) {
    const rows = await db
      .selectFrom('policy_executions')
      .select(['id', 'at', 'subject_id', 'legal_entity', 'policy_type', 'policy_version', 'outcome', 'actions_json', 'inputs_json'])
      .where('policy_type', '=', type)
      .where('at', '>=', from)
      .where('at', '<=', to)
      .where('inputs_json', 'is not', null)
      .where((eb) => eb.or([eb('legal_entity', 'is', null), eb('legal_entity', 'in', entities.length ? entities : [''])]))
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    for (const r of rows) {
      const { ref, before, after: now } = replay(r.inputs_json!, r);
      yield { ref: ref ?? r.subject_id, legalEntity: r.legal_entity ?? NO_ENTITY, at: r.at, policyRef: `${r.policy_type}@${r.policy_version}`, before, after: now };
    }
    if (rows.length < BATCH) return;
    after = Number(rows.at(-1)!.id);
  }
}
