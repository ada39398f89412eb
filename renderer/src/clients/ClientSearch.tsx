// The shell's search box: finds a client by name, id, e-mail, external id or the reference of any
// case about them, and opens the client page. Ctrl+K reaches it from anywhere; arrows move in the
// results, Enter opens one, Esc closes the list.

import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ChannelOutput } from '../../../main/host/channels.js';
import { labelOf, CLIENT_STATUS_LABELS } from '../../../shared/labels.js';
import { call } from '../bridge.js';
import { FlagBadges } from '../shared/Flags.js';

type Result = ChannelOutput<'clients.search'>['items'][number];

export function ClientSearch({ onOpen, wide = false }: { onOpen: (clientId: string) => void; wide?: boolean }) {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Result[] | null>(null);
  const [active, setActive] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  // A layout effect: the shortcut listens from the moment the box is drawn, so Ctrl+K pressed as
  // soon as the shell appears is not lost (a passive effect runs a frame later).
  useLayoutEffect(() => {
    if (wide) input.current?.focus();
    const focus = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key === 'k') {
        e.preventDefault();
        input.current?.focus();
        input.current?.select();
      }
    };
    window.addEventListener('keydown', focus);
    return () => window.removeEventListener('keydown', focus);
  }, []);

  useEffect(() => {
    const q = query.trim();
    if (q.length < 2) {
      setResults(null);
      return;
    }
    let stale = false;
    const t = setTimeout(() => {
      call('clients.search', { query: q }).then(
        (r) => {
          if (stale) return;
          setResults(r.items);
          setActive(0);
          setProblem(null);
        },
        (e: Error) => !stale && setProblem(e.message),
      );
    }, 250);
    return () => {
      stale = true;
      clearTimeout(t);
    };
  }, [query]);

  const open = (r: Result | undefined) => {
    if (!r) return;
    onOpen(r.clientId);
    setResults(null);
    setQuery('');
    input.current?.blur();
  };

  return (
    <div className={wide ? 'client-search wide' : 'client-search'}>
      <input
        ref={input}
        type="search"
        placeholder="Find a client (Ctrl+K)"
        aria-label="Find a client"
        role="combobox"
        aria-expanded={results !== null}
        aria-controls="client-search-results"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, (results?.length ?? 1) - 1));
          else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
          else if (e.key === 'Enter') open(results?.[active]);
          else if (e.key === 'Escape') setResults(null);
          else return;
          e.preventDefault();
        }}
      />
      {(results || problem) && (
        <ul id="client-search-results" role="listbox" aria-label="Clients found" className="search-results">
          {problem && <li className="error">{problem}</li>}
          {results?.length === 0 && <li className="hint">No client matches “{query.trim()}”.</li>}
          {results?.map((r, i) => (
            <li key={r.clientId} role="option" aria-selected={i === active} className={i === active ? 'active' : undefined} onMouseDown={() => open(r)}>
              <span className="mono">{r.clientId}</span> {r.name} · {labelOf(CLIENT_STATUS_LABELS, r.status)} · {r.legalEntity} <FlagBadges flags={r.flags} /> <span className="hint">by {r.matchedBy}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
