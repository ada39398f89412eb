// A rule's versions with their content hashes, each exported as a file signed with this server's
// audit key (to promote it unchanged from staging to production: the same hash shows on both), and
// the snapshots of every policy in force kept before each tier-2 or tier-3 release.

import { useState } from 'react';
import { saveFile } from '../shared/exporter.js';
import { PaneStatus, useHostAction, useHostQuery } from '../shared/host.js';
import { call } from '../bridge.js';
import { notify } from '../shared/notices.js';
import { useAppDispatch } from '../store.js';
import { time } from './words.js';

const json = (text: string) => new Blob([text], { type: 'application/json' });

export function Versions({ type, version }: { type: string; version: number }) {
  const dispatch = useAppDispatch();
  const versions = useHostQuery('policies.list', { type }, [type, version]);
  const snapshots = useHostQuery('policies.snapshots', {}, [version]);
  const exporter = useHostAction('policies.exportVersion');
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <section className="client-section" aria-label="Versions">
        <h3>
          Versions <span className="count">{versions.data?.items.length ?? 0}</span>
        </h3>
        <PaneStatus loading={!versions.data && !versions.error} error={versions.error ?? exporter.error} what="the versions" />
        {versions.data && (
          <table className="compact" aria-label="Rule versions">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Proposed</th>
                <th scope="col">Reason</th>
                <th scope="col">Content hash</th>
                <th scope="col">File</th>
              </tr>
            </thead>
            <tbody>
              {versions.data.items.map((v) => (
                <tr key={v.version}>
                  <td className="mono">
                    {v.name}
                    {v.active ? ' (in force)' : ''}
                  </td>
                  <td>
                    {v.proposedBy === 'system' ? 'shipped' : v.proposedByName}, {time(v.proposedAt)}
                  </td>
                  <td>{v.reason}</td>
                  <td className="mono" title={v.documentHash}>
                    {v.documentHash.slice(0, 16)}…
                  </td>
                  <td>
                    <button
                      type="button"
                      disabled={exporter.busy}
                      onClick={async () => {
                        const f = await exporter.run({ type, version: v.version });
                        if (f) {
                          saveFile(f.fileName, json(f.content));
                          dispatch(notify(`Exported ${f.fileName}, signed with this server's audit key (content ${f.documentHash.slice(0, 16)})`));
                        }
                      }}
                    >
                      Export signed file
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="hint">A file exported on a staging server is imported here from "Draft a change" (Load a signed file): the same content hash, through the same change request and chain.</p>
      </section>
      <section className="client-section" aria-label="Release snapshots">
        <h3>
          Release snapshots <span className="count">{snapshots.data?.items.length ?? 0}</span>
        </h3>
        {snapshots.data && snapshots.data.items.length === 0 && <p className="hint">No tier-2 or tier-3 release yet.</p>}
        {snapshots.data && snapshots.data.items.length > 0 && (
          <table className="compact" aria-label="Snapshots">
            <thead>
              <tr>
                <th scope="col">Taken</th>
                <th scope="col">Before release</th>
                <th scope="col">SHA-256</th>
                <th scope="col">File</th>
              </tr>
            </thead>
            <tbody>
              {snapshots.data.items.map((s) => (
                <tr key={s.id}>
                  <td>{time(s.takenAt)}</td>
                  <td className="mono">{s.approvalId}</td>
                  <td className="mono" title={s.contentHash}>
                    {s.contentHash.slice(0, 16)}…
                  </td>
                  <td>
                    <button
                      type="button"
                      onClick={async () => {
                        try {
                          const full = await call('policies.snapshot', { id: s.id });
                          saveFile(s.fileName, json(full.content));
                        } catch (e) {
                          setError(e instanceof Error ? e.message : String(e));
                        }
                      }}
                    >
                      Download
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </section>
    </>
  );
}
