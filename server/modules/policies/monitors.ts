// Monitors (issue 19): the job `policies.monitors` measures each monitor's metric per legal entity
// and, where it breaks its bounds, raises an alert for the monitor's role (one open alert per
// monitor and entity). When a watched rule type was changed within the monitor's look-back and the
// monitor says so, the alert proposes rolling that change back: the person working the alert asks
// for it in one action (`policies.rollback`, fast-tracked) and another person approves it.

import { sql } from 'kysely';
import { z } from 'zod';
import { readJson } from '../../db/json.js';
import { breach, MONITOR_METRICS, monitorOutcome, type Monitor, type MonitorMetric, type MonitorsPolicy } from '../../../shared/policies/monitors.js';
import { recordExecution } from './execution-log.js';
import type { ActivePolicy } from './reader.js';
import { versionName } from '../../../shared/policies/diff.js';
import { isPolicyType } from '../../../shared/policies/types.js';
import { SYSTEM_ACTOR } from '../../core/actor.js';
import type { Store } from '../../core/store.js';
import { raiseAlert } from '../alerts/service.js';
import type { PoliciesService } from './service.js';

const HOUR = 3_600_000;
const loggedReading = z.object({ value: z.number().nullable() }).passthrough();
type Reading = { m: Monitor; entity: string; value: number | null; broken: ReturnType<typeof breach> };
const readingKey = (r: Pick<Reading, 'm' | 'entity'>) => `${r.m.id}:${r.entity}`;
/** What makes a reading worth logging again: a new version, value or outcome. */
const seen = (version: number, value: number | null | undefined, outcome: string) => `${version}|${value}|${outcome}`;

export class PolicyMonitors {
  constructor(
    private readonly store: Store,
    private readonly policies: PoliciesService,
  ) {}

  /** Each metric for one entity at `now`; null where there is nothing to measure. */
  private async measure(metric: MonitorMetric, entity: string, now: string): Promise<number | null> {
    const db = this.store.kysely;
    const dayAgo = new Date(Date.parse(now) - 24 * HOUR).toISOString();
    switch (metric) {
      case 'kyc.oldestWaitingHours': {
        const r = await db.selectFrom('kyc_cases').select((eb) => eb.fn.min('status_changed_at').as('oldest')).where('legal_entity', '=', entity).where('status', 'in', ['open', 'pending_documents', 'escalated']).executeTakeFirst();
        return r?.oldest ? Math.floor((Date.parse(now) - Date.parse(String(r.oldest))) / HOUR) : null;
      }
      case 'withdrawals.overdue': {
        const r = await db.selectFrom('withdrawals').select((eb) => eb.fn.countAll<number>().as('n')).where('legal_entity', '=', entity).where('status', 'in', ['pending_approval', 'on_hold']).where('sla_due_at', '<', now).executeTakeFirst();
        return Number(r?.n ?? 0);
      }
      case 'withdrawals.rejectedShare24h': {
        const rows = await db.selectFrom('withdrawals').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('legal_entity', '=', entity).where('updated_at', '>=', dayAgo).where('status', 'in', ['approved', 'submitted', 'paid', 'rejected']).groupBy('status').execute();
        const total = rows.reduce((s, r) => s + Number(r.n), 0);
        return total < 5 ? null : Number(rows.find((r) => r.status === 'rejected')?.n ?? 0) / total;
      }
      case 'payments.openExceptions': {
        const r = await db.selectFrom('payment_exceptions').select((eb) => eb.fn.countAll<number>().as('n')).where('legal_entity', '=', entity).where('status', '=', 'open').executeTakeFirst();
        return Number(r?.n ?? 0);
      }
      case 'payouts.paidBase24h': {
        const r = await db.selectFrom('withdrawals').select(sql<string | number | null>`sum(base_amount)`.as('s')).where('legal_entity', '=', entity).where('status', '=', 'paid').where('updated_at', '>=', dayAgo).executeTakeFirst();
        return Number(r?.s ?? 0);
      }
    }
  }

  /** The latest change of a watched type put in force for everyone within the look-back, with the version before it. */
  private async recentChange(m: Monitor, now: string): Promise<{ type: string; version: number; previous: number; at: string } | null> {
    const since = new Date(Date.parse(now) - m.lookbackHours * HOUR).toISOString();
    let best: { type: string; version: number; previous: number; at: string } | null = null;
    for (const type of m.watches.filter(isPolicyType)) {
      const rows = await this.store.kysely.selectFrom('policy_activations').select(['version', 'activated_at', 'approval_id']).where('type', '=', type).where('segment_json', 'is', null).orderBy('id', 'desc').limit(2).execute();
      const [last, before] = rows;
      if (!last || !before || last.approval_id === null || last.activated_at < since) continue;
      if (!best || last.activated_at > best.at) best = { type, version: last.version, previous: before.version, at: last.activated_at };
    }
    return best;
  }

  /** The last reading logged per monitor and entity (read from the log once per process): a reading is logged when it differs. */
  readonly #logged = new Map<string, string>();

  private async lastLogged(key: string): Promise<string | undefined> {
    if (!this.#logged.has(key)) {
      const row = await this.store.kysely.selectFrom('policy_executions').select(['policy_version', 'outcome', 'inputs_json']).where('policy_type', '=', 'policies.monitors').where('subject_id', '=', key).orderBy('id', 'desc').limit(1).executeTakeFirst();
      const value = row?.inputs_json ? readJson(loggedReading, row.inputs_json, `policy_executions.inputs_json of ${key}`).value : undefined;
      if (row) this.#logged.set(key, seen(row.policy_version, value, row.outcome));
    }
    return this.#logged.get(key);
  }

  /**
   * The pass's readings that changed (value or outcome) since the last ones logged (across restarts), in the execution
   * log in one transaction with one audit event, so that a dry run of a draft's bounds replays every
   * value seen (`replayReading`).
   */
  private async logReadings(policy: ActivePolicy<MonitorsPolicy>, readings: readonly Reading[]): Promise<void> {
    const fresh: Reading[] = [];
    for (const r of readings) if ((await this.lastLogged(readingKey(r))) !== seen(policy.version, r.value, monitorOutcome(r.broken))) fresh.push(r);
    if (fresh.length === 0) return;
    await this.store.mutate(SYSTEM_ACTOR, async (mut) => {
      for (const { m, entity, value, broken } of fresh) {
        await recordExecution(mut, {
          policy,
          event: 'monitor.reading',
          subjectType: 'monitor',
          subjectId: readingKey({ m, entity }),
          legalEntity: entity,
          clientId: null,
          outcome: monitorOutcome(broken),
          conditions: [{ name: `${m.metric}${m.above !== undefined ? ` > ${m.above}` : ''}${m.below !== undefined ? `${m.above !== undefined ? ' or' : ''} < ${m.below}` : ''}`, values: { value: value ?? 'nothing to measure' }, result: broken !== null }],
          actions: broken ? [{ action: 'raise alert', forRole: m.forRole, severity: m.severity }] : [],
          inputs: { monitor: m.id, metric: m.metric, value },
        });
      }
      mut.audit({ action: 'policy.monitors.read', targetType: 'policy', targetId: policy.type, after: { readings: fresh.map((r) => ({ monitor: r.m.id, entity: r.entity, value: r.value, outcome: monitorOutcome(r.broken) })) }, policyRef: policy.ref });
    });
    for (const r of fresh) this.#logged.set(readingKey(r), seen(policy.version, r.value, monitorOutcome(r.broken)));
  }

  /** One pass: every monitor, every entity. Answers the alerts raised. */
  async run(): Promise<string[]> {
    const policy = await this.policies.require(this.store.kysely, 'policies.monitors');
    const entities = (await this.store.kysely.selectFrom('legal_entities').select('id').orderBy('id').execute()).map((e) => e.id);
    const raised: string[] = [];
    const readings: Reading[] = [];
    for (const m of policy.document.monitors) {
      for (const entity of entities) {
        const now = this.store.now();
        const value = await this.measure(m.metric, entity, now);
        const broken = breach(m, value);
        readings.push({ m, entity, value, broken });
        if (!broken) continue;
        const sourceRef = `MON:${m.id}:${entity}`;
        const open = await this.store.kysely.selectFrom('alerts').select('id').where('kind', '=', 'policy.monitor').where('source_ref', '=', sourceRef).where('status', '!=', 'closed').executeTakeFirst();
        if (open) continue;
        const change = await this.recentChange(m, now);
        // A proposal, not a request: a person who works the alert asks for it (the maker) and another approves it.
        const rollback = change && m.proposeRollback ? { type: change.type, toVersion: change.previous, name: versionName(change.type, change.previous), reason: `Monitor ${m.id} breached (${m.metric} = ${value}) after ${versionName(change.type, change.version)} went live` } : null;
        const id = await this.store.mutate(SYSTEM_ACTOR, (mut) =>
          raiseAlert(mut, {
            kind: 'policy.monitor',
            legalEntity: entity,
            clientId: null,
            severity: m.severity,
            forRole: m.forRole,
            summary: `${m.label}: ${MONITOR_METRICS[m.metric].toLowerCase()} is ${value} (${broken.bound} ${broken.limit})${change ? `, ${versionName(change.type, change.version)} in force since ${change.at.slice(0, 16).replace('T', ' ')} UTC` : ''}${rollback ? `; rollback to ${rollback.name} proposed` : ''}`,
            details: { monitor: m.id, metric: m.metric, value, bound: broken.bound, limit: broken.limit, policyRef: `${policy.type}@${policy.version}`, recentChange: change, proposedRollback: rollback },
            sourceRef,
          }),
        );
        raised.push(id);
      }
    }
    await this.logReadings(policy, readings);
    return raised;
  }
}
