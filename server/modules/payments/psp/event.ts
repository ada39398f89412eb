// What a payment provider's webhook says, read out of its own format into one shape the deposit
// and withdrawal flows apply. The raw body is kept beside it, as received.

import type { Money } from '../../../../shared/money.js';

export const EVENT_KINDS = ['payment.succeeded', 'payment.failed', 'payment.refunded', 'chargeback.created', 'payout.paid', 'payout.failed', 'other'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface ProviderEvent {
  provider: string;
  /** The provider's own event id: a redelivery carries the same one. */
  eventId: string;
  kind: EventKind;
  /** Our reference (DEP-…, WD-…) as the provider echoes it back, when it does. */
  reference: string | null;
  /** The provider's id of the payment or payout the event is about (a refund names its payment's). */
  providerTxId: string | null;
  /**
   * With the provider and kind, the business key under which the event takes effect once: the
   * payment's id for a payment, a refund's own id where the provider gives one (Adyen), and the
   * payment's id with the total refunded where it reports totals (Stripe).
   */
  effectKey: string | null;
  /** A refund's amount is the payment's total refunded so far (Stripe), not this refund's. */
  refundIsTotal: boolean;
  amount: Money | null;
  failureCode: string | null;
  payerName: string | null;
  /** The provider's name for what happened (`payment_intent.succeeded`, `AUTHORISATION`), for people. */
  providerType: string;
}

/** Why a webhook is refused, as the HTTP status the provider gets. Nothing is stored. */
export class WebhookRefused extends Error {
  override readonly name = 'WebhookRefused';
  constructor(
    readonly status: 400 | 401 | 404,
    message: string,
  ) {
    super(message);
  }
}

export interface WebhookRequest {
  raw: Buffer;
  header(name: string): string | undefined;
  /** Unix seconds, from the server's clock. */
  nowSeconds: number;
}

/** One provider's webhook format: verify over the raw bytes, then read the events it carries. */
export interface WebhookFormat {
  readonly provider: string;
  /** Verifies and reads, or throws WebhookRefused (401 for signatures, 400 for bodies). */
  read(request: WebhookRequest): ProviderEvent[];
  /** A fixed plain-text answer the provider expects once the events are stored (Adyen: `[accepted]`); otherwise the counts as JSON. */
  readonly acknowledgement?: string;
}
