// The header's bell: how many notices are unread, and the list of them (what was done, what
// failed, what new work arrived), newest first. Toasts go away by themselves; the inbox keeps them.

import { useEffect, useState } from 'react';
import { clearInbox, dismiss, markAllRead, TOAST_MS } from '../shared/notices.js';
import { useAppDispatch, useAppSelector } from '../store.js';

export function Toasts() {
  const dispatch = useAppDispatch();
  const { items, toasts } = useAppSelector((s) => s.notices);
  useEffect(() => {
    const timers = toasts.map((id) => setTimeout(() => dispatch(dismiss(id)), TOAST_MS));
    return () => timers.forEach(clearTimeout);
  }, [toasts, dispatch]);
  return (
    <div className="notices" aria-live="polite">
      {items
        .filter((n) => toasts.includes(n.id))
        .map((n) => (
          <div key={n.id} className="notice-toast" role="status">
            {n.text}
            <button className="link" aria-label="Dismiss" onClick={() => dispatch(dismiss(n.id))}>
              ×
            </button>
          </div>
        ))}
    </div>
  );
}

export function Inbox() {
  const dispatch = useAppDispatch();
  const items = useAppSelector((s) => s.notices.items);
  const [open, setOpen] = useState(false);
  const unread = items.filter((n) => !n.read).length;
  return (
    <div className="inbox">
      <button
        className="link"
        aria-expanded={open}
        aria-label={`Notifications, ${unread} unread`}
        onClick={() => {
          setOpen((o) => !o);
          if (!open) dispatch(markAllRead());
        }}
      >
        Inbox{unread > 0 && <span className="badge">{unread}</span>}
      </button>
      {open && (
        <div className="inbox-list" role="dialog" aria-label="Notifications" onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
          {items.length === 0 && <p className="hint">Nothing yet.</p>}
          <ol>
            {[...items].reverse().map((n) => (
              <li key={n.id}>
                <span className="mono">{n.at.slice(11, 19)}</span> {n.text}
              </li>
            ))}
          </ol>
          {items.length > 0 && (
            <button className="link" onClick={() => dispatch(clearInbox())}>
              Clear
            </button>
          )}
        </div>
      )}
    </div>
  );
}
