// The KYC case pane: documents (with the viewer), what the provider extracted beside what the
// client declared, screening hits, the risk breakdown, the enhanced-due-diligence checklist, the
// timeline, and only the actions the case machine and the server allow this user now. What blocks
// approval is computed by the server's own rule (shared/kyc/blockers.ts) from the case view.

import { useEffect, useReducer, useRef, useState } from 'react';
import type { CacheRow } from '../../../shared/desktop/views.js';
import type { ChannelInput } from '../../../shared/desktop/api.js';
import type { ChannelOutput } from '../../../main/host/channels.js';
import { approvalBlockers } from '../../../shared/kyc/blockers.js';
import { mayActOnCase } from '../../../shared/kyc/who.js';
import { dateOf } from '../../../shared/time.js';
import { VERIFICATION_LABELS, labelOf } from '../../../shared/labels.js';
import { call } from '../bridge.js';
import { errorText, PaneStatus, useHostQuery } from '../shared/host.js';
import { TimelineToggle } from '../shared/ClientTimeline.js';
import { notify } from '../shared/notices.js';
import { useAppDispatch, useAppSelector } from '../store.js';
import { ActionBar, EddSection, type Acting } from './CaseActions.js';
import { CaseHeader, DocumentsSection, RiskSection, ScreeningSection, type CaseView } from './CaseSections.js';
import { caseForm, EMPTY_FORM, submission } from './case-form.js';
import { DocumentViewer } from './DocumentViewer.js';
import { useNextItem } from '../shared/shortcuts.js';
import { Extraction } from './Extraction.js';

/** The channels that act on the open case: each takes the case reference and its own fields. */
type CaseChannel = 'kyc.completeEddItem' | 'kyc.assignToMe' | 'kyc.requestDocuments' | 'kyc.escalate' | 'kyc.approve' | 'kyc.reject' | 'kyc.override';

/** The facts the approval rule reads, as the case view carries them. */
function blockersOf(view: CaseView) {
  return approvalBlockers(
    {
      clientType: view.client.type,
      documents: view.documents,
      requested: view.requestedDocuments,
      screeningStatus: view.screening.status,
      verificationStatus: view.verificationStatus,
      edd: view.edd,
    },
    dateOf(new Date().toISOString()),
  );
}

export function CasePane({ row, offline }: { row: CacheRow; offline: boolean }) {
  const dispatch = useAppDispatch();
  const user = useAppSelector((s) => s.session.user);
  const caseRef = String(row.caseRef);
  const kase = useHostQuery('kyc.get', { caseRef }, [caseRef]);
  const view = kase.data;
  const [form, change] = useReducer(caseForm, EMPTY_FORM);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [viewing, setViewing] = useState<string | null>(null);
  const paneRef = useRef<HTMLDivElement>(null);
  const nextItem = useNextItem();
  // The cached KYC view changed (a sync round brought case updates): read the case again.
  const version = useAppSelector((s) => s.ui.versions.kyc ?? 0);

  useEffect(() => {
    setError(null);
    setViewing(null);
    change({ type: 'reset' });
  }, [caseRef]);
  useEffect(() => {
    if (version > 0) void kase.reload();
  }, [version]);

  const act = async <C extends CaseChannel>(channel: C, input: Omit<ChannelInput<C>, 'caseRef'>, done: string) => {
    setBusy(true);
    setError(null);
    try {
      const answer: ChannelOutput<CaseChannel> = await call(channel, { caseRef, ...input } as ChannelInput<C>);
      const approvalId = 'approvalId' in answer ? answer.approvalId : null;
      change({ type: 'submitted' });
      // The step went through: the keyboard leaves the closed form for the pane, where the keys act;
      // a decision moves on to the next case.
      paneRef.current?.focus();
      if (channel === 'kyc.approve' || channel === 'kyc.reject') nextItem();
      dispatch(notify(approvalId ? `${caseRef}: override requested (${approvalId}); a second person must approve it` : `${caseRef}: ${done}`));
      await kase.reload();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  if (!view) return <PaneStatus loading error={kase.error} what={caseRef} />;
  const senior = user?.permissions.includes('kyc.decideHighRisk') ?? false;
  // The server's rule (shared/kyc/who.ts): the assignee or a senior officer completes the checklist.
  const mayTick = user !== null && mayActOnCase({ id: view.caseRef, status: 'open', assigneeId: view.assigneeId, escalatedTo: null }, { userId: user.id, senior }).ok;
  const blockers = view.decision ? [] : blockersOf(view);
  const acting: Acting = { offline, busy, form, change };
  const submit = () => {
    const step = submission(form);
    if (step) void act(step.channel, step.input, step.done);
  };
  return (
    <div className="kyc-case" ref={paneRef} tabIndex={-1}>
      <CaseHeader view={view} blockers={blockers} />
      <DocumentsSection view={view} onOpen={setViewing} />
      {viewing && <DocumentViewer documentId={viewing} onClose={() => setViewing(null)} />}

      <h4>Provider check · {labelOf(VERIFICATION_LABELS, view.verificationStatus)}</h4>
      {view.verificationReason && <p className="hint">{view.verificationReason}</p>}
      <Extraction v={view} />
      <ScreeningSection view={view} />
      <RiskSection view={view} />
      <EddSection view={view} acting={acting} mayTick={mayTick} senior={senior} tick={(item, label) => void act('kyc.completeEddItem', { item, note: form.note.trim() }, `${label}: done`)} />
      <ActionBar
        view={view}
        acting={acting}
        blockers={blockers}
        offerAssign={view.availableActions.includes('assign') && view.assigneeId !== user?.id}
        mayOverride={(user?.permissions.includes('kyc.override') ?? false) && view.status !== 'rejected'}
        assign={() => void act('kyc.assignToMe', {}, 'assigned to you')}
        submit={submit}
      />
      <PaneStatus loading={false} error={error} what={view.client.id} />
      <TimelineToggle clientId={view.client.id} />
    </div>
  );
}
