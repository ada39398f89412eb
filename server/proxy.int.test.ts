// Behind a reverse proxy the audited address is the client's, and only when the proxy is one the
// server was told to trust (TRUST_PROXY): anyone else's X-Forwarded-For is ignored.

import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './testing/harness.js';

async function signInVia(t: TestServer, forwardedFor: string): Promise<string | null> {
  const c = t.credentials.get('auditor')!;
  t.clock.advance(30_000);
  const res = await fetch(`${t.url}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ username: 'auditor', password: c.password, totp: t.code('auditor') }),
  });
  expect(res.status).toBe(200);
  const event = await t.server.services.store.kysely.selectFrom('audit_events').select('ip').where('action', '=', 'auth.login').orderBy('seq', 'desc').executeTakeFirstOrThrow();
  return event.ip;
}

describe('audited client address behind a proxy', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('believes X-Forwarded-For from a proxy named in TRUST_PROXY', async () => {
    t = await startTestServer('sqlite', { env: { TRUST_PROXY: '127.0.0.1,::1' } });
    expect(await signInVia(t, '203.0.113.7')).toBe('203.0.113.7');
  });

  it('ignores it from anyone else', async () => {
    t = await startTestServer('sqlite');
    expect(await signInVia(t, '203.0.113.7')).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
  });
});
