// A pane's form for one step: submitted by its button, by Enter in a single-line field, or by
// Ctrl+Enter from any field (a note included), never by a page reload.

import type { ReactNode } from 'react';

export function ActionForm({ label, onSubmit, className = 'decide', children }: { label: string; onSubmit: () => void; className?: string; children: ReactNode }) {
  return (
    <form
      className={className}
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          onSubmit();
        }
      }}
    >
      {children}
    </form>
  );
}
