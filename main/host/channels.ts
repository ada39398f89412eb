// What each renderer channel answers, typed from the server router where the channel forwards a
// procedure (`inferRouterOutputs<AppRouter>`), so that a change on the server reaches the React
// component as a compile error, not as a field that silently goes missing. The host's handler
// table is declared `satisfies ChannelHandlers`: a channel without a handler, or a handler that
// answers the wrong shape, does not compile. Types only: the renderer imports them.

import type { inferRouterOutputs } from '@trpc/server';
import type { z } from 'zod';
import type { CacheRow } from '../../shared/desktop/views.js';
import type { Channel, CHANNELS } from '../../shared/desktop/api.js';
import type { AppRouter } from '../../server/router.js';
import type { CachedRecords } from '../../server/modules/sync/service.js';
import type { SyncStatus } from './sync-engine.js';

type Server = inferRouterOutputs<AppRouter>;

/** The signed-in staff member as the host keeps them. */
export type Profile = Server['auth']['me'];

/** A record of the desktop cache's `alerts` view, as its `_json` holds it. */
export type AlertRecord = Server['alerts']['list']['items'][number];

/** What a cached row's `_json` holds, by view: the server's record as the sync feed sent it. */
export type CachedRecord<V extends keyof CachedRecords> = CachedRecords[V];
export type CachedView = keyof CachedRecords;

export interface ChannelOutputs {
  'session.current': Profile | null;
  'session.login': Profile | null;
  'session.enrolMfa': Server['auth']['enrolMfa'];
  'session.confirmMfa': Profile | null;
  'session.logout': null;
  'session.changePassword': Profile;
  'session.lock': null;
  'cache.query': { rows: CacheRow[]; lastRow: number | null };
  'cache.count': number;
  'cache.distinct': string[];
  'sync.status': SyncStatus | null;
  'approvals.get': Server['approvals']['get'];
  'approvals.approve': Server['approvals']['approve'];
  'approvals.reject': Server['approvals']['reject'];
  'screening.get': Server['screening']['get'];
  'screening.decide': Server['screening']['decide'];
  'clients.timeline': Server['clients']['timeline'];
  'kyc.get': Server['kyc']['get'];
  'kyc.document': Server['kyc']['document'];
  'kyc.assignToMe': Server['kyc']['assign'];
  'kyc.requestDocuments': Server['kyc']['requestDocuments'];
  'kyc.escalate': Server['kyc']['escalate'];
  'export.record': Server['audit']['recordExport'];
  'access.users': Server['access']['users'];
  'access.entities': Server['access']['entities'];
  'access.createUser': Server['access']['createUser'];
  'access.grantRole': Server['access']['grantRole'];
  'access.revokeRole': Server['access']['revokeRole'];
  'access.resetPassword': Server['access']['resetPassword'];
  'access.resetMfa': Server['access']['resetMfa'];
  'access.setUserStatus': Server['access']['setUserStatus'];
  'access.collectTemporaryPassword': Server['access']['collectTemporaryPassword'];
  'clients.search': Server['clients']['search'];
  'clients.overview': Server['clients']['overview'];
  'alerts.get': Server['alerts']['get'];
  'alerts.assignToMe': Server['alerts']['assignToMe'];
  'alerts.acknowledge': Server['alerts']['acknowledge'];
  'alerts.close': Server['alerts']['close'];
  'kyc.approve': Server['kyc']['approve'];
  'kyc.reject': Server['kyc']['reject'];
  'kyc.completeEddItem': Server['kyc']['completeEddItem'];
  'kyc.override': Server['kyc']['override'];
  'withdrawals.get': Server['withdrawals']['get'];
  'evidence.client': Server['evidence']['client'];
  'evidence.staff': Server['evidence']['staff'];
  'evidence.operation': Server['evidence']['operation'];
  'evidence.export': Server['evidence']['export'];
  'reports.get': Server['reports']['get'];
  'policies.list': Server['policies']['list'];
  'policies.get': Server['policies']['get'];
  'policies.diff': Server['policies']['diff'];
  'policies.dryRun': Server['policies']['dryRun'];
  'policies.propose': Server['policies']['propose'];
  'policies.promote': Server['policies']['promote'];
  'policies.rollback': Server['policies']['rollback'];
  'policies.changes': Server['policies']['changes'];
  'policies.change': Server['policies']['change'];
  'policies.review': Server['policies']['review'];
  'policies.executions': Server['policies']['executions'];
  'policies.canaryReport': Server['policies']['canaryReport'];
  'policies.remediations': Server['policies']['remediations'];
  'policies.closeRemediation': Server['policies']['closeRemediation'];
  'policies.exportVersion': Server['policies']['exportVersion'];
  'policies.importVersion': Server['policies']['importVersion'];
  'policies.snapshots': Server['policies']['snapshots'];
  'policies.snapshot': Server['policies']['snapshot'];
  'withdrawals.approve': Server['withdrawals']['approve'];
  'withdrawals.reject': Server['withdrawals']['reject'];
  'withdrawals.hold': Server['withdrawals']['hold'];
  'withdrawals.release': Server['withdrawals']['release'];
  'withdrawals.resolve': Server['withdrawals']['resolve'];
  'withdrawals.ofClient': Server['withdrawals']['queue'];
  'deposits.ofClient': Server['deposits']['list'];
  'deposits.get': Server['deposits']['get'];
  'ledger.balance': Server['ledger']['balance'];
  'reconciliation.takeException': Server['reconciliation']['takeException'];
  'reconciliation.resolveException': Server['reconciliation']['resolveException'];
  'platform.status': Server['platform']['status'];
  'platform.accounts': Server['platform']['accounts'];
  'interventions.reasonCodes': Server['interventions']['reasonCodes'];
  'interventions.get': Server['interventions']['get'];
  'interventions.request': Server['interventions']['request'];
  'interventions.approve': Server['interventions']['approve'];
  'interventions.reject': Server['interventions']['reject'];
  'interventions.execute': Server['interventions']['execute'];
  'interventions.link': Server['interventions']['link'];
  'interventions.escalate': Server['interventions']['escalate'];
  'interventions.ofClient': Server['interventions']['queue'];
}

export type ChannelOutput<C extends Channel> = ChannelOutputs[C];

/** A channel's input after the host validated it. */
export type ChannelData<C extends Channel> = z.output<(typeof CHANNELS)[C]>;

/** One handler per channel, each answering its channel's shape. */
export type ChannelHandlers = { [C in Channel]: (input: ChannelData<C>) => Promise<ChannelOutputs[C]> };
