// "Evidence" on every grid row that names a subject (a client, a staff member, an MT5 operation):
// a button pinned at the right edge of the row, and the `v` key on the focused row, open the
// evidence view over the queue. Offered only where the user may read that evidence.

import type { ColDef } from 'ag-grid-community';
import type { Permission } from '../../../shared/access/permissions.js';
import type { CacheRow } from '../../../shared/desktop/views.js';
import type { EvidenceSubject } from '../../../shared/evidence/schemas.js';

export function subjectLabel(s: EvidenceSubject): string {
  return 'clientId' in s ? `Client ${s.clientId}` : 'userId' in s ? `Staff member ${s.userId}` : `MT5 operation ${s.caseRef}`;
}

/** A row's evidence subject, from the row's fields. */
export type EvidencePick = (row: CacheRow) => EvidenceSubject | null;

/** Whether the user may open this subject's evidence (a staff member's needs access.read, the rest evidence.read). */
export function mayOpenEvidence(permissions: readonly Permission[], s: EvidenceSubject): boolean {
  return permissions.includes('userId' in s ? 'access.read' : 'evidence.read');
}

export function evidenceColumn(pick: EvidencePick, permissions: readonly Permission[], open: (s: EvidenceSubject) => void): ColDef<CacheRow> {
  return {
    colId: '_evidence',
    headerName: 'Evidence',
    width: 96,
    pinned: 'right',
    sortable: false,
    filter: false,
    suppressMovable: true,
    cellRenderer: (p: { data?: CacheRow }) => {
      const s = p.data ? pick(p.data) : null;
      if (!s || !mayOpenEvidence(permissions, s)) return null;
      return (
        <button className="link evidence-link" title={`Open the evidence of ${subjectLabel(s)} (v)`} onClick={() => open(s)}>
          Evidence
        </button>
      );
    },
  };
}

const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : null);

/** The row's client. */
export const clientEvidence: EvidencePick = (row) => {
  const id = text(row.clientId);
  return id ? { clientId: id } : null;
};

/** The row's MT5 case (INT-…) or manager operation (MOP-…). */
export const operationEvidence =
  (field: string): EvidencePick =>
  (row) => {
    const ref = text(row[field]);
    return ref && /^(INT|MOP)-/.test(ref) ? { caseRef: ref } : null;
  };
