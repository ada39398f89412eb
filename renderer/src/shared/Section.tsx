// A titled table of records with its count, or a sentence when there are none: the client page's
// and the evidence views' sections.

import type { ReactNode } from 'react';

export function Section<T>({ title, rows, empty, columns }: { title: string; rows: readonly T[] | null; empty: string; columns: Array<[string, (row: T) => ReactNode]> }) {
  if (rows === null) return null;
  return (
    <section className="client-section" aria-label={title}>
      <h3>
        {title} <span className="count">{rows.length}</span>
      </h3>
      {rows.length === 0 ? (
        <p className="hint">{empty}</p>
      ) : (
        <table className="compact">
          <thead>
            <tr>
              {columns.map(([h]) => (
                <th key={h} scope="col">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                {columns.map(([h, cell]) => (
                  <td key={h}>{cell(r)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
