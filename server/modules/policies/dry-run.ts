// `policies.dryRun` (issue 19, first part): a draft version of a rule evaluated against the
// decisions already taken under the versions in force over a window of history, saying which would
// have come out otherwise, by legal entity. Each decision is evaluated again from the facts stored
// with it when it was taken (a withdrawal's amount in the entity's base currency, the client's risk,
// whether it was the first; an intervention's type and base amount), so the dry run answers "what
// would this version have decided", not "what would it decide today". Read-only: nothing is written.
//
// Every rule type has decisions to replay: `payments.withdrawalTiers` and `platform.interventionTiers`
// from their own tables; `policies.changeControl` from the approval requests of the rule changes
// (replay-changes.ts); the others from the facts the execution log keeps with each decision
// (replay-log.ts). `sources` is typed over every policy type, so a type added later cannot be
// submitted without saying where its decisions are replayed from.

import { DomainError } from '../../../shared/errors.js';
import { chooseWithdrawalTier, type WithdrawalTiersPolicy } from '../../../shared/policies/payments.js';
import { chooseInterventionTier, type InterventionTiersPolicy } from '../../../shared/policies/platform.js';
import { isPolicyType, type PolicyType } from '../../../shared/policies/types.js';
import { listScope, type AuthContext } from '../../core/auth.js';
import type { Store } from '../../core/store.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';
import { validatePolicyDocument } from './service.js';
import { sql } from 'kysely';
import type { ChangeControlPolicy } from '../../../shared/policies/change-control.js';
import { replayChanges } from './replay-changes.js';
import { LOG_REPLAYABLE, replayLog, type Decision, type LogReplayed, type Replayed } from './replay-log.js';

/** The changed decisions listed in full at most; the counts cover them all. */
export const DRY_RUN_ITEMS = 1_000;
const MAX_WINDOW_DAYS = 366;
const BATCH = 20_000;

const asDecision = (t: { tier: string; slots: Array<{ roles: string[] }>; slaHours: number }): Decision => ({ tier: t.tier, approvals: t.slots.map((s) => [...s.roles].sort().join(' or ')), slaHours: t.slaHours });
const same = (a: Decision, b: Decision) => JSON.stringify(a) === JSON.stringify(b);

type Source = (document: unknown, entities: string[], from: string, to: string) => AsyncGenerator<Replayed>;

export class PolicyDryRun {
  constructor(private readonly store: Store) {}

  /** Where each rule type's decisions are replayed from: every type has one, so every change can be dry-run. */
  private readonly sources: Record<PolicyType, Source> = {
    'payments.withdrawalTiers': (d, e, f, t) => this.withdrawals(d as WithdrawalTiersPolicy, e, f, t),
    'platform.interventionTiers': (d, e, f, t) => this.interventions(d as InterventionTiersPolicy, e, f, t),
    'policies.changeControl': (d, _e, f, t) => replayChanges(this.store.kysely, d as ChangeControlPolicy, f, t),
    ...(Object.fromEntries(LOG_REPLAYABLE.map((type) => [type, (d: unknown, e: string[], f: string, t: string) => replayLog(this.store.kysely, type, d, e, f, t)])) as Record<LogReplayed, Source>),
  };

  async run(auth: AuthContext, input: { type: string; document: unknown; from?: string | undefined; to?: string | undefined; days?: number | undefined }) {
    if (!isPolicyType(input.type)) throw new DomainError('VALIDATION_FAILED', `type: there is no policy type "${input.type}".`, { field: 'type' });
    return this.replay(input.type, validatePolicyDocument(input.type, input.document), listScope(auth, 'policies.read'), input);
  }

  /** The dry run a submission carries: every legal entity, counts by entity, no references listed. */
  async forSubmission(type: PolicyType, document: unknown, window: { from: string; to: string }) {
    const entities = (await this.store.kysely.selectFrom('legal_entities').select('id').execute()).map((e) => e.id);
    const { items: _items, truncated: _truncated, ...summary } = await this.replay(type, document, entities, window);
    return summary;
  }

  private async replay(type: PolicyType, document: unknown, entities: string[], window: { from?: string | undefined; to?: string | undefined; days?: number | undefined }) {
    const to = window.to ?? this.store.now();
    const from = window.from ?? new Date(Date.parse(to) - (window.days ?? 30) * 86_400_000).toISOString();
    if (from > to) throw new DomainError('VALIDATION_FAILED', `from (${from}) is after to (${to}).`, { field: 'from' });
    if (Date.parse(to) - Date.parse(from) > MAX_WINDOW_DAYS * 86_400_000) throw new DomainError('VALIDATION_FAILED', `A dry run covers at most ${MAX_WINDOW_DAYS} days of history; ${from} to ${to} is longer.`, { field: 'from' });
    const replay = this.sources[type](document, entities, from, to);
    let evaluated = 0;
    let changed = 0;
    const items: Replayed[] = [];
    const segments = new Map<string, { legalEntity: string; evaluated: number; changed: number }>();
    const versions = new Set<string>();
    for await (const d of replay) {
      evaluated += 1;
      versions.add(d.policyRef);
      const seg = segments.get(d.legalEntity) ?? { legalEntity: d.legalEntity, evaluated: 0, changed: 0 };
      seg.evaluated += 1;
      if (!same(d.before, d.after)) {
        changed += 1;
        seg.changed += 1;
        if (items.length < DRY_RUN_ITEMS) items.push(d);
      }
      segments.set(d.legalEntity, seg);
    }
    return { type, from, to, evaluated, changed, decidedUnder: [...versions].sort(), bySegment: [...segments.values()].sort((a, b) => a.legalEntity.localeCompare(b.legalEntity)), items, truncated: changed > items.length };
  }

  /** Rows read a batch at a time in reference order, each batch after the last reference seen. */
  private async *paged<R extends { ref: string }>(page: (after: string) => Promise<R[]>): AsyncGenerator<R> {
    for (let after = ''; ; ) {
      const rows = await page(after);
      yield* rows;
      if (rows.length < BATCH) return;
      after = rows.at(-1)!.ref;
    }
  }

  private async *withdrawals(policy: WithdrawalTiersPolicy, entities: string[], from: string, to: string): AsyncGenerator<Replayed> {
    const db = this.store.kysely;
    const rows = this.paged((after) =>
      db
        .selectFrom('withdrawals')
        .select(['ref', 'legal_entity', 'created_at', 'policy_ref', 'risk_level', 'first_withdrawal', 'tier_json', sql<string | null>`cast(base_amount as text)`.as('base_text')])
        .where('legal_entity', 'in', entities.length ? entities : [''])
        .where('created_at', '>=', from)
        .where('created_at', '<=', to)
        .where('ref', '>', after)
        .orderBy('ref')
        .limit(BATCH)
        .execute(),
    );
    for await (const w of rows) {
      const stored = readJson(JSON_COLUMNS.withdrawalTier, w.tier_json, `withdrawals.tier_json of ${w.ref}`);
      // As at the request: an amount with no rate to the base currency falls in the top band.
      const baseMinor = w.base_text === null ? BigInt(Number.MAX_SAFE_INTEGER) : BigInt(w.base_text);
      const now = chooseWithdrawalTier(policy, { baseMinor, riskLevel: w.risk_level, first: w.first_withdrawal === 1, override: stored.override });
      yield { ref: w.ref, legalEntity: w.legal_entity, at: w.created_at, policyRef: w.policy_ref, before: asDecision(stored), after: asDecision(now) };
    }
  }

  private async *interventions(policy: InterventionTiersPolicy, entities: string[], from: string, to: string): AsyncGenerator<Replayed> {
    const db = this.store.kysely;
    const rows = this.paged((after) =>
      db
        .selectFrom('interventions')
        .select(['ref', 'legal_entity', 'created_at', 'policy_ref', 'type', 'tier_json', sql<string | null>`cast(amount as text)`.as('amount_text'), sql<string | null>`cast(base_amount as text)`.as('base_text')])
        .where('legal_entity', 'in', entities.length ? entities : [''])
        .where('created_at', '>=', from)
        .where('created_at', '<=', to)
        .where('ref', '>', after)
        .orderBy('ref')
        .limit(BATCH)
        .execute(),
    );
    for await (const c of rows) {
      const stored = readJson(JSON_COLUMNS.interventionTier, c.tier_json, `interventions.tier_json of ${c.ref}`);
      // As at the request: a change with no amount (group, leverage) is at zero; an amount with no rate fits no band.
      const baseMinor = c.amount_text === null ? 0n : c.base_text === null ? null : BigInt(c.base_text);
      const now = chooseInterventionTier(policy, { type: c.type, baseMinor });
      yield { ref: c.ref, legalEntity: c.legal_entity, at: c.created_at, policyRef: c.policy_ref, before: asDecision(stored), after: asDecision(now) };
    }
  }
}
