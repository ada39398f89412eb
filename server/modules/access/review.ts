// The access review: who held which role in which legal entity during a period, who asked, who
// approved and why; temporary grants ending soon and those that lapsed.

import { DomainError } from '../../../shared/errors.js';
import type { Store } from '../../core/store.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';

export class AccessReviewService {
  constructor(private readonly store: Store) {}

  private get db() {
    return this.store.kysely;
  }

  /**
   * Who held which role in which entity during [from, to], who asked, who approved and why; grants
   * that lapsed at their end date in the period, and grants in force that end within
   * `endingWithinDays` (14 by default) of now.
   */
  async review(scope: string[], range: { from?: string | undefined; to?: string | undefined; endingWithinDays?: number | undefined }) {
    const now = this.store.now();
    const to = range.to ?? now;
    const from = range.from ?? '0000-01-01T00:00:00.000Z';
    if (from > to) throw new DomainError('VALIDATION_FAILED', '`from` must not be after `to`.');
    const rows = await this.db
      .selectFrom('role_grants as g')
      .innerJoin('users as u', 'u.id', 'g.user_id')
      .selectAll('g')
      .select(['u.username', 'u.display_name'])
      .where('g.legal_entity', 'in', scope.length ? scope : ['\u0000'])
      .where('g.granted_at', '<=', to)
      .where((eb) => eb.or([eb('g.revoked_at', 'is', null), eb('g.revoked_at', '>=', from)]))
      .orderBy('g.legal_entity')
      .orderBy('u.username')
      .orderBy('g.role')
      .execute();
    const ids = new Set<string>();
    for (const r of rows) {
      ids.add(r.requested_by);
      for (const a of readJson(JSON_COLUMNS.userIds, r.approved_by, `role_grants.approved_by of ${r.id}`)) ids.add(a);
      if (r.revoke_requested_by) ids.add(r.revoke_requested_by);
      if (r.cover_for) ids.add(r.cover_for);
      for (const a of readJson(JSON_COLUMNS.userIds, r.revoke_approved_by ?? '[]', `role_grants.revoke_approved_by of ${r.id}`)) ids.add(a);
    }
    const names = new Map(
      (ids.size ? await this.db.selectFrom('users').select(['id', 'username']).where('id', 'in', [...ids]).execute() : []).map((u) => [u.id, u.username]),
    );
    const who = (id: string | null) => (id ? { id, username: names.get(id) ?? id } : null);
    const holdings = rows.map((r) => ({
      grantId: r.id,
      user: { id: r.user_id, username: r.username, displayName: r.display_name },
      role: r.role,
      legalEntity: r.legal_entity,
      grantedAt: r.granted_at,
      grant: { requestedBy: who(r.requested_by), approvedBy: (readJson(JSON_COLUMNS.userIds, r.approved_by, `role_grants.approved_by of ${r.id}`)).map(who), approvalId: r.approval_id, reason: r.reason },
      endsAt: r.ends_at,
      coverFor: who(r.cover_for),
      lapsedAt: r.lapsed_at,
      revokedAt: r.revoked_at,
      revoke: r.revoked_at && !r.lapsed_at
        ? { requestedBy: who(r.revoke_requested_by), approvedBy: (readJson(JSON_COLUMNS.userIds, r.revoke_approved_by ?? '[]', `role_grants.revoke_approved_by of ${r.id}`)).map(who), approvalId: r.revoke_approval_id, reason: r.revoke_reason }
        : null,
    }));
    const events = holdings
      .flatMap((h) => [
        ...(h.grantedAt >= from && h.grantedAt <= to ? [{ at: h.grantedAt, type: 'grant' as const, user: h.user, role: h.role, legalEntity: h.legalEntity, ...h.grant }] : []),
        ...(h.revokedAt && h.revoke && h.revokedAt >= from && h.revokedAt <= to ? [{ at: h.revokedAt, type: 'revoke' as const, user: h.user, role: h.role, legalEntity: h.legalEntity, ...h.revoke }] : []),
        ...(h.lapsedAt && h.revokedAt && h.revokedAt >= from && h.revokedAt <= to
          ? [{ at: h.revokedAt, type: 'lapse' as const, user: h.user, role: h.role, legalEntity: h.legalEntity, requestedBy: null, approvedBy: [], approvalId: null, reason: 'lapsed at its end date' }]
          : []),
      ])
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    const horizon = new Date(Date.parse(now) + (range.endingWithinDays ?? 14) * 86_400_000).toISOString();
    const endingSoon = holdings.filter((h) => h.revokedAt === null && h.endsAt !== null && h.endsAt > now && h.endsAt <= horizon).sort((a, b) => (a.endsAt! < b.endsAt! ? -1 : 1));
    const lapsed = holdings.filter((h) => h.lapsedAt !== null && h.revokedAt! >= from && h.revokedAt! <= to);
    return { from: range.from ?? null, to, holdings, events, endingSoon, lapsed };
  }
}
