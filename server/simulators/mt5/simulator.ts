// The MT5 Web API simulator (MT5-WEBAPI.md §9): HTTPS with a self-signed certificate made at start,
// the challenge-response sign-in with the exact hashes, one session per TCP connection (closed after
// the idle timeout), retcodes as "<n> <text>" and numbers as strings, and the users, groups, deals
// and positions of `state.ts`. Two managers: the back office's, and a dealer's that tests and the
// demo use as "someone in the MT5 Manager" making changes with no case.
//
// Faults, through `faults()` or `POST /sim/faults` (header `x-sim-token`): the next balance
// operations can be applied and then the connection dropped, applied and the answer delayed past
// a client's timeout, refused by a reset or a 500 or a malformed body, or answered with a retcode
// (9, 10, 11, 12, 15) without being applied; every answer can be slowed; `auth/start` can be slow;
// the server can answer the sign-in with a wrong `cli_rand_answer` (a fake server); and
// `expireSessions()` forgets every session, as a restart does. Simulator code: never part of a
// production build.

import { randomBytes, X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import selfsigned from 'selfsigned';
import { passwordHash, randAnswer, retcodeText, type Retcode } from '../../platform/webapi.js';
import { Mt5Refusal, Mt5State, type SimGroup, type SimManager } from './state.js';
import { dealRecord, groupRecord, positionRecord, userRecord, accountRecord } from './records.js';

export type BalanceFault = 'none' | 'drop_after_apply' | 'delay_after_apply' | 'reset_before' | 'http500' | 'malformed' | 9 | 10 | 11 | 12 | 15;

export interface Mt5Faults {
  /** what the next balance operations meet, in order (then nothing) */
  balance: BalanceFault[];
  /** how long a `delay_after_apply` answer waits */
  delayAfterApplyMs: number;
  /** every answer waits this long */
  latencyMs: number;
  /** `auth/start` waits this long (past 10 s, the answer is refused) */
  slowAuthMs: number;
  /** the sign-in answers a wrong `cli_rand_answer` */
  fakeServer: boolean;
  /** a command without a session: HTTP 403, or HTTP 200 with retcode 8 */
  unauthenticated: 'http403' | 'retcode';
}

export interface Mt5Simulator {
  url: string;
  /** the certificate to trust (PEM) and its SHA-256 fingerprint */
  certificate: string;
  fingerprint: string;
  login: number;
  password: string;
  dealerLogin: number;
  dealerPassword: string;
  controlToken: string;
  state: Mt5State;
  faults(change: Partial<Mt5Faults>): void;
  /** Forgets every session and closes every connection, as a server restart does. */
  expireSessions(): void;
  close(): Promise<void>;
}

interface Session {
  stage: 'new' | 'challenged' | 'authed';
  manager: SimManager | null;
  srvRand: string | null;
  issuedAt: number;
}

export const DEFAULT_GROUPS: SimGroup[] = [
  { Group: 'real\\eu\\standard', Currency: 'EUR', CurrencyDigits: 2, Company: 'Demo Broker EU', LeverageMax: 30, PasswordMin: 8 },
  { Group: 'real\\eu\\professional', Currency: 'EUR', CurrencyDigits: 2, Company: 'Demo Broker EU', LeverageMax: 500, PasswordMin: 8 },
  { Group: 'real\\global\\standard', Currency: 'USD', CurrencyDigits: 2, Company: 'Demo Broker Global', LeverageMax: 500, PasswordMin: 8 },
  { Group: 'real\\global\\professional', Currency: 'USD', CurrencyDigits: 2, Company: 'Demo Broker Global', LeverageMax: 1000, PasswordMin: 8 },
];

const CHALLENGE_MS = 10_000;

export async function startMt5Simulator(opts: { port?: number; stateFile?: string; offsetSeconds?: number; now?: () => number; idleMs?: number; groups?: SimGroup[]; password?: string; dealerPassword?: string } = {}): Promise<Mt5Simulator> {
  const now = opts.now ?? Date.now;
  const state = new Mt5State(opts.offsetSeconds ?? 0, now, opts.stateFile ?? null);
  for (const g of opts.groups ?? DEFAULT_GROUPS) state.groups.set(g.Group, g);
  const password = opts.password ?? `Bo!${randomBytes(6).toString('base64url')}`;
  const dealerPassword = opts.dealerPassword ?? `Dl!${randomBytes(6).toString('base64url')}`;
  state.managers.set(1000, { login: 1000, password, accountant: true, modifyAccounts: true, groups: ['real\\*'] });
  state.managers.set(1001, { login: 1001, password: dealerPassword, accountant: true, modifyAccounts: true, groups: ['*'] });
  const faults: Mt5Faults = { balance: [], delayAfterApplyMs: 5_000, latencyMs: 0, slowAuthMs: 0, fakeServer: false, unauthenticated: 'http403' };
  const controlToken = randomBytes(16).toString('hex');
  const sessions = new WeakMap<Socket, Session>();
  const sockets = new Set<Socket>();

  const pems = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], { notAfterDate: new Date(now() + 365 * 86_400_000), keyType: 'ec', curve: 'P-256', extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] }] });

  const send = (res: ServerResponse, status: number, body: string) => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', connection: 'keep-alive' }).end(body);
  };
  const answer = (res: ServerResponse, code: Retcode, extra: Record<string, unknown> = {}) => send(res, 200, JSON.stringify({ retcode: retcodeText(code), ...extra }));

  async function handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://mt5.invalid');
    const q = Object.fromEntries(url.searchParams);
    let json: Record<string, unknown> = {};
    if (body.trim()) {
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return answer(res, 3);
      }
    }
    const p = { ...q, ...Object.fromEntries(Object.entries(json).map(([k, v]) => [k.toLowerCase(), v])) } as Record<string, unknown>;
    const socket = req.socket;
    let session = sessions.get(socket);
    if (!session) {
      session = { stage: 'new', manager: null, srvRand: null, issuedAt: 0 };
      sessions.set(socket, session);
    }
    if (url.pathname.startsWith('/sim/')) return control(req, res, url.pathname, json);
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));

    switch (url.pathname) {
      case '/api/auth/start': {
        if (faults.slowAuthMs > 0) await new Promise((r) => setTimeout(r, faults.slowAuthMs));
        const manager = state.managers.get(Number(p.login));
        if (p.type !== 'manager' || Number(p.version) < 484 || !p.agent || /\s/.test(String(p.agent))) return answer(res, 3);
        if (!manager) return answer(res, 1001);
        session.stage = 'challenged';
        session.manager = manager;
        session.srvRand = randomBytes(16).toString('hex');
        session.issuedAt = now();
        return answer(res, 0, { version_access: '4410', srv_rand: session.srvRand });
      }
      case '/api/auth/answer': {
        const s = session;
        const fresh = s.stage === 'challenged' && s.manager && s.srvRand && now() - s.issuedAt <= CHALLENGE_MS;
        const expected = fresh ? randAnswer(passwordHash(s.manager!.password), s.srvRand!) : null;
        s.srvRand = null;
        if (!fresh || String(p.srv_rand_answer ?? '').toLowerCase() !== expected || !/^[0-9a-f]{32}$/i.test(String(p.cli_rand ?? ''))) {
          s.stage = 'new';
          s.manager = null;
          return answer(res, 1001);
        }
        s.stage = 'authed';
        const cliAnswer = randAnswer(passwordHash(faults.fakeServer ? `${s.manager!.password}x` : s.manager!.password), String(p.cli_rand));
        return answer(res, 0, { cli_rand_answer: cliAnswer });
      }
    }
    if (session.stage !== 'authed' || !session.manager) {
      if (faults.unauthenticated === 'http403') return send(res, 403, JSON.stringify({ retcode: retcodeText(8) }));
      return answer(res, 8);
    }
    const manager = session.manager;
    try {
      switch (url.pathname) {
        case '/api/test/access':
        case '/api/ping':
          return answer(res, 0);
        case '/api/quit':
          sessions.delete(socket);
          answer(res, 0);
          return;
        case '/api/user/add': {
          const u = state.addUser(manager, { Login: num(p.login), Group: str(p.group), Name: str(p.name), Leverage: Number(p.leverage), PassMain: str(p.pass_main ?? p.passmain), PassInvestor: str(p.pass_investor ?? p.passinvestor), Email: str(p.email), Country: str(p.country), Comment: str(p.comment), Rights: num(p.rights) });
          return answer(res, 0, { answer: userRecord(u, state) });
        }
        case '/api/user/update': {
          const u = state.updateUser(manager, Number(p.login), { Group: opt(p.group), Leverage: num(p.leverage), Rights: num(p.rights), Name: opt(p.name), Email: opt(p.email), Comment: opt(p.comment) });
          return answer(res, 0, { answer: userRecord(u, state) });
        }
        case '/api/user/get':
          return answer(res, 0, { answer: userRecord(state.user(Number(p.login)), state) });
        case '/api/user/account/get':
          return answer(res, 0, { answer: accountRecord(state.user(Number(p.login)), state) });
        case '/api/user/logins': {
          const masks = str(p.group || '*').split(',');
          return answer(res, 0, { answer: [...state.users.values()].filter((u) => masks.some((m) => m === '*' || m === u.Group)).map((u) => String(u.Login)) });
        }
        case '/api/trade/balance':
          return await balance(socket, res, manager, p);
        case '/api/deal/get': {
          const d = state.dealsOf({ tickets: [Number(p.ticket)] })[0];
          if (!d) throw new Mt5Refusal(13, 'deal not found');
          return answer(res, 0, { answer: dealRecord(d, state) });
        }
        case '/api/deal/get_total':
          return answer(res, 0, { answer: { Total: String(state.dealsOf({ logins: [Number(p.login)], from: num(p.from), to: num(p.to) }).length) } });
        case '/api/deal/get_page': {
          const total = Math.min(100, Math.max(0, Number(p.total ?? 100)));
          const all = state.dealsOf({ logins: [Number(p.login)], from: num(p.from), to: num(p.to) });
          const offset = Math.max(0, Number(p.offset ?? 0));
          return answer(res, 0, { answer: all.slice(offset, offset + total).map((d) => dealRecord(d, state)) });
        }
        case '/api/deal/get_batch': {
          const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : v === undefined || v === '' ? undefined : String(v).split(','));
          const logins = list(p.login)?.map(Number);
          const groups = list(p.group);
          const tickets = list(p.ticket)?.map(Number);
          if ([logins, groups, tickets].filter((x) => x !== undefined).length !== 1) throw new Mt5Refusal(3, 'exactly one of login, group or ticket');
          if (!tickets && (p.from === undefined || p.to === undefined)) throw new Mt5Refusal(3, 'from and to are required by login or group');
          return answer(res, 0, { answer: state.dealsOf({ ...(logins ? { logins } : {}), ...(groups ? { groups } : {}), ...(tickets ? { tickets } : {}), from: num(p.from), to: num(p.to) }).map((d) => dealRecord(d, state)) });
        }
        case '/api/position/get_total':
          return answer(res, 0, { answer: { Total: String(state.positions.filter((x) => x.Login === Number(p.login)).length) } });
        case '/api/position/get_page': {
          const total = Math.min(100, Math.max(0, Number(p.total ?? 100)));
          const offset = Math.max(0, Number(p.offset ?? 0));
          return answer(res, 0, { answer: state.positions.filter((x) => x.Login === Number(p.login)).slice(offset, offset + total).map((x) => positionRecord(x, state)) });
        }
        case '/api/group/get': {
          if (p.group !== undefined) {
            const g = state.groups.get(String(p.group));
            if (!g) throw new Mt5Refusal(13, 'group not found');
            return answer(res, 0, { answer: groupRecord(g) });
          }
          const masks = str(p.mask || '*').split(',');
          return answer(res, 0, { answer: [...state.groups.values()].filter((g) => masks.some((m) => m === '*' || m === g.Group)).map(groupRecord) });
        }
        default:
          return send(res, 404, JSON.stringify({ retcode: retcodeText(3) }));
      }
    } catch (error) {
      if (error instanceof Mt5Refusal) return answer(res, error.code);
      throw error;
    }
  }

  async function balance(socket: Socket, res: ServerResponse, manager: SimManager, p: Record<string, unknown>): Promise<void> {
    const fault = faults.balance.shift();
    if (fault === 'reset_before') return void socket.destroy();
    if (fault === 'http500') return send(res, 500, 'internal error');
    if (fault === 'malformed') return send(res, 200, '{"retcode":"0 Done","answer":{"Ticket":');
    if (typeof fault === 'number') return answer(res, fault);
    const deal = state.balance(manager, Number(p.login), Number(p.type), Number(p.balance), str(p.comment), p.check_margin === undefined || String(p.check_margin) !== '0');
    if (fault === 'drop_after_apply') return void socket.destroy();
    if (fault === 'delay_after_apply') await new Promise((r) => setTimeout(r, faults.delayAfterApplyMs));
    return answer(res, 0, { answer: { Ticket: String(deal.Deal) } });
  }

  function control(req: IncomingMessage, res: ServerResponse, path: string, json: Record<string, unknown>): void {
    if (req.headers['x-sim-token'] !== controlToken) return send(res, 403, '{"error":"x-sim-token required"}');
    if (path === '/sim/faults') {
      Object.assign(faults, json);
      return send(res, 200, JSON.stringify(faults));
    }
    if (path === '/sim/expire') {
      expireSessions();
      return send(res, 200, '{}');
    }
    if (path === '/sim/state') return send(res, 200, JSON.stringify({ users: [...state.users.values()].map((u) => userRecord(u, state)), deals: state.deals.length, changes: state.changes }));
    return send(res, 404, '{"error":"no such control"}');
  }

  function expireSessions(): void {
    for (const s of sockets) s.destroy();
    sockets.clear();
  }

  const server = https.createServer({ key: pems.private, cert: pems.cert, keepAlive: true }, (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
      if (body.length > 1_000_000) req.destroy();
    });
    req.on('end', () => {
      handle(req, res, body).catch(() => send(res, 500, 'internal error'));
    });
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.setTimeout(opts.idleMs ?? 180_000, () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `https://127.0.0.1:${port}`,
    certificate: pems.cert,
    fingerprint: new X509Certificate(pems.cert).fingerprint256,
    login: 1000,
    password,
    dealerLogin: 1001,
    dealerPassword,
    controlToken,
    state,
    faults: (change) => Object.assign(faults, change),
    expireSessions,
    close: () =>
      new Promise<void>((resolve) => {
        expireSessions();
        server.close(() => resolve());
      }),
  };
}

function str(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}
function opt(v: unknown): string | undefined {
  return v === undefined || v === null || v === '' ? undefined : String(v);
}
function num(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
