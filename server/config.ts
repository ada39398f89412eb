// Server configuration from the environment, validated once at boot. A bad value stops start-up
// with an error naming the variable, before anything listens.

import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';

function isIpOrCidr(text: string): boolean {
  const [address, bits, ...rest] = text.split('/');
  if (rest.length > 0 || address === undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(4000),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  PORTAL_API_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  PSP_ADYEN_HMAC_KEY: z
    .string()
    .regex(/^(?:[0-9A-Fa-f]{2}){16,64}$/, 'must be the hex HMAC key from Adyen\u2019s Customer Area (32 to 128 hex digits)')
    .optional(),
  MT5_URL: z.url().optional(),
  MT5_LOGIN: z.coerce.number().int().positive().optional(),
  MT5_PASSWORD: z.string().min(1).optional(),
  MT5_CERTIFICATE_FILE: z.string().min(1).optional(),
  MT5_TIMEOUT_MS: int(100, 120_000).default(10_000),
  MT5_TIME_OFFSET_MINUTES: int(-24 * 60, 24 * 60).default(0),
  MT5_SCAN_SECONDS: int(1, 86_400).default(60),
  DEMO: z.enum(['0', '1']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
  SESSION_IDLE_MINUTES: int(1, 24 * 60).default(15),
  SESSION_MAX_HOURS: int(1, 24 * 7).default(12),
  LOCKOUT_THRESHOLD: int(1, 100).default(5),
  LOCKOUT_MINUTES: int(1, 24 * 60).default(15),
  TEMPORARY_PASSWORD_HOURS: int(1, 7 * 24).default(24),
  LOGIN_FAILURES_PER_ADDRESS: int(1, 10_000).default(10),
  LOGIN_FAILURES_PER_USERNAME: int(1, 10_000).default(20),
  AUDIT_CHECKPOINT_EVERY: int(1, 1_000_000).default(1000),
  AUDIT_CHECKPOINT_INTERVAL_MS: int(1000, 3_600_000).default(60_000),
  AUDIT_SIGNING_KEY: z.string().min(1).optional(),
  AUDIT_MAC_KEY: z.string().min(1).optional(),
  TRUST_PROXY: z
    .string()
    .refine((v) => v.split(',').every((a) => isIpOrCidr(a.trim())), 'must be addresses or CIDR ranges of trusted reverse proxies, separated by commas (e.g. 10.0.0.1,10.1.0.0/16)')
    .optional(),
  SECRETS_KEY: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes in base64').optional(),
  DOCUMENTS_KEY: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes in base64').optional(),
  KYC_PROVIDER_URL: z.url().optional(),
  KYC_PROVIDER_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  KYC_PROVIDER_TIMEOUT_MS: int(100, 120_000).default(10_000),
  JOBS_POLL_MS: int(50, 600_000).default(1_000),
  PSP_TIMEOUT_MS: int(100, 120_000).default(10_000),
});

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  portalApiKey: string | undefined;
  /** PSP_<PROVIDER>_SECRET by lower-case provider name: the webhook signing secret of each payment provider */
  pspSecrets: Record<string, string>;
  /** PSP_<PROVIDER>_URL by lower-case provider name: the API of a provider in the generic format (payouts, lookups), signed with its secret */
  pspApis: Record<string, string>;
  /** PSP_TIMEOUT_MS: how long a call to a provider's API may take before its outcome counts as unknown */
  pspTimeoutMs: number;
  /** PSP_ADYEN_HMAC_KEY: Adyen's notification HMAC key (hex) */
  adyenHmacKey: string | undefined;
  /**
   * MT5_URL, MT5_LOGIN, MT5_PASSWORD: the Web API and the back office's manager login;
   * MT5_CERTIFICATE_FILE: the server's certificate (PEM) to pin when it is self-signed;
   * MT5_TIMEOUT_MS: how long a command may take before its outcome counts as unclear;
   * MT5_TIME_OFFSET_MINUTES: how far the trade server's clock is ahead of UTC (deal times are server time);
   * MT5_SCAN_SECONDS: how often deals and accounts are read for changes made outside the back office.
   */
  mt5: { url: string; login: number; password: string; certificate: string | undefined; timeoutMs: number; offsetMinutes: number; scanMs: number } | undefined;
  demo: boolean;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  sessionIdleMs: number;
  sessionMaxMs: number;
  lockoutThreshold: number;
  lockoutMs: number;
  /** How long a temporary password from a reset works (for the forced change only). */
  temporaryPasswordMs: number;
  /** failed sign-ins allowed per minute from one address, and for one username (from addresses that failed for it) */
  loginLimits: { perAddress: number; perUsername: number; windowMs: number };
  auditCheckpointEvery: number;
  auditCheckpointIntervalMs: number;
  auditSigningKey: string | undefined;
  /** AUDIT_MAC_KEY: the key that authenticates each audit event (base64 or hex, 32 bytes or more); default a key file in DATA_DIR/keys */
  auditMacKey: string | undefined;
  /** TRUST_PROXY: reverse proxies whose X-Forwarded-For is believed, so audited addresses are the client's */
  trustProxy: string[] | undefined;
  secretsKey: string | undefined;
  documentsKey: string | undefined;
  kycProvider: { url: string; token: string; timeoutMs: number } | undefined;
  jobsPollMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The MT5 server's certificate: a PEM file that parses as one, or start-up stops naming the file. */
function readCertificate(file: string): string {
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Invalid configuration: MT5_CERTIFICATE_FILE: ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    new X509Certificate(pem);
  } catch {
    throw new ConfigError(`Invalid configuration: MT5_CERTIFICATE_FILE: ${file} is not a PEM certificate`);
  }
  return pem;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
  }
  const e = parsed.data;
  const mt5Parts = [e.MT5_URL, e.MT5_LOGIN, e.MT5_PASSWORD].filter((v) => v !== undefined).length;
  if (mt5Parts !== 0 && mt5Parts !== 3) {
    throw new ConfigError('Invalid configuration: MT5_URL, MT5_LOGIN and MT5_PASSWORD must be set together');
  }
  if (e.MT5_URL && !e.MT5_URL.startsWith('https://')) throw new ConfigError('Invalid configuration: MT5_URL: must be an https:// URL (the MT5 Web API speaks only TLS)');
  if (e.MT5_CERTIFICATE_FILE && !e.MT5_URL) throw new ConfigError('Invalid configuration: MT5_CERTIFICATE_FILE needs MT5_URL, MT5_LOGIN and MT5_PASSWORD');
  if ((e.KYC_PROVIDER_URL === undefined) !== (e.KYC_PROVIDER_TOKEN === undefined)) {
    throw new ConfigError('Invalid configuration: KYC_PROVIDER_URL and KYC_PROVIDER_TOKEN must be set together');
  }
  const pspSecrets: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    const m = /^PSP_([A-Z0-9_]+)_SECRET$/.exec(key);
    if (!m || value === undefined) continue;
    if (value.length < 16) throw new ConfigError(`Invalid configuration: ${key}: must be at least 16 characters`);
    pspSecrets[m[1]!.toLowerCase()] = value;
  }
  const pspApis: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    const m = /^PSP_([A-Z0-9_]+)_URL$/.exec(key);
    if (!m || value === undefined) continue;
    if (!z.url({ protocol: /^https?$/ }).safeParse(value).success) throw new ConfigError(`Invalid configuration: ${key}: must be an http(s) URL`);
    const provider = m[1]!.toLowerCase();
    if (!pspSecrets[provider]) throw new ConfigError(`Invalid configuration: ${key} needs PSP_${m[1]}_SECRET, which signs the requests to it`);
    pspApis[provider] = value;
  }
  return {
    host: e.HOST,
    port: e.PORT,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    portalApiKey: e.PORTAL_API_KEY,
    pspSecrets,
    pspApis,
    pspTimeoutMs: e.PSP_TIMEOUT_MS,
    adyenHmacKey: e.PSP_ADYEN_HMAC_KEY,
    mt5: e.MT5_URL ? { url: e.MT5_URL, login: e.MT5_LOGIN!, password: e.MT5_PASSWORD!, certificate: e.MT5_CERTIFICATE_FILE ? readCertificate(e.MT5_CERTIFICATE_FILE) : undefined, timeoutMs: e.MT5_TIMEOUT_MS, offsetMinutes: e.MT5_TIME_OFFSET_MINUTES, scanMs: e.MT5_SCAN_SECONDS * 1000 } : undefined,
    demo: e.DEMO === '1',
    logLevel: e.LOG_LEVEL,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: e.SESSION_MAX_HOURS * 3_600_000,
    lockoutThreshold: e.LOCKOUT_THRESHOLD,
    lockoutMs: e.LOCKOUT_MINUTES * 60_000,
    temporaryPasswordMs: e.TEMPORARY_PASSWORD_HOURS * 3_600_000,
    loginLimits: { perAddress: e.LOGIN_FAILURES_PER_ADDRESS, perUsername: e.LOGIN_FAILURES_PER_USERNAME, windowMs: 60_000 },
    auditCheckpointEvery: e.AUDIT_CHECKPOINT_EVERY,
    auditCheckpointIntervalMs: e.AUDIT_CHECKPOINT_INTERVAL_MS,
    auditSigningKey: e.AUDIT_SIGNING_KEY,
    auditMacKey: e.AUDIT_MAC_KEY,
    trustProxy: e.TRUST_PROXY ? e.TRUST_PROXY.split(',').map((a) => a.trim()) : undefined,
    secretsKey: e.SECRETS_KEY,
    documentsKey: e.DOCUMENTS_KEY,
    kycProvider: e.KYC_PROVIDER_URL ? { url: e.KYC_PROVIDER_URL, token: e.KYC_PROVIDER_TOKEN!, timeoutMs: e.KYC_PROVIDER_TIMEOUT_MS } : undefined,
    jobsPollMs: e.JOBS_POLL_MS,
  };
}
