// The CONTRACT's generic webhook format, spoken by the PSP simulator and any provider that adopts
// it: `X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with the provider's
// secret (PSP_<PROVIDER>_SECRET), refused when wrong or more than 300 s away.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { parsePositiveAmount } from '../../../../shared/money.js';
import { WebhookRefused, type EventKind, type ProviderEvent, type WebhookFormat, type WebhookRequest } from './event.js';

export const TOLERANCE_SECONDS = 300;

const GENERIC_TYPES = {
  'payment.succeeded': 'payment.succeeded',
  'payment.failed': 'payment.failed',
  'payment.refunded': 'payment.refunded',
  'payout.paid': 'payout.paid',
  'payout.failed': 'payout.failed',
  'chargeback.created': 'chargeback.created',
} as const satisfies Record<string, EventKind>;

const body = z
  .object({
    id: z.string().min(1).max(200),
    type: z.string().min(1).max(100),
    data: z.object({
      reference: z.string().min(1).max(100),
      providerTxId: z.string().min(1).max(200),
      amount: z.string(),
      currency: z.string(),
      failureCode: z.string().max(100).optional(),
      payerName: z.string().max(200).optional(),
    }),
  })
  .loose();

export function signGeneric(raw: string | Buffer, secret: string, t: number): string {
  const mac = createHmac('sha256', secret).update(`${t}.`).update(raw).digest('hex');
  return `t=${t},v1=${mac}`;
}

/** Checks the X-Signature header over the raw bytes; throws WebhookRefused(401) saying why. */
export function verifyGeneric(raw: Buffer, header: string | undefined, secret: string, nowSeconds: number): void {
  if (!header) throw new WebhookRefused(401, 'X-Signature header missing');
  const parts = new Map<string, string[]>();
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    if (eq <= 0) continue;
    const key = item.slice(0, eq).trim();
    parts.set(key, [...(parts.get(key) ?? []), item.slice(eq + 1).trim()]);
  }
  const t = parts.get('t')?.[0];
  const signatures = parts.get('v1') ?? [];
  if (!t || !/^\d{1,12}$/.test(t) || signatures.length === 0) throw new WebhookRefused(401, 'X-Signature header malformed: expected t=<unix seconds>,v1=<hex>');
  if (Math.abs(nowSeconds - Number(t)) > TOLERANCE_SECONDS) throw new WebhookRefused(401, `X-Signature timestamp ${t} is more than ${TOLERANCE_SECONDS} s from the server's time`);
  const expected = createHmac('sha256', secret).update(`${t}.`).update(raw).digest();
  const ok = signatures.some((s) => /^[0-9a-f]{64}$/i.test(s) && timingSafeEqual(Buffer.from(s, 'hex'), expected));
  if (!ok) throw new WebhookRefused(401, 'X-Signature does not match the body');
}

function readBody(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new WebhookRefused(400, 'body is not JSON');
  }
}

export class GenericFormat implements WebhookFormat {
  constructor(
    readonly provider: string,
    private readonly secret: string,
  ) {}

  read(request: WebhookRequest): ProviderEvent[] {
    verifyGeneric(request.raw, request.header('x-signature'), this.secret, request.nowSeconds);
    const parsed = body.safeParse(readBody(request.raw));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new WebhookRefused(400, `body field ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    const e = parsed.data;
    const kind: EventKind = (GENERIC_TYPES as Record<string, EventKind>)[e.type] ?? 'other';
    let amount;
    try {
      amount = parsePositiveAmount(e.data.amount, e.data.currency);
    } catch (error) {
      throw new WebhookRefused(400, `body field data.amount/data.currency: ${(error as Error).message}`);
    }
    return [
      {
        provider: this.provider,
        eventId: e.id,
        kind,
        reference: e.data.reference,
        providerTxId: e.data.providerTxId,
        effectKey: e.data.providerTxId,
        refundIsTotal: false,
        amount,
        failureCode: e.data.failureCode ?? null,
        payerName: e.data.payerName ?? null,
        providerType: e.type,
      },
    ];
  }
}
