// Reading change requests (issue 19): each with its approval (chain, answers with time and person),
// its diff against the version in force, the dry run submitted with it; and the release snapshots.

import { DomainError } from '../../../shared/errors.js';
import { diffPolicies, versionName } from '../../../shared/policies/diff.js';
import type { AuthContext } from '../../core/auth.js';
import type { Store } from '../../core/store.js';
import type { PolicyChangeTable } from '../../db/schema-policies.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';
import type { ApprovalsService } from '../approvals/service.js';
import type { PoliciesService } from './service.js';
import type { Selectable } from 'kysely';

const viewer = (auth: AuthContext) => ({ id: auth.user.id, rolesByEntity: auth.rolesByEntity });

export class PolicyChangeReads {
  constructor(
    private readonly store: Store,
    private readonly policies: PoliciesService,
    private readonly approvals: ApprovalsService,
  ) {}

  private async views(auth: AuthContext, rows: Selectable<PolicyChangeTable>[]) {
    const approvals = new Map((await this.approvals.byIds(viewer(auth), rows.map((r) => r.approval_id))).map((a) => [a.id, a]));
    const makers = rows.length ? await this.store.kysely.selectFrom('users').select(['id', 'username']).where('id', 'in', [...new Set(rows.map((r) => r.created_by))]).execute() : [];
    const name = new Map(makers.map((u) => [u.id, u.username]));
    return rows.map((r) => {
      const approval = approvals.get(r.approval_id)!;
      return {
        id: r.id,
        type: r.type,
        version: r.version,
        name: versionName(r.type, r.version),
        action: r.action,
        tier: r.tier,
        purpose: r.purpose,
        details: readJson(JSON_COLUMNS.json, r.details_json, `policy_changes.details_json of ${r.id}`),
        segment: r.segment_json === null ? null : readJson(JSON_COLUMNS.json, r.segment_json, `policy_changes.segment_json of ${r.id}`),
        dryRun: r.dry_run_json === null ? null : readJson(JSON_COLUMNS.json, r.dry_run_json, `policy_changes.dry_run_json of ${r.id}`),
        createdBy: { id: r.created_by, username: name.get(r.created_by) ?? r.created_by },
        createdAt: r.created_at,
        // needs changes is a closing answer: shown as such, not as a plain rejection
        status: approval.rejection?.answer === 'needs changes' ? 'needs_changes' : approval.status,
        approval,
      };
    });
  }

  async list(auth: AuthContext, f: { type?: string | undefined; cursor?: string | undefined; limit: number }) {
    let q = this.store.kysely.selectFrom('policy_changes').selectAll();
    if (f.type) q = q.where('type', '=', this.policies.assertType(f.type));
    if (f.cursor) q = q.where('id', '<', f.cursor);
    const rows = await q.orderBy('id', 'desc').limit(f.limit + 1).execute();
    const page = rows.slice(0, f.limit);
    return { items: await this.views(auth, page), nextCursor: rows.length > f.limit ? page.at(-1)!.id : null };
  }

  /** One change with the diff of its version against the version in force now. */
  async get(auth: AuthContext, id: string) {
    const row = await this.store.kysely.selectFrom('policy_changes').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', `Change request ${id} does not exist.`);
    const [view] = await this.views(auth, [row]);
    const type = this.policies.assertType(row.type);
    const active = await this.policies.require(this.store.kysely, type);
    const candidate = await this.policies.get(type, row.version);
    return { ...view!, against: { version: active.version, name: versionName(type, active.version) }, changes: diffPolicies(active.document, candidate.document), documentHash: candidate.documentHash };
  }

  async approvalOf(id: string): Promise<string> {
    const row = await this.store.kysely.selectFrom('policy_changes').select('approval_id').where('id', '=', id).executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', `Change request ${id} does not exist.`);
    return row.approval_id;
  }

  async snapshots() {
    const rows = await this.store.kysely.selectFrom('policy_release_snapshots').select(['id', 'approval_id', 'taken_at', 'content_hash']).orderBy('id', 'desc').limit(500).execute();
    return { items: rows.map((r) => ({ id: Number(r.id), approvalId: r.approval_id, takenAt: r.taken_at, contentHash: r.content_hash, fileName: `policy-snapshot-${r.taken_at.slice(0, 19).replaceAll(':', '')}Z.json` })), nextCursor: null };
  }

  async snapshot(id: number) {
    const r = await this.store.kysely.selectFrom('policy_release_snapshots').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw new DomainError('NOT_FOUND', `Release snapshot ${id} does not exist.`);
    return { id: Number(r.id), approvalId: r.approval_id, takenAt: r.taken_at, contentHash: r.content_hash, content: r.content };
  }
}
