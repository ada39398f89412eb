// The connector to the KYC provider (document extraction, MRZ, liveness, face match). Each call has
// a timeout, is retried with exponential backoff when the provider fails or times out (never when
// it refuses the request), and runs behind a circuit breaker: after consecutive failures the
// breaker opens and calls fail at once until it half-opens. The caller turns "unavailable" into a
// case for the manual queue. The idempotency key is the document's id, so a retry never makes a
// second check at the provider.

import { BrokenCircuitError, circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen, retry, TaskCancelledError, timeout, TimeoutStrategy, wrap } from 'cockatiel';
import { z } from 'zod';

const checkDigits = z.object({ documentNumber: z.boolean(), dateOfBirth: z.boolean(), expiryDate: z.boolean(), composite: z.boolean() });

/** The provider's answer, validated: nothing it sends is trusted unchecked. */
export const providerCheck = z.object({
  id: z.string().min(1).max(100),
  reference: z.string(),
  status: z.literal('complete'),
  result: z.enum(['clear', 'consider', 'unreadable']),
  document: z
    .object({
      type: z.string(),
      firstName: z.string(),
      lastName: z.string(),
      dateOfBirth: z.string().nullable(),
      documentNumber: z.string(),
      expiryDate: z.string().nullable(),
      nationality: z.string().nullable(),
      issuingCountry: z.string().nullable(),
      mrz: z.object({ lines: z.array(z.string()), valid: z.boolean(), checkDigits }),
    })
    .nullable(),
  liveness: z.object({ score: z.number(), result: z.enum(['pass', 'fail']) }),
  faceMatch: z.object({ score: z.number(), result: z.enum(['pass', 'fail']) }),
  createdAt: z.string(),
});

export type ProviderCheck = z.infer<typeof providerCheck>;

/** The provider could not be reached or kept failing; the case goes to the manual queue with `message`. */
export class ProviderUnavailable extends Error {
  override readonly name = 'ProviderUnavailable';
}

/** The provider refused the request (bad token, bad request, bad answer): a configuration fault, not an outage. */
export class ProviderRefused extends Error {
  override readonly name = 'ProviderRefused';
}

class TransientFailure extends Error {}

export interface KycProviderOptions {
  url: string;
  token: string;
  timeoutMs: number;
  /** retries after the first attempt */
  retries?: number;
  /** consecutive failures that open the breaker */
  breakerThreshold?: number;
  halfOpenAfterMs?: number;
}

export class KycProviderClient {
  readonly name = 'kyc-provider';
  private readonly policy;
  private readonly breaker;

  constructor(private readonly opts: KycProviderOptions) {
    const transient = handleWhen((e) => e instanceof TransientFailure || e instanceof TaskCancelledError);
    this.breaker = circuitBreaker(transient, {
      halfOpenAfter: opts.halfOpenAfterMs ?? 30_000,
      breaker: new ConsecutiveBreaker(opts.breakerThreshold ?? 5),
    });
    const initialDelay = Math.max(20, Math.min(500, Math.floor(opts.timeoutMs / 4)));
    this.policy = wrap(
      retry(transient, { maxAttempts: opts.retries ?? 2, backoff: new ExponentialBackoff({ initialDelay, maxDelay: initialDelay * 8 }) }),
      this.breaker,
      timeout(opts.timeoutMs, TimeoutStrategy.Aggressive),
    );
  }

  get circuit(): 'closed' | 'open' | 'half-open' | 'isolated' {
    return (['closed', 'open', 'half-open', 'isolated'] as const)[this.breaker.state] ?? 'closed';
  }

  async check(request: { reference: string; documentType: string; fileName: string; content: Buffer }): Promise<ProviderCheck> {
    try {
      return await this.policy.execute(async ({ signal }) => {
        let res: Response;
        try {
          res = await fetch(new URL('/v1/checks', this.opts.url), {
            method: 'POST',
            signal,
            headers: { 'content-type': 'application/json', authorization: `Token token=${this.opts.token}`, 'idempotency-key': request.reference },
            body: JSON.stringify({ reference: request.reference, documentType: request.documentType, fileName: request.fileName, contentBase64: request.content.toString('base64') }),
          });
        } catch (error) {
          if (signal.aborted) throw error;
          throw new TransientFailure(`cannot reach ${this.opts.url}: ${(error as Error).message}`);
        }
        if (res.status >= 500 || res.status === 429) throw new TransientFailure(`the provider answered ${res.status}`);
        const body = (await res.json().catch(() => null)) as unknown;
        if (!res.ok) throw new ProviderRefused(`the provider refused the check (${res.status}): ${JSON.stringify(body).slice(0, 300)}`);
        const parsed = providerCheck.safeParse(body);
        if (!parsed.success) throw new ProviderRefused(`the provider's answer is not a check: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
        return parsed.data;
      });
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw new ProviderUnavailable('the KYC provider is failing and its circuit breaker is open');
      if (error instanceof TaskCancelledError) throw new ProviderUnavailable(`the KYC provider did not answer within ${this.opts.timeoutMs} ms (after retries)`);
      if (error instanceof TransientFailure) throw new ProviderUnavailable(`the KYC provider is unavailable: ${error.message} (after retries)`);
      throw error;
    }
  }
}
