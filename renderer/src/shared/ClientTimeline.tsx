// A client's timeline (every audited event about them, in order), loaded when asked for: shared by
// the panes that show a client (screening hits, KYC cases).

import { useState } from 'react';
import type { ChannelOutput } from '../../../main/host/channels.js';
import { PaneStatus, useHostQuery } from './host.js';

type TimelineItem = ChannelOutput<'clients.timeline'>['items'][number];

function Timeline({ clientId }: { clientId: string }) {
  const timeline = useHostQuery('clients.timeline', { clientId }, [clientId]);
  const items: TimelineItem[] | undefined = timeline.data?.items;
  if (!items) return <PaneStatus loading error={timeline.error} what="the timeline" />;
  return (
    <ol className="timeline" aria-label="Client timeline">
      {items.map((i) => (
        <li key={i.seq}>
          <span className="mono">{i.at.replace('T', ' ').slice(0, 19)}</span> <strong>{i.action}</strong> by {i.actor}
          {i.caseRef ? ` · ${i.caseRef}` : ''}
          {i.reason ? <div className="muted">{i.reason}</div> : null}
        </li>
      ))}
    </ol>
  );
}

/** "Show the client's timeline": the timeline, loaded only when asked for. */
export function TimelineToggle({ clientId }: { clientId: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button className="link" aria-expanded={open} onClick={() => setOpen((s) => !s)}>
        {open ? 'Hide' : 'Show'} the client’s timeline
      </button>
      {open && <Timeline clientId={clientId} />}
    </>
  );
}

