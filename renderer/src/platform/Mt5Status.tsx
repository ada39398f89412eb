// What the dealing desk must know about MT5 before acting: whether the connector reaches it, how
// much work waits for it (operations to send, outcomes still unclear, accounts to open), and when
// the scan for operations made outside the back office last ran. Read again every 15 seconds.

import { useEffect } from 'react';
import { useHostQuery } from '../shared/host.js';

export function Mt5Status() {
  const status = useHostQuery('platform.status', {}, []);
  useEffect(() => {
    const t = setInterval(() => void status.reload(), 15_000);
    return () => clearInterval(t);
  }, []);
  const s = status.data;
  if (!s) return null;
  if (!s.configured) return <p className="flag-banner serious" role="status">MT5 is not configured on this server: interventions can be requested and approved, not executed.</p>;
  const waiting = [s.waiting ? `${s.waiting} operation${s.waiting === 1 ? '' : 's'} waiting to be sent` : null, s.unclear ? `${s.unclear} with an unclear outcome being checked in the deal history` : null, s.provisioning ? `${s.provisioning} account${s.provisioning === 1 ? '' : 's'} to open` : null].filter(Boolean).join(', ');
  const noCase = s.unlinked > 0 ? ` ${s.unlinked} operation${s.unlinked === 1 ? '' : 's'} made on MT5 with no case, the oldest ${(s.oldestUnlinkedHours ?? 0) < 1 ? 'less than an hour' : `${s.oldestUnlinkedHours} h`} old: link or escalate ${s.unlinked === 1 ? 'it' : 'them'} under “No case on MT5”.` : '';
  const scan = s.scannedAt ? `operations made with no case last looked for ${s.scannedAt.replace('T', ' ').slice(0, 16)} UTC` : 'no scan for operations made with no case recorded yet';
  if (s.mt5 === 'down') return <p className="flag-banner serious" role="status">MT5 cannot be reached: work waits in the queue and is retried{waiting ? ` (${waiting})` : ''}.{noCase}</p>;
  return (
    <p className={noCase ? 'flag-banner serious' : waiting ? 'flag-banner' : 'hint'} role="status">
      MT5 connected{waiting ? `: ${waiting}` : ''}; {scan}.{noCase}
    </p>
  );
}
