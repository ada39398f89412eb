// Stripe's webhooks: the `Stripe-Signature` header verified by the official `stripe` package over
// the raw body (300 s tolerance, secret PSP_STRIPE_SECRET), then the event read into our shape.
// The deposit reference travels in `data.object.metadata.depositRef`; amounts are minor units
// with a lowercase currency. A refund's amount is the total refunded so far on the charge.

import Stripe from 'stripe';
import { isCurrency, type Money } from '../../../../shared/money.js';
import { WebhookRefused, type EventKind, type ProviderEvent, type WebhookFormat, type WebhookRequest } from './event.js';
import { TOLERANCE_SECONDS } from './generic.js';

const KINDS: Record<string, EventKind> = {
  'payment_intent.succeeded': 'payment.succeeded',
  'payment_intent.payment_failed': 'payment.failed',
  'charge.refunded': 'payment.refunded',
  'charge.dispute.created': 'chargeback.created',
};

type Obj = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});

function money(minor: unknown, currency: unknown, field: string): Money {
  if (typeof minor !== 'number' || !Number.isSafeInteger(minor) || minor <= 0) throw new WebhookRefused(400, `Stripe event ${field}: ${JSON.stringify(minor)} is not a whole number of minor units above zero`);
  const code = typeof currency === 'string' ? currency.toUpperCase() : '';
  if (!isCurrency(code)) throw new WebhookRefused(400, `Stripe event currency: ${JSON.stringify(currency)} is not an ISO 4217 currency`);
  return { minor: BigInt(minor), currency: code };
}

export class StripeFormat implements WebhookFormat {
  readonly provider = 'stripe';

  constructor(private readonly secret: string) {}

  read(request: WebhookRequest): ProviderEvent[] {
    const header = request.header('stripe-signature');
    if (!header) throw new WebhookRefused(401, 'Stripe-Signature header missing');
    let event: Stripe.Event;
    try {
      event = Stripe.webhooks.constructEvent(request.raw, header, this.secret, TOLERANCE_SECONDS, undefined, request.nowSeconds * 1000);
    } catch (error) {
      if (error instanceof SyntaxError) throw new WebhookRefused(400, 'body is not JSON');
      throw new WebhookRefused(401, `Stripe-Signature refused: ${(error as Error).message.split('\n')[0]}`);
    }
    if (typeof event.id !== 'string' || typeof event.type !== 'string') throw new WebhookRefused(400, 'Stripe event without id or type');
    const kind = KINDS[event.type] ?? 'other';
    const o = obj(obj(event.data).object);
    const base = { provider: this.provider, eventId: event.id, kind, providerType: event.type, failureCode: null, payerName: null, refundIsTotal: false };
    switch (kind) {
      case 'payment.succeeded':
      case 'payment.failed': {
        const charge = obj((obj(o.charges).data as unknown[] | undefined)?.[0]);
        const error = obj(o.last_payment_error);
        return [
          {
            ...base,
            reference: str(obj(o.metadata).depositRef),
            providerTxId: str(o.id),
            effectKey: str(o.id),
            amount: money(kind === 'payment.succeeded' && typeof o.amount_received === 'number' && o.amount_received > 0 ? o.amount_received : o.amount, o.currency, 'amount'),
            failureCode: kind === 'payment.failed' ? (str(error.decline_code) ?? str(error.code) ?? 'payment_failed') : null,
            payerName: str(obj(charge.billing_details).name),
          },
        ];
      }
      case 'payment.refunded': {
        const payment = str(o.payment_intent) ?? str(o.id);
        const total = money(o.amount_refunded, o.currency, 'amount_refunded');
        return [{ ...base, reference: str(obj(o.metadata).depositRef), providerTxId: payment, effectKey: payment && `${payment}:refunded:${total.minor}`, refundIsTotal: true, amount: total, payerName: str(obj(o.billing_details).name) }];
      }
      case 'chargeback.created': {
        const payment = str(o.payment_intent) ?? str(o.charge);
        return [{ ...base, reference: str(obj(o.metadata).depositRef), providerTxId: payment, effectKey: payment, amount: money(o.amount, o.currency, 'amount'), failureCode: str(o.reason) }];
      }
      default:
        return [{ ...base, reference: null, providerTxId: str(o.id), effectKey: null, amount: null }];
    }
  }
}
