// The desktop host: holds the server session (the token never leaves this object), opens and
// wipes the user's encrypted cache by the wipe rules, runs the sync engine, and answers the
// renderer's channels. Plain Node: the Electron wiring and the headless host both drive it.

import { EventEmitter } from 'node:events';
import { permissionsOf } from '../../shared/access/permissions.js';
import { CHANNELS, isChannel, type Channel, type HostEvent, type HostResult } from '../../shared/desktop/api.js';
import { isReason } from '../../shared/errors.js';
import type { ViewName } from '../../shared/desktop/views.js';
import { QueryModelError } from '../cache/filter-sql.js';
import type { KeyWrapper } from '../cache/keys.js';
import { CacheClient } from '../cache/cache-client.js';
import type { CacheStore } from '../cache/store.js';
import { cacheAction, type CacheOwner } from '../cache/wipe-rules.js';
import type { ChannelData, ChannelHandlers, ChannelOutputs, Profile } from './channels.js';
import { createServerClient, reasonOf, type ServerClient } from './server-client.js';
import { endKind, SyncEngine } from './sync-engine.js';
import { issuesText } from '../../shared/issues.js';


export interface HostOptions {
  serverUrl: string;
  cacheDir: string;
  wrapper: KeyWrapper;
  userAgent?: string;
  /** The cache worker's entry; the packaged app passes its bundled worker. */
  cacheWorker?: URL;
  /** How often, at most, to re-read the user's rights after a sync round (default 15 s). */
  rightsCheckMs?: number;
  /** Allow a plain http:// server that is not on this machine (FXBO_ALLOW_INSECURE_SERVER=1); off by default. */
  allowInsecureServer?: boolean;
}

/**
 * A server URL the host may talk to: https, or http on this machine. Passwords, TOTP codes and
 * session tokens must not cross a network in clear text, so plain http to another machine is
 * refused unless explicitly allowed (a lab behind a VPN, say).
 */
export function checkServerUrl(serverUrl: string, allowInsecure = false): URL {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    throw new Error(`The server URL "${serverUrl}" is not a URL (FXBO_SERVER_URL).`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`The server URL ${serverUrl} must be https:// (or http:// on this machine), not ${url.protocol}`);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  if (url.protocol === 'http:' && !loopback && !allowInsecure) {
    throw new Error(`The server URL ${serverUrl} is plain http:// to another machine: sign-in and session tokens would cross the network unencrypted. Use https://, or set FXBO_ALLOW_INSECURE_SERVER=1 if the network is otherwise protected.`);
  }
  return url;
}

/** permission -> the entities where it is held, from the user's grants and the shared role catalog. */
export function ownerOf(user: Pick<Profile, 'id' | 'grants'>): CacheOwner {
  const scope: Record<string, string[]> = {};
  for (const g of user.grants) {
    for (const p of permissionsOf([g.role])) scope[p] = [...new Set([...(scope[p] ?? []), g.legalEntity])].sort();
  }
  return { userId: user.id, scope };
}

export class DesktopHost extends EventEmitter<{ event: [HostEvent] }> {
  #token: string | null = null;
  #user: Profile | null = null;
  #owner: CacheOwner | null = null;
  #cache: CacheClient | null = null;
  #sync: SyncEngine | null = null;
  #rightsCheckedAt = 0;
  readonly #server: ServerClient;

  constructor(private readonly opts: HostOptions) {
    super();
    checkServerUrl(opts.serverUrl, opts.allowInsecureServer ?? process.env.FXBO_ALLOW_INSECURE_SERVER === '1');
    this.#server = createServerClient(opts.serverUrl, () => this.#token, opts.userAgent);
  }

  private push(event: HostEvent): void {
    this.emit('event', event);
  }

  /** The one entry point for renderer messages: unknown channels and wrong shapes are refused. */
  async handle(channel: unknown, input: unknown): Promise<HostResult<unknown>> {
    if (!isChannel(channel)) return { ok: false, error: { reason: 'VALIDATION_FAILED', message: `Unknown channel ${JSON.stringify(channel)}` } };
    const parsed = CHANNELS[channel].safeParse(input ?? {});
    if (!parsed.success) {
      return { ok: false, error: { reason: 'VALIDATION_FAILED', message: issuesText(parsed.error.issues) } };
    }
    try {
      return { ok: true, value: await this.dispatch(channel, parsed.data as ChannelData<typeof channel>) };
    } catch (error) {
      const server = reasonOf(error);
      const reason = isReason(server) ? server : error instanceof QueryModelError ? 'VALIDATION_FAILED' : 'HOST_ERROR';
      if (reason === 'SESSION_EXPIRED') this.sessionEnded(endKind(error));
      return { ok: false, error: { reason, message: error instanceof Error ? error.message : String(error) } };
    }
  }

  /** One handler per channel, typed from the server router (channels.ts). */
  readonly #handlers = {
    'session.current': async () => this.#user,
    'session.login': async (input) => {
      const result = await this.#server.auth.login.mutate(input);
      await this.signedIn(result.token);
      return this.#user;
    },
    'session.enrolMfa': (input) => this.#server.auth.enrolMfa.mutate(input),
    'session.confirmMfa': async (input) => {
      const result = await this.#server.auth.confirmMfa.mutate(input);
      await this.signedIn(result.token);
      return this.#user;
    },
    'session.logout': async () => {
      await this.#server.auth.logout.mutate({}).catch(() => undefined);
      await this.applyCacheAction('wipe');
      this.#token = null;
      this.#user = null;
      this.push({ type: 'session', state: 'signedOut' });
      return null;
    },
    'session.changePassword': async (input) => {
      await this.#server.auth.changePassword.mutate(input);
      this.#user = await this.#server.auth.me.query({});
      return this.#user;
    },
    'session.lock': async () => {
      await this.#server.auth.logout.mutate({}).catch(() => undefined);
      this.sessionEnded('expired', 'Locked after a period without activity. Sign in again to continue.');
      return null;
    },
    'cache.query': (input) => this.requireCache().query(input as Parameters<CacheStore['query']>[0]),
    'cache.distinct': (input) => this.requireCache().distinct(input.view as ViewName, input.column),
    'cache.count': (input) => this.requireCache().count(input.view as ViewName, input.filterModel ?? {}, { scope: input.scope, quickFilter: input.quickFilter }),
    'sync.status': async () => this.#sync?.status ?? null,
    'approvals.get': (input) => this.#server.approvals.get.query(input),
    'approvals.approve': (input) => this.synced(this.#server.approvals.approve.mutate(input)),
    'approvals.reject': (input) => this.synced(this.#server.approvals.reject.mutate(input)),
    'screening.get': (input) => this.#server.screening.get.query(input),
    'screening.decide': (input) => this.synced(this.#server.screening.decide.mutate(input)),
    'clients.timeline': (input) => this.#server.clients.timeline.query(input),
    'kyc.get': (input) => this.#server.kyc.get.query(input),
    'kyc.document': (input) => this.#server.kyc.document.query(input),
    'kyc.assignToMe': (input) => {
      if (!this.#user) throw Object.assign(new Error('Sign in first.'), { name: 'NotSignedIn' });
      return this.synced(this.#server.kyc.assign.mutate({ ...input, userId: this.#user.id }));
    },
    'kyc.requestDocuments': (input) => this.synced(this.#server.kyc.requestDocuments.mutate(input)),
    'kyc.escalate': (input) => this.synced(this.#server.kyc.escalate.mutate(input)),
    'kyc.approve': (input) => this.synced(this.#server.kyc.approve.mutate(input)),
    'kyc.reject': (input) => this.synced(this.#server.kyc.reject.mutate(input)),
    'kyc.completeEddItem': (input) => this.synced(this.#server.kyc.completeEddItem.mutate(input)),
    'kyc.override': (input) => this.synced(this.#server.kyc.override.mutate(input)),
    'export.record': (input) => this.#server.audit.recordExport.mutate(input),
    'access.users': () => this.#server.access.users.query({}),
    'access.entities': () => this.#server.access.entities.query({}),
    'access.createUser': (input) => this.synced(this.#server.access.createUser.mutate(input)),
    'access.grantRole': (input) => this.synced(this.#server.access.grantRole.mutate(input)),
    'access.revokeRole': (input) => this.synced(this.#server.access.revokeRole.mutate(input)),
    'access.resetPassword': (input) => this.synced(this.#server.access.resetPassword.mutate(input)),
    'access.resetMfa': (input) => this.synced(this.#server.access.resetMfa.mutate(input)),
    'access.setUserStatus': (input) => this.synced(this.#server.access.setUserStatus.mutate(input)),
    'access.collectTemporaryPassword': (input) => this.#server.access.collectTemporaryPassword.mutate(input),
    'clients.search': (input) => this.#server.clients.search.query(input),
    'clients.overview': (input) => this.#server.clients.overview.query(input),
    'alerts.get': (input) => this.#server.alerts.get.query(input),
    'alerts.assignToMe': (input) => this.synced(this.#server.alerts.assignToMe.mutate(input)),
    'alerts.acknowledge': (input) => this.synced(this.#server.alerts.acknowledge.mutate(input)),
    'alerts.close': (input) => this.synced(this.#server.alerts.close.mutate(input)),
    'withdrawals.get': (input) => this.#server.withdrawals.get.query(input),
    'evidence.client': (input) => this.#server.evidence.client.query(input),
    'evidence.staff': (input) => this.#server.evidence.staff.query(input),
    'evidence.operation': (input) => this.#server.evidence.operation.query(input),
    'evidence.export': (input) => this.#server.evidence.export.mutate(input),
    'reports.get': (input) => this.#server.reports.get.query(input),
    'policies.list': (input) => this.#server.policies.list.query(input),
    'policies.get': (input) => this.#server.policies.get.query(input),
    'policies.diff': (input) => this.#server.policies.diff.query(input),
    'policies.dryRun': (input) => this.#server.policies.dryRun.query(input),
    'policies.propose': (input) => this.#server.policies.propose.mutate(input),
    'policies.promote': (input) => this.#server.policies.promote.mutate(input),
    'policies.rollback': (input) => this.#server.policies.rollback.mutate(input),
    'policies.changes': (input) => this.#server.policies.changes.query(input),
    'policies.change': (input) => this.#server.policies.change.query(input),
    'policies.review': (input) => this.#server.policies.review.mutate(input),
    'policies.executions': (input) => this.#server.policies.executions.query(input),
    'policies.canaryReport': (input) => this.#server.policies.canaryReport.query(input),
    'policies.remediations': (input) => this.#server.policies.remediations.query(input),
    'policies.closeRemediation': (input) => this.#server.policies.closeRemediation.mutate(input),
    'policies.exportVersion': (input) => this.#server.policies.exportVersion.mutate(input),
    'policies.importVersion': (input) => this.#server.policies.importVersion.mutate(input),
    'policies.snapshots': () => this.#server.policies.snapshots.query({}),
    'policies.snapshot': (input) => this.#server.policies.snapshot.query(input),
    'withdrawals.approve': (input) => this.synced(this.#server.withdrawals.approve.mutate(input)),
    'withdrawals.reject': (input) => this.synced(this.#server.withdrawals.reject.mutate(input)),
    'withdrawals.hold': (input) => this.synced(this.#server.withdrawals.hold.mutate(input)),
    'withdrawals.release': (input) => this.synced(this.#server.withdrawals.release.mutate(input)),
    'withdrawals.resolve': (input) => this.synced(this.#server.withdrawals.resolve.mutate(input)),
    'withdrawals.ofClient': (input) => this.#server.withdrawals.queue.query({ clientId: input.clientId, limit: 100 }),
    'deposits.ofClient': (input) => this.#server.deposits.list.query({ clientId: input.clientId, limit: 100 }),
    'deposits.get': (input) => this.#server.deposits.get.query(input),
    'ledger.balance': (input) => this.#server.ledger.balance.query(input),
    'reconciliation.takeException': (input) => this.synced(this.#server.reconciliation.takeException.mutate(input)),
    'reconciliation.resolveException': (input) => this.synced(this.#server.reconciliation.resolveException.mutate(input)),
    'platform.status': () => this.#server.platform.status.query({}),
    'platform.accounts': (input) => this.#server.platform.accounts.query(input),
    'interventions.reasonCodes': () => this.#server.interventions.reasonCodes.query({}),
    'interventions.get': (input) => this.#server.interventions.get.query(input),
    'interventions.request': (input) => this.synced(this.#server.interventions.request.mutate(input)),
    'interventions.approve': (input) => this.synced(this.#server.interventions.approve.mutate(input)),
    'interventions.reject': (input) => this.synced(this.#server.interventions.reject.mutate(input)),
    'interventions.execute': (input) => this.synced(this.#server.interventions.execute.mutate(input)),
    'interventions.link': (input) => this.synced(this.#server.interventions.link.mutate(input)),
    'interventions.escalate': (input) => this.synced(this.#server.interventions.escalate.mutate(input)),
    'interventions.ofClient': (input) => this.#server.interventions.queue.query({ clientId: input.clientId, limit: 100 }),
  } satisfies ChannelHandlers;

  private dispatch<C extends Channel>(channel: C, input: ChannelData<C>): Promise<ChannelOutputs[C]> {
    // The table is checked channel by channel above; indexing it by a generic channel loses that.
    const handlers: ChannelHandlers = this.#handlers;
    return handlers[channel](input);
  }

  /** A change made through the server: the local cache syncs at once rather than at the next event. */
  private async synced<T>(change: Promise<T>): Promise<T> {
    const result = await change;
    void this.#sync?.syncNow();
    return result;
  }

  private requireCache(): CacheClient {
    if (!this.#cache) throw Object.assign(new Error('Sign in to see your queues.'), { name: 'NotSignedIn' });
    return this.#cache;
  }

  private async signedIn(token: string): Promise<void> {
    const previousToken = this.#token;
    this.#token = token;
    const user = await this.#server.auth.me.query({});
    const owner = ownerOf(user);
    // Another user, or narrower rights than the cache was filled with: the old cache goes.
    const action = cacheAction(this.#owner, { type: 'signIn', owner });
    if (action === 'wipe' && this.#cache) await this.applyCacheAction('wipe');
    if (previousToken && previousToken !== token) this.#sync?.stop();
    this.#user = user;
    this.#owner = owner;
    this.#rightsCheckedAt = 0;
    this.#cache ??= await this.openCache(user.id);
    if (action === 'resync') await this.#cache.reset();
    this.startSync();
    this.push({ type: 'session', state: 'signedIn' });
  }

  private openCache(userId: string): Promise<CacheClient> {
    return CacheClient.open({ dir: this.opts.cacheDir, userId, wrapper: this.opts.wrapper, ...(this.opts.cacheWorker ? { worker: this.opts.cacheWorker } : {}) });
  }

  private startSync(): void {
    this.#sync?.stop();
    const sync = new SyncEngine(this.#server, this.#cache!);
    sync.on('status', (status) => {
      this.push({ type: 'sync', status });
      if (status.state === 'idle') void this.checkRights();
    });
    sync.on('changed', (views) => this.push({ type: 'changed', views }));
    sync.on('sessionEnded', (kind) => this.sessionEnded(kind));
    this.#sync = sync;
    sync.start();
  }

  private sessionEnded(kind: 'expired' | 'revoked', message = 'Your session has ended. Sign in again to continue.'): void {
    void this.applyCacheAction(cacheAction(this.#owner, { type: kind === 'expired' ? 'sessionExpired' : 'sessionRevoked' }));
    this.#token = null;
    this.#user = null;
    this.push({ type: 'session', state: 'locked', message });
  }

  /**
   * Rights can change while signed in (a grant revoked, an entity removed). After a sync round, at
   * most every 15 s, the host asks who it is now: narrower rights wipe the cache and refill it,
   * wider ones refill it.
   */
  private async checkRights(): Promise<void> {
    if (!this.#token || Date.now() - this.#rightsCheckedAt < (this.opts.rightsCheckMs ?? 15_000)) return;
    this.#rightsCheckedAt = Date.now();
    const user = await this.#server.auth.me.query({}).catch(() => null);
    if (!user || !this.#owner) return;
    const owner = ownerOf(user);
    const action = cacheAction(this.#owner, { type: 'rightsChanged', owner });
    const before = this.#user;
    this.#user = user;
    if (action === 'keep') {
      // The cache stays, but the window shows roles and entities: tell it when they changed.
      if (JSON.stringify([before?.roles, before?.legalEntities, before?.permissions]) !== JSON.stringify([user.roles, user.legalEntities, user.permissions])) this.push({ type: 'session', state: 'signedIn' });
      return;
    }
    if (action === 'wipe') {
      await this.applyCacheAction('wipe');
      this.#owner = owner;
      this.#cache = await this.openCache(user.id);
    } else {
      this.#owner = owner;
      await this.#cache?.reset();
    }
    this.push({ type: 'session', state: 'signedIn', message: 'Your access changed; your local data was reloaded to match it.' });
    this.startSync();
  }

  private async applyCacheAction(action: 'keep' | 'resync' | 'lock' | 'wipe'): Promise<void> {
    if (action === 'keep' || action === 'resync') return;
    this.#sync?.stop();
    this.#sync = null;
    const cache = this.#cache;
    this.#cache = null;
    if (action === 'wipe') {
      this.#owner = null;
      await cache?.wipe();
    } else await cache?.close();
  }

  async close(): Promise<void> {
    this.#sync?.stop();
    const cache = this.#cache;
    this.#cache = null;
    await cache?.close();
  }
}
