// What the MT5 simulator holds: managers, groups, users with their balance and credit, deals and
// open positions, and the rules MT5 applies to them (MT5-WEBAPI §4, §9): user validation (3, 3004,
// 3006, 8), balance operations of types 2-6 only (3), the money limit (4005), balance and credit
// checks with `check_margin` (10019), comments cut to 31 characters, tickets that only grow.
// Times are seconds in the trade server's clock, which may be offset from UTC. State can be saved
// to a file, so deals survive a restart. Simulator code: never part of a production build.

import fs from 'node:fs';
import { BALANCE_ACTIONS, COMMENT_MAX, DEFAULT_RIGHTS, MONEY_LIMIT, type Retcode } from '../../platform/webapi.js';

export interface SimManager {
  login: number;
  password: string;
  /** may use /api/trade/balance ("Accountant") */
  accountant: boolean;
  /** may add and update users */
  modifyAccounts: boolean;
  /** group masks this manager may touch ("*" for all) */
  groups: string[];
}

export interface SimGroup {
  Group: string;
  Currency: string;
  CurrencyDigits: number;
  Company: string;
  /** the highest leverage the group allows (1:N) */
  LeverageMax: number;
  /** the shortest main password */
  PasswordMin: number;
}

export interface SimUser {
  Login: number;
  Group: string;
  Name: string;
  Email: string;
  Country: string;
  Comment: string;
  Leverage: number;
  Rights: number;
  Balance: number;
  Credit: number;
  Registration: number;
  LastAccess: number;
  PassMain: string;
}

export interface SimDeal {
  Deal: number;
  Login: number;
  Dealer: number;
  Action: number;
  Entry: number;
  Reason: number;
  Time: number;
  TimeMsc: number;
  Symbol: string;
  Volume: number;
  Price: number;
  Profit: number;
  Comment: string;
}

export interface SimPosition {
  Position: number;
  Login: number;
  Symbol: string;
  Action: 0 | 1;
  TimeCreate: number;
  PriceOpen: number;
  PriceCurrent: number;
  Volume: number;
  Profit: number;
  Comment: string;
}

/** A user change a manager made (group, leverage, rights), as the simulator's own record of it. */
export interface SimUserChange {
  at: number;
  login: number;
  manager: number;
  field: 'Group' | 'Leverage' | 'Rights';
  before: string | number;
  after: string | number;
}

interface Saved {
  users: SimUser[];
  deals: SimDeal[];
  positions: SimPosition[];
  changes: SimUserChange[];
  nextLogin: number;
  nextTicket: number;
}

export class Mt5Refusal extends Error {
  constructor(
    readonly code: Retcode,
    message: string,
  ) {
    super(message);
  }
}

const PASSWORD_RULE = /^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)(?=.*[^A-Za-z0-9]).{8,16}$/;

/** A matcher for a mask list (`*` wildcards, `!` exclusions, as MT5 group masks), compiled once. */
export function groupMatcher(masks: readonly string[]): (group: string) => boolean {
  const compile = (mask: string) => new RegExp(`^${mask.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
  const include = masks.filter((m) => !m.startsWith('!')).map(compile);
  const exclude = masks.filter((m) => m.startsWith('!')).map((m) => compile(m.slice(1)));
  const seen = new Map<string, boolean>();
  return (group) => {
    let hit = seen.get(group);
    if (hit === undefined) {
      hit = !exclude.some((r) => r.test(group)) && include.some((r) => r.test(group));
      seen.set(group, hit);
    }
    return hit;
  };
}

/** Whether `group` is matched by a mask list. */
export function groupMatches(masks: readonly string[], group: string): boolean {
  return groupMatcher(masks)(group);
}

export class Mt5State {
  readonly managers = new Map<number, SimManager>();
  readonly groups = new Map<string, SimGroup>();
  users = new Map<number, SimUser>();
  deals: SimDeal[] = [];
  positions: SimPosition[] = [];
  changes: SimUserChange[] = [];
  nextLogin = 500_001;
  nextTicket = 1_000_001;

  constructor(
    /** seconds the trade server's clock is ahead of UTC */
    readonly offsetSeconds: number,
    private readonly now: () => number,
    private readonly file: string | null,
  ) {
    if (file && fs.existsSync(file)) {
      const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as Saved;
      this.users = new Map(saved.users.map((u) => [u.Login, u]));
      this.deals = saved.deals;
      this.positions = saved.positions;
      this.changes = saved.changes;
      this.nextLogin = saved.nextLogin;
      this.nextTicket = saved.nextTicket;
    }
  }

  /** Server time in seconds and milliseconds. */
  serverTime(): { s: number; ms: number } {
    const ms = this.now() + this.offsetSeconds * 1000;
    return { s: Math.floor(ms / 1000), ms };
  }

  save(): void {
    if (!this.file) return;
    const saved: Saved = { users: [...this.users.values()], deals: this.deals, positions: this.positions, changes: this.changes, nextLogin: this.nextLogin, nextTicket: this.nextTicket };
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(saved), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }

  user(login: number): SimUser {
    const u = this.users.get(login);
    if (!u) throw new Mt5Refusal(13, `user ${login} not found`);
    return u;
  }

  private mayTouch(manager: SimManager, group: string): void {
    if (!groupMatches(manager.groups, group)) throw new Mt5Refusal(8, `manager ${manager.login} may not use group ${group}`);
  }

  private group(name: string): SimGroup {
    const g = this.groups.get(name);
    if (!g) throw new Mt5Refusal(8, `group ${name} does not exist`);
    return g;
  }

  addUser(manager: SimManager, input: { Login?: number; Group: string; Name: string; Leverage: number; PassMain: string; PassInvestor: string; Email?: string; Country?: string; Comment?: string; Rights?: number }): SimUser {
    if (!manager.modifyAccounts) throw new Mt5Refusal(8, 'no right to modify accounts');
    if (!input.Group || !input.Name || !Number.isInteger(input.Leverage) || input.Leverage <= 0) throw new Mt5Refusal(3, 'group, name and leverage are required');
    const group = this.group(input.Group);
    this.mayTouch(manager, group.Group);
    if (input.Leverage > group.LeverageMax) throw new Mt5Refusal(3, `leverage 1:${input.Leverage} is above the group's 1:${group.LeverageMax}`);
    if (!PASSWORD_RULE.test(input.PassMain) || input.PassMain.length < group.PasswordMin || !PASSWORD_RULE.test(input.PassInvestor)) throw new Mt5Refusal(3006, 'passwords need 8-16 characters with lower case, upper case, a digit and a special character');
    const login = input.Login && input.Login > 0 ? input.Login : this.nextLogin++;
    if (this.users.has(login)) throw new Mt5Refusal(3004, `login ${login} exists`);
    const at = this.serverTime().s;
    const user: SimUser = {
      Login: login,
      Group: group.Group,
      Name: input.Name.slice(0, 127),
      Email: (input.Email ?? '').slice(0, 63),
      Country: input.Country ?? '',
      Comment: (input.Comment ?? '').slice(0, 63),
      Leverage: input.Leverage,
      Rights: input.Rights ?? DEFAULT_RIGHTS,
      Balance: 0,
      Credit: 0,
      Registration: at,
      LastAccess: at,
      PassMain: input.PassMain,
    };
    this.users.set(login, user);
    this.save();
    return user;
  }

  updateUser(manager: SimManager, login: number, change: { Group?: string; Leverage?: number; Rights?: number; Name?: string; Email?: string; Comment?: string }): SimUser {
    if (!manager.modifyAccounts) throw new Mt5Refusal(8, 'no right to modify accounts');
    const user = this.user(login);
    this.mayTouch(manager, user.Group);
    const group = this.group(change.Group ?? user.Group);
    this.mayTouch(manager, group.Group);
    const leverage = change.Leverage ?? user.Leverage;
    if (!Number.isInteger(leverage) || leverage <= 0 || leverage > group.LeverageMax) throw new Mt5Refusal(3, `leverage 1:${leverage} is not allowed in group ${group.Group} (up to 1:${group.LeverageMax})`);
    const at = this.serverTime().s;
    const record = (field: SimUserChange['field'], before: string | number, after: string | number) => {
      if (before !== after) this.changes.push({ at, login, manager: manager.login, field, before, after });
    };
    record('Group', user.Group, group.Group);
    record('Leverage', user.Leverage, leverage);
    if (change.Rights !== undefined) record('Rights', user.Rights, change.Rights);
    user.Group = group.Group;
    user.Leverage = leverage;
    if (change.Rights !== undefined) user.Rights = change.Rights;
    if (change.Name !== undefined) user.Name = change.Name.slice(0, 127);
    if (change.Email !== undefined) user.Email = change.Email.slice(0, 63);
    if (change.Comment !== undefined) user.Comment = change.Comment.slice(0, 63);
    this.save();
    return user;
  }

  /** `/api/trade/balance`: one deal, Balance or Credit moved at once. */
  balance(manager: SimManager, login: number, type: number, amount: number, comment: string, checkMargin: boolean): SimDeal {
    if (!manager.accountant) throw new Mt5Refusal(8, 'no Accountant right');
    if (!(Object.values(BALANCE_ACTIONS) as number[]).includes(type)) throw new Mt5Refusal(3, `type ${type} is not a balance operation`);
    if (!Number.isFinite(amount) || amount === 0) throw new Mt5Refusal(3, 'balance must be a non-zero number');
    if (Math.abs(amount) > MONEY_LIMIT) throw new Mt5Refusal(4005, 'money limit reached');
    const user = this.user(login);
    this.mayTouch(manager, user.Group);
    const digits = this.group(user.Group).CurrencyDigits;
    const rounded = Math.round(amount * 10 ** digits) / 10 ** digits;
    if (type === BALANCE_ACTIONS.credit) {
      if (rounded < 0 && user.Credit + rounded < 0) throw new Mt5Refusal(10019, 'credit withdrawal above the outstanding credit');
    } else if (rounded < 0 && checkMargin && user.Balance + rounded < 0) throw new Mt5Refusal(10019, 'withdrawal above the balance');
    const { s, ms } = this.serverTime();
    const deal: SimDeal = { Deal: this.nextTicket++, Login: login, Dealer: manager.login, Action: type, Entry: 0, Reason: 2, Time: s, TimeMsc: ms, Symbol: '', Volume: 0, Price: 0, Profit: rounded, Comment: comment.slice(0, COMMENT_MAX) };
    if (type === BALANCE_ACTIONS.credit) user.Credit = Math.round((user.Credit + rounded) * 10 ** digits) / 10 ** digits;
    else user.Balance = Math.round((user.Balance + rounded) * 10 ** digits) / 10 ** digits;
    this.deals.push(deal);
    this.save();
    return deal;
  }

  /** Deals of the logins (or groups) between two server times, inclusive. */
  dealsOf(filter: { logins?: number[]; groups?: string[]; tickets?: number[]; from?: number; to?: number }): SimDeal[] {
    const logins = filter.logins ? new Set(filter.logins) : null;
    const tickets = filter.tickets ? new Set(filter.tickets) : null;
    const inGroups = filter.groups ? groupMatcher(filter.groups) : null;
    // Deals are kept in the order they were made, so in time order: the window is found by halving.
    const sorted = this.deals.every((d, i) => i === 0 || this.deals[i - 1]!.Time <= d.Time);
    let start = 0;
    let end = this.deals.length;
    if (sorted && filter.from !== undefined) start = this.firstAtOrAfter(filter.from);
    if (sorted && filter.to !== undefined) end = this.firstAtOrAfter(filter.to + 1);
    const out: SimDeal[] = [];
    for (let i = start; i < end; i++) {
      const d = this.deals[i]!;
      if ((!logins || logins.has(d.Login)) && (!tickets || tickets.has(d.Deal)) && (!inGroups || inGroups(this.users.get(d.Login)?.Group ?? '')) && (filter.from === undefined || d.Time >= filter.from) && (filter.to === undefined || d.Time <= filter.to)) out.push(d);
    }
    return out;
  }

  private firstAtOrAfter(time: number): number {
    let lo = 0;
    let hi = this.deals.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.deals[mid]!.Time < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  digitsOf(login: number): number {
    return this.groups.get(this.users.get(login)?.Group ?? '')?.CurrencyDigits ?? 2;
  }
}
