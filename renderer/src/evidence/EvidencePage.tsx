// The evidence views (issue 18): a client's, a staff member's or an MT5 operation's every audited
// event in chain order, with what the view adds above them (EvidenceSections), where they sit in the
// hash chain and the signed checkpoint that covers them, and "Export evidence pack": the signed
// ZIP the auditor checks offline with `npm run evidence:verify` (its export is audited).

import { themeQuartz, type ColDef } from 'ag-grid-community';
import { AgGridReact } from 'ag-grid-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { EvidenceSubject } from '../../../shared/evidence/schemas.js';
import { errorText, PaneStatus, useHostAction, useHostQuery } from '../shared/host.js';
import { notify } from '../shared/notices.js';
import { saveFile } from '../shared/exporter.js';
import { subjectLabel } from '../shared/evidence-column.js';
import { useAppDispatch } from '../store.js';
import { ClientSections, OperationSections, StaffSections, time } from './EvidenceSections.js';

interface EventRow {
  seq: number;
  at: string;
  action: string;
  actor: string;
  target: string;
  caseRef: string | null;
  policyRef: string | null;
  reason: string | null;
  hash: string;
}

const COLUMNS: ColDef<EventRow>[] = [
  { field: 'seq', headerName: 'Seq', width: 100, sort: 'asc' },
  { field: 'at', headerName: 'When (UTC)', width: 190, valueFormatter: (p) => time(p.value as string) },
  { field: 'action', headerName: 'Action', width: 220 },
  { field: 'actor', headerName: 'Actor', width: 150 },
  { field: 'target', headerName: 'Target', width: 190 },
  { field: 'caseRef', headerName: 'Case', width: 130 },
  { field: 'policyRef', headerName: 'Policy version', width: 190 },
  { field: 'reason', headerName: 'Reason', width: 260, tooltipField: 'reason' },
  { field: 'hash', headerName: 'Hash', width: 200, cellClass: 'mono' },
];

function useEvidence(subject: EvidenceSubject) {
  const key = JSON.stringify(subject);
  const client = useHostQuery('evidence.client', 'clientId' in subject ? { clientId: subject.clientId } : { clientId: 'CL-000000' }, [key], { skip: !('clientId' in subject) });
  const staff = useHostQuery('evidence.staff', 'userId' in subject ? { userId: subject.userId } : { userId: '-' }, [key], { skip: !('userId' in subject) });
  const operation = useHostQuery('evidence.operation', 'caseRef' in subject ? { caseRef: subject.caseRef } : { caseRef: 'INT-0' }, [key], { skip: !('caseRef' in subject) });
  return 'clientId' in subject ? { view: client.data, error: client.error, sections: client.data && <ClientSections view={client.data} /> } : 'userId' in subject ? { view: staff.data, error: staff.error, sections: staff.data && <StaffSections view={staff.data} /> } : { view: operation.data, error: operation.error, sections: operation.data && <OperationSections view={operation.data} /> };
}

function download(fileName: string, base64: string): void {
  saveFile(fileName, new Blob([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], { type: 'application/zip' }));
}

export function EvidencePage({ subject, onClose }: { subject: EvidenceSubject; onClose: () => void }) {
  const dispatch = useAppDispatch();
  const { view, error, sections } = useEvidence(subject);
  const exporter = useHostAction('evidence.export');
  const [exported, setExported] = useState<{ fileName: string; sha256: string } | null>(null);
  const [quick, setQuick] = useState('');
  const rows = useMemo<EventRow[]>(
    () => (view?.events ?? []).map((e) => ({ seq: e.seq, at: e.at, action: e.action, actor: e.actor, target: [e.targetType, e.targetId].filter(Boolean).join(' '), caseRef: e.caseRef, policyRef: e.policyRef, reason: e.reason, hash: e.hash })),
    [view],
  );

  const exportPack = async () => {
    const pack = await exporter.run({ subject });
    if (!pack) return;
    try {
      download(pack.fileName, pack.contentBase64);
      setExported({ fileName: pack.fileName, sha256: pack.sha256 });
      dispatch(notify(`Exported the evidence pack ${pack.fileName} (recorded in the audit log)`));
    } catch (e) {
      exporter.setError(errorText(e));
    }
  };

  // The page takes the keyboard when it opens (the row's button that opened it is gone). Esc closes
  // it wherever the focus is (a button disabled while the pack is built drops it), except in a field.
  const pageRef = useRef<HTMLElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  useEffect(() => {
    pageRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !(e.target as HTMLElement).closest('input, textarea, select, .ag-filter, [role=dialog]')) closeRef.current();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  const label = subjectLabel(subject);
  const chain = view?.chain;
  return (
    <article ref={pageRef} tabIndex={-1} className="client-page evidence-page" aria-label={`Evidence: ${label}`}>
      <header className="client-head">
        <button className="link" onClick={onClose}>
          ← Back (Esc)
        </button>
        <h2>Evidence · {label}</h2>
        <span className="toolbar-end">
          <button className="primary" onClick={() => void exportPack()} disabled={!view || exporter.busy}>
            {exporter.busy ? 'Building the pack…' : 'Export evidence pack'}
          </button>
        </span>
      </header>
      {exporter.error && <p className="error" role="alert">{exporter.error}</p>}
      {exported && (
        <p className="hint" role="status">
          Exported {exported.fileName} · SHA-256 <span className="mono">{exported.sha256}</span>. Check it anywhere with <span className="mono">npm run evidence:verify -- {exported.fileName} --public-key audit-signing.pub.pem</span>.
        </p>
      )}
      {!view ? (
        <PaneStatus loading error={error} what={`the evidence of ${label}`} />
      ) : (
        <>
          <p className="chain-line" aria-label="Place in the audit chain">
            {chain?.firstSeq === null || !chain
              ? 'No audited event yet.'
              : `Events #${chain.firstSeq} to #${chain.lastSeq} of the audit chain (${view.events.length}${view.truncated ? ', the first 20,000: the pack holds them all' : ''}), each linked to the one before it by its hash; ${chain.checkpoint ? `covered by checkpoint #${chain.checkpoint.seq}, signed ${time(chain.checkpoint.at)} with key ${chain.checkpoint.keyId}.` : 'no checkpoint signed over them yet (the export signs one).'}`}
          </p>
          {sections}
          <section className="client-section evidence-events" aria-label="Events">
            <h3>
              Events <span className="count">{rows.length}</span>
              <input type="search" placeholder="Filter the events (any column)" aria-label="Filter the events" value={quick} onChange={(e) => setQuick(e.target.value)} />
            </h3>
            <div className="evidence-grid">
              <AgGridReact<EventRow> theme={themeQuartz} rowData={rows} columnDefs={COLUMNS} defaultColDef={{ sortable: true, filter: true, resizable: true }} quickFilterText={quick} enableCellTextSelection ensureDomOrder getRowId={(p) => String(p.data.seq)} />
            </div>
          </section>
        </>
      )}
    </article>
  );
}
