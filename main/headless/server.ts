// The headless desktop host: serves the built renderer and the bridge script on loopback, and
// answers the bridge's calls with one DesktopHost per browser tab. Used by `npm start -- --headless`
// and by the browser end-to-end tests, with the same renderer and the same host logic as Electron.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../window-security.js';
import type { HostEvent } from '../../shared/desktop/api.js';
import type { KeyWrapper } from '../cache/keys.js';
import { DesktopHost } from '../host/host.js';
import { BRIDGE_SCRIPT } from './bridge-script.js';

export interface HeadlessHost {
  url: string;
  /** The URL to open, with the launch key in its fragment. */
  openUrl: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2' };

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function startHeadlessHost(opts: { serverUrl: string; rendererDir: string; cacheDir: string; wrapper: KeyWrapper; port?: number; host?: string }): Promise<HeadlessHost> {
  const key = randomBytes(24).toString('base64url');
  const tabs = new Map<string, DesktopHost>();
  const root = path.resolve(opts.rendererDir);
  if (!fs.existsSync(path.join(root, 'index.html'))) throw new Error(`The renderer is not built: ${root}/index.html is missing (npm run build:renderer).`);

  const hostFor = (tab: string): DesktopHost => {
    let h = tabs.get(tab);
    if (!h) {
      h = new DesktopHost({ serverUrl: opts.serverUrl, cacheDir: opts.cacheDir, wrapper: opts.wrapper, userAgent: 'fx-backoffice-headless' });
      tabs.set(tab, h);
    }
    return h;
  };

  const security = {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cache-control': 'no-store',
  };

  const server = http.createServer((req, res) => {
    // Only this machine's own names reach the app: a page on another site that points its host
    // name at 127.0.0.1 (DNS rebinding) is refused before anything else, and so is a request
    // whose Origin is not this host.
    const port = (server.address() as { port: number } | null)?.port;
    const own = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
    if (!own.includes(req.headers.host ?? '')) {
      res.writeHead(421, { 'content-type': 'text/plain', ...security }).end('This host answers only as 127.0.0.1 or localhost.');
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !own.some((h) => origin === `http://${h}`)) {
      res.writeHead(403, { 'content-type': 'application/json', ...security }).end(JSON.stringify({ ok: false, error: { reason: 'FORBIDDEN', message: 'Requests from another origin are refused.' } }));
      return;
    }
    let url: URL;
    let relative: string;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
      relative = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain', ...security }).end('Bad request: the path is not valid percent-encoded UTF-8.');
      return;
    }
    const authorised = () => {
      const given = req.headers['x-fxbo-key'];
      const tab = req.headers['x-fxbo-tab'];
      if (typeof given !== 'string' || !sameSecret(given, key) || typeof tab !== 'string' || !/^[0-9a-f-]{36}$/.test(tab)) {
        res.writeHead(403, { 'content-type': 'application/json', ...security }).end(JSON.stringify({ ok: false, error: { reason: 'FORBIDDEN', message: 'Open the app through the URL the host printed.' } }));
        return null;
      }
      return tab;
    };

    if (req.method === 'POST' && url.pathname === '/ipc') {
      const tab = authorised();
      if (!tab) return;
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
        if (body.length > 1_000_000) req.destroy();
      });
      req.on('end', () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          parsed = undefined;
        }
        if (typeof parsed !== 'object' || parsed === null) {
          res.writeHead(400, { 'content-type': 'application/json', ...security }).end(JSON.stringify({ ok: false, error: { reason: 'VALIDATION_FAILED', message: 'The message is not a JSON object with a channel and an input.' } }));
          return;
        }
        const message: { channel?: unknown; input?: unknown } = parsed;
        void hostFor(tab)
          .handle(message.channel, message.input)
          .then((result) => res.writeHead(200, { 'content-type': 'application/json', ...security }).end(JSON.stringify(result)));
      });
      return;
    }

    if (req.method === 'GET' && url.pathname === '/events') {
      const tab = authorised();
      if (!tab) return;
      res.writeHead(200, { 'content-type': 'text/event-stream', connection: 'keep-alive', ...security });
      res.write(': connected\n\n');
      const listener = (event: HostEvent) => res.write(`data: ${JSON.stringify(event)}\n\n`);
      const host = hostFor(tab);
      host.on('event', listener);
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
      req.on('close', () => {
        clearInterval(ping);
        host.off('event', listener);
      });
      return;
    }

    if (req.method !== 'GET') {
      res.writeHead(405, security).end();
      return;
    }
    if (url.pathname === '/bridge.js') {
      res.writeHead(200, { 'content-type': TYPES['.js']!, ...security }).end(BRIDGE_SCRIPT);
      return;
    }
    // Static files of the built renderer; anything resolving outside its folder is refused.
    const file = path.resolve(root, relative);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain', ...security }).end('Not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', ...security });
    fs.createReadStream(file).pipe(res);
  });

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  const url = `http://${opts.host ?? '127.0.0.1'}:${address.port}`;
  return {
    url,
    openUrl: `${url}/#k=${key}`,
    async close() {
      for (const h of tabs.values()) await h.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
