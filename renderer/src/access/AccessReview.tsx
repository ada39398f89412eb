// The access review: who holds which role in which legal entity (with who asked, who approved and
// why), and the approval requests, with approve and reject for those the request allows.

import { useState } from 'react';
import type { CacheRow } from '../../../shared/desktop/views.js';
import type { ChannelOutput } from '../../../main/host/channels.js';
import { PaneStatus, useHostQuery } from '../shared/host.js';
import { QueueView, type QueueColumn } from '../shared/QueueView.js';
import { useAppDispatch } from '../store.js';
import { notify } from '../shared/notices.js';
import { decideApproval } from './approvals.js';
import type { Profile as User } from '../../../main/host/channels.js';
import { recordOf } from '../shared/records.js';
import { Field, RecordDetail } from '../shared/Fields.js';
import { fieldLabel } from '../../../shared/issues.js';
import { roleLabel } from '../../../shared/access/permissions.js';
import { People } from './People.js';
import { APPROVAL_TABS, GRANT_TABS } from './tabs.js';
import { useShortcuts } from '../shared/shortcuts.js';
import { APPROVAL_STATUS_LABELS, labelOf } from '../../../shared/labels.js';
import type { EvidencePick } from '../shared/evidence-column.js';

const GRANTS: QueueColumn<'grants'>[] = [
  { field: 'username', header: 'User', width: 140 },
  { field: 'displayName', header: 'Name', width: 170 },
  { field: 'role', header: 'Role', width: 190 },
  { field: 'legalEntity', header: 'Entity', width: 90, choices: 'entities' },
  { field: 'grantedAt', header: 'Granted (UTC)', width: 170 },
  { field: 'requestedBy', header: 'Requested by', width: 130 },
  { field: 'approvedBy', header: 'Approved by', width: 140 },
  { field: 'reason', header: 'Reason', width: 220 },
  { field: 'revokedAt', header: 'Revoked (UTC)', width: 170 },
];

const APPROVALS: QueueColumn<'approvals'>[] = [
  { field: 'id', header: 'Request', width: 120, exact: true },
  { field: 'status', header: 'Status', width: 110, format: (v) => labelOf(APPROVAL_STATUS_LABELS, String(v ?? '')), choices: APPROVAL_STATUS_LABELS },
  { field: 'summary', header: 'Summary', width: 340 },
  { field: 'maker', header: 'Maker', width: 110 },
  { field: 'legalEntity', header: 'Entity', width: 90, choices: 'entities' },
  { field: 'approvalsGiven', header: 'Given', width: 105 },
  { field: 'requiredCount', header: 'Needed', width: 115 },
  { field: 'createdAt', header: 'Created (UTC)', width: 170 },
  { field: 'expiresAt', header: 'Expires (UTC)', width: 170 },
];

type ApprovalView = ChannelOutput<'approvals.get'>;

function ApprovalDetail({ row, offline }: { row: CacheRow; offline: boolean }) {
  const dispatch = useAppDispatch();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const id = String(row.id);
  const approval = useHostQuery('approvals.get', { id }, [id, row.status, row.approvalsGiven]);
  const view: ApprovalView | null = approval.data;

  const decide = async (decision: 'approve' | 'reject') => {
    if (decision === 'reject' && reason.trim().length < 3) {
      setError('Say why you reject this request.');
      return;
    }
    const r = await dispatch(decideApproval({ id, decision, ...(reason.trim() ? { reason: reason.trim() } : {}) }));
    if (decideApproval.fulfilled.match(r)) {
      dispatch(notify(`${id}: ${r.payload.status}`));
      await approval.reload();
    }
  };

  const mayDecide = (a: 'approve' | 'reject') => (!view?.availableActions.includes(a) ? 'you made it, it is about you, or it needs a role you do not hold here' : offline ? 'offline' : null);
  useShortcuts([
    { key: 'p', label: 'Approve', run: () => void decide('approve'), unavailable: mayDecide('approve') },
    { key: 'r', label: 'Reject (with the reason typed)', run: () => void decide('reject'), unavailable: mayDecide('reject') },
  ]);
  const snapshot = recordOf('approvals', row);
  const v = view ?? snapshot;
  return (
    <div>
      <h3>
        {v.id} · {v.status}
      </h3>
      <p>{v.summary}</p>
      <WhatChanges payload={v.payload} />
      <dl>
        <dt>Maker</dt>
        <dd>{v.maker.username}</dd>
        <dt>Why</dt>
        <dd>{v.reason}</dd>
        <dt>Needs</dt>
        <dd>
          {v.requiredCount} approval{v.requiredCount === 1 ? '' : 's'} from {v.requiredRoles.map(roleLabel).join(' or ')} (tier “{v.tier}”, {v.policy.type} version {v.policy.version})
        </dd>
        <dt>Approvals</dt>
        <dd>{v.approvals.length ? v.approvals.map((a) => `${a.username} (${a.role ?? ''})`).join(', ') : 'none yet'}</dd>
        {v.rejection && (
          <>
            <dt>Rejected by</dt>
            <dd>
              {v.rejection.username}: {v.rejection.reason}
            </dd>
          </>
        )}
        {v.failureReason && (
          <>
            <dt>Failed</dt>
            <dd>{v.failureReason}</dd>
          </>
        )}
      </dl>
      {view && view.availableActions.some((a) => a === 'approve' || a === 'reject') && (
        <div className="decide">
          <label>
            Reason
            <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Required to reject" />
          </label>
          {offline && <p className="hint">Offline: decisions need the server and are disabled until it is reachable.</p>}
          {view.availableActions.includes('approve') && (
            <button disabled={offline} onClick={() => void decide('approve')}>
              Approve
            </button>
          )}
          {view.availableActions.includes('reject') && (
            <button disabled={offline} className="danger" onClick={() => void decide('reject')}>
              Reject
            </button>
          )}
        </div>
      )}
      {view && !view.availableActions.some((a) => a === 'approve' || a === 'reject') && v.status === 'pending' && <p className="hint">You cannot decide this request (you made it, it is about you, or it needs a role you do not hold here).</p>}
      <PaneStatus loading={false} error={error ?? approval.error} what={id} />
    </div>
  );
}

/** What the request would change, field by field, as the approver reads it before deciding. */
function WhatChanges({ payload }: { payload: unknown }) {
  if (!payload || typeof payload !== 'object') return null;
  const shown = Object.entries(payload as Record<string, unknown>).filter(([, value]) => value !== null && value !== undefined && value !== '');
  return (
    <section aria-label="What changes">
      <h4>What changes</h4>
      <dl>
        {shown.map(([k, value]) => (
          <Field key={k} label={fieldLabel([k])} value={k === 'role' && typeof value === 'string' ? roleLabel(value) : typeof value === 'object' ? JSON.stringify(value) : String(value)} />
        ))}
      </dl>
    </section>
  );
}

function GrantDetail({ row }: { row: CacheRow }) {
  const g = recordOf('grants', row);
  return <RecordDetail title={`${g.username} · ${g.role} · ${g.legalEntity}`} fields={g} />;
}

/** A holding's staff member: their sign-ins, grants with approvers, and every action. */
const GRANT_EVIDENCE: EvidencePick = (row) => (typeof row.username === 'string' ? { userId: row.username } : null);

export function AccessReview({ user, offline }: { user: User; offline: boolean }) {
  const canApprovals = user.permissions.includes('approvals.read');
  const canGrants = user.permissions.includes('access.read');
  const canManage = user.permissions.includes('access.manage');
  const [tab, setTab] = useState<'approvals' | 'grants' | 'people'>(canApprovals ? 'approvals' : 'grants');
  return (
    <div className="access">
      <div className="subtabs" role="tablist">
        {canApprovals && (
          <button role="tab" aria-selected={tab === 'approvals'} className={tab === 'approvals' ? 'tab active' : 'tab'} onClick={() => setTab('approvals')}>
            Approval requests
          </button>
        )}
        {canGrants && (
          <button role="tab" aria-selected={tab === 'grants'} className={tab === 'grants' ? 'tab active' : 'tab'} onClick={() => setTab('grants')}>
            Role holdings
          </button>
        )}
        {canManage && (
          <button role="tab" aria-selected={tab === 'people'} className={tab === 'people' ? 'tab active' : 'tab'} onClick={() => setTab('people')}>
            People
          </button>
        )}
      </div>
      {tab === 'people' && canManage && <People />}
      {tab === 'approvals' && canApprovals && <QueueView key="approvals" view="approvals" title="Approval requests" columns={APPROVALS} tabs={APPROVAL_TABS} defaultSort={[{ colId: 'createdAt', sort: 'desc' }]} detail={(row) => <ApprovalDetail row={row} offline={offline} />} />}
      {tab === 'grants' && canGrants && <QueueView key="grants" view="grants" evidence={GRANT_EVIDENCE} title="Role holdings" columns={GRANTS} tabs={GRANT_TABS} defaultSort={[{ colId: 'username', sort: 'asc' }]} detail={(row) => <GrantDetail row={row} />} />}
    </div>
  );
}
