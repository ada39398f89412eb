// Adyen's classic notifications: `notificationItems[].NotificationRequestItem`, each signed with the
// HMAC in `additionalData.hmacSignature`, verified by the official `@adyen/api-library`
// (hmacValidator, hex key PSP_ADYEN_HMAC_KEY). Our reference is `merchantReference`; Adyen's is
// `pspReference` (for a refund or chargeback, the payment's is `originalReference`). Adyen expects
// the answer `[accepted]`. An item has no event id of its own: Adyen identifies a notification by
// pspReference, eventCode and success, and so do we.

import { hmacValidator } from '@adyen/api-library';
import type { NotificationRequestItem } from '@adyen/api-library/lib/src/typings/notification/notificationRequestItem.js';
import { isCurrency } from '../../../../shared/money.js';
import { WebhookRefused, type EventKind, type ProviderEvent, type WebhookFormat, type WebhookRequest } from './event.js';

function kindOf(eventCode: string, success: boolean, reference: string): EventKind {
  switch (eventCode) {
    case 'AUTHORISATION':
      if (reference.startsWith('WD-')) return 'other';
      return success ? 'payment.succeeded' : 'payment.failed';
    case 'REFUND':
      return success ? 'payment.refunded' : 'other';
    case 'CHARGEBACK':
      return 'chargeback.created';
    case 'PAYOUT_THIRDPARTY':
    case 'PAIDOUT_REVERSED':
      return eventCode === 'PAYOUT_THIRDPARTY' && success ? 'payout.paid' : 'payout.failed';
    case 'PAYOUT_DECLINE':
      return 'payout.failed';
    default:
      return 'other';
  }
}

export class AdyenFormat implements WebhookFormat {
  readonly provider = 'adyen';
  readonly acknowledgement = '[accepted]';
  private readonly validator = new hmacValidator();

  constructor(private readonly hmacKey: string) {}

  read(request: WebhookRequest): ProviderEvent[] {
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.raw.toString('utf8'));
    } catch {
      throw new WebhookRefused(400, 'body is not JSON');
    }
    const items = (parsed as { notificationItems?: unknown }).notificationItems;
    if (!Array.isArray(items) || items.length === 0) throw new WebhookRefused(400, 'body has no notificationItems');
    return items.map((wrapper, i) => {
      const item = (wrapper as { NotificationRequestItem?: NotificationRequestItem } | null)?.NotificationRequestItem;
      if (!item || typeof item !== 'object') throw new WebhookRefused(400, `notificationItems[${i}] has no NotificationRequestItem`);
      for (const field of ['pspReference', 'eventCode', 'success'] as const) {
        if (typeof item[field] !== 'string' || item[field].length === 0) throw new WebhookRefused(400, `notificationItems[${i}].NotificationRequestItem.${field} missing`);
      }
      let valid: boolean;
      try {
        valid = this.validator.validateHMAC(item, this.hmacKey);
      } catch (error) {
        throw new WebhookRefused(401, `notificationItems[${i}]: ${(error as Error).message}`);
      }
      if (!valid) throw new WebhookRefused(401, `notificationItems[${i}]: hmacSignature does not match`);
      const success = item.success === 'true';
      const reference = typeof item.merchantReference === 'string' && item.merchantReference.length > 0 ? item.merchantReference : null;
      const kind = kindOf(item.eventCode, success, reference ?? '');
      const value = item.amount?.value;
      const currency = item.amount?.currency ?? '';
      const hasAmount = typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && isCurrency(currency);
      if (kind !== 'other' && !hasAmount) throw new WebhookRefused(400, `notificationItems[${i}].NotificationRequestItem.amount: ${JSON.stringify(item.amount ?? null)} is not minor units above zero in an ISO 4217 currency`);
      const original = typeof item.originalReference === 'string' && item.originalReference.length > 0 ? item.originalReference : null;
      const additional = (item.additionalData ?? {}) as Record<string, unknown>;
      return {
        provider: this.provider,
        eventId: `${item.pspReference}:${item.eventCode}:${item.success}`,
        kind,
        reference,
        providerTxId: kind === 'payment.refunded' || kind === 'chargeback.created' ? (original ?? item.pspReference) : item.pspReference,
        effectKey: item.pspReference,
        refundIsTotal: false,
        amount: hasAmount ? { minor: BigInt(value), currency } : null,
        failureCode: success ? null : (item.reason ?? 'declined'),
        payerName: typeof additional.cardHolderName === 'string' ? additional.cardHolderName : null,
        providerType: `${item.eventCode}${success ? '' : ' (failed)'}`,
      } satisfies ProviderEvent;
    });
  }
}
