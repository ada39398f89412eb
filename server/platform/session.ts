// One MT5 Web API session (MT5-WEBAPI §1-2): one pinned TLS connection (an agent with one socket,
// kept alive), the challenge-response sign-in with the server checked in return, a ping every 20 s
// while idle, and sign-in again whenever the connection was replaced (the session belongs to the
// socket). Every command has a timeout. What a command's failure means is in the error's class:
// `Mt5Refused` (MT5 answered a retcode: it did not apply), `Mt5Unclear` (timeout, reset, 5xx or an
// unreadable answer after the request went out: it may have applied), `Mt5Unreachable` (no
// connection could be made: nothing was sent).

import { randomBytes, X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { passwordHash, randAnswer, retcodeOf } from './webapi.js';

export interface Mt5Endpoint {
  url: string;
  login: number;
  password: string;
  /** the server's certificate (PEM) to trust: a self-signed certificate is pinned, not skipped */
  certificate?: string | undefined;
  timeoutMs?: number | undefined;
  /** the client's name in `auth/start` (no spaces) */
  agent?: string | undefined;
}

export class Mt5Refused extends Error {
  override readonly name = 'Mt5Refused';
  constructor(
    readonly retcode: number,
    readonly text: string,
    readonly path: string,
  ) {
    super(`MT5 refused ${path}: ${text}`);
  }
}

export class Mt5Unclear extends Error {
  override readonly name = 'Mt5Unclear';
}

export class Mt5Unreachable extends Error {
  override readonly name = 'Mt5Unreachable';
}

type Params = Record<string, string | number | undefined>;

const PING_MS = 20_000;
const NOT_AUTHENTICATED = 8;

/** Commands that change nothing on the server, so asking again is safe. */
const READS = /^\/api\/(test\/access|ping|user\/get|user\/account\/get|user\/logins|deal\/[a-z_]+|position\/[a-z_]+|group\/[a-z_]+)$/;

export class Mt5Session {
  readonly #endpoint: Mt5Endpoint;
  readonly #agent: https.Agent;
  #authedSocket: TLSSocket | null = null;
  #signingIn: Promise<void> | null = null;
  #ping: NodeJS.Timeout | null = null;
  #closed = false;
  /** Sign-ins so far: a command refused for want of a session signs in again only if nobody did since it was sent. */
  #signIns = 0;

  constructor(endpoint: Mt5Endpoint) {
    this.#endpoint = endpoint;
    const pinned = endpoint.certificate ? new X509Certificate(endpoint.certificate).fingerprint256 : null;
    this.#agent = new https.Agent({
      keepAlive: true,
      maxSockets: 1,
      ...(endpoint.certificate ? { ca: endpoint.certificate } : {}),
      ...(pinned ? { checkServerIdentity: (_host: string, cert: { fingerprint256: string }) => (cert.fingerprint256 === pinned ? undefined : new Error(`MT5 server certificate ${cert.fingerprint256} is not the pinned one`)) } : {}),
    });
  }

  /** Sends a command in the session, signing in first when the connection is new; answers `answer` (or the whole body for auth). */
  async call<T = unknown>(path: string, params: Params = {}, body?: Record<string, unknown>): Promise<T> {
    if (this.#closed) throw new Mt5Unreachable('the MT5 session is closed');
    await this.signIn();
    let signedIn = this.#signIns;
    let sent: Awaited<ReturnType<Mt5Session['send']>>;
    try {
      sent = await this.send(path, params, body);
    } catch (error) {
      // A kept-alive connection the server had closed fails the next request on it. A read is
      // asked again on a new connection (signed in again); a change is never repeated here.
      if (!(error instanceof Mt5Unclear) || !READS.test(path)) throw error;
      if (this.#signIns === signedIn) this.#authedSocket = null;
      await this.signIn();
      signedIn = this.#signIns;
      sent = await this.send(path, params, body);
    }
    // The server has no session for us (expired, a restart, or a sign-in of a command beside this
    // one was half done on the connection when this one went out): nothing was applied. Sign in
    // again (unless another command did so since this one was sent: signing in twice would unsettle
    // the session it just made) and send again; refused that way three times, the refusal is real
    // (the manager lacks the right).
    for (let attempt = 0; attempt < 3 && retcodeOf(sent.json.retcode) === NOT_AUTHENTICATED; attempt++) {
      if (this.#signIns === signedIn) this.#authedSocket = null;
      await this.signIn();
      signedIn = this.#signIns;
      sent = await this.send(path, params, body);
    }
    const { json, socket } = sent;
    if (socket !== this.#authedSocket) {
      // The connection was replaced under the request: the server saw no session on it.
      this.#authedSocket = null;
    }
    this.schedulePing();
    const code = retcodeOf(json.retcode);
    if (code !== 0) throw new Mt5Refused(code, String(json.retcode), path);
    return json.answer as T;
  }

  /** Signs in when this connection has no session; concurrent callers share one sign-in. */
  async signIn(): Promise<void> {
    if (this.#authedSocket && !this.#authedSocket.destroyed) return;
    this.#signingIn ??= this.handshake().finally(() => (this.#signingIn = null));
    await this.#signingIn;
  }

  private async handshake(): Promise<void> {
    const e = this.#endpoint;
    const start = await this.send('/api/auth/start', { version: 4410, agent: e.agent ?? 'fxbo', login: e.login, type: 'manager' });
    if (retcodeOf(start.json.retcode) !== 0) throw new Mt5Refused(retcodeOf(start.json.retcode), String(start.json.retcode), '/api/auth/start');
    const hash = passwordHash(e.password);
    const cliRand = randomBytes(16).toString('hex');
    const answer = await this.send('/api/auth/answer', { srv_rand_answer: randAnswer(hash, String(start.json.srv_rand)), cli_rand: cliRand });
    if (retcodeOf(answer.json.retcode) !== 0) throw new Mt5Refused(retcodeOf(answer.json.retcode), String(answer.json.retcode), '/api/auth/answer');
    if (answer.socket !== start.socket) throw new Mt5Unclear('the MT5 connection was replaced during sign-in');
    if (answer.json.cli_rand_answer !== randAnswer(hash, cliRand)) {
      answer.socket.destroy();
      throw new Mt5Refused(1008, '1008 Server not authenticated: its answer to our challenge is wrong', '/api/auth/answer');
    }
    this.#authedSocket = answer.socket;
    this.#signIns += 1;
  }

  private schedulePing(): void {
    if (this.#ping) clearTimeout(this.#ping);
    this.#ping = setTimeout(() => {
      if (this.#authedSocket && !this.#authedSocket.destroyed) this.call('/api/test/access').catch(() => undefined);
    }, PING_MS);
    this.#ping.unref();
  }

  private send(path: string, params: Params, body?: Record<string, unknown>): Promise<{ json: Record<string, unknown>; socket: TLSSocket }> {
    const url = new URL(path, this.#endpoint.url);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, String(v));
    const payload = body ? JSON.stringify(body) : undefined;
    const timeout = this.#endpoint.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      let sent = false;
      const req = https.request(url, { method: payload ? 'POST' : 'GET', agent: this.#agent, headers: { connection: 'keep-alive', accept: '*/*', ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('error', (err) => reject(new Mt5Unclear(`MT5 ${path}: the answer broke off (${err.message})`)));
        res.on('end', () => {
          const socket = req.socket as TLSSocket;
          // No session on this connection (MT5-WEBAPI §10.1: a 403, or retcode 8): answered as retcode 8 for `call` to sign in again.
          if (res.statusCode === 403) return resolve({ json: { retcode: '8 Not authenticated' }, socket });
          if ((res.statusCode ?? 500) >= 500) return reject(new Mt5Unclear(`MT5 ${path}: HTTP ${res.statusCode}`));
          try {
            resolve({ json: JSON.parse(text) as Record<string, unknown>, socket });
          } catch {
            reject(new Mt5Unclear(`MT5 ${path}: the answer is not JSON`));
          }
        });
      });
      req.on('socket', (socket) => {
        const connected = () => (sent = true);
        if ((socket as TLSSocket).connecting === false && !socket.pending) connected();
        else socket.once('secureConnect', connected);
      });
      req.setTimeout(timeout, () => req.destroy(new Mt5Unclear(`MT5 ${path}: no answer within ${timeout} ms`)));
      req.on('error', (err) => {
        if (err instanceof Mt5Unclear || err instanceof Mt5Refused) return reject(err);
        reject(sent ? new Mt5Unclear(`MT5 ${path}: ${err.message}`) : new Mt5Unreachable(`MT5 at ${this.#endpoint.url} cannot be reached: ${err.message}`));
      });
      if (payload) req.write(payload);
      req.end();
    });
  }

  close(): void {
    this.#closed = true;
    if (this.#ping) clearTimeout(this.#ping);
    this.#agent.destroy();
  }
}
