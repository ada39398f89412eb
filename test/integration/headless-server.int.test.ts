// The headless host's HTTP face against a hostile page or a malformed request: a path that is not
// valid percent-encoding answers 400 (it used to crash the host), a Host header that is not this
// machine's (DNS rebinding) is refused, and so is a bridge call from another origin; a bridge call
// whose body is not a JSON object answers 400 (`null` used to throw in the host).

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileKeyWrapper } from '../../main/cache/keys.js';
import { startHeadlessHost, type HeadlessHost } from '../../main/headless/server.js';

function request(url: string, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

describe('headless host over HTTP', () => {
  let host: HeadlessHost;
  let dir: string;
  let key: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fxbo-headless-'));
    const renderer = path.join(dir, 'renderer');
    fs.mkdirSync(renderer);
    fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>t</title>');
    host = await startHeadlessHost({ serverUrl: 'http://127.0.0.1:9', rendererDir: renderer, cacheDir: path.join(dir, 'cache'), wrapper: new FileKeyWrapper(path.join(dir, 'keys')) });
    key = new URL(host.openUrl).hash.replace('#k=', '');
  });
  afterAll(async () => {
    await host?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers a path that is not valid percent-encoding with 400, and keeps serving', async () => {
    expect(await request(host.url, { path: '/%E0' })).toMatchObject({ status: 400, body: expect.stringContaining('not valid percent-encoded') });
    expect((await request(host.url, { path: '/' })).status).toBe(200);
  });

  it('refuses a Host header that is not this machine', async () => {
    const port = new URL(host.url).port;
    expect((await request(host.url, { path: '/', headers: { host: `evil.example:${port}` } })).status).toBe(421);
    expect((await request(host.url, { path: '/', headers: { host: `localhost:${port}` } })).status).toBe(200);
  });

  it('refuses a bridge call or an event stream from another origin, even with the key', async () => {
    const headers = { 'x-fxbo-key': key, 'x-fxbo-tab': randomUUID(), 'content-type': 'application/json' };
    const body = JSON.stringify({ channel: 'no.such.channel', input: {} });
    const foreign = await request(host.url, { method: 'POST', path: '/ipc', headers: { ...headers, origin: 'http://evil.example' }, body });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toContain('another origin');
    expect((await request(host.url, { path: '/events', headers: { ...headers, origin: 'http://127.0.0.1:1' } })).status).toBe(403);
    // The same call from the host's own origin reaches the host (which names the unknown channel).
    const own = await request(host.url, { method: 'POST', path: '/ipc', headers: { ...headers, origin: host.url }, body });
    expect(own.status).toBe(200);
    expect(own.body).toContain('no.such.channel');
  });

  it('answers a bridge call whose body is not a JSON object with 400, and keeps serving', async () => {
    const headers = { 'x-fxbo-key': key, 'x-fxbo-tab': randomUUID(), 'content-type': 'application/json', origin: host.url };
    for (const body of ['null', '42', '{"channel":', '']) {
      const answer = await request(host.url, { method: 'POST', path: '/ipc', headers, body });
      expect(answer, body).toMatchObject({ status: 400, body: expect.stringContaining('not a JSON object with a channel') });
    }
    expect((await request(host.url, { path: '/' })).status).toBe(200);
  });
});
