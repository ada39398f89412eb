// Single-key actions of the open pane (a: assign, p: approve, …): the pane declares them with
// `useShortcuts`, the queue runs them from the keyboard and lists them, with the grid's own keys,
// in the `?` overlay. A shortcut that is not available now is listed with the reason, not run.

import { createContext, useContext, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';

export interface Shortcut {
  key: string;
  label: string;
  run: () => void;
  /** Why it cannot run now, or null when it can. */
  unavailable?: string | null;
}

interface Registry {
  set(owner: symbol, list: Shortcut[]): void;
  clear(owner: symbol): void;
}

const ShortcutContext = createContext<Registry | null>(null);

/** Moves the queue to its next row and opens it: after a decision, the next item is there. */
export const NextItemContext = createContext<() => void>(() => undefined);

export function useNextItem(): () => void {
  return useContext(NextItemContext);
}

/**
 * Declares the pane's single-key actions while it is shown. The list is registered as the render
 * is committed (a layout effect), so a key pressed right after the pane shows a new state acts on
 * that state: a passive effect could run after the key, leaving the previous render's list.
 */
export function useShortcuts(list: Shortcut[]): void {
  const registry = useContext(ShortcutContext);
  const owner = useRef(Symbol('pane')).current;
  useLayoutEffect(() => {
    registry?.set(owner, list);
  });
  useEffect(() => () => registry?.clear(owner), [registry, owner]);
}

/** The registry a queue owns: the shortcuts of its open pane. */
export function useShortcutRegistry(): { provider: (children: ReactNode) => ReactNode; current: () => Shortcut[] } {
  const lists = useRef(new Map<symbol, Shortcut[]>());
  const registry = useMemo<Registry>(
    () => ({
      set: (owner, list) => void lists.current.set(owner, list),
      clear: (owner) => void lists.current.delete(owner),
    }),
    [],
  );
  return {
    provider: (children) => <ShortcutContext.Provider value={registry}>{children}</ShortcutContext.Provider>,
    current: () => [...lists.current.values()].flat(),
  };
}

export const GRID_KEYS: ReadonlyArray<[string, string]> = [
  ['j / k', 'next / previous row (the open pane follows)'],
  ['Enter', 'open the row'],
  ['Esc', 'close the pane, or this list'],
  ['/', 'quick filter (Enter goes back to the grid)'],
  ['Ctrl+Enter', 'send the open form'],
  ['?', 'this list'],
];

/** The `?` overlay: the grid's keys and the open pane's actions, each with its state. */
export function ShortcutHelp({ shortcuts, onClose }: { shortcuts: Shortcut[]; onClose: () => void }) {
  const [closeButton, setCloseButton] = useState<HTMLButtonElement | null>(null);
  useEffect(() => closeButton?.focus(), [closeButton]);
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <div className="overlay-body">
        <h3>Keyboard shortcuts</h3>
        <table className="compact">
          <tbody>
            {GRID_KEYS.map(([k, what]) => (
              <tr key={k}>
                <th scope="row" className="mono">
                  {k}
                </th>
                <td>{what}</td>
              </tr>
            ))}
            {shortcuts.map((s) => (
              <tr key={s.key} className={s.unavailable ? 'muted' : undefined}>
                <th scope="row" className="mono">
                  {s.key}
                </th>
                <td>
                  {s.label}
                  {s.unavailable ? ` (not now: ${s.unavailable})` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {shortcuts.length === 0 && <p className="hint">Open a row to see its actions.</p>}
        <button ref={setCloseButton} onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}
