// The parts of the KYC case pane that act: the enhanced-due-diligence checklist (items ticked with
// the note) and the action bar with the form of the step being prepared. Only the steps the case
// machine and the server allow this user now are offered; Approve is disabled while something
// blocks approval, and says what.

import { useEffect, useRef, type Dispatch } from 'react';
import { DOCUMENT_TYPES, documentTypesFor, REJECTION_REASONS, type RejectionReason } from '../../../shared/kyc/machine.js';
import type { Blocker } from '../../../shared/kyc/blockers.js';
import type { CaseView } from './CaseSections.js';
import type { CaseForm, FormEvent } from './case-form.js';
import { useShortcuts } from '../shared/shortcuts.js';

export interface Acting {
  /** Actions need the server: disabled while it cannot be reached. */
  offline: boolean;
  busy: boolean;
  form: CaseForm;
  change: Dispatch<FormEvent>;
}

export function EddSection({ view, acting, mayTick, senior, tick }: { view: CaseView; acting: Acting; mayTick: boolean; senior: boolean; tick: (item: string, label: string) => void }) {
  if (!view.edd) return null;
  const { offline, busy, form } = acting;
  return (
    <>
      <h4>Enhanced due diligence</h4>
      <ul className="checklist" aria-label="Enhanced due diligence">
        {view.edd.map((i) => (
          <li key={i.key}>
            {i.done ? '☑' : '☐'} {i.label}
            {i.byName ? ` · ${i.byName}: ${i.note ?? ''}` : ''}
            {!i.done && i.evidence === 'senior_signoff' && !senior && <span className="hint"> · signed off by a senior compliance officer or the MLRO</span>}
            {!i.done && i.evidence === 'document' && <span className="hint"> · complete when the client sends it</span>}
            {!i.done && i.evidence === 'attestation' && !mayTick && <span className="hint"> · completed by the case's assignee or a senior officer</span>}
            {!i.done && ((i.evidence === 'attestation' && mayTick) || (i.evidence === 'senior_signoff' && senior)) && !view.decision && (
              <button className="link" disabled={offline || busy || form.note.trim().length < 3} onClick={() => tick(i.key, i.label)}>
                Mark done with the note below
              </button>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

interface ActionBarProps {
  view: CaseView;
  acting: Acting;
  blockers: Blocker[];
  /** Shows "Assign to me" (the case machine allows it and the case is someone else's or nobody's). */
  offerAssign: boolean;
  mayOverride: boolean;
  assign: () => void;
  submit: () => void;
}

export function ActionBar({ view, acting, blockers, offerAssign, mayOverride, assign, submit }: ActionBarProps) {
  const { offline, busy, form, change } = acting;
  const can = (a: CaseView['availableActions'][number]) => view.availableActions.includes(a);
  // The server refuses to approve a confirmed sanctions match, by override too.
  const confirmedMatch = view.client.screeningStatus === 'confirmed_match';
  const blocked = blockers.length > 0 ? `Approval waits for: ${blockers.map((b) => b.message).join(' ')}` : undefined;
  const open = (f: FormEvent & { type: 'open' }) => () => change(f);
  const notOffered = (a: CaseView['availableActions'][number]) => (can(a) ? null : 'not open to you on this case now');
  useShortcuts([
    { key: 'a', label: 'Assign to me', run: assign, unavailable: offerAssign ? (offline ? 'offline' : null) : 'already yours, or not open to you' },
    { key: 'd', label: 'Request documents', run: open({ type: 'open', form: 'requestDocuments' }), unavailable: notOffered('requestDocuments') },
    { key: 'e', label: 'Escalate', run: open({ type: 'open', form: 'escalate' }), unavailable: notOffered('escalate') },
    { key: 'p', label: 'Approve', run: open({ type: 'open', form: 'approve' }), unavailable: notOffered('approve') ?? (blocked ? 'something still blocks approval (listed under the heading)' : null) },
    { key: 'r', label: 'Reject', run: open({ type: 'open', form: 'reject' }), unavailable: notOffered('reject') },
  ]);
  return (
    <div
      className="decide"
      onKeyDown={(e) => {
        // Ctrl+Enter sends the open form from any of its fields.
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && form.open && !offline && !busy) {
          e.preventDefault();
          submit();
        }
      }}
    >
      <div className="buttons" role="group" aria-label="Actions">
        {offerAssign && (
          <button disabled={offline || busy} onClick={assign}>
            Assign to me
          </button>
        )}
        {can('requestDocuments') && <button onClick={() => change({ type: 'open', form: 'requestDocuments' })}>Request documents</button>}
        {can('escalate') && <button onClick={() => change({ type: 'open', form: 'escalate' })}>Escalate</button>}
        {can('approve') && (
          <button disabled={blocked !== undefined} title={blocked} onClick={() => change({ type: 'open', form: 'approve' })}>
            Approve
          </button>
        )}
        {can('reject') && (
          <button className="danger" onClick={() => change({ type: 'open', form: 'reject' })}>
            Reject
          </button>
        )}
        {mayOverride && (
          <button
            onClick={() => {
              change({ type: 'open', form: 'override' });
              if (confirmedMatch) change({ type: 'overrideTo', value: 'reject' });
            }}
          >
            Request override
          </button>
        )}
      </div>
      {can('approve') && blocked && <p className="hint">Approve is unavailable until the points under the heading are resolved.</p>}
      <FormFields view={view} form={form} change={change} />
      {form.open && (
        <div className="buttons">
          <button disabled={offline || busy} onClick={submit} title="Ctrl+Enter">
            Confirm {form.open === 'requestDocuments' ? 'request' : form.open}
          </button>
          <button className="link" onClick={() => change({ type: 'close' })}>
            Cancel
          </button>
        </div>
      )}
      {offline && <p className="hint">Offline: actions need the server and are disabled until it is reachable.</p>}
    </div>
  );
}

function FormFields({ view, form, change }: { view: CaseView; form: CaseForm; change: Dispatch<FormEvent> }) {
  // A form opened (from its button or its key): the keyboard goes to its first field.
  const first = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (form.open) first.current?.querySelector<HTMLElement>('fieldset input, select, input, textarea')?.focus();
  }, [form.open]);
  return (
    <div ref={first} className="form-fields">
      {form.open === 'requestDocuments' && (
        <fieldset>
          <legend>Documents to request</legend>
          {documentTypesFor(view.client.type).map((t) => (
            <label key={t} className="check">
              <input type="checkbox" checked={form.types.includes(t)} onChange={(e) => change({ type: 'document', document: t, wanted: e.target.checked })} /> {DOCUMENT_TYPES[t].label}
            </label>
          ))}
        </fieldset>
      )}
      {(form.open === 'reject' || (form.open === 'override' && form.overrideTo === 'reject')) && (
        <label>
          Rejection reason
          <select value={form.reason} onChange={(e) => change({ type: 'reason', value: e.target.value as RejectionReason })}>
            {(Object.keys(REJECTION_REASONS) as RejectionReason[]).map((r) => (
              <option key={r} value={r}>
                {REJECTION_REASONS[r]}
              </option>
            ))}
          </select>
        </label>
      )}
      {form.open === 'override' && (
        <label>
          Override to
          <select value={form.overrideTo} onChange={(e) => change({ type: 'overrideTo', value: e.target.value as 'approve' | 'reject' })}>
            {view.client.screeningStatus !== 'confirmed_match' && <option value="approve">Approve</option>}
            <option value="reject">Reject</option>
          </select>
        </label>
      )}
      {form.open === 'approve' && (
        <label>
          Policy basis
          <input value={form.basis} onChange={(e) => change({ type: 'basis', value: e.target.value })} placeholder="e.g. AML policy 4.2, standard due diligence" />
        </label>
      )}
      <label>
        Note (recorded with the step{view.edd ? ' and used for checklist items' : ''})
        <textarea rows={3} value={form.note} onChange={(e) => change({ type: 'note', value: e.target.value })} />
      </label>
    </div>
  );
}
