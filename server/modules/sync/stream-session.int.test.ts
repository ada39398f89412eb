// The change stream lives no longer than the session that opened it: after sign-out (or a
// revocation, an expiry, a disabled account) the next event ends it with SESSION_EXPIRED instead
// of telling a signed-out desktop what changed.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../core/actor.js';
import { describeEachEngine, startTestServer, type TestServer } from '../../testing/harness.js';

async function openStream(url: string, token: string): Promise<{ read(): Promise<string>; close(): void }> {
  const controller = new AbortController();
  const res = await fetch(`${url}/trpc/sync.onChange?input=${encodeURIComponent('{}')}`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: controller.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  return {
    /** Everything received until the stream has said something new (or ended). */
    async read() {
      const { value, done } = await reader.read();
      if (done) return `${buffered}<end>`;
      buffered += decoder.decode(value);
      return buffered;
    },
    close: () => controller.abort(),
  };
}

describeEachEngine('sync.onChange and the session', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine);
  });
  afterAll(() => t?.close());

  const commit = () => t.server.services.store.mutate(SYSTEM_ACTOR, async (m) => m.audit({ action: 'test.tick' }));

  it('ends the stream at the first change after sign-out', async () => {
    const { token, client } = await t.login('auditor');
    const stream = await openStream(t.url, token);
    let seen = await stream.read();
    while (!seen.includes('"head"')) seen = await stream.read();
    await commit();
    const before = seen.length;
    while (seen.length === before || !seen.slice(before).includes('"head"')) seen = await stream.read();

    await client.auth.logout.mutate({});
    await commit();
    let after = seen;
    while (!after.includes('SESSION_EXPIRED') && !after.endsWith('<end>')) after = await stream.read();
    expect(after.slice(seen.length)).toContain('SESSION_EXPIRED');
    expect(after.slice(seen.length)).toContain('The change stream ended. Your session was ended.');
    stream.close();
  });

  it('ends it when an administrator disables the account', async () => {
    const { token } = await t.login('support');
    const stream = await openStream(t.url, token);
    let seen = await stream.read();
    while (!seen.includes('"head"')) seen = await stream.read();
    await t.server.services.store.kysely.updateTable('users').set({ status: 'disabled' }).where('username', '=', 'support').execute();
    await commit();
    while (!seen.includes('SESSION_EXPIRED') && !seen.endsWith('<end>')) seen = await stream.read();
    expect(seen).toContain('Your account is disabled.');
    stream.close();
  });
});
