// Compliance and risk alerts: raised inside the mutation that found the problem (a confirmed
// sanctions match raises one for the MLRO), listed for those who hold alerts.read in the entity,
// and worked by those who hold alerts.manage: taken, acknowledged, and closed by a holder of the
// role the alert was raised for, with a reason code, a note and the suspicious-activity report
// decision (shared/alerts/workflow.ts).

import type { Mutation, Store } from '../../core/store.js';
import { nextRef } from '../../db/counters.js';
import type { Selectable } from 'kysely';
import type { AlertTable } from '../../db/schema.js';
import { requireEntity, type AuthContext } from '../../core/auth.js';
import { DomainError } from '../../../shared/errors.js';
import { ALERT_CLOSE_REASONS, alertActions, SAR_DECISIONS, type AlertAction, type AlertCloseInput, type AlertStatus } from '../../../shared/alerts/workflow.js';
import type { Role } from '../../../shared/access/permissions.js';
import { flagsOf, flagText } from '../../../shared/clients/flags.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';

export interface RaiseAlert {
  kind: string;
  legalEntity: string;
  clientId: string | null;
  severity: AlertTable['severity'];
  forRole: string;
  summary: string;
  details: Record<string, unknown>;
  sourceRef: string | null;
}

export async function raiseAlert(m: Mutation, alert: RaiseAlert): Promise<string> {
  const id = await nextRef(m.trx, 'ALR');
  await m.trx
    .insertInto('alerts')
    .values({
      id,
      kind: alert.kind,
      legal_entity: alert.legalEntity,
      client_id: alert.clientId,
      severity: alert.severity,
      status: 'open',
      for_role: alert.forRole,
      summary: alert.summary,
      details_json: JSON.stringify(alert.details),
      source_ref: alert.sourceRef,
      created_at: m.now,
      updated_at: m.now,
    })
    .execute();
  m.audit({
    action: 'alert.raised',
    targetType: 'alert',
    targetId: id,
    clientId: alert.clientId ?? undefined,
    legalEntity: alert.legalEntity,
    after: { kind: alert.kind, severity: alert.severity, forRole: alert.forRole, summary: alert.summary },
    caseRef: alert.sourceRef ?? undefined,
  });
  m.changed('alerts', id, alert.legalEntity, 'insert');
  return id;
}

/**
 * Closes the open alerts of a kind whose source starts with `sourcePrefix`, as resolved by the
 * action that made them moot (an overdue rollback that was since approved): reason code
 * `action_taken`, the note saying what happened, the person whose action it was, and no report
 * decision, since the alert was never about a client.
 */
export async function resolveAlerts(m: Mutation, kind: string, sourcePrefix: string, note: string): Promise<string[]> {
  const open = await m.trx.selectFrom('alerts').select(['id', 'legal_entity', 'status']).where('kind', '=', kind).where('source_ref', 'like', `${sourcePrefix}%`).where('status', '!=', 'closed').execute();
  for (const a of open) {
    await m.trx.updateTable('alerts').set({ status: 'closed', closed_at: m.now, closed_by: m.actor.id, close_reason: 'action_taken', close_note: note, updated_at: m.now }).where('id', '=', a.id).execute();
    m.audit({ action: 'alert.closed', targetType: 'alert', targetId: a.id, legalEntity: a.legal_entity, before: { status: a.status }, after: { status: 'closed', reasonCode: 'action_taken', sarDecision: null }, reason: note });
    m.changed('alerts', a.id, a.legal_entity, 'update');
  }
  return open.map((a) => a.id);
}

export interface AlertView {
  id: string;
  kind: string;
  legalEntity: string;
  clientId: string | null;
  severity: string;
  status: AlertStatus;
  forRole: string;
  /** Written by the system with ids only; the client's name is joined in as `clientName`. */
  summary: string;
  /** The client's name at reading time (masked for readers without clients.pii, as every name is). */
  clientName: string | null;
  details: Record<string, unknown>;
  sourceRef: string | null;
  /** What must not be missed about the alert's client, as the grid's text (shared/clients/flags.ts). */
  flags: string;
  /** Who has taken the alert (username), or null. */
  assignee: string | null;
  assigneeId: string | null;
  acknowledged: { at: string; by: string } | null;
  /** `sar` is null for an alert the system closed as resolved (resolveAlerts): no report was in question. */
  closed: { at: string; by: string; reasonCode: string; reason: string; note: string; sar: { decision: string; label: string; reason: string; reference: string | null } | null } | null;
  createdAt: string;
  updatedAt: string;
}

type AlertRow = Selectable<AlertTable> & { client_name?: string | null; client_status?: string | null; client_screening?: string | null; assignee?: string | null; acknowledger?: string | null; closer?: string | null };

export function alertView(row: AlertRow): AlertView {
  return {
    id: row.id,
    kind: row.kind,
    legalEntity: row.legal_entity,
    clientId: row.client_id,
    severity: row.severity,
    status: row.status,
    forRole: row.for_role,
    summary: row.summary,
    clientName: row.client_name ?? null,
    details: readJson(JSON_COLUMNS.object, row.details_json, `alerts.details_json of ${row.id}`),
    sourceRef: row.source_ref,
    flags: flagText(flagsOf({ clientStatus: row.client_status, screeningStatus: row.client_screening })),
    assignee: row.assignee ?? null,
    assigneeId: row.assignee_id,
    acknowledged: row.acknowledged_at ? { at: row.acknowledged_at, by: row.acknowledger ?? row.acknowledged_by ?? '' } : null,
    closed:
      row.closed_at && row.close_reason
        ? {
            at: row.closed_at,
            by: row.closer ?? row.closed_by ?? '',
            reasonCode: row.close_reason,
            reason: ALERT_CLOSE_REASONS[row.close_reason],
            note: row.close_note ?? '',
            sar: row.sar_decision ? { decision: row.sar_decision, label: SAR_DECISIONS[row.sar_decision], reason: row.sar_reason ?? '', reference: row.sar_reference } : null,
          }
        : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class AlertsService {
  constructor(private readonly store: Store) {}

  async list(auth: AuthContext, filter: { status?: AlertStatus | undefined; clientId?: string | undefined; limit: number }): Promise<AlertView[]> {
    const scope = auth.scope('alerts.read');
    if (scope.length === 0) return [];
    let q = this.rows()
      .where('a.legal_entity', 'in', scope)
      .orderBy('a.created_at', 'desc')
      .orderBy('a.id', 'desc')
      .limit(filter.limit);
    if (filter.status) q = q.where('a.status', '=', filter.status);
    if (filter.clientId) q = q.where('a.client_id', '=', filter.clientId);
    return (await q.execute()).map(alertView);
  }

  /** One alert, with what the caller may do with it now. */
  async get(auth: AuthContext, id: string): Promise<AlertView & { availableActions: AlertAction[] }> {
    const row = await this.rows().where('a.id', '=', id).executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', `Alert ${id} does not exist.`);
    requireEntity(auth, 'alerts.read', row.legal_entity);
    return { ...alertView(row), availableActions: alertActions({ status: row.status, assigneeId: row.assignee_id }, this.actor(auth, row)) };
  }

  async byIds(ids: string[]): Promise<AlertView[]> {
    if (ids.length === 0) return [];
    return (await this.rows().where('a.id', 'in', ids).execute()).map(alertView);
  }

  /** Takes the alert: the caller is its assignee from now. */
  async assignToMe(auth: AuthContext, id: string): Promise<AlertView> {
    await this.work(auth, id, 'assign', async (m, row) => {
      await m.trx.updateTable('alerts').set({ assignee_id: auth.user.id, updated_at: m.now }).where('id', '=', id).execute();
      m.audit({ action: 'alert.assigned', targetType: 'alert', targetId: id, clientId: row.client_id ?? undefined, legalEntity: row.legal_entity, before: { assigneeId: row.assignee_id }, after: { assigneeId: auth.user.id }, caseRef: row.source_ref ?? undefined });
    });
    return alertView(await this.load(id));
  }

  /** Someone is on it: the alert stops counting as unseen; it is taken by the caller if nobody had it. */
  async acknowledge(auth: AuthContext, input: { id: string; note?: string | undefined }): Promise<AlertView> {
    await this.work(auth, input.id, 'acknowledge', async (m, row) => {
      await m.trx.updateTable('alerts').set({ status: 'acknowledged', acknowledged_at: m.now, acknowledged_by: auth.user.id, assignee_id: row.assignee_id ?? auth.user.id, updated_at: m.now }).where('id', '=', input.id).execute();
      m.audit({ action: 'alert.acknowledged', targetType: 'alert', targetId: input.id, clientId: row.client_id ?? undefined, legalEntity: row.legal_entity, before: { status: row.status }, after: { status: 'acknowledged' }, reason: input.note, caseRef: row.source_ref ?? undefined });
    });
    return alertView(await this.load(input.id));
  }

  /** Closes the alert with its reason code, note and the suspicious-activity report decision. */
  async close(auth: AuthContext, input: AlertCloseInput): Promise<AlertView> {
    await this.work(auth, input.id, 'close', async (m, row) => {
      await m.trx
        .updateTable('alerts')
        .set({ status: 'closed', closed_at: m.now, closed_by: auth.user.id, close_reason: input.reasonCode, close_note: input.note, sar_decision: input.sar.decision, sar_reason: input.sar.reason, sar_reference: input.sar.reference ?? null, updated_at: m.now })
        .where('id', '=', input.id)
        .execute();
      m.audit({
        action: 'alert.closed',
        targetType: 'alert',
        targetId: input.id,
        clientId: row.client_id ?? undefined,
        legalEntity: row.legal_entity,
        before: { status: row.status },
        after: { status: 'closed', reasonCode: input.reasonCode, sarDecision: input.sar.decision, sarReason: input.sar.reason, sarReference: input.sar.reference ?? null },
        reason: input.note,
        caseRef: row.source_ref ?? undefined,
      });
    });
    return alertView(await this.load(input.id));
  }

  /** Runs one step on the alert inside a mutation, after checking entity, state and role. */
  private async work(auth: AuthContext, id: string, action: AlertAction, step: (m: Mutation, row: Selectable<AlertTable>) => Promise<void>): Promise<void> {
    await this.store.mutate(auth.actor, async (m) => {
      const row = await m.trx.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new DomainError('NOT_FOUND', `Alert ${id} does not exist.`);
      requireEntity(auth, 'alerts.manage', row.legal_entity);
      const who = this.actor(auth, row);
      if (!alertActions({ status: row.status, assigneeId: row.assignee_id }, who).includes(action)) {
        if (row.status === 'closed') throw new DomainError('INVALID_TRANSITION', `${id} is closed; a new problem raises a new alert.`);
        if (action === 'close') throw new DomainError('FORBIDDEN_PERMISSION', `${id} was raised for the ${row.for_role.replaceAll('_', ' ')}; only they close it. Acknowledge it, or take it to them.`);
        if (action === 'assign') throw new DomainError('INVALID_TRANSITION', `${id} is already yours.`);
        throw new DomainError('INVALID_TRANSITION', `${id} was acknowledged already.`);
      }
      await step(m, row);
      m.changed('alerts', id, row.legal_entity, 'update');
    });
  }

  private actor(auth: AuthContext, row: { legal_entity: string; for_role: string }) {
    return {
      userId: auth.user.id,
      manages: auth.scope('alerts.manage').includes(row.legal_entity),
      holdsRole: (auth.rolesByEntity.get(row.legal_entity) ?? []).includes(row.for_role as Role),
    };
  }

  private async load(id: string): Promise<AlertRow> {
    return this.rows().where('a.id', '=', id).executeTakeFirstOrThrow();
  }

  private rows() {
    return this.store.kysely
      .selectFrom('alerts as a')
      .leftJoin('clients as c', 'c.id', 'a.client_id')
      .leftJoin('users as u', 'u.id', 'a.assignee_id')
      .leftJoin('users as ack', 'ack.id', 'a.acknowledged_by')
      .leftJoin('users as cl', 'cl.id', 'a.closed_by')
      .selectAll('a')
      .select(['c.display_name as client_name', 'c.status as client_status', 'c.screening_status as client_screening', 'u.username as assignee', 'ack.username as acknowledger', 'cl.username as closer']);
  }
}
