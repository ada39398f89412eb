// The desktop cache's feed: the rows after a cursor that this user may see, projected and masked
// for their permissions, and the new cursor. Audit events come from the audit log itself (its seq
// is gapless and commit-ordered); other views from the change feed, read back as the rows' current
// state, so that a row that is no longer visible to this user is sent as a delete.

import type { Permission } from '../../../shared/access/permissions.js';
import { VIEWS, type CacheRow } from '../../../shared/desktop/views.js';
import type { Store } from '../../core/store.js';
import type { AlertsService } from '../alerts/service.js';
import type { KycReads } from '../kyc/reads.js';
import type { WithdrawalReads } from '../payments/withdrawal-rows.js';
import type { DepositRecord, DepositsService } from '../payments/deposits.js';
import type { ExceptionRecord, PaymentExceptions } from '../payments/exception-work.js';
import type { ApprovalsService } from '../approvals/service.js';
import type { InterventionReads, InterventionView } from '../platform/intervention-rows.js';
import type { ManagerOperations, ManagerOpView } from '../platform/unlinked.js';
import type { ScreeningService } from '../screening/service.js';
import { auditItem, type AuditItem } from '../audit/service.js';
import { type AuthContext } from '../../core/auth.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';

/**
 * What the `_json` of each cached view's rows holds: the server's own record (masked by the
 * disclosure rule), which the desktop's panes read back with these types.
 */
export interface CachedRecords {
  audit: AuditItem;
  alerts: Awaited<ReturnType<AlertsService['byIds']>>[number];
  approvals: Awaited<ReturnType<ApprovalsService['byIds']>>[number];
  withdrawals: Awaited<ReturnType<WithdrawalReads['byIds']>>[number];
  deposits: DepositRecord;
  exceptions: ExceptionRecord;
  interventions: InterventionView & { clientFlags: string };
  managerOps: ManagerOpView;
  grants: { grantId: string; username: string; displayName: string; role: string; legalEntity: string; grantedAt: string; requestedBy: string; approvedBy: string; reason: string; revokedAt: string | null; approvalId: string | null; revokeApprovalId: string | null; revokeReason: string | null };
}

export interface SyncCursor {
  audit: number;
  feed: number;
}

export interface SyncBatch {
  /** The cursor given was not one this server can continue from: the host must start over. */
  reset: boolean;
  cursor: string;
  more: boolean;
  upserts: Record<string, CacheRow[]>;
  deletes: Record<string, Array<string | number>>;
}

export function formatCursor(c: SyncCursor): string {
  return `v1.${c.audit}.${c.feed}`;
}

export function parseCursor(text: string | null | undefined): SyncCursor | null {
  const m = text ? /^v1\.(\d{1,15})\.(\d{1,15})$/.exec(text) : null;
  return m ? { audit: Number(m[1]), feed: Number(m[2]) } : null;
}

/** Feed tables and the view and permission each one serves. */
const FEED_VIEWS = {
  approval_requests: { view: 'approvals', permission: 'approvals.read' },
  role_grants: { view: 'grants', permission: 'access.read' },
  screening_cases: { view: 'screening', permission: 'screening.read' },
  alerts: { view: 'alerts', permission: 'alerts.read' },
  kyc_cases: { view: 'kyc', permission: 'kyc.read' },
  withdrawals: { view: 'withdrawals', permission: 'withdrawals.read' },
  deposits: { view: 'deposits', permission: 'deposits.read' },
  payment_exceptions: { view: 'exceptions', permission: 'payments.exceptions' },
  interventions: { view: 'interventions', permission: 'platform.read' },
  platform_manager_ops: { view: 'managerOps', permission: 'platform.read' },
} as const satisfies Record<string, { view: string; permission: Permission }>;

type FeedTable = keyof typeof FEED_VIEWS;

export class SyncService {
  constructor(
    private readonly store: Store,
    private readonly approvals: ApprovalsService,
    private readonly screening: ScreeningService,
    private readonly alerts: AlertsService,
    private readonly kyc: KycReads,
    private readonly withdrawals: WithdrawalReads,
    private readonly deposits: DepositsService,
    private readonly exceptions: PaymentExceptions,
    private readonly interventions: InterventionReads,
    private readonly managerOps: ManagerOperations,
  ) {}

  async head(): Promise<SyncCursor> {
    const db = this.store.kysely;
    const a = await db.selectFrom('audit_events').select('seq').orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const f = await db.selectFrom('change_feed').select('seq').orderBy('seq', 'desc').limit(1).executeTakeFirst();
    return { audit: a?.seq ?? 0, feed: f?.seq ?? 0 };
  }

  async pull(auth: AuthContext, cursorText: string | null, limit: number): Promise<SyncBatch> {
    const head = await this.head();
    let from = cursorText === null ? { audit: 0, feed: 0 } : parseCursor(cursorText);
    let reset = false;
    if (!from || from.audit > head.audit || from.feed > head.feed) {
      // Unknown, malformed, or from another database (a restore): start over from the beginning.
      reset = cursorText !== null;
      from = { audit: 0, feed: 0 };
    }
    const upserts: Record<string, CacheRow[]> = {};
    const deletes: Record<string, Array<string | number>> = {};
    let more = false;
    const next = { ...from };

    if (auth.permissions.has('audit.read')) {
      const scope = auth.scope('audit.read');
      const rows = await this.store.kysely
        .selectFrom('audit_events')
        .selectAll()
        .where('seq', '>', from.audit)
        .where((eb) => eb.or([eb('legal_entity', 'is', null), ...(scope.length ? [eb('legal_entity', 'in', scope)] : [])]))
        .orderBy('seq')
        .limit(limit)
        .execute();
      // Masked for readers without clients.pii, _json included, by the disclosure rule (server/core/disclosure.ts).
      upserts.audit = rows.map((r) => {
        const shown = auditItem(r);
        return {
          seq: r.seq, at: r.at, actor: r.actor_name, action: r.action, targetType: r.target_type, targetId: r.target_id, clientId: r.client_id,
          legalEntity: r.legal_entity, caseRef: r.case_ref, reason: r.reason, ip: r.ip, _json: JSON.stringify(shown),
        };
      });
      if (rows.length === limit) {
        more = true;
        next.audit = rows.at(-1)!.seq;
      } else next.audit = Math.max(head.audit, rows.at(-1)?.seq ?? 0);
    } else next.audit = head.audit;

    const tables = (Object.keys(FEED_VIEWS) as FeedTable[]).filter((t) => auth.permissions.has(FEED_VIEWS[t].permission));
    const feed = tables.length
      ? await this.store.kysely.selectFrom('change_feed').select(['seq', 'table_name', 'row_id']).where('seq', '>', from.feed).where('table_name', 'in', tables).orderBy('seq').limit(limit).execute()
      : [];
    if (feed.length === limit) {
      more = true;
      next.feed = feed.at(-1)!.seq;
    } else next.feed = Math.max(head.feed, feed.at(-1)?.seq ?? 0);
    for (const table of tables) {
      const ids = [...new Set(feed.filter((f) => f.table_name === table).map((f) => f.row_id))];
      if (ids.length === 0) continue;
      const { view, permission } = FEED_VIEWS[table];
      const scope = auth.scope(permission);
      const rows = await this.rowsOf(table, auth, ids);
      const key = VIEWS[view].key;
      const visible = new Map(rows.filter((r) => r.legalEntity === null || scope.includes(r.legalEntity as string)).map((r) => [String(r[key]), r]));
      upserts[view] = [...visible.values()];
      deletes[view] = ids.filter((id) => !visible.has(id));
    }
    return { reset, cursor: formatCursor(next), more, upserts, deletes };
  }

  private rowsOf(table: FeedTable, auth: AuthContext, ids: string[]): Promise<CacheRow[]> {
    switch (table) {
      case 'approval_requests':
        return this.approvalRows(auth, ids);
      case 'role_grants':
        return this.grantRows(ids);
      case 'screening_cases':
        return this.screening.byIds(ids).then((rows) => rows.map(({ isParty: _isParty, ...r }) => ({ ...r, _json: JSON.stringify({ ...r, isParty: _isParty }) })));
      case 'kyc_cases':
        return this.kyc.byIds(auth, ids);
      case 'withdrawals':
        return this.withdrawals.byIds(ids);
      case 'deposits':
        return this.deposits.byIds(ids);
      case 'payment_exceptions':
        return this.exceptions.byIds(auth, ids);
      case 'interventions':
        return this.interventions.byIds(ids);
      case 'platform_manager_ops':
        return this.managerOps.byIds(ids);
      case 'alerts':
        return this.alerts.byIds(ids).then((rows) => rows.map((a) => ({ id: a.id, status: a.status, severity: a.severity, kind: a.kind, forRole: a.forRole, clientId: a.clientId, clientName: a.clientName, legalEntity: a.legalEntity, summary: a.summary, sourceRef: a.sourceRef, assignee: a.assignee, flags: a.flags, createdAt: a.createdAt, _json: JSON.stringify(a) })));
    }
  }

  private async approvalRows(auth: AuthContext, ids: string[]): Promise<CacheRow[]> {
    const views = await this.approvals.byIds({ id: auth.user.id, rolesByEntity: auth.rolesByEntity }, ids);
    return views.map((a) => ({
      id: a.id, kind: a.kind, summary: a.summary, maker: a.maker.username, legalEntity: a.legalEntity, status: a.status, tier: a.tier,
      approvalsGiven: a.approvals.length, requiredCount: a.requiredCount, createdAt: a.createdAt, expiresAt: a.expiresAt, _json: JSON.stringify(a),
    }));
  }

  private async grantRows(ids: string[]): Promise<CacheRow[]> {
    const rows = await this.store.kysely
      .selectFrom('role_grants as g')
      .innerJoin('users as u', 'u.id', 'g.user_id')
      .leftJoin('users as r', 'r.id', 'g.requested_by')
      .selectAll('g')
      .select(['u.username', 'u.display_name', 'r.username as requester'])
      .where('g.id', 'in', ids)
      .execute();
    const approverIds = [...new Set(rows.flatMap((r) => readJson(JSON_COLUMNS.userIds, r.approved_by, `role_grants.approved_by of ${r.id}`)))];
    const names = new Map(
      (approverIds.length ? await this.store.kysely.selectFrom('users').select(['id', 'username']).where('id', 'in', approverIds).execute() : []).map((u) => [u.id, u.username]),
    );
    return rows.map((g) => {
      const approvedBy = readJson(JSON_COLUMNS.userIds, g.approved_by, `role_grants.approved_by of ${g.id}`).map((id) => names.get(id) ?? id).join(', ');
      const row = {
        grantId: g.id, username: g.username, displayName: g.display_name, role: g.role, legalEntity: g.legal_entity, grantedAt: g.granted_at,
        requestedBy: g.requester ?? g.requested_by, approvedBy, reason: g.reason, revokedAt: g.revoked_at,
      };
      const record: CachedRecords['grants'] = { ...row, approvalId: g.approval_id, revokeApprovalId: g.revoke_approval_id, revokeReason: g.revoke_reason };
      return { ...row, _json: JSON.stringify(record) };
    });
  }
}
