// The webhook formats the server accepts, from its configuration: Stripe and Adyen where their
// keys are set, and the generic format for every other provider with a PSP_<PROVIDER>_SECRET.
// A provider without a key is unknown (404): nothing unsigned is ever taken.

import type { Config } from '../../../config.js';
import { AdyenFormat } from './adyen.js';
import type { WebhookFormat } from './event.js';
import { GenericFormat } from './generic.js';
import { StripeFormat } from './stripe.js';

export function webhookFormats(config: Pick<Config, 'pspSecrets' | 'adyenHmacKey'>): Map<string, WebhookFormat> {
  const formats = new Map<string, WebhookFormat>();
  for (const [provider, secret] of Object.entries(config.pspSecrets)) {
    if (provider === 'adyen') continue;
    formats.set(provider, provider === 'stripe' ? new StripeFormat(secret) : new GenericFormat(provider, secret));
  }
  if (config.adyenHmacKey) formats.set('adyen', new AdyenFormat(config.adyenHmacKey));
  return formats;
}
