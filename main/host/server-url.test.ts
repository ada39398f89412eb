import { describe, expect, it } from 'vitest';
import { checkServerUrl } from './host.js';

describe('the server URL the desktop host talks to', () => {
  it('takes https anywhere and http on this machine', () => {
    for (const url of ['https://backoffice.broker.example', 'http://127.0.0.1:4000', 'http://localhost:4000', 'http://[::1]:4000', 'http://127.0.0.2:4000']) {
      expect(checkServerUrl(url).href).toContain(new URL(url).host);
    }
  });

  it('refuses plain http to another machine unless told otherwise, and says why', () => {
    expect(() => checkServerUrl('http://10.0.0.5:4000')).toThrow(/plain http:\/\/ to another machine: sign-in and session tokens would cross the network unencrypted.*FXBO_ALLOW_INSECURE_SERVER=1/);
    expect(() => checkServerUrl('http://backoffice.example')).toThrow(/unencrypted/);
    expect(checkServerUrl('http://10.0.0.5:4000', true).hostname).toBe('10.0.0.5');
    expect(() => checkServerUrl('ftp://x')).toThrow(/must be https/);
    expect(() => checkServerUrl('not a url')).toThrow(/is not a URL/);
  });
});
