// Manager operations made directly on MT5 with no case, found (issue 17 §5). A job reads, from where
// it stopped:
//
// - the deal history of every group (`deal/get_batch?group=*` in windows of server time): each
//   balance, credit, charge, correction or bonus deal that no operation of the back office made
//   (its ticket is none of ours, and its comment is no in-flight operation's reference on that
//   login) is recorded once, by ticket;
// - each account the back office holds: a group, leverage or rights that differ from what the back
//   office last set or confirmed (the Web API keeps no log of user changes, so the state is
//   compared) is recorded, and the account's known state moves on so that it is reported once.
//
// A dealing manager links each to an intervention case on the same login with a reason, or
// escalates it as an incident (an alert to compliance).

import { DomainError } from '../../../shared/errors.js';
import { formatAmount, parseAmount } from '../../../shared/money.js';
import { UNLINKED_KIND_LABELS, type UnlinkedKind, type UnlinkedStatus } from '../../../shared/platform/interventions.js';
import { SYSTEM_ACTOR, type Actor } from '../../core/actor.js';
import { listScope, requireEntity, type AuthContext } from '../../core/auth.js';
import type { Mutation, Store } from '../../core/store.js';
import { nextRef } from '../../db/counters.js';
import { raiseAlert } from '../alerts/service.js';
import type { PolicyReader } from '../policies/reader.js';
import { Mt5Refused } from '../../platform/session.js';
import type { Mt5Link } from '../../platform/link.js';
import type { CacheRow } from '../../../shared/desktop/views.js';

const SYSTEM: Actor = { ...SYSTEM_ACTOR, id: 'system:mt5-scan', name: 'MT5 scan' };

const DEAL_KINDS: Record<number, UnlinkedKind> = { 2: 'balance', 3: 'credit', 4: 'charge', 5: 'correction', 6: 'bonus' };

export interface ScanOptions {
  /** minutes the trade server's clock is ahead of UTC (MT5 writes deal times in server time) */
  offsetMinutes: number;
  /** seconds of deal history asked for in one call */
  windowSeconds?: number;
  /** seconds before the last scan's end read again, for deals written late */
  overlapSeconds?: number;
}

interface RawDeal {
  Deal: string;
  Login: string;
  Dealer: string;
  Action: string;
  Time: string;
  Profit: string;
  Comment: string;
}

export interface ManagerOpView {
  dealId: string;
  kind: UnlinkedKind;
  kindLabel: string;
  /** the contract's name for the kind */
  type: UnlinkedKind;
  dealTicket: string | null;
  login: number;
  clientId: string | null;
  clientName: string | null;
  legalEntity: string | null;
  amount: string | null;
  currency: string | null;
  valueBefore: string | null;
  valueAfter: string | null;
  dealer: string | null;
  at: string;
  comment: string;
  status: UnlinkedStatus;
  caseRef: string | null;
  reason: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  alertId: string | null;
  foundAt: string;
  ageHours: number;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class ManagerOperations {
  constructor(
    private readonly store: Store,
    private readonly policies: PolicyReader,
    private readonly mt5: Mt5Link | null,
    private readonly opts: ScanOptions,
  ) {}

  private serverSeconds(): number {
    return Math.floor((Date.parse(this.store.now()) + this.opts.offsetMinutes * 60_000) / 1000);
  }

  private utcOf(serverSeconds: number): string {
    return new Date(serverSeconds * 1000 - this.opts.offsetMinutes * 60_000).toISOString();
  }

  /** One run of the job: new deals since the last run, then the accounts' states. */
  async scan(): Promise<{ deals: number; found: number; accounts: number; changes: number }> {
    if (!this.mt5) return { deals: 0, found: 0, accounts: 0, changes: 0 };
    const deals = await this.scanDeals();
    const accounts = await this.scanAccounts();
    return { deals: deals.read, found: deals.found, accounts: accounts.read, changes: accounts.found };
  }

  /** Where the deal scan stopped (server seconds), held here between runs and written down at most hourly or when something was found. */
  #cursor: number | null = null;

  /** Reads the deal history from the cursor (first run: the last day) to now. */
  async scanDeals(): Promise<{ read: number; found: number }> {
    const link = this.mt5!;
    const nowS = this.serverSeconds();
    const state = await this.store.kysely.selectFrom('platform_scan_state').select(['cursor', 'updated_at']).where('name', '=', 'deals').executeTakeFirst();
    const stored = state ? Number(state.cursor) : null;
    const cursor = Math.max(this.#cursor ?? -Infinity, stored ?? -Infinity);
    const from = Number.isFinite(cursor) ? cursor - (this.opts.overlapSeconds ?? 300) : nowS - 86_400;
    const to = nowS + 60;
    const window = this.opts.windowSeconds ?? 86_400;
    let read = 0;
    let found = 0;
    const entities = new EntityOfLogin(this.store, this.policies, link);
    for (let start = from; start <= to; start += window + 1) {
      const end = Math.min(to, start + window);
      const deals = await link.session.call<RawDeal[]>('/api/deal/get_batch', { group: '*', from: start, to: end });
      read += deals.length;
      const candidates = deals.filter((d) => DEAL_KINDS[Number(d.Action)] !== undefined);
      if (candidates.length > 0) found += await this.recordDeals(candidates, entities);
    }
    this.#cursor = nowS;
    // The cursor on disk, audited as evidence of which window was watched, when something was found
    // or at least hourly: after a restart the deals since are read again, and those recorded already are known by ticket.
    const stale = !state || Date.parse(this.store.now()) - Date.parse(state.updated_at) >= 3_600_000;
    if (found > 0 || stale) {
      await this.store.mutate(SYSTEM, async (m) => {
        await this.saveCursor(m, 'deals', String(nowS));
        m.audit({ action: 'platform.scan.deals', targetType: 'platform_scan', targetId: 'deals', after: { from: this.utcOf(from), to: this.utcOf(to), read, found } });
      });
    }
    return { read, found };
  }

  private async saveCursor(m: Mutation, name: string, cursor: string): Promise<void> {
    const updated = await m.trx.updateTable('platform_scan_state').set({ cursor, updated_at: m.now }).where('name', '=', name).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) await m.trx.insertInto('platform_scan_state').values({ name, cursor, updated_at: m.now }).execute();
  }

  /** The deals that are no operation of ours, recorded once each; answers how many are new. */
  private async recordDeals(deals: RawDeal[], entities: EntityOfLogin): Promise<number> {
    const ours = new Set<string>();
    const seen = new Set<string>();
    for (const part of chunks(deals, 500)) {
      const tickets = part.map((d) => String(d.Deal));
      const comments = [...new Set(part.map((d) => d.Comment).filter((c) => c.length > 0))];
      const byTicket = await this.store.kysely.selectFrom('platform_operations').select('deal_ticket').where('deal_ticket', 'in', tickets).execute();
      for (const r of byTicket) ours.add(r.deal_ticket!);
      // An operation of ours still in flight (sent, outcome unclear) carries its reference as the comment: not a manual one.
      if (comments.length > 0) {
        const inFlight = await this.store.kysely.selectFrom('platform_operations').select(['reference', 'login']).where('reference', 'in', comments).where('status', '!=', 'done').execute();
        const keys = new Set(inFlight.map((r) => `${r.reference}|${Number(r.login)}`));
        for (const d of part) if (keys.has(`${d.Comment}|${Number(d.Login)}`)) ours.add(String(d.Deal));
      }
      const stored = await this.store.kysely.selectFrom('platform_manager_ops').select('deal_ticket').where('deal_ticket', 'in', tickets).execute();
      for (const r of stored) seen.add(r.deal_ticket!);
    }
    const fresh = deals.filter((d) => !ours.has(String(d.Deal)) && !seen.has(String(d.Deal)));
    if (fresh.length === 0) return 0;
    const resolved = new Map<number, Awaited<ReturnType<EntityOfLogin['of']>>>();
    for (const d of fresh) if (!resolved.has(Number(d.Login))) resolved.set(Number(d.Login), await entities.of(Number(d.Login)));
    for (const part of chunks(fresh, 200)) {
      await this.store.mutate(SYSTEM, async (m) => {
        for (const d of part) {
          const who = resolved.get(Number(d.Login))!;
          let amount: string | null = null;
          try {
            amount = who.currency ? parseAmount(String(d.Profit), who.currency).minor.toString() : null;
          } catch {
            amount = null;
          }
          const id = await nextRef(m.trx, 'MOP');
          const kind = DEAL_KINDS[Number(d.Action)]!;
          await m.trx
            .insertInto('platform_manager_ops')
            .values({ id, kind, deal_ticket: String(d.Deal), login: Number(d.Login), client_id: who.clientId, legal_entity: who.legalEntity, amount, currency: who.currency, before_value: null, after_value: null, dealer: String(d.Dealer), at: this.utcOf(Number(d.Time)), comment: String(d.Comment ?? ''), status: 'unlinked', case_ref: null, reason: null, decided_by: null, decided_at: null, alert_id: null, found_at: m.now })
            .execute();
          m.audit({ action: 'platform.manager_op.found', targetType: 'platform_manager_op', targetId: id, clientId: who.clientId ?? undefined, legalEntity: who.legalEntity, after: { kind, dealTicket: String(d.Deal), login: Number(d.Login), amount: String(d.Profit), currency: who.currency, dealer: String(d.Dealer), comment: String(d.Comment ?? ''), at: this.utcOf(Number(d.Time)) } });
          m.changed('platform_manager_ops', id, who.legalEntity, 'insert');
        }
      });
    }
    return fresh.length;
  }

  /** Compares each active account's group, leverage and rights on MT5 with what the back office last set. */
  async scanAccounts(): Promise<{ read: number; found: number }> {
    const link = this.mt5!;
    const accounts = await this.store.kysely.selectFrom('mt5_accounts').select(['login', 'client_id', 'legal_entity', 'mt5_group', 'leverage', 'rights', 'currency']).where('status', '=', 'active').where('login', 'is not', null).orderBy('login').execute();
    let found = 0;
    for (const a of accounts) {
      const login = Number(a.login);
      let u: Record<string, string>;
      try {
        u = await link.session.call<Record<string, string>>('/api/user/get', { login });
      } catch (error) {
        // An account deleted on MT5 has nothing to compare; anything else stops the run (the next one starts again).
        if (error instanceof Mt5Refused && error.retcode === 13) continue;
        throw error;
      }
      const now = { group: String(u.Group), leverage: Number(u.Leverage), rights: Number(u.Rights) };
      const diffs: Array<{ kind: UnlinkedKind; before: string; after: string }> = [];
      if (now.group.toLowerCase() !== a.mt5_group.toLowerCase()) diffs.push({ kind: 'group', before: a.mt5_group, after: now.group });
      if (now.leverage !== a.leverage) diffs.push({ kind: 'leverage', before: String(a.leverage), after: String(now.leverage) });
      if (now.rights !== a.rights) diffs.push({ kind: 'rights', before: `0x${a.rights.toString(16)}`, after: `0x${now.rights.toString(16)}` });
      if (diffs.length === 0) continue;
      found += await this.store.mutate(SYSTEM, async (m) => {
        // A case of ours changing this account right now explains the difference: its settlement moves the known state.
        const busy = await m.trx.selectFrom('interventions').select('ref').where('login', '=', login).where('status', '=', 'executing').executeTakeFirst();
        if (busy) return m.unchanged(0);
        const known = await m.trx.selectFrom('mt5_accounts').select(['mt5_group', 'leverage', 'rights']).where('login', '=', login).executeTakeFirstOrThrow();
        if (known.mt5_group !== a.mt5_group || known.leverage !== a.leverage || known.rights !== a.rights) return m.unchanged(0);
        for (const d of diffs) {
          const id = await nextRef(m.trx, 'MOP');
          await m.trx
            .insertInto('platform_manager_ops')
            .values({ id, kind: d.kind, deal_ticket: null, login, client_id: a.client_id, legal_entity: a.legal_entity, amount: null, currency: null, before_value: d.before, after_value: d.after, dealer: null, at: m.now, comment: '', status: 'unlinked', case_ref: null, reason: null, decided_by: null, decided_at: null, alert_id: null, found_at: m.now })
            .execute();
          m.audit({ action: 'platform.manager_op.found', targetType: 'platform_manager_op', targetId: id, clientId: a.client_id, legalEntity: a.legal_entity, before: { [d.kind]: d.before }, after: { kind: d.kind, login, [d.kind]: d.after } });
          m.changed('platform_manager_ops', id, a.legal_entity, 'insert');
        }
        await m.trx.updateTable('mt5_accounts').set({ mt5_group: now.group, leverage: now.leverage, rights: now.rights, updated_at: m.now }).where('login', '=', login).execute();
        return diffs.length;
      });
    }
    return { read: accounts.length, found };
  }

  /** Manager operations in the caller's entities (and those on logins of no entity), newest first. */
  async list(auth: AuthContext, filter: { status?: UnlinkedStatus | undefined; from?: string | undefined; to?: string | undefined; legalEntity?: string | undefined; limit?: number }): Promise<{ items: ManagerOpView[]; unlinked: number; oldestUnlinkedHours: number | null }> {
    const scope = listScope(auth, 'platform.read', filter.legalEntity);
    let q = this.base().where((eb) => (scope.length > 0 ? eb.or([eb('o.legal_entity', 'in', scope), eb('o.legal_entity', 'is', null)]) : eb('o.legal_entity', 'is', null)));
    q = q.where('o.status', '=', filter.status ?? 'unlinked');
    if (filter.from) q = q.where('o.at', '>=', filter.from);
    if (filter.to) q = q.where('o.at', '<=', filter.to);
    const rows = await q.orderBy('o.at', 'desc').orderBy('o.id', 'desc').limit(filter.limit ?? 500).execute();
    let open = this.store.kysely.selectFrom('platform_manager_ops').select([(eb) => eb.fn.countAll<string>().as('n'), (eb) => eb.fn.min('at').as('oldest')]).where('status', '=', 'unlinked');
    open = open.where((eb) => (scope.length > 0 ? eb.or([eb('legal_entity', 'in', scope), eb('legal_entity', 'is', null)]) : eb('legal_entity', 'is', null)));
    const counts = await open.executeTakeFirstOrThrow();
    const now = Date.parse(this.store.now());
    return { items: rows.map((r) => this.view(r, now)), unlinked: Number(counts.n), oldestUnlinkedHours: counts.oldest ? Math.floor((now - Date.parse(String(counts.oldest))) / 3_600_000) : null };
  }

  /** The desktop cache's rows: the grid's columns and the whole view as `_json`. */
  async byIds(ids: string[]): Promise<CacheRow[]> {
    const rows = await this.base().where('o.id', 'in', ids).execute();
    const now = Date.parse(this.store.now());
    return rows.map((r) => {
      const v = this.view(r, now);
      return {
        dealId: v.dealId,
        status: v.status,
        kind: v.kind,
        login: v.login,
        clientId: v.clientId,
        clientName: v.clientName,
        legalEntity: v.legalEntity,
        amount: v.amount === null ? null : Number(v.amount),
        currency: v.currency,
        change: v.valueBefore !== null || v.valueAfter !== null ? `${v.valueBefore ?? ''} \u2192 ${v.valueAfter ?? ''}` : null,
        dealer: v.dealer,
        dealTicket: v.dealTicket,
        comment: v.comment,
        caseRef: v.caseRef,
        at: v.at,
        _json: JSON.stringify(v),
      };
    });
  }

  async get(auth: AuthContext, id: string): Promise<ManagerOpView> {
    const row = await this.base().where('o.id', '=', id).executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', `Manager operation ${id} does not exist.`);
    if (row.legal_entity !== null) requireEntity(auth, 'platform.read', row.legal_entity);
    return this.view(row, Date.parse(this.store.now()));
  }

  private base() {
    return this.store.kysely
      .selectFrom('platform_manager_ops as o')
      .leftJoin('clients as c', 'c.id', 'o.client_id')
      .leftJoin('users as u', 'u.id', 'o.decided_by')
      .selectAll('o')
      .select([(eb) => eb.cast<string | null>('o.amount', 'text').as('amount_text'), 'c.display_name as client_name', 'u.username as decided_by_name']);
  }

  private view(r: Awaited<ReturnType<ReturnType<ManagerOperations['base']>['execute']>>[number], now: number): ManagerOpView {
    return {
      dealId: r.id,
      kind: r.kind,
      kindLabel: UNLINKED_KIND_LABELS[r.kind],
      type: r.kind,
      dealTicket: r.deal_ticket,
      login: Number(r.login),
      clientId: r.client_id,
      clientName: r.client_name,
      legalEntity: r.legal_entity,
      amount: r.amount_text === null || r.currency === null ? null : formatAmount({ minor: BigInt(r.amount_text), currency: r.currency }),
      currency: r.currency,
      valueBefore: r.before_value,
      valueAfter: r.after_value,
      dealer: r.dealer,
      at: r.at,
      comment: r.comment,
      status: r.status,
      caseRef: r.case_ref,
      reason: r.reason,
      decidedBy: r.decided_by_name ?? r.decided_by,
      decidedAt: r.decided_at,
      alertId: r.alert_id,
      foundAt: r.found_at,
      ageHours: Math.floor((now - Date.parse(r.at)) / 3_600_000),
    };
  }

  private async open(m: Mutation, auth: AuthContext, id: string) {
    const op = await m.trx.selectFrom('platform_manager_ops').selectAll().select((eb) => eb.cast<string | null>('amount', 'text').as('amount_text')).where('id', '=', id).executeTakeFirst();
    if (!op) throw new DomainError('NOT_FOUND', `Manager operation ${id} does not exist.`);
    if (op.legal_entity !== null) requireEntity(auth, 'interventions.link', op.legal_entity);
    if (op.status !== 'unlinked') throw new DomainError('INVALID_TRANSITION', `${id} is ${op.status}${op.case_ref ? ` to ${op.case_ref}` : ''} already.`, { status: op.status });
    return op;
  }

  /** Explains an operation by an intervention case on the same login. */
  async link(auth: AuthContext, input: { dealId: string; caseRef: string; reason: string }): Promise<{ status: 'linked' }> {
    await this.store.mutate(auth.actor, async (m) => {
      const op = await this.open(m, auth, input.dealId);
      const c = await m.trx.selectFrom('interventions').select(['ref', 'login', 'legal_entity']).where('ref', '=', input.caseRef).executeTakeFirst();
      if (!c) throw new DomainError('NOT_FOUND', `caseRef: intervention ${input.caseRef} does not exist.`, { field: 'caseRef' });
      if (Number(c.login) !== Number(op.login)) throw new DomainError('VALIDATION_FAILED', `caseRef: ${c.ref} is about MT5 login ${Number(c.login)}; this operation was made on login ${Number(op.login)}.`, { field: 'caseRef' });
      requireEntity(auth, 'interventions.link', c.legal_entity);
      await m.trx.updateTable('platform_manager_ops').set({ status: 'linked', case_ref: c.ref, reason: input.reason, decided_by: auth.user.id, decided_at: m.now }).where('id', '=', op.id).execute();
      m.audit({ action: 'platform.manager_op.linked', targetType: 'platform_manager_op', targetId: op.id, clientId: op.client_id ?? undefined, legalEntity: op.legal_entity, before: { status: 'unlinked' }, after: { status: 'linked', dealTicket: op.deal_ticket, kind: op.kind }, reason: input.reason, caseRef: c.ref });
      m.changed('platform_manager_ops', op.id, op.legal_entity, 'update');
    });
    return { status: 'linked' };
  }

  /** Escalates an operation nobody can explain as an incident: an alert to compliance in the account's entity. */
  async escalate(auth: AuthContext, input: { dealId: string; reason: string }): Promise<{ status: 'escalated'; alertId: string }> {
    const alertId = await this.store.mutate(auth.actor, async (m) => {
      const op = await this.open(m, auth, input.dealId);
      if (op.legal_entity === null) throw new DomainError('VALIDATION_FAILED', `${op.id} is on MT5 login ${Number(op.login)}, which belongs to no legal entity the back office maps (policy platform.accounts): raise it with the MLRO directly.`, { field: 'dealId' });
      const what = op.deal_ticket ? `${UNLINKED_KIND_LABELS[op.kind].toLowerCase()} ${op.amount_text && op.currency ? formatAmount({ minor: BigInt(op.amount_text), currency: op.currency }) + ' ' + op.currency : ''} (deal ${op.deal_ticket})` : `${UNLINKED_KIND_LABELS[op.kind].toLowerCase()} from ${op.before_value} to ${op.after_value}`;
      const alertId = await raiseAlert(m, { kind: 'mt5_unlinked_operation', legalEntity: op.legal_entity, clientId: op.client_id, severity: 'high', forRole: 'compliance_officer', summary: `MT5 manager operation with no case on login ${Number(op.login)}: ${what}`, details: { operation: op.id, login: Number(op.login), kind: op.kind, dealTicket: op.deal_ticket, dealer: op.dealer, at: op.at, comment: op.comment, reason: input.reason }, sourceRef: op.id });
      await m.trx.updateTable('platform_manager_ops').set({ status: 'escalated', reason: input.reason, decided_by: auth.user.id, decided_at: m.now, alert_id: alertId }).where('id', '=', op.id).execute();
      m.audit({ action: 'platform.manager_op.escalated', targetType: 'platform_manager_op', targetId: op.id, clientId: op.client_id ?? undefined, legalEntity: op.legal_entity, before: { status: 'unlinked' }, after: { status: 'escalated', alertId }, reason: input.reason });
      m.changed('platform_manager_ops', op.id, op.legal_entity, 'update');
      return alertId;
    });
    return { status: 'escalated', alertId };
  }
}

/** The client, legal entity and currency of a login: the back office's account, or else the entity whose configuration maps the login's group. */
class EntityOfLogin {
  readonly #cache = new Map<number, { clientId: string | null; legalEntity: string | null; currency: string | null }>();

  constructor(
    private readonly store: Store,
    private readonly policies: PolicyReader,
    private readonly link: Mt5Link,
  ) {}

  async of(login: number): Promise<{ clientId: string | null; legalEntity: string | null; currency: string | null }> {
    const hit = this.#cache.get(login);
    if (hit) return hit;
    const account = await this.store.kysely.selectFrom('mt5_accounts').select(['client_id', 'legal_entity', 'currency']).where('login', '=', login).executeTakeFirst();
    let found: { clientId: string | null; legalEntity: string | null; currency: string | null } = account ? { clientId: account.client_id, legalEntity: account.legal_entity, currency: account.currency } : { clientId: null, legalEntity: null, currency: null };
    if (!account) {
      try {
        const u = await this.link.session.call<Record<string, string>>('/api/user/get', { login });
        const g = await this.link.session.call<Record<string, string>>('/api/group/get', { group: String(u.Group) });
        const policy = await this.policies.require(this.store.kysely, 'platform.accounts');
        const entity = Object.entries(policy.document.entities).find(([, types]) => Object.values(types).some((t) => t.group.toLowerCase() === String(u.Group).toLowerCase()))?.[0] ?? null;
        found = { clientId: null, legalEntity: entity, currency: String(g.Currency) };
      } catch (error) {
        if (!(error instanceof Mt5Refused)) throw error;
      }
    }
    this.#cache.set(login, found);
    return found;
  }
}
