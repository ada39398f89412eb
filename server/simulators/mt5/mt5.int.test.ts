// The MT5 simulator against the connector's session and against a third-party Web API client
// (`mt5-sdk`, used only here): the exact sign-in hashes, one session per connection, numbers as
// strings, MT5's refusals, the faults that make an outcome unclear, and deals kept over a restart.

import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mt5Refused, Mt5Session, Mt5Unclear, Mt5Unreachable } from '../../platform/session.js';
import { passwordHash, randAnswer } from '../../platform/webapi.js';
import { startMt5Simulator, type Mt5Simulator } from './simulator.js';

const require = createRequire(import.meta.url);

type User = { Login: string; Group: string; Balance: string; Credit: string; Leverage: string; Rights: string };
type Deal = { Deal: string; Login: string; Dealer: string; Action: string; Profit: string; Comment: string; Time: string };

describe('MT5 Web API simulator', () => {
  let sim: Mt5Simulator;
  let dir: string;
  let session: Mt5Session;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fxbo-mt5-'));
    sim = await startMt5Simulator({ stateFile: path.join(dir, 'mt5.json'), offsetSeconds: 3 * 3600 });
    session = new Mt5Session({ url: sim.url, login: sim.login, password: sim.password, certificate: sim.certificate, timeoutMs: 2000 });
  });
  afterAll(async () => {
    session?.close();
    await sim?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const addUser = (group = 'real\\eu\\standard', leverage = 30) => session.call<User>('/api/user/add', {}, { Group: group, Name: 'Maria Georgiou', Leverage: leverage, PassMain: 'Main#Pass1', PassInvestor: 'Inv#Pass12', Email: 'maria@example.com', Country: 'CY' });

  it('hashes the sign-in as MetaQuotes does: MD5(MD5(UTF-16LE password) + "WebAPI") then MD5 with the random', () => {
    // Worked by hand from MT5-WEBAPI §2: "abc" is 61 00 62 00 63 00 in UTF-16LE.
    const ph = passwordHash('abc');
    expect(ph).toHaveLength(16);
    expect(randAnswer(ph, '00'.repeat(16))).toMatch(/^[0-9a-f]{32}$/);
    expect(randAnswer(ph, '00'.repeat(16))).not.toBe(randAnswer(passwordHash('abd'), '00'.repeat(16)));
  });

  it('signs in, adds a user in a group, moves balance and credit, and lists the deals, numbers as strings', async () => {
    const user = await addUser();
    expect(user).toMatchObject({ Group: 'real\\eu\\standard', Balance: '0.00', Credit: '0.00', Leverage: '30', Rights: '355' });
    const login = Number(user.Login);
    const { Ticket } = await session.call<{ Ticket: string }>('/api/trade/balance', { login, type: 2, balance: '1250.50', comment: 'INT-000001 deposit DEP-000001 and more text' });
    expect(Ticket).toMatch(/^\d+$/);
    await session.call('/api/trade/balance', { login, type: 3, balance: '100', comment: 'INT-000002' });
    expect(await session.call<User>('/api/user/get', { login })).toMatchObject({ Balance: '1250.50', Credit: '100.00' });
    const now = Math.floor(Date.now() / 1000) + 3 * 3600;
    const deals = await session.call<Deal[]>('/api/deal/get_batch', { login, from: now - 3600, to: now + 3600 });
    expect(deals.map((d) => [d.Action, d.Profit, d.Comment, d.Dealer])).toEqual([
      ['2', '1250.50', 'INT-000001 deposit DEP-000001 a', String(sim.login)],
      ['3', '100.00', 'INT-000002', String(sim.login)],
    ]);
    // Times are the trade server's (3 h ahead here): a window in UTC misses them.
    const utc = Math.floor(Date.now() / 1000);
    expect(await session.call<Deal[]>('/api/deal/get_batch', { login, from: utc - 1800, to: utc + 1800 })).toEqual([]);
    expect(await session.call<{ Total: string }>('/api/deal/get_total', { login, from: now - 3600, to: now + 3600 })).toEqual({ Total: '2' });
    expect(await session.call<Deal[]>('/api/deal/get_page', { login, from: now - 3600, to: now + 3600, offset: 1, total: 500 })).toHaveLength(1);
    expect(await session.call('/api/group/get', { group: 'real\\eu\\standard' })).toMatchObject({ Currency: 'EUR', CurrencyDigits: '2' });
    expect(await session.call('/api/position/get_page', { login, offset: 0, total: 100 })).toEqual([]);
    expect(await session.call('/api/user/account/get', { login })).toMatchObject({ Balance: '1250.50', Equity: '1350.50', MarginFree: '1350.50' });
  });

  it('refuses what MT5 refuses, with its retcodes, and applies nothing', async () => {
    const login = Number((await addUser()).Login);
    const refused = async (p: Promise<unknown>) => {
      const e = await p.then(() => null, (err: unknown) => err);
      expect(e).toBeInstanceOf(Mt5Refused);
      return (e as Mt5Refused).retcode;
    };
    expect(await refused(session.call('/api/user/get', { login: 999 }))).toBe(13);
    expect(await refused(session.call('/api/trade/balance', { login, type: 2, balance: '-10', comment: 'x' }))).toBe(10019);
    expect(await refused(session.call('/api/trade/balance', { login, type: 7, balance: '10', comment: 'x' }))).toBe(3);
    expect(await refused(session.call('/api/trade/balance', { login, type: 2, balance: '2000000000', comment: 'x' }))).toBe(4005);
    expect(await refused(session.call('/api/user/update', { login }, { Leverage: 100 }))).toBe(3);
    expect(await refused(session.call('/api/user/update', { login }, { Group: 'real\\nowhere' }))).toBe(8);
    expect(await refused(addUser('real\\eu\\standard', 500))).toBe(3);
    expect(await refused(session.call('/api/user/add', {}, { Group: 'real\\eu\\standard', Name: 'X', Leverage: 30, PassMain: 'short', PassInvestor: 'short' }))).toBe(3006);
    expect(await session.call<User>('/api/user/get', { login })).toMatchObject({ Balance: '0.00', Leverage: '30' });
    // The dealer's login in the MT5 Manager changes the group and the leverage with no case; the simulator keeps what changed.
    const dealer = new Mt5Session({ url: sim.url, login: sim.dealerLogin, password: sim.dealerPassword, certificate: sim.certificate });
    await dealer.call('/api/user/update', { login }, { Group: 'real\\eu\\professional', Leverage: 200 });
    dealer.close();
    expect(sim.state.changes.filter((c) => c.login === login).map((c) => [c.field, c.before, c.after, c.manager])).toEqual([
      ['Group', 'real\\eu\\standard', 'real\\eu\\professional', sim.dealerLogin],
      ['Leverage', 30, 200, sim.dealerLogin],
    ]);
  });

  it('refuses a wrong password and a command without a session, and detects a server that cannot prove itself', async () => {
    const wrong = new Mt5Session({ url: sim.url, login: sim.login, password: 'not-it', certificate: sim.certificate });
    await expect(wrong.call('/api/test/access')).rejects.toMatchObject({ retcode: 1001 });
    wrong.close();
    const raw = await fetchInsecure(`${sim.url}/api/user/get?login=1`);
    expect(raw.status).toBe(403);
    sim.faults({ fakeServer: true });
    const fooled = new Mt5Session({ url: sim.url, login: sim.login, password: sim.password, certificate: sim.certificate });
    await expect(fooled.call('/api/test/access')).rejects.toMatchObject({ retcode: 1008 });
    fooled.close();
    sim.faults({ fakeServer: false });
    const other = await startMt5Simulator();
    const pinned = new Mt5Session({ url: other.url, login: other.login, password: other.password, certificate: sim.certificate });
    await expect(pinned.call('/api/test/access')).rejects.toBeInstanceOf(Mt5Unreachable);
    pinned.close();
    await other.close();
  });

  it('signs in again after the server forgot the session or closed the idle connection', async () => {
    await session.call('/api/test/access');
    sim.expireSessions();
    await expect(session.call('/api/ping')).resolves.toBeUndefined();
    const idle = await startMt5Simulator({ idleMs: 150 });
    const s = new Mt5Session({ url: idle.url, login: idle.login, password: idle.password, certificate: idle.certificate });
    await s.call('/api/test/access');
    await new Promise((r) => setTimeout(r, 400));
    await expect(s.call('/api/test/access')).resolves.toBeUndefined();
    s.close();
    await idle.close();
  });

  it('makes the outcome unclear when the connection drops or the answer is late after applying, and refuses cleanly otherwise', async () => {
    const login = Number((await addUser()).Login);
    const deals = () => sim.state.dealsOf({ logins: [login] }).length;
    sim.faults({ balance: ['drop_after_apply'] });
    await expect(session.call('/api/trade/balance', { login, type: 2, balance: '10', comment: 'INT-1' })).rejects.toBeInstanceOf(Mt5Unclear);
    expect(deals()).toBe(1);
    sim.faults({ balance: ['delay_after_apply'], delayAfterApplyMs: 3000 });
    await expect(session.call('/api/trade/balance', { login, type: 2, balance: '10', comment: 'INT-2' })).rejects.toBeInstanceOf(Mt5Unclear);
    expect(deals()).toBe(2);
    sim.faults({ balance: [10, 'http500', 'malformed'] });
    await expect(session.call('/api/trade/balance', { login, type: 2, balance: '10', comment: 'INT-3' })).rejects.toMatchObject({ retcode: 10 });
    await expect(session.call('/api/trade/balance', { login, type: 2, balance: '10', comment: 'INT-3' })).rejects.toBeInstanceOf(Mt5Unclear);
    await expect(session.call('/api/trade/balance', { login, type: 2, balance: '10', comment: 'INT-3' })).rejects.toBeInstanceOf(Mt5Unclear);
    expect(deals()).toBe(2);
    expect(await session.call<User>('/api/user/get', { login })).toMatchObject({ Balance: '20.00' });
  });

  it('keeps users and deals over a restart', async () => {
    const login = Number((await addUser()).Login);
    await session.call('/api/trade/balance', { login, type: 2, balance: '42', comment: 'INT-42' });
    const again = await startMt5Simulator({ stateFile: path.join(dir, 'mt5.json'), offsetSeconds: 3 * 3600 });
    expect(again.state.user(login).Balance).toBe(42);
    expect(again.state.dealsOf({ logins: [login] }).map((d) => d.Comment)).toEqual(['INT-42']);
    await again.close();
  });

  it('works with a third-party Web API client (mt5-sdk): it signs in and reads a user', async () => {
    const login = Number((await addUser()).Login);
    const Metatrader = require('mt5-sdk') as new (host: string, port: number, auth: { login: string; password: string; build: string; agent: string }) => { users: { get(login: string): Promise<User> } };
    const port = Number(new URL(sim.url).port);
    const sdk = new Metatrader('127.0.0.1', port, { login: String(sim.login), password: sim.password, build: '4410', agent: 'mt5sdk' });
    // The SDK skips certificate checks itself (rejectUnauthorized: false).
    expect(await sdk.users.get(String(login))).toMatchObject({ Login: String(login), Group: 'real\\eu\\standard', Balance: '0.00' });
  });
});

/** A request that trusts any certificate: only to see the simulator's answer to a stranger. */
function fetchInsecure(url: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    https.get(url, { rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    }).on('error', reject);
  });
}
