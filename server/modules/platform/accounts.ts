// MT5 accounts of clients (MTA-…): provisioned once KYC approves the client, in the group, leverage
// and currency the entity's configuration (policy `platform.accounts`) maps from the client's
// account type. The account is recorded (with its initial password sealed) before `user/add` is
// sent, and the record's id travels in the MT5 user's comment: after an unclear outcome the group's
// users are searched for it before anything is sent again, so a client never gets two accounts.
// The login is stored on the client's account record; the initial password goes to the portal once
// (`portal.mt5Credentials`) and is erased; it is never logged.

import { randomInt } from 'node:crypto';
import { DomainError } from '../../../shared/errors.js';
import { requireEntity, type AuthContext } from '../../core/auth.js';
import { SYSTEM_ACTOR, type Actor } from '../../core/actor.js';
import type { Store } from '../../core/store.js';
import { nextRef } from '../../db/counters.js';
import type { SecretBox } from '../../security/secretbox.js';
import type { PolicyReader } from '../policies/reader.js';
import { recordExecution } from '../policies/execution-log.js';
import { accountChoice, accountOutcome } from '../../../shared/policies/platform.js';
import { Mt5Refused, Mt5Unclear, Mt5Unreachable } from '../../platform/session.js';
import { DEFAULT_RIGHTS, USER_RIGHTS } from '../../platform/webapi.js';
import type { Mt5AccountTable } from '../../db/schema-payments.js';
import { transientRefusal } from '../../platform/operations.js';
import type { Mt5Link } from '../../platform/link.js';
import { readUser, updateUser, withRight } from '../../platform/accounts.js';
import { capabilities, type ClientStatus, type RestrictionKind } from '../../../shared/clients/lifecycle.js';
import { JSON_COLUMNS, readJson } from '../../db/json.js';

const SYSTEM: Actor = { ...SYSTEM_ACTOR, id: 'system:mt5', name: 'MT5 connector' };

/** A password MT5 accepts (8-16 characters with lower case, upper case, a digit and a special character). */
export function mt5Password(): string {
  const sets = ['abcdefghijkmnopqrstuvwxyz', 'ABCDEFGHJKLMNPQRSTUVWXYZ', '23456789', '!#$%&*+-=?@'];
  const all = sets.join('');
  const chars = [...sets.map((s) => s[randomInt(s.length)]!), ...Array.from({ length: 10 }, () => all[randomInt(all.length)]!)];
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

export interface AccountView {
  id: string;
  clientId: string;
  legalEntity: string;
  accountType: string;
  group: string;
  leverage: number;
  currency: string;
  login: number | null;
  rights: number;
  status: string;
  statusReason: string | null;
  createdAt: string;
}

export class PlatformAccounts {
  constructor(
    private readonly store: Store,
    private readonly policies: PolicyReader,
    private readonly secrets: SecretBox,
    private readonly mt5: Mt5Link | null,
  ) {}

  /** Records an account to provision for each approved client that has none. */
  async enqueueApproved(limit = 100): Promise<number> {
    const clients = await this.store.kysely
      .selectFrom('clients as c')
      .select(['c.id', 'c.legal_entity', 'c.account_type'])
      .where('c.status', '=', 'approved')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('mt5_accounts as a').select('a.id').whereRef('a.client_id', '=', 'c.id'))))
      .orderBy('c.id')
      .limit(limit)
      .execute();
    for (const c of clients) {
      await this.store.mutate(SYSTEM, async (m) => {
        const exists = await m.trx.selectFrom('mt5_accounts').select('id').where('client_id', '=', c.id).executeTakeFirst();
        if (exists) return m.unchanged(undefined);
        const policy = await this.policies.require(m.trx, 'platform.accounts');
        const choice = accountChoice(policy.document, c.legal_entity, c.account_type);
        const { type, account: mapped } = choice;
        const id = await nextRef(m.trx, 'MTA');
        const failed = mapped ? null : `legal entity ${c.legal_entity} has no MT5 account types in policy ${policy.ref}`;
        await m.trx
          .insertInto('mt5_accounts')
          .values({ id, client_id: c.id, legal_entity: c.legal_entity, account_type: type, mt5_group: mapped?.group ?? '-', leverage: mapped?.leverage ?? 1, currency: mapped?.currency ?? '-', login: null, rights: DEFAULT_RIGHTS, initial_password_enc: mapped ? this.secrets.seal(mt5Password()) : null, pushed_access: null, status: failed ? 'failed' : 'provisioning', status_reason: failed, next_attempt_at: m.now, policy_ref: policy.ref, created_by: SYSTEM.id, created_at: m.now, updated_at: m.now })
          .execute();
        m.audit({ action: 'platform.account.requested', targetType: 'mt5_account', targetId: id, clientId: c.id, legalEntity: c.legal_entity, after: { accountType: type, chosen: c.account_type, group: mapped?.group ?? null, leverage: mapped?.leverage ?? null, currency: mapped?.currency ?? null, status: failed ? 'failed' : 'provisioning', reason: failed }, policyRef: policy.ref });
        await recordExecution(m, {
          policy,
          event: 'platform.account.requested',
          subjectType: 'mt5_account',
          subjectId: id,
          legalEntity: c.legal_entity,
          clientId: c.id,
          outcome: accountOutcome(choice),
          conditions: [{ name: 'the legal entity offers the account type chosen', values: { legalEntity: c.legal_entity, chosen: c.account_type, default: policy.document.defaultAccountType }, result: type === c.account_type }],
          actions: [{ action: mapped ? 'provision MT5 account' : 'fail the account', accountType: type }],
          inputs: { legalEntity: c.legal_entity, chosen: c.account_type },
        });
        m.changed('mt5_accounts', id, c.legal_entity, 'insert');
      });
    }
    return clients.length;
  }

  /** Sends every account due to MT5; answers how many became active. */
  async processDue(limit = 50): Promise<number> {
    if (!this.mt5) return 0;
    const due = await this.store.kysely.selectFrom('mt5_accounts').select('id').where('status', '=', 'provisioning').where('next_attempt_at', '<=', this.store.now()).orderBy('created_at').limit(limit).execute();
    let active = 0;
    for (const { id } of due) if ((await this.provision(id)) === 'active') active++;
    return active;
  }

  /** Takes one account as far as it goes now: found on MT5 after an unclear attempt, created, refused, or left to retry. */
  async provision(id: string): Promise<'active' | 'failed' | 'provisioning'> {
    const link = this.mt5!;
    const claimed = await this.store.mutate(SYSTEM, async (m) => {
      const row = await m.trx
        .updateTable('mt5_accounts')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: new Date(Date.parse(m.now) + 60_000).toISOString(), updated_at: m.now }))
        .where('id', '=', id)
        .where('status', '=', 'provisioning')
        .where('next_attempt_at', '<=', m.now)
        .returning(['id', 'client_id', 'legal_entity', 'mt5_group', 'leverage', 'initial_password_enc', 'attempts'])
        .executeTakeFirst();
      if (!row) return m.unchanged(null);
      m.audit({ action: 'platform.account.sending', targetType: 'mt5_account', targetId: id, clientId: row.client_id, legalEntity: row.legal_entity, after: { attempt: row.attempts, searchFirst: row.attempts > 1 } });
      return row;
    });
    if (!claimed) return 'provisioning';
    const client = await this.store.kysely.selectFrom('clients').select(['display_name', 'email', 'country']).where('id', '=', claimed.client_id).executeTakeFirstOrThrow();
    try {
      let login = claimed.attempts > 1 ? await this.findCreated(claimed.mt5_group, id) : null;
      if (login === null) {
        const password = this.secrets.open(claimed.initial_password_enc!);
        const investor = mt5Password();
        const user = await link.session.call<Record<string, string>>('/api/user/add', { group: claimed.mt5_group, name: client.display_name, leverage: claimed.leverage, email: client.email, country: client.country, comment: id, rights: DEFAULT_RIGHTS }, { PassMain: password, PassInvestor: investor });
        login = Number(user.Login);
      }
      await this.store.mutate(SYSTEM, async (m) => {
        await m.trx.updateTable('mt5_accounts').set({ login, status: 'active', status_reason: null, next_attempt_at: null, updated_at: m.now }).where('id', '=', id).where('status', '=', 'provisioning').execute();
        m.audit({ action: 'platform.account.created', targetType: 'mt5_account', targetId: id, clientId: claimed.client_id, legalEntity: claimed.legal_entity, after: { login, group: claimed.mt5_group, leverage: claimed.leverage, attempt: claimed.attempts } });
        m.changed('mt5_accounts', id, claimed.legal_entity, 'update');
      });
      return 'active';
    } catch (error) {
      const refused = error instanceof Mt5Refused && !transientRefusal(error.retcode, claimed.attempts);
      if (!refused && !(error instanceof Mt5Refused || error instanceof Mt5Unclear || error instanceof Mt5Unreachable)) throw error;
      await this.store.mutate(SYSTEM, async (m) => {
        const wait = Math.min(600_000, 5000 * 2 ** Math.min(claimed.attempts, 7));
        await m.trx
          .updateTable('mt5_accounts')
          .set({ status: refused ? 'failed' : 'provisioning', status_reason: refused ? `MT5 refused it: ${(error as Mt5Refused).text}` : `waiting for MT5: ${(error as Error).message}`, initial_password_enc: refused ? null : claimed.initial_password_enc, next_attempt_at: refused ? null : new Date(Date.parse(m.now) + wait).toISOString(), updated_at: m.now })
          .where('id', '=', id)
          .execute();
        m.audit({ action: refused ? 'platform.account.failed' : 'platform.account.retry', targetType: 'mt5_account', targetId: id, clientId: claimed.client_id, legalEntity: claimed.legal_entity, after: { attempt: claimed.attempts, error: (error as Error).message } });
        m.changed('mt5_accounts', id, claimed.legal_entity, 'update');
      });
      return refused ? 'failed' : 'provisioning';
    }
  }

  /** The login of a user an earlier, unclear `user/add` created: the group's user whose comment is the account id. */
  private async findCreated(group: string, id: string): Promise<number | null> {
    const link = this.mt5!;
    const logins = await link.session.call<string[]>('/api/user/logins', { group });
    for (const login of logins.map(Number).sort((a, b) => b - a)) {
      const u = await link.session.call<Record<string, string>>('/api/user/get', { login });
      if (String(u.Comment) === id) return login;
    }
    return null;
  }

  /** The portal's one collection of a client's new MT5 login and password: answered once, then erased. */
  async collectCredentials(actor: Actor, clientId: string): Promise<{ accounts: Array<{ login: number; password: string; group: string; currency: string }> }> {
    return this.store.mutate(actor, async (m) => {
      const rows = await m.trx.selectFrom('mt5_accounts').select(['id', 'login', 'initial_password_enc', 'mt5_group', 'currency', 'legal_entity']).where('client_id', '=', clientId).where('status', '=', 'active').where('initial_password_enc', 'is not', null).execute();
      if (rows.length === 0) return m.unchanged({ accounts: [] });
      const accounts = rows.map((r) => ({ login: Number(r.login), password: this.secrets.open(r.initial_password_enc!), group: r.mt5_group, currency: r.currency }));
      for (const r of rows) {
        await m.trx.updateTable('mt5_accounts').set({ initial_password_enc: null, updated_at: m.now }).where('id', '=', r.id).execute();
        m.audit({ action: 'platform.account.credentials_collected', targetType: 'mt5_account', targetId: r.id, clientId, legalEntity: r.legal_entity, after: { login: Number(r.login) } });
      }
      return { accounts };
    });
  }

  async ofClient(auth: AuthContext, clientId: string): Promise<AccountView[]> {
    const client = await this.store.kysely.selectFrom('clients').select(['id', 'legal_entity']).where('id', '=', clientId).executeTakeFirst();
    if (!client) throw new DomainError('NOT_FOUND', `Client ${clientId} does not exist.`);
    requireEntity(auth, 'platform.read', client.legal_entity);
    const rows = await this.store.kysely.selectFrom('mt5_accounts').selectAll().where('client_id', '=', clientId).orderBy('created_at').execute();
    return rows.map((r) => ({ id: r.id, clientId: r.client_id, legalEntity: r.legal_entity, accountType: r.account_type, group: r.mt5_group, leverage: r.leverage, currency: r.currency, login: r.login === null ? null : Number(r.login), rights: r.rights, status: r.status, statusReason: r.status_reason, createdAt: r.created_at }));
  }
}

/** What is in force on MT5 by the client's status, whoever took it. */
function inForce(pushed: Mt5AccountTable['pushed_access']): 'disabled' | 'trading_disabled' | null {
  return pushed === 'was_disabled' ? 'disabled' : pushed === 'trading_was_disabled' ? 'trading_disabled' : pushed;
}

/** What a client's status and restrictions take away on MT5: the whole account when closed, trading when positions may not be opened. */
export function accessFor(client: { status: ClientStatus; restrictions: readonly RestrictionKind[] }): 'disabled' | 'trading_disabled' | null {
  if (client.status === 'closed') return 'disabled';
  return capabilities(client.status, { restrictions: client.restrictions }).openPositions ? null : 'trading_disabled';
}

/**
 * Pushes the clients' restrictions and closures to their MT5 accounts (trading disabled, account
 * disabled) and gives back what it took once they end, reading each account back to confirm. Runs
 * with the platform job; a client that was never restricted is never touched (a dealer's own
 * intervention on trading stays as it is).
 */
export class AccessSync {
  constructor(
    private readonly store: Store,
    private readonly mt5: Mt5Link | null,
  ) {}

  async run(limit = 200): Promise<number> {
    if (!this.mt5) return 0;
    const rows = await this.store.kysely
      .selectFrom('mt5_accounts as a')
      .innerJoin('clients as c', 'c.id', 'a.client_id')
      .select(['a.id', 'a.login', 'a.client_id', 'a.legal_entity', 'a.pushed_access', 'c.status as client_status', 'c.restrictions_json'])
      .where('a.status', '=', 'active')
      .where('a.login', 'is not', null)
      .where((eb) => eb.or([eb('a.pushed_access', 'is not', null), eb('c.status', 'in', ['restricted', 'closed', 'pending_review', 'pending_documents', 'registered'])]))
      .orderBy('a.id')
      .limit(limit)
      .execute();
    let pushed = 0;
    for (const r of rows) {
      const want = accessFor({ status: r.client_status, restrictions: readJson(JSON_COLUMNS.restrictions, r.restrictions_json, `clients.restrictions_json of ${r.client_id}`) });
      if (want === inForce(r.pushed_access)) continue;
      if (await this.push(r.id, Number(r.login), r.client_id, r.legal_entity, r.pushed_access, want)) pushed++;
    }
    return pushed;
  }

  private async push(id: string, login: number, clientId: string, legalEntity: string, had: Mt5AccountTable['pushed_access'], want: 'disabled' | 'trading_disabled' | null): Promise<boolean> {
    const link = this.mt5!;
    try {
      const before = await readUser(link.session, login);
      let rights = before.rights;
      // Give back only what the back office took; then take what the status takes now, noting
      // whether it was taken already by someone else (then it is not given back later either).
      if (had === 'disabled') rights = withRight(rights, 'ENABLED', true);
      if (had === 'trading_disabled') rights = withRight(rights, 'TRADE_DISABLED', false);
      let marker: Mt5AccountTable['pushed_access'] = want;
      if (want === 'disabled') {
        if (!(before.rights & USER_RIGHTS.ENABLED) && had !== 'disabled') marker = 'was_disabled';
        rights = withRight(rights, 'ENABLED', false);
      }
      if (want === 'trading_disabled') {
        if (before.rights & USER_RIGHTS.TRADE_DISABLED && had !== 'trading_disabled') marker = 'trading_was_disabled';
        rights = withRight(rights, 'TRADE_DISABLED', true);
      }
      if (rights !== before.rights) await updateUser(link.session, login, { rights });
      const after = await readUser(link.session, login);
      const confirmed = after.rights === rights;
      await this.store.mutate(SYSTEM, async (m) => {
        if (confirmed) await m.trx.updateTable('mt5_accounts').set({ rights: after.rights, pushed_access: marker, status: want === 'disabled' ? 'closed' : 'active', updated_at: m.now }).where('id', '=', id).execute();
        m.audit({ action: confirmed ? 'platform.account.access_pushed' : 'platform.account.access_unconfirmed', targetType: 'mt5_account', targetId: id, clientId, legalEntity, before: { rights: before.rights, pushedAccess: had }, after: { rights: after.rights, wanted: rights, pushedAccess: marker, login }, reason: want === 'disabled' ? 'client closed: MT5 account disabled' : want === 'trading_disabled' ? 'client restricted: trading disabled on MT5' : 'restriction ended: access given back on MT5' });
        m.changed('mt5_accounts', id, legalEntity, 'update');
      });
      return confirmed;
    } catch (error) {
      if (error instanceof Mt5Refused || error instanceof Mt5Unclear || error instanceof Mt5Unreachable) return false;
      throw error;
    }
  }
}
