// The desktop host's sync engine against a real server: a first sync fills the encrypted cache,
// the change subscription brings a colleague's change within moments, a cursor the server does not
// know triggers a full resync with a notice, and a server that goes away is retried with backoff.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FileKeyWrapper } from '../../main/cache/keys.js';
import { CacheStore } from '../../main/cache/store.js';
import { createServerClient } from '../../main/host/server-client.js';
import { SyncEngine } from '../../main/host/sync-engine.js';
import { describeEachEngine, startTestServer, type TestServer } from '../../server/testing/harness.js';
import { until } from './wait.js';

describeEachEngine('desktop sync engine', (engine) => {
  let t: TestServer;
  let dir: string;
  beforeAll(async () => {
    t = await startTestServer(engine);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fxbo-host-'));
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fills the cache, then follows changes through the subscription', async () => {
    const { token, userId } = await t.login('admin');
    const cache = CacheStore.open({ dir, userId, wrapper: new FileKeyWrapper(path.join(dir, 'keys')) });
    const sync = new SyncEngine(createServerClient(t.url, () => token), cache, { pageSize: 7 });
    const changed: string[][] = [];
    sync.on('changed', (views) => changed.push(views));
    sync.start();
    await until(() => sync.status.state === 'idle' && cache.cursor() !== null);
    const grantsBefore = cache.count('grants');
    expect(grantsBefore).toBeGreaterThan(10);

    // A colleague's action on another connection reaches this cache without a pull being asked for
    // (the periodic pull is every 30 s; the push arrives in well under the 10 s allowed on a loaded machine).
    const admin2 = await t.login('admin2');
    const { approvalId } = await admin2.client.access.grantRole.mutate({ userId: await t.userId('dealer'), role: 'risk_officer', legalEntity: 'eu', reason: 'Cover' });
    await until(() => cache.query({ view: 'approvals', filterModel: { id: { filterType: 'text', type: 'equals', filter: approvalId } }, sortModel: [], startRow: 0, endRow: 1 }).rows.length === 1, 10_000);
    expect(changed.flat()).toContain('approvals');

    // A cursor the server does not know: full resync, with a notice. Set between rounds, so that a
    // round already under way cannot overwrite it with the cursor it pulled to.
    await until(() => {
      if (sync.status.state !== 'idle') return false;
      cache.apply({ upserts: {}, deletes: {}, cursor: 'v1.999999999.0' });
      return true;
    });
    // syncNow coalesces with a round already under way, so wait for the outcome rather than the call.
    void sync.syncNow();
    await until(() => /full resync/.test(sync.status.notice ?? '') && sync.status.state === 'idle', 20_000);
    expect(cache.count('grants')).toBe(grantsBefore);
    sync.stop();
    cache.close();
  });

  it('goes offline when the server is unreachable and locks when the session ends', async () => {
    const { token, userId, client } = await t.login('auditor');
    const cache = CacheStore.open({ dir, userId, wrapper: new FileKeyWrapper(path.join(dir, 'keys')) });
    const unreachable = new SyncEngine(createServerClient('http://127.0.0.1:9', () => token), cache, { maxBackoffMs: 200 });
    unreachable.start();
    await until(() => unreachable.status.state === 'offline');
    unreachable.stop();

    const sync = new SyncEngine(createServerClient(t.url, () => token), cache);
    let ended = '';
    sync.on('sessionEnded', (r) => (ended = r));
    sync.start();
    await until(() => sync.status.state === 'idle' && cache.count('audit') > 0);
    await client.auth.logout.mutate({});
    // The change stream or the next pull, whichever hears of it first, ends the session here.
    void sync.syncNow();
    await until(() => ended !== '');
    expect(ended).toBe('revoked');
    expect(sync.status.state).toBe('locked');
    cache.close();
  });
});
