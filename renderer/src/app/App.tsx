// The shell: sign-in until there is a session, then navigation by role, the current view, the
// offline banner and notifications.

import { AccessReview } from '../access/AccessReview.js';
import { AlertsView } from '../alerts/AlertsView.js';
import { WithdrawalsView } from '../payments/WithdrawalsView.js';
import { EXCEPTION_TABS, WITHDRAWAL_TABS } from '../payments/tabs.js';
import { DepositsView } from '../payments/DepositsView.js';
import { ExceptionsView } from '../payments/ExceptionsView.js';
import { AuditExplorer } from '../audit/AuditExplorer.js';
import { ChangePassword } from '../session/ChangePassword.js';
import { SignIn } from '../session/SignIn.js';
import { ScreeningReview } from '../screening/ScreeningReview.js';
import { KycReview } from '../kyc/KycReview.js';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ViewName } from '../../../shared/desktop/views.js';
import type { Profile } from '../../../main/host/channels.js';
import { call } from '../bridge.js';
import type { QueueTabs } from '../shared/tabs.js';
import { KYC_TABS } from '../kyc/tabs.js';
import { SCREENING_TABS } from '../screening/tabs.js';
import { ALERT_TABS } from '../alerts/tabs.js';
import { APPROVAL_TABS } from '../access/tabs.js';
import { landingView } from './landing.js';
import { roleLabel, type Permission } from '../../../shared/access/permissions.js';
import { useAppDispatch, useAppSelector } from '../store.js';
import { lockSession, signOut } from '../session/slice.js';
import { Inbox, Toasts } from './Inbox.js';
import { notify } from '../shared/notices.js';
import { openClient, openEvidence, showView, type ViewId } from './ui.js';
import { ClientSearch } from '../clients/ClientSearch.js';
import { ClientPage } from '../clients/ClientPage.js';
import { EvidencePage } from '../evidence/EvidencePage.js';
import { ReportsView } from '../reports/ReportsView.js';
import { RulesView } from '../rules/RulesView.js';
import { ClientLookup } from '../clients/ClientLookup.js';
import { InterventionsView } from '../platform/InterventionsView.js';
import { ManagerOpsView } from '../platform/ManagerOpsView.js';
import { INTERVENTION_TABS, MANAGER_OP_TABS } from '../platform/tabs.js';

/** Minutes without keyboard or pointer input before the app locks itself. */
const IDLE_LOCK_MINUTES = 10;

function useIdleLock(active: boolean, onIdle: () => void): void {
  useEffect(() => {
    if (!active) return;
    let timer = setTimeout(onIdle, IDLE_LOCK_MINUTES * 60_000);
    const reset = () => {
      clearTimeout(timer);
      timer = setTimeout(onIdle, IDLE_LOCK_MINUTES * 60_000);
    };
    const events = ['keydown', 'pointerdown', 'pointermove', 'wheel'] as const;
    for (const e of events) window.addEventListener(e, reset, { passive: true });
    return () => {
      clearTimeout(timer);
      for (const e of events) window.removeEventListener(e, reset);
    };
  }, [active, onIdle]);
}

/** The views, who may see them, and the queue whose open work the navigation badge counts. */
const NAV: Array<{ id: ViewId; label: string; needs: Permission[]; unless?: Permission; badge?: { view: ViewName; tabs: QueueTabs } }> = [
  { id: 'kyc', label: 'KYC', needs: ['kyc.read'], badge: { view: 'kyc', tabs: KYC_TABS } },
  { id: 'screening', label: 'Screening', needs: ['screening.read'], badge: { view: 'screening', tabs: SCREENING_TABS } },
  { id: 'alerts', label: 'Alerts', needs: ['alerts.read'], badge: { view: 'alerts', tabs: ALERT_TABS } },
  { id: 'withdrawals', label: 'Withdrawals', needs: ['withdrawals.read'], badge: { view: 'withdrawals', tabs: WITHDRAWAL_TABS } },
  // Deposits are a record to consult, not work waiting: no badge.
  { id: 'deposits', label: 'Deposits', needs: ['deposits.read'] },
  { id: 'exceptions', label: 'Exceptions', needs: ['payments.exceptions'], badge: { view: 'exceptions', tabs: EXCEPTION_TABS } },
  { id: 'interventions', label: 'Interventions', needs: ['platform.read'], badge: { view: 'interventions', tabs: INTERVENTION_TABS } },
  { id: 'unlinked', label: 'No case on MT5', needs: ['platform.read'], badge: { view: 'managerOps', tabs: MANAGER_OP_TABS } },
  { id: 'audit', label: 'Audit log', needs: ['audit.read'] },
  { id: 'reports', label: 'Reports', needs: ['reports.read'] },
  { id: 'rules', label: 'Rules', needs: ['policies.read'] },
  { id: 'access', label: 'Approvals', needs: ['access.read', 'approvals.read'], badge: { view: 'approvals', tabs: APPROVAL_TABS } },
  // Those who review clients find them from the search box; the rest (support, finance) here.
  { id: 'lookup', label: 'Client lookup', needs: ['clients.read'], unless: 'kyc.read' },
];

type Nav = (typeof NAV)[number];

/** The open work behind each view's badge, counted from the local cache whenever sync changes it. */
function useBadges(user: Profile | null, nav: readonly Nav[]): Partial<Record<ViewId, number>> {
  const versions = useAppSelector((s) => s.ui.versions);
  const [counts, setCounts] = useState<Partial<Record<ViewId, number>>>({});
  // Counted again when sync settles, so the baseline is the cache as the first sync left it.
  const idle = useAppSelector((s) => s.ui.sync?.state === 'idle');
  const key = `${idle}|${nav.map((n) => `${n.id}:${n.badge ? (versions[n.badge.view] ?? 0) : ''}`).join(',')}`;
  useEffect(() => {
    if (!user) return;
    for (const n of nav) {
      if (!n.badge) continue;
      const { view, tabs } = n.badge;
      const main = tabs.tabs(user).find((t) => t.id === tabs.main);
      if (!main) continue;
      call('cache.count', { view, scope: main.scope }).then((c) => setCounts((prev) => (prev[n.id] === c ? prev : { ...prev, [n.id]: c })), () => undefined);
    }
  }, [user, key]);
  useAnnouncements(user, nav, counts);
  return counts;
}

/** What a growing badge means, said once as a notice (toast and inbox). */
const ARRIVALS: Partial<Record<ViewId, (n: number) => string>> = {
  kyc: (n) => `${n} new KYC case${n === 1 ? '' : 's'} in the open queue`,
  screening: (n) => `${n} new screening hit${n === 1 ? '' : 's'} to review`,
  alerts: (n) => `${n} new alert${n === 1 ? '' : 's'} for your role`,
  withdrawals: (n) => `${n} new withdrawal${n === 1 ? '' : 's'} waiting for approval`,
  exceptions: (n) => `${n} new payment exception${n === 1 ? '' : 's'} to work`,
  interventions: (n) => `${n} new MT5 intervention${n === 1 ? '' : 's'} open`,
  unlinked: (n) => `${n} new MT5 operation${n === 1 ? '' : 's'} made with no case`,
  access: (n) => `${n} new approval request${n === 1 ? '' : 's'} waiting for a decision`,
};

/**
 * New work and decisions on the user's own requests are announced: a badge that grows after the
 * first count raises a notice, and so does a request of theirs being decided.
 */
function useAnnouncements(user: Profile | null, nav: readonly Nav[], counts: Partial<Record<ViewId, number>>): void {
  const dispatch = useAppDispatch();
  const seen = useRef<Partial<Record<ViewId, number>>>({});
  // The first sync fills the cache: what it brings is not news. Counts taken in the first seconds
  // after it settles are the baseline; growth after that is announced.
  const idle = useAppSelector((s) => s.ui.sync?.state === 'idle');
  const idleSince = useRef<number | null>(null);
  if (idle && idleSince.current === null) idleSince.current = Date.now();
  const settled = idle && idleSince.current !== null && Date.now() - idleSince.current > 3000;
  useEffect(() => {
    for (const n of nav) {
      const now = counts[n.id];
      const before = seen.current[n.id];
      if (now === undefined) continue;
      if (settled && before !== undefined && now > before && ARRIVALS[n.id]) dispatch(notify(ARRIVALS[n.id]!(now - before)));
      seen.current[n.id] = now;
    }
  }, [counts, nav, dispatch, settled]);
  const approvalsVersion = useAppSelector((s) => s.ui.versions.approvals ?? 0);
  const decided = useRef<number | null>(null);
  useEffect(() => {
    if (!user || !user.permissions.includes('approvals.read')) return;
    const scope = { maker: { filterType: 'set' as const, values: [user.username] }, status: { filterType: 'set' as const, values: ['approved', 'rejected', 'executed', 'failed', 'expired'] } };
    call('cache.count', { view: 'approvals', scope }).then((c) => {
      if (settled && decided.current !== null && c > decided.current) dispatch(notify(`${c - decided.current} of your requests ${c - decided.current === 1 ? 'was' : 'were'} decided: see Approvals, Decided`));
      decided.current = c;
    }, () => undefined);
  }, [user, approvalsVersion, dispatch, settled]);
}

export function App() {
  const dispatch = useAppDispatch();
  const session = useAppSelector((s) => s.session);
  const ui = useAppSelector((s) => s.ui);
  const lock = useCallback(() => void dispatch(lockSession()), [dispatch]);
  useIdleLock(session.status === 'signedIn', lock);
  const signedIn = session.status === 'signedIn' ? session.user : null;
  const allowed = signedIn ? NAV.filter((n) => n.needs.some((p) => signedIn.permissions.includes(p)) && !(n.unless && signedIn.permissions.includes(n.unless))) : [];
  const badges = useBadges(signedIn, allowed);
  const lastKey = signedIn ? `fxbo:${signedIn.id}:view` : null;
  const page = ui.evidence !== null || ui.client !== null;
  const current = allowed.find((n) => n.id === ui.view) ?? allowed.find((n) => n.id === (signedIn ? landingView(signedIn.roles, allowed.map((a) => a.id), localStorage.getItem(lastKey!)) : null));
  useEffect(() => {
    if (lastKey && current) localStorage.setItem(lastKey, current.id);
  }, [lastKey, current?.id]);
  if (session.status === 'unknown') return <div className="splash">Connecting to the desktop host…</div>;
  if (session.status !== 'signedIn' || !session.user) return <SignIn />;
  const user = session.user;
  if (user.mustChangePassword) return <ChangePassword />;
  const offline = ui.sync?.state === 'offline';
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">FX Back Office</span>
        <nav aria-label="Views">
          {allowed.map((n) => (
            <button
              key={n.id}
              className={n.id === current?.id && !ui.client ? 'tab active' : 'tab'}
              aria-current={n.id === current?.id && !ui.client ? 'page' : undefined}
              aria-description={badges[n.id] ? `${badges[n.id]} open` : undefined}
              title={badges[n.id] ? `${badges[n.id]} open` : undefined}
              onClick={() => dispatch(showView(n.id))}
            >
              {n.label}
              {badges[n.id] ? (
                <span className="badge" aria-hidden="true">
                  {badges[n.id]!.toLocaleString()}
                </span>
              ) : null}
            </button>
          ))}
        </nav>
        {user.permissions.includes('clients.read') && current?.id !== 'lookup' && <ClientSearch onOpen={(id) => dispatch(openClient(id))} />}
        <span className="who" title={user.permissions.join(', ')}>
          {user.displayName} · {user.roles.length ? `${user.roles.map(roleLabel).join(', ')} · ${user.legalEntities.join(', ')}` : 'no roles yet'}
        </span>
        <Inbox />
        <button className="link" onClick={() => void dispatch(signOut())}>
          Sign out
        </button>
      </header>
      {offline && (
        <div className="banner offline" role="alert">
          Offline: the server cannot be reached. You are looking at your local copy; approving and rejecting are disabled until the connection is back. Retrying…
        </div>
      )}
      {ui.sync?.notice && <div className="banner notice">{ui.sync.notice}</div>}
      {session.error && <div className="banner notice">{session.error}</div>}
      <main className="content" onKeyDown={(e) => !ui.evidence && ui.client && e.key === 'Escape' && !(e.target as HTMLElement).closest('input, textarea, select') && dispatch(openClient(null))}>
        {ui.evidence && <EvidencePage subject={ui.evidence} onClose={() => dispatch(openEvidence(null))} />}
        {!ui.evidence && ui.client && <ClientPage clientId={ui.client} onClose={() => dispatch(openClient(null))} />}
        {!page && !current && <p className="empty">Your roles give you no views in this application yet.</p>}
        {!page && current?.id === 'kyc' && <KycReview offline={offline} />}
        {!page && current?.id === 'screening' && <ScreeningReview offline={offline} />}
        {!page && current?.id === 'alerts' && <AlertsView offline={offline} />}
        {!page && current?.id === 'withdrawals' && <WithdrawalsView offline={offline} />}
        {!page && current?.id === 'deposits' && <DepositsView offline={offline} />}
        {!page && current?.id === 'exceptions' && <ExceptionsView offline={offline} />}
        {!page && current?.id === 'interventions' && <InterventionsView offline={offline} />}
        {!page && current?.id === 'unlinked' && <ManagerOpsView offline={offline} />}
        {!page && current?.id === 'audit' && <AuditExplorer />}
        {!page && current?.id === 'reports' && <ReportsView />}
        {!page && current?.id === 'rules' && <RulesView />}
        {!page && current?.id === 'access' && <AccessReview user={user} offline={offline} />}
        {!page && current?.id === 'lookup' && <ClientLookup onOpen={(id) => dispatch(openClient(id))} />}
      </main>
      <Toasts />
    </div>
  );
}
