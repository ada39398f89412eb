// The desktop host as the renderer sees it: typed channels only, validated inputs, the cache
// filled for the signed-in user, wiped on sign-out and on a user switch, kept (locked) when the
// session merely expires.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostEvent } from '../../shared/desktop/api.js';
import { FileKeyWrapper } from '../../main/cache/keys.js';
import { DesktopHost } from '../../main/host/host.js';
import { startTestServer, type TestServer } from '../../server/testing/harness.js';
import { firstSync, until } from './wait.js';


describe('desktop host', () => {
  let t: TestServer;
  let dir: string;
  beforeAll(async () => {
    t = await startTestServer('sqlite');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fxbo-host-'));
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const newHost = () => new DesktopHost({ serverUrl: t.url, cacheDir: dir, wrapper: new FileKeyWrapper(path.join(dir, 'keys')) });
  const cacheFiles = () => fs.readdirSync(dir).filter((f) => f.endsWith('.cache'));
  const login = (host: DesktopHost, username: string) => {
    const c = t.credentials.get(username)!;
    t.clock.advance(30_000);
    return host.handle('session.login', { username, password: c.password, totp: t.code(username) });
  };

  it('refuses unknown channels and wrongly shaped messages, naming what is wrong', async () => {
    const host = newHost();
    expect(await host.handle('shell.exec', { cmd: 'rm -rf /' })).toEqual({ ok: false, error: { reason: 'VALIDATION_FAILED', message: 'Unknown channel "shell.exec"' } });
    const bad = await host.handle('cache.query', { view: 'audit', filterModel: {}, sortModel: [], startRow: 0, endRow: 100, sql: 'drop table' });
    expect(bad).toMatchObject({ ok: false, error: { reason: 'VALIDATION_FAILED' } });
    const badColumn = await host.handle('cache.query', { view: 'secrets', filterModel: {}, sortModel: [], startRow: 0, endRow: 100 });
    expect(badColumn).toMatchObject({ ok: false, error: { reason: 'VALIDATION_FAILED', message: expect.stringMatching(/^View: choose one of the options offered/) } });
    await host.close();
  });

  it('signs in, fills the cache, answers grid queries, and never exposes the token', async () => {
    const host = newHost();
    const events: HostEvent[] = [];
    host.on('event', (e) => events.push(e));
    const signedIn = await login(host, 'auditor');
    expect(signedIn).toMatchObject({ ok: true, value: { username: 'auditor' } });
    expect(JSON.stringify(signedIn)).not.toMatch(/token/i);
    await firstSync(host);
    const page = await host.handle('cache.query', { view: 'audit', filterModel: { action: { filterType: 'text', type: 'equals', filter: 'auth.login' } }, sortModel: [{ colId: 'seq', sort: 'desc' }], startRow: 0, endRow: 50 });
    expect(page.ok).toBe(true);
    const rows = (page as { value: { rows: Array<{ action: string }> } }).value.rows;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.action === 'auth.login')).toBe(true);
    expect(events.some((e) => e.type === 'session' && e.state === 'signedIn')).toBe(true);
    expect(cacheFiles()).toHaveLength(1);

    // Sign-out wipes the cache and its key.
    await host.handle('session.logout', {});
    expect(cacheFiles()).toHaveLength(0);
    expect(await host.handle('cache.query', { view: 'audit', filterModel: {}, sortModel: [], startRow: 0, endRow: 10 })).toMatchObject({ ok: false });
    await host.close();
  });

  it('wipes the previous user\u2019s cache when another user signs in on the same host', async () => {
    const host = newHost();
    await login(host, 'auditor');
    await until(() => cacheFiles().length === 1);
    const first = cacheFiles()[0];
    await login(host, 'auditor.eu');
    await until(() => cacheFiles().length === 1 && cacheFiles()[0] !== first);
    await host.handle('session.logout', {});
    await host.close();
  });

  it('keeps the cache locked, not wiped, when the session expires', async () => {
    const host = newHost();
    const events: HostEvent[] = [];
    host.on('event', (e) => events.push(e));
    await login(host, 'mlro');
    await firstSync(host);
    t.clock.advance(16 * 60_000);
    const expired = await host.handle('approvals.get', { id: 'APR-000001' });
    expect(expired).toMatchObject({ ok: false, error: { reason: 'SESSION_EXPIRED' } });
    expect(events.some((e) => e.type === 'session' && e.state === 'locked')).toBe(true);
    expect(cacheFiles()).toHaveLength(1);
    expect(await host.handle('cache.query', { view: 'audit', filterModel: {}, sortModel: [], startRow: 0, endRow: 10 })).toMatchObject({ ok: false });
    // The same user signs in again and finds the cache where it was.
    expect(await login(host, 'mlro')).toMatchObject({ ok: true });
    expect(cacheFiles()).toHaveLength(1);
    await host.handle('session.logout', {});
    await host.close();
  });

  it('wipes and refills the cache when the user\u2019s rights narrow during the session', async () => {
    const host = new DesktopHost({ serverUrl: t.url, cacheDir: dir, wrapper: new FileKeyWrapper(path.join(dir, 'keys')), rightsCheckMs: 0 });
    const events: HostEvent[] = [];
    host.on('event', (e) => events.push(e));
    await login(host, 'auditor');
    await firstSync(host);
    const globalRows = async () => ((await host.handle('cache.count', { view: 'grants', filterModel: { legalEntity: { filterType: 'text', type: 'equals', filter: 'global' } } })) as { value: number }).value;
    expect(await globalRows()).toBeGreaterThan(0);
    const keyFile = () => path.join(dir, cacheFiles()[0]!.replace(/\.cache$/, '.key'));
    const keyBefore = fs.readFileSync(keyFile());

    // Two administrators take the auditor's global role away (a privileged role: two approvals).
    const admin = await t.login('admin');
    const { approvalId } = await admin.client.access.revokeRole.mutate({ userId: await t.userId('auditor'), role: 'auditor', legalEntity: 'global', reason: 'Audit engagement for the global entity ended' });
    await (await t.login('admin2')).client.approvals.approve.mutate({ id: approvalId });

    await until(() => events.some((e) => e.type === 'session' && e.state === 'signedIn' && /access changed/.test(e.message ?? '')), 10_000);
    await until(async () => Boolean(((await host.handle('sync.status', {})) as { value: { lastSyncAt: string | null } | null }).value?.lastSyncAt) && (await globalRows()) === 0, 10_000);
    // The old cache went with its key: the one there now is new.
    expect(cacheFiles()).toHaveLength(1);
    expect(fs.readFileSync(keyFile()).equals(keyBefore)).toBe(false);
    await host.handle('session.logout', {});
    await host.close();
  });

  it('tells the window when the user gains a role, and answers the new profile (the header follows)', async () => {
    const host = new DesktopHost({ serverUrl: t.url, cacheDir: dir, wrapper: new FileKeyWrapper(path.join(dir, 'keys')), rightsCheckMs: 0 });
    const events: HostEvent[] = [];
    host.on('event', (e) => events.push(e));
    await login(host, 'support');
    await firstSync(host);
    const before = events.length;
    const admin = await t.login('admin');
    const { approvalId } = await admin.client.access.grantRole.mutate({ userId: await t.userId('support'), role: 'risk_officer', legalEntity: 'eu', reason: 'Covers the risk desk this week', endsAt: new Date(t.clock.now().getTime() + 7 * 86_400_000).toISOString() });
    await (await t.login('admin2')).client.approvals.approve.mutate({ id: approvalId });
    const roles = async () => ((await host.handle('session.current', {})) as { value: { roles: string[] } | null }).value?.roles ?? [];
    await until(async () => (await roles()).includes('risk_officer'), 10_000);
    // …and the window heard of it, so it reads the profile again.
    await until(() => events.slice(before).some((e) => e.type === 'session' && e.state === 'signedIn'), 10_000);
    await host.handle('session.logout', {});
    await host.close();
  });

  it('locks on request (idle lock): the server session ends and the cache stays', async () => {
    const host = newHost();
    await login(host, 'senior');
    await firstSync(host);
    expect(await host.handle('session.lock', {})).toEqual({ ok: true, value: null });
    expect(cacheFiles()).toHaveLength(1);
    expect(await host.handle('session.current', {})).toEqual({ ok: true, value: null });
    await host.close();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
  });

  it('wipes the cache when an administrator revokes the session', async () => {
    const host = newHost();
    const events: HostEvent[] = [];
    host.on('event', (e) => events.push(e));
    await login(host, 'risk');
    await firstSync(host);
    expect(cacheFiles()).toHaveLength(1);
    const admin = await t.login('admin');
    const sessions = await admin.client.access.userSessions.query({ userId: await t.userId('risk') });
    const admin2 = await t.login('admin2');
    for (const s of sessions.items) {
      const { approvalId } = await admin.client.access.revokeUserSession.mutate({ sessionId: s.id, reason: 'Laptop reported stolen' });
      await admin2.client.approvals.approve.mutate({ id: approvalId });
    }
    expect(await host.handle('approvals.get', { id: 'APR-000001' })).toMatchObject({ ok: false, error: { reason: 'SESSION_EXPIRED' } });
    await until(() => cacheFiles().length === 0);
    expect(events.some((e) => e.type === 'session' && e.state === 'locked')).toBe(true);
    await host.close();
  });
});
