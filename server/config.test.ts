import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('has the CONTRACT defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ host: '127.0.0.1', port: 4000, databaseUrl: undefined, demo: false, sessionIdleMs: 15 * 60_000, sessionMaxMs: 12 * 3_600_000, lockoutThreshold: 5, lockoutMs: 15 * 60_000 });
    expect(c.dataDir).toMatch(/\/data$/);
  });

  it.each([
    [{ PORT: 'abc' }, /PORT: /],
    [{ PORT: '65536' }, /PORT: /],
    [{ DATABASE_URL: 'mysql://localhost/x' }, /DATABASE_URL: must be a postgres/],
    [{ DEMO: 'yes' }, /DEMO: /],
    [{ PORTAL_API_KEY: 'short' }, /PORTAL_API_KEY: must be at least 24/],
    [{ MT5_URL: 'https://mt5.example' }, /MT5_URL, MT5_LOGIN and MT5_PASSWORD must be set together/],
    [{ MT5_URL: 'http://mt5.example', MT5_LOGIN: '1000', MT5_PASSWORD: 'x' }, /MT5_URL: must be an https:\/\/ URL/],
    [{ MT5_URL: 'https://mt5.example', MT5_LOGIN: '1000', MT5_PASSWORD: 'x', MT5_CERTIFICATE_FILE: '/nonexistent/mt5.pem' }, /MT5_CERTIFICATE_FILE: \/nonexistent\/mt5.pem cannot be read \(ENOENT\)/],
    [{ MT5_URL: 'https://mt5.example', MT5_LOGIN: '1000', MT5_PASSWORD: 'x', MT5_CERTIFICATE_FILE: import.meta.filename }, /MT5_CERTIFICATE_FILE: .*config\.test\.ts is not a PEM certificate/],
    [{ MT5_CERTIFICATE_FILE: import.meta.filename }, /MT5_CERTIFICATE_FILE needs MT5_URL/],
    [{ MT5_TIME_OFFSET_MINUTES: '2000' }, /MT5_TIME_OFFSET_MINUTES: /],
    [{ PSP_ACME_SECRET: 'tiny' }, /PSP_ACME_SECRET: must be at least 16/],
    [{ PSP_SIMPAY_URL: 'http://127.0.0.1:9' }, /PSP_SIMPAY_URL needs PSP_SIMPAY_SECRET/],
    [{ PSP_SIMPAY_SECRET: 'a'.repeat(32), PSP_SIMPAY_URL: 'ftp://x' }, /PSP_SIMPAY_URL: must be an http\(s\) URL/],
    [{ PSP_ADYEN_HMAC_KEY: 'not-hex-at-all-not-hex-at-all-not-hex' }, /PSP_ADYEN_HMAC_KEY: must be the hex HMAC key/],
    [{ SECRETS_KEY: 'not-base64' }, /SECRETS_KEY: must be 32 bytes/],
    [{ TRUST_PROXY: 'proxy.internal' }, /TRUST_PROXY: must be addresses or CIDR ranges/],
    [{ TRUST_PROXY: '10.0.0.0/33' }, /TRUST_PROXY: /],
  ])('names the variable of a bad value: %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('reads the trusted reverse proxies', () => {
    expect(loadConfig({}).trustProxy).toBeUndefined();
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 10.1.0.0/16,::1' }).trustProxy).toEqual(['10.0.0.1', '10.1.0.0/16', '::1']);
  });

  it('collects one signing secret per payment provider', () => {
    expect(loadConfig({ PSP_ACME_PAY_SECRET: 'a'.repeat(32) }).pspSecrets).toEqual({ acme_pay: 'a'.repeat(32) });
  });
});
