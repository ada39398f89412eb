// The connector to a payment provider's API in the generic format (the PSP simulator speaks it; a
// provider that adopts the generic webhooks can adopt this too): requests are signed like its
// webhooks (`X-Signature: t=…,v1=…` over "<t>.<body>" with PSP_<PROVIDER>_SECRET), at
// PSP_<PROVIDER>_URL.
//
// - `POST /v1/payouts` with `Idempotency-Key`: the same key is the same payout, however often sent.
// - `GET /v1/payouts?idempotencyKey=…`: what became of a payout whose answer was lost.
// - `GET /v1/payments?reference=…`: a deposit's payment, for a deposit whose event is overdue.
//
// An answer that says nothing for sure (a timeout, a reset connection, a 5xx, a body that does not
// parse) is `unknown`, never a failure: the money may have left.

import { z } from 'zod';
import { signGeneric } from './psp/generic.js';

const payout = z.object({ id: z.string().min(1).max(200), status: z.enum(['pending', 'paid', 'failed']), failureCode: z.string().max(100).nullable().optional() });
const payment = z.object({ id: z.string().min(1).max(200), reference: z.string(), status: z.enum(['pending', 'succeeded', 'failed']), amount: z.string(), currency: z.string(), failureCode: z.string().nullable().optional() });

export type PayoutAnswer = { kind: 'accepted'; providerTxId: string; status: 'pending' | 'paid' | 'failed'; failureCode: string | null } | { kind: 'refused'; code: string; message: string } | { kind: 'unknown'; detail: string };
export type PayoutLookup = PayoutAnswer | { kind: 'not_found' };
export type PaymentLookup = { kind: 'found'; payment: z.infer<typeof payment> } | { kind: 'not_found' } | { kind: 'unknown'; detail: string };

export interface PayoutRequest {
  reference: string;
  amount: string;
  currency: string;
  destination: Record<string, string>;
}

export class PspApiClient {
  constructor(
    readonly provider: string,
    private readonly url: string,
    private readonly secret: string,
    private readonly timeoutMs = 10_000,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  private async call(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown } | { error: string }> {
    const text = body === undefined ? '' : JSON.stringify(body);
    try {
      const res = await fetch(new URL(path, this.url), {
        method,
        headers: { 'x-signature': signGeneric(method === 'GET' ? path : text, this.secret, this.nowSeconds()), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: text }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const raw = await res.text();
      let json: unknown = null;
      try {
        json = raw.length > 0 ? JSON.parse(raw) : null;
      } catch {
        if (res.status < 500) return { error: `${this.provider} answered ${res.status} with a body that is not JSON` };
      }
      return { status: res.status, json };
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      return { error: e.name === 'TimeoutError' ? `no answer from ${this.provider} within ${this.timeoutMs} ms` : `${this.provider} could not be reached: ${e.cause?.code ?? e.message}` };
    }
  }

  private answer(result: { status: number; json: unknown } | { error: string }): PayoutAnswer | { kind: 'not_found' } {
    if ('error' in result) return { kind: 'unknown', detail: result.error };
    if (result.status >= 500) return { kind: 'unknown', detail: `${this.provider} answered ${result.status}` };
    if (result.status === 404) return { kind: 'not_found' };
    if (result.status >= 400) {
      const e = (result.json ?? {}) as { code?: unknown; error?: unknown };
      return { kind: 'refused', code: typeof e.code === 'string' ? e.code : `http_${result.status}`, message: typeof e.error === 'string' ? e.error : `${this.provider} refused the payout (${result.status})` };
    }
    const parsed = payout.safeParse(result.json);
    if (!parsed.success) return { kind: 'unknown', detail: `${this.provider} answered ${result.status} with a payout this server cannot read` };
    return { kind: 'accepted', providerTxId: parsed.data.id, status: parsed.data.status, failureCode: parsed.data.failureCode ?? null };
  }

  async submitPayout(idempotencyKey: string, request: PayoutRequest): Promise<PayoutAnswer> {
    const answer = this.answer(await this.call('POST', '/v1/payouts', request, { 'idempotency-key': idempotencyKey }));
    return answer.kind === 'not_found' ? { kind: 'unknown', detail: `${this.provider} answered 404 to a payout` } : answer;
  }

  async findPayout(idempotencyKey: string): Promise<PayoutLookup> {
    return this.answer(await this.call('GET', `/v1/payouts?idempotencyKey=${encodeURIComponent(idempotencyKey)}`));
  }

  async findPayment(reference: string): Promise<PaymentLookup> {
    const result = await this.call('GET', `/v1/payments?reference=${encodeURIComponent(reference)}`);
    if ('error' in result) return { kind: 'unknown', detail: result.error };
    if (result.status === 404) return { kind: 'not_found' };
    if (result.status !== 200) return { kind: 'unknown', detail: `${this.provider} answered ${result.status}` };
    const parsed = payment.safeParse(result.json);
    return parsed.success ? { kind: 'found', payment: parsed.data } : { kind: 'unknown', detail: `${this.provider} answered a payment this server cannot read` };
  }
}
