// The KYC-provider simulator: a document-verification service over HTTP, in the shape of the
// commercial ones (Onfido, Sumsub, Veriff): an API token, an idempotency key, a check resource with
// the extracted data, MRZ check-digit results, and liveness and face-match scores. It reads the MRZ
// the generated documents carry and validates it with the `mrz` library, so check digits are real.
//
// Faults are injected through `/_sim/faults` (or `faults()` in-process): the next N requests fail
// with 503 or hang past the client's timeout; liveness fails for named surnames; extracted fields
// differ from the document for named surnames. Simulator code: never part of a production build.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fastify from 'fastify';
import { parse as parseMrz } from 'mrz';
import countries from 'i18n-iso-countries';
import { embeddedMrz } from './documents.js';

export interface KycFaults {
  /** the next N check requests answer 503 */
  failNext: number;
  /** the next N check requests answer only after `hangMs` */
  hangNext: number;
  hangMs: number;
  /** surnames (upper case, as in the MRZ) whose selfie fails liveness */
  livenessFail: string[];
  /** surnames whose face does not match the document photo */
  faceMismatch: string[];
  /** surname -> fields the "OCR" reads differently from the document */
  mismatch: Record<string, Partial<Record<'firstName' | 'lastName' | 'dateOfBirth' | 'documentNumber' | 'expiryDate', string>>>;
}

export interface KycCheckRequest {
  reference: string;
  documentType: string;
  fileName: string;
  contentBase64: string;
}

export interface KycCheckResult {
  id: string;
  reference: string;
  status: 'complete';
  /** clear: readable, valid MRZ, liveness and face match passed; consider: something to look at; unreadable: no data read */
  result: 'clear' | 'consider' | 'unreadable';
  document: null | {
    type: 'passport';
    firstName: string;
    lastName: string;
    dateOfBirth: string | null;
    documentNumber: string;
    expiryDate: string | null;
    nationality: string | null;
    issuingCountry: string | null;
    mrz: { lines: string[]; valid: boolean; checkDigits: Record<'documentNumber' | 'dateOfBirth' | 'expiryDate' | 'composite', boolean> };
  };
  liveness: { score: number; result: 'pass' | 'fail' };
  faceMatch: { score: number; result: 'pass' | 'fail' };
  createdAt: string;
}

const emptyFaults = (): KycFaults => ({ failNext: 0, hangNext: 0, hangMs: 0, livenessFail: [], faceMismatch: [], mismatch: {} });

/** YYMMDD to YYYY-MM-DD: birth dates are in the past (so a year after this one's is 19xx); expiry dates are 20xx. */
function mrzDate(yymmdd: string | null | undefined, kind: 'birth' | 'expiry', today: Date): string | null {
  if (!yymmdd || !/^\d{6}$/.test(yymmdd)) return null;
  const yy = Number(yymmdd.slice(0, 2));
  const century = kind === 'expiry' ? 2000 : yy > today.getUTCFullYear() % 100 ? 1900 : 2000;
  return `${century + yy}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
}

function score(seed: string, low: number, high: number): number {
  const n = createHash('sha256').update(seed).digest().readUInt32BE(0) / 0xffffffff;
  return Math.round((low + n * (high - low)) * 1000) / 1000;
}

/** What the provider finds in one document. Pure, so tests can call it without HTTP. */
export function examine(request: KycCheckRequest, faults: KycFaults, now: Date, id: string): KycCheckResult {
  const bytes = Buffer.from(request.contentBase64, 'base64');
  const lines = embeddedMrz(bytes);
  const base = { id, reference: request.reference, status: 'complete' as const, createdAt: now.toISOString() };
  if (!lines) {
    return { ...base, result: 'unreadable', document: null, liveness: { score: 0, result: 'fail' }, faceMatch: { score: 0, result: 'fail' } };
  }
  const parsed = parseMrz(lines);
  const f = parsed.fields;
  const valid = (field: string) => parsed.details.find((d) => d.field === field)?.valid ?? false;
  const lastName = (f.lastName ?? '').toUpperCase();
  const alpha2 = (a3: string | null | undefined) => (a3 ? (countries.alpha3ToAlpha2(a3) ?? null) : null);
  const document: NonNullable<KycCheckResult['document']> = {
    type: 'passport',
    firstName: f.firstName ?? '',
    lastName: f.lastName ?? '',
    dateOfBirth: mrzDate(f.birthDate, 'birth', now),
    documentNumber: f.documentNumber ?? '',
    expiryDate: mrzDate(f.expirationDate, 'expiry', now),
    nationality: alpha2(f.nationality),
    issuingCountry: alpha2(f.issuingState),
    mrz: {
      lines,
      valid: parsed.valid,
      checkDigits: {
        documentNumber: valid('documentNumberCheckDigit'),
        dateOfBirth: valid('birthDateCheckDigit'),
        expiryDate: valid('expirationDateCheckDigit'),
        composite: valid('compositeCheckDigit'),
      },
    },
  };
  Object.assign(document, faults.mismatch[lastName] ?? {});
  const livenessFails = faults.livenessFail.includes(lastName);
  const faceFails = faults.faceMismatch.includes(lastName);
  const liveness = livenessFails ? { score: score(`l${id}`, 0.05, 0.4), result: 'fail' as const } : { score: score(`l${lines[1]}`, 0.86, 0.99), result: 'pass' as const };
  const faceMatch = faceFails ? { score: score(`f${id}`, 0.1, 0.45), result: 'fail' as const } : { score: score(`f${lines[1]}`, 0.82, 0.98), result: 'pass' as const };
  const clean = parsed.valid && liveness.result === 'pass' && faceMatch.result === 'pass' && !faults.mismatch[lastName];
  return { ...base, result: clean ? 'clear' : 'consider', document, liveness, faceMatch };
}

export interface KycProviderSimulator {
  url: string;
  apiKey: string;
  faults(change: Partial<KycFaults>): void;
  stats(): { requests: number; checks: number; failed: number; hung: number };
  close(): Promise<void>;
}

export async function startKycProviderSimulator(opts: { port?: number; apiKey?: string; now?: () => Date } = {}): Promise<KycProviderSimulator> {
  const apiKey = opts.apiKey ?? randomBytes(24).toString('base64url');
  const now = opts.now ?? (() => new Date());
  let faults = emptyFaults();
  const checks = new Map<string, KycCheckResult>();
  const byIdempotencyKey = new Map<string, string>();
  const stats = { requests: 0, checks: 0, failed: 0, hung: 0 };
  const app = fastify({ logger: false, bodyLimit: 25 * 1024 * 1024 });
  const hanging = new Set<() => void>();

  const authorised = (header: string | undefined) => {
    const expected = Buffer.from(`Token token=${apiKey}`);
    const got = Buffer.from(header ?? '');
    return got.length === expected.length && timingSafeEqual(got, expected);
  };

  app.addHook('onRequest', async (req, reply) => {
    stats.requests++;
    if (req.url.startsWith('/_sim/')) return;
    if (!authorised(req.headers.authorization)) return reply.code(401).send({ error: { type: 'authorization_error', message: 'Invalid or missing API token' } });
  });

  app.post('/v1/checks', async (req, reply) => {
    const body = req.body as Partial<KycCheckRequest> | undefined;
    const missing = ['reference', 'documentType', 'fileName', 'contentBase64'].filter((k) => typeof body?.[k as keyof KycCheckRequest] !== 'string' || !body[k as keyof KycCheckRequest]);
    if (missing.length) return reply.code(422).send({ error: { type: 'validation_error', message: `missing or empty: ${missing.join(', ')}` } });
    if (faults.failNext > 0) {
      faults.failNext--;
      stats.failed++;
      return reply.code(503).send({ error: { type: 'service_unavailable', message: 'The verification service is temporarily unavailable' } });
    }
    if (faults.hangNext > 0) {
      faults.hangNext--;
      stats.hung++;
      await new Promise<void>((resolve) => {
        const release = () => {
          clearTimeout(t);
          hanging.delete(release);
          resolve();
        };
        const t = setTimeout(release, faults.hangMs);
        hanging.add(release);
      });
    }
    const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
    const seen = key ? byIdempotencyKey.get(key) : undefined;
    if (seen) return reply.code(200).send(checks.get(seen));
    const id = `chk_${randomBytes(8).toString('hex')}`;
    const result = examine(body as KycCheckRequest, faults, now(), id);
    checks.set(id, result);
    if (key) byIdempotencyKey.set(key, id);
    stats.checks++;
    return reply.code(201).send(result);
  });

  app.get('/v1/checks/:id', async (req, reply) => {
    const check = checks.get((req.params as { id: string }).id);
    return check ? check : reply.code(404).send({ error: { type: 'resource_not_found', message: 'No such check' } });
  });

  app.post('/_sim/faults', async (req) => {
    faults = { ...faults, ...(req.body as Partial<KycFaults>) };
    return faults;
  });
  app.get('/_sim/stats', async () => stats);

  const address = await app.listen({ host: '127.0.0.1', port: opts.port ?? 0 });
  return {
    url: address,
    apiKey,
    faults(change) {
      faults = { ...faults, ...change };
    },
    stats: () => ({ ...stats }),
    async close() {
      for (const release of [...hanging]) release();
      await app.close();
    },
  };
}
