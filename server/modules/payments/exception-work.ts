// The payment exceptions queue: listed in the reader's entities (and, for those who run
// reconciliation, the ones no entity owns yet), taken by a person, and resolved with a code and a
// note. Resolving a chargeback ends its block on the client's withdrawals; resolving repeated
// failures lets the client pay with that method again.

import { DomainError } from '../../../shared/errors.js';
import { listScope, requireEntity, type AuthContext } from '../../core/auth.js';
import type { Store } from '../../core/store.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';
import { EXCEPTION_KINDS, type ExceptionKind } from './exceptions.js';
import type { Selectable } from 'kysely';
import type { PaymentExceptionTable } from '../../db/schema-payments.js';
import type { CacheRow } from '../../../shared/desktop/views.js';

export class PaymentExceptions {
  constructor(private readonly store: Store) {}

  /**
   * The desktop cache's rows (sync.pull) for those who work exceptions: an exception no entity owns
   * yet is shown only to those who run reconciliation (the rest are left out, and the feed removes them).
   */
  async byIds(auth: AuthContext, refs: string[]): Promise<CacheRow[]> {
    const unowned = auth.scope('reconciliation.run').length > 0;
    const rows = await this.rows().where('x.ref', 'in', refs).execute();
    const now = this.store.now();
    return rows
      .filter((x) => x.legal_entity !== null || unowned)
      .map((x) => {
        const v = exceptionView(x, now);
        return {
          ref: v.ref,
          status: v.status,
          kind: v.kind,
          legalEntity: v.legalEntity,
          clientId: v.clientId,
          clientName: x.client_name,
          subjectRef: v.subjectRef,
          provider: v.provider,
          summary: v.summary,
          owner: v.owner,
          slaDueAt: v.slaDueAt,
          resolutionCode: v.resolutionCode,
          createdAt: v.createdAt,
          _json: JSON.stringify({ ...v, clientName: x.client_name } satisfies ExceptionRecord),
        };
      });
  }

  private rows() {
    return this.store.kysely
      .selectFrom('payment_exceptions as x')
      .leftJoin('users as u', 'u.id', 'x.owner_id')
      .leftJoin('users as r', 'r.id', 'x.resolved_by')
      .leftJoin('clients as c', 'c.id', 'x.client_id')
      .selectAll('x')
      .select(['u.username as owner', 'r.username as resolver', 'c.display_name as client_name']);
  }

  async list(auth: AuthContext, filter: { status?: 'open' | 'resolved' | undefined; kind?: string | undefined; legalEntity?: string | undefined; cursor?: string | undefined; limit: number }) {
    const scope = listScope(auth, 'deposits.read', filter.legalEntity || undefined);
    const unowned = !filter.legalEntity && auth.scope('reconciliation.run').length > 0;
    if (scope.length === 0 && !unowned) return { items: [], nextCursor: null };
    let q = this.rows()
      .where((eb) => eb.or([...(scope.length > 0 ? [eb('x.legal_entity', 'in', scope)] : []), ...(unowned ? [eb('x.legal_entity', 'is', null)] : [])]))
      .orderBy('x.ref', 'desc')
      .limit(filter.limit + 1);
    if (filter.status) q = q.where('x.status', '=', filter.status);
    if (filter.kind) q = q.where('x.kind', '=', filter.kind);
    if (filter.cursor) q = q.where('x.ref', '<', filter.cursor);
    const rows = await q.execute();
    const now = this.store.now();
    const items = rows.slice(0, filter.limit).map((x) => exceptionView(x, now));
    return { items, nextCursor: rows.length > filter.limit ? items.at(-1)!.ref : null };
  }

  private async load(auth: AuthContext, ref: string) {
    const row = await this.store.kysely.selectFrom('payment_exceptions').selectAll().where('ref', '=', ref).executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', `Payment exception ${ref} does not exist.`);
    if (row.legal_entity === null) {
      if (auth.scope('reconciliation.run').length === 0) throw new DomainError('OUT_OF_ENTITY_SCOPE', `${ref} belongs to no legal entity yet: only those who run reconciliation work it.`);
    } else requireEntity(auth, 'payments.exceptions', row.legal_entity);
    if (row.status !== 'open') throw new DomainError('ALREADY_DECIDED', `${ref} was resolved already (${row.resolution_code ?? ''}).`);
    return row;
  }

  async take(auth: AuthContext, ref: string): Promise<{ owner: string }> {
    const row = await this.load(auth, ref);
    if (row.owner_id === auth.user.id) return { owner: auth.user.username };
    await this.store.mutate(auth.actor, async (m) => {
      await m.trx.updateTable('payment_exceptions').set({ owner_id: auth.user.id }).where('ref', '=', ref).where('status', '=', 'open').execute();
      m.audit({ action: 'payments.exception.taken', targetType: 'payment_exception', targetId: ref, clientId: row.client_id ?? undefined, legalEntity: row.legal_entity, before: { owner: row.owner_id }, after: { owner: auth.user.id }, caseRef: row.subject_ref ?? undefined });
      m.changed('payment_exceptions', ref, row.legal_entity, 'update');
    });
    return { owner: auth.user.username };
  }

  async resolve(auth: AuthContext, input: { ref: string; resolutionCode: string; note: string }): Promise<{ status: 'resolved' }> {
    const row = await this.load(auth, input.ref);
    await this.store.mutate(auth.actor, async (m) => {
      const done = await m.trx
        .updateTable('payment_exceptions')
        .set({ status: 'resolved', owner_id: row.owner_id ?? auth.user.id, resolution_code: input.resolutionCode, resolution_note: input.note, resolved_by: auth.user.id, resolved_at: m.now })
        .where('ref', '=', input.ref)
        .where('status', '=', 'open')
        .returning('ref')
        .executeTakeFirst();
      if (!done) throw new DomainError('ALREADY_DECIDED', `${input.ref} was resolved already.`);
      m.audit({ action: 'payments.exception.resolved', targetType: 'payment_exception', targetId: input.ref, clientId: row.client_id ?? undefined, legalEntity: row.legal_entity, before: { status: 'open' }, after: { status: 'resolved', resolutionCode: input.resolutionCode }, reason: input.note, caseRef: row.subject_ref ?? undefined });
      m.changed('payment_exceptions', input.ref, row.legal_entity, 'update');
    });
    return { status: 'resolved' };
  }
}

/** An exception as the desktop cache holds it (`_json`): the list's view with the client's name. */
export type ExceptionRecord = ReturnType<typeof exceptionView> & { clientName: string | null };

type ExceptionRow = Selectable<PaymentExceptionTable> & { owner: string | null; resolver: string | null };

/** An exception as the list, the pane and the cache show it, with the SLA left while it is open. */
function exceptionView(x: ExceptionRow, now: string) {
  return {
    ref: x.ref,
    kind: x.kind,
    kindLabel: EXCEPTION_KINDS[x.kind as ExceptionKind] ?? x.kind,
    legalEntity: x.legal_entity,
    clientId: x.client_id,
    subjectRef: x.subject_ref,
    provider: x.provider,
    summary: x.summary,
    details: readJson(JSON_COLUMNS.object, x.details_json, `payment_exceptions.details_json of ${x.ref}`),
    status: x.status,
    owner: x.owner,
    slaDueAt: x.sla_due_at,
    slaMinutesLeft: x.status === 'open' ? Math.round((Date.parse(x.sla_due_at) - Date.parse(now)) / 60_000) : null,
    resolutionCode: x.resolution_code,
    resolutionNote: x.resolution_note,
    resolvedBy: x.resolver,
    resolvedAt: x.resolved_at,
    createdAt: x.created_at,
  };
}
