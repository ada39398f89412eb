// What the KYC provider extracted from the identity document beside what the client declared, one
// row per field with mismatches marked, and the MRZ, liveness and face-match results.

import type { ChannelOutput } from '../../../main/host/channels.js';

type CaseView = ChannelOutput<'kyc.get'>;

/** Extracted beside declared, one row per field, mismatches marked. */
export function Extraction({ v }: { v: CaseView }) {
  const check = [...v.checks].reverse().find((c) => c.status === 'complete');
  if (!check) {
    const last = v.checks.at(-1);
    // A manual check's reason is already shown as the case's verification reason.
    if (last?.status === 'manual') return null;
    return <p className="hint">{last ? 'The provider check is running…' : 'No identity document has been checked yet.'}</p>;
  }
  const bad = new Set(check.mismatches.map((m) => m.field));
  const doc = v.documents.find((d) => d.id === check.documentId);
  const rows: Array<[string, string, string | null | undefined, string | null | undefined]> = [
    ['lastName', 'Surname', v.client.lastName, check.extracted?.lastName],
    ['firstName', 'Given names', v.client.firstName, check.extracted?.firstName],
    ['dateOfBirth', 'Date of birth', v.client.dateOfBirth, check.extracted?.dateOfBirth],
    ['nationality', 'Nationality', v.client.nationality, check.extracted?.nationality],
    ['documentNumber', 'Document number', '—', check.extracted?.documentNumber],
    ['expiryDate', 'Expiry', doc?.expiresAt, check.extracted?.expiryDate],
  ];
  return (
    <>
      <table className="compare" aria-label="Extracted against declared">
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Declared</th>
            <th scope="col">Extracted ({check.id})</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([key, label, declared, extracted]) => (
            <tr key={key} className={bad.has(key) ? 'mismatch' : undefined}>
              <th scope="row">{label}</th>
              <td>{declared ?? '—'}</td>
              <td>
                {extracted ?? '—'}
                {bad.has(key) ? ' ✗ mismatch' : ''}
              </td>
            </tr>
          ))}
          <tr className={bad.has('mrz') ? 'mismatch' : undefined}>
            <th scope="row">MRZ check digits</th>
            <td>—</td>
            <td>{check.checks?.mrz ? Object.entries(check.checks.mrz.checkDigits).map(([k, ok]) => `${k} ${ok ? '✓' : '✗'}`).join(', ') : 'not read'}</td>
          </tr>
          <tr className={bad.has('liveness') || bad.has('faceMatch') ? 'mismatch' : undefined}>
            <th scope="row">Liveness · face match</th>
            <td>—</td>
            <td>{check.checks ? `${check.checks.liveness.result} (${check.checks.liveness.score}) · ${check.checks.faceMatch.result} (${check.checks.faceMatch.score})` : '—'}</td>
          </tr>
        </tbody>
      </table>
      {check.mismatches.length > 0 && (
        <ul className="problems" aria-label="Mismatches">
          {check.mismatches.map((m) => (
            <li key={m.field}>{m.message}</li>
          ))}
        </ul>
      )}
    </>
  );
}
