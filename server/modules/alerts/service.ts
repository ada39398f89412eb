// Compliance and risk alerts: raised inside the mutation that found the problem (a confirmed
// sanctions match raises one for the MLRO), listed for those who hold alerts.read in the entity.

import type { Mutation, Store } from '../../core/store.js';
import { nextRef } from '../../db/counters.js';
import type { AlertTable } from '../../db/schema.js';
import { type AuthContext } from '../../core/auth.js';
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

export interface AlertView {
  id: string;
  kind: string;
  legalEntity: string;
  clientId: string | null;
  severity: string;
  status: string;
  forRole: string;
  /** Written by the system with ids only; the client's name is joined in as `clientName`. */
  summary: string;
  /** The client's name at reading time (masked for readers without clients.pii, as every name is). */
  clientName: string | null;
  details: Record<string, unknown>;
  sourceRef: string | null;
  createdAt: string;
  updatedAt: string;
}

export function alertView(row: AlertTable & { client_name?: string | null }): AlertView {
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
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class AlertsService {
  constructor(private readonly store: Store) {}

  async list(auth: AuthContext, filter: { status?: 'open' | 'closed' | undefined; clientId?: string | undefined; limit: number }): Promise<AlertView[]> {
    const scope = auth.scope('alerts.read');
    if (scope.length === 0) return [];
    let q = this.withClientName()
      .where('a.legal_entity', 'in', scope)
      .orderBy('a.created_at', 'desc')
      .orderBy('a.id', 'desc')
      .limit(filter.limit);
    if (filter.status) q = q.where('a.status', '=', filter.status);
    if (filter.clientId) q = q.where('a.client_id', '=', filter.clientId);
    return (await q.execute()).map(alertView);
  }

  async byIds(ids: string[]): Promise<AlertView[]> {
    if (ids.length === 0) return [];
    return (await this.withClientName().where('a.id', 'in', ids).execute()).map(alertView);
  }

  private withClientName() {
    return this.store.kysely.selectFrom('alerts as a').leftJoin('clients as c', 'c.id', 'a.client_id').selectAll('a').select('c.display_name as client_name');
  }
}
