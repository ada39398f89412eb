// One deposit: the amount and who paid, where it stands with the provider and with MT5, and every
// event the provider sent for it, applied, parked or set aside as a duplicate, with the reason.

import { useEffect } from 'react';
import type { CacheRow } from '../../../shared/desktop/views.js';
import { labelCase, labelOf } from '../../../shared/labels.js';
import { DEPOSIT_STATUS_LABELS, PLATFORM_STEP_LABELS } from '../../../shared/payments/exceptions.js';
import { RecordDetail } from '../shared/Fields.js';
import { PaneStatus, useHostQuery } from '../shared/host.js';
import { TimelineToggle } from '../shared/ClientTimeline.js';
import { FlagCell } from '../shared/Flags.js';
import { recordOf } from '../shared/records.js';
import { useAppSelector } from '../store.js';

const time = (iso: string | null) => (iso ? `${iso.replace('T', ' ').slice(0, 19)} UTC` : null);

export function DepositPane({ row }: { row: CacheRow; offline: boolean }) {
  const ref = String(row.ref);
  const cached = recordOf('deposits', row);
  const version = useAppSelector((s) => s.ui.versions.deposits ?? 0);
  const deposit = useHostQuery('deposits.get', { ref }, [ref]);
  useEffect(() => {
    if (version > 0) void deposit.reload();
  }, [version]);

  const d = deposit.data;
  if (!d) return <PaneStatus loading error={deposit.error} what={ref} />;
  return (
    <div className="deposit-pane">
      <RecordDetail
        title={`${d.ref} · ${d.amount} ${d.currency} · ${labelOf(DEPOSIT_STATUS_LABELS, d.status)}`}
        fields={{
          Client: `${d.clientId} · ${cached.clientName}`,
          Entity: d.legalEntity,
          Provider: d.provider,
          Method: labelCase(d.method),
          'Paid by': d.payerName,
          'Provider reference': d.providerReference,
          'Provider transaction': d.providerTxId,
          Refunded: Number(d.refunded) === 0 ? null : `${d.refunded} ${d.currency}`,
          Failure: d.failureCode,
          'Payment flags': d.flags.length ? d.flags.map(labelCase).join(', ') : null,
          'MT5 credit': d.platformStep ? labelOf(PLATFORM_STEP_LABELS, d.platformStep) : null,
          Initiated: time(d.createdAt),
          Credited: time(d.creditedAt),
        }}
      />
      {cached.clientFlags && (
        <p className={/Restricted|Sanctions/.test(cached.clientFlags) ? 'flag-banner serious' : 'flag-banner'} role="note" aria-label="Client flags">
          <FlagCell value={cached.clientFlags} />
        </p>
      )}
      <h4>Provider events</h4>
      {d.events.length === 0 ? (
        <p className="hint">No event from the provider yet.</p>
      ) : (
        <ul aria-label="Provider events">
          {d.events.map((e) => (
            <li key={`${e.provider}:${e.eventId}`}>
              {time(e.receivedAt)} · {e.kind}
              {e.amount ? ` · ${e.amount} ${e.currency ?? ''}` : ''} · {labelCase(e.status)}
              {e.reason ? `: ${e.reason}` : ''}
              {e.failureCode ? ` (${e.failureCode})` : ''}
            </li>
          ))}
        </ul>
      )}
      <TimelineToggle clientId={d.clientId} />
    </div>
  );
}
