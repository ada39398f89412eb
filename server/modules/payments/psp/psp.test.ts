// Each webhook format against the published test vectors in ../shared/data/psp (read as raw
// bytes), and against the refusals a provider's mistakes or an attacker's forgeries must meet.

import { readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { dataFile, SHARED_DATA_MISSING, sharedDataPresent } from '../../../testing/shared-data.js';
import { AdyenFormat } from './adyen.js';
import { WebhookRefused, type WebhookFormat } from './event.js';
import { GenericFormat, signGeneric } from './generic.js';
import { StripeFormat } from './stripe.js';

function request(raw: Buffer | string, headers: Record<string, string>, nowSeconds: number) {
  return { raw: Buffer.isBuffer(raw) ? raw : Buffer.from(raw), header: (n: string) => headers[n.toLowerCase()], nowSeconds };
}

function refusal(format: WebhookFormat, req: ReturnType<typeof request>): { status: number; message: string } {
  try {
    format.read(req);
  } catch (error) {
    if (error instanceof WebhookRefused) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('expected the webhook to be refused');
}

interface Vectors {
  stripe: Array<{ secret: string; timestamp: number; payload_file: string; header: string; checks: Array<{ now?: number; tolerance_s?: number; payload_suffix_appended?: string; header?: string; expect: string }> }>;
  adyen_classic_notification_hmac: { vectors: Array<{ key: string; signing_string: string; expected: string }> };
}

if (!sharedDataPresent) it.skip(`webhook signature test vectors ${SHARED_DATA_MISSING}`, () => undefined);
else {
  const vectors = JSON.parse(readFileSync(dataFile('psp', 'webhook_signature_test_vectors.json'), 'utf8')) as Vectors;

  describe('Stripe-Signature, with the official stripe package, against stripe-dotnet’s vector', () => {
    const v = vectors.stripe[0]!;
    const payload = readFileSync(dataFile('psp', v.payload_file));
    const format = new StripeFormat(v.secret);

    it('accepts the signed payload within the tolerance, and reads an event it does not act on as “other”', () => {
      expect(payload.length).toBe(484);
      const [event] = format.read(request(payload, { 'stripe-signature': v.header }, v.timestamp + 100));
      expect(event).toMatchObject({ provider: 'stripe', eventId: expect.stringMatching(/^evt_/), kind: 'other', amount: null });
    });

    it('refuses each of the vector’s failing checks', () => {
      for (const check of v.checks.filter((c) => c.expect !== 'valid')) {
        const body = check.payload_suffix_appended ? Buffer.concat([payload, Buffer.from(check.payload_suffix_appended)]) : payload;
        const now = check.now ?? v.timestamp + 10;
        expect(refusal(format, request(body, { 'stripe-signature': check.header ?? v.header }, now)), check.expect).toMatchObject({ status: 401 });
      }
      expect(refusal(format, request(payload, {}, v.timestamp)).message).toMatch(/Stripe-Signature header missing/);
    });
  });

  describe('Adyen classic notification HMAC, with the official @adyen/api-library, against the SDKs’ vectors', () => {
    it('computes every published signature, delimiters and leading spaces included', () => {
      for (const v of vectors.adyen_classic_notification_hmac.vectors) {
        const parts = v.signing_string.split(':');
        const [pspReference, originalReference, merchantAccountCode] = parts;
        const [value, currency, eventCode, success] = parts.slice(-4);
        const merchantReference = parts.slice(3, -4).join(':');
        const item = { pspReference, originalReference, merchantAccountCode, merchantReference, amount: { value: Number(value), currency }, eventCode, success, additionalData: { hmacSignature: v.expected } };
        const format = new AdyenFormat(v.key);
        const body = JSON.stringify({ live: 'false', notificationItems: [{ NotificationRequestItem: item }] });
        const kinds = { AUTHORISATION: 'payment.succeeded', REFUND: 'other', EVENT: 'other', REPORT_AVAILABLE: 'other' } as Record<string, string>;
        if (eventCode === 'REFUND' && Number(value) === 0) {
          // A zero refund signs correctly but is no amount to apply.
          expect(refusal(format, request(body, {}, 0))).toMatchObject({ status: 400, message: expect.stringMatching(/amount/) });
          continue;
        }
        const [event] = format.read(request(body, {}, 0));
        expect(event, v.signing_string).toMatchObject({ provider: 'adyen', kind: kinds[eventCode!] ?? 'other', reference: merchantReference || null });
        const tampered = JSON.stringify({ notificationItems: [{ NotificationRequestItem: { ...item, amount: { value: Number(value) + 1, currency } } }] });
        expect(refusal(format, request(tampered, {}, 0)).status).toBe(401);
      }
    });

    it('reads the library’s AUTHORISATION sample, and refuses it under another key', () => {
      const raw = readFileSync(dataFile('psp', 'adyen', 'notifications', 'authorisationTrue.json'));
      const stranger = new AdyenFormat('44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056');
      expect(refusal(stranger, request(raw, {}, 0))).toMatchObject({ status: 401, message: expect.stringMatching(/hmacSignature does not match/) });
    });
  });
}

describe('the generic format (X-Signature: t=…,v1=…)', () => {
  const secret = 'whsec_generic_test_secret_0123456789';
  const format = new GenericFormat('simpay', secret);
  const body = JSON.stringify({ id: 'evt_1', type: 'payment.succeeded', data: { reference: 'DEP-000001', providerTxId: 'tx_1', amount: '1250.00', currency: 'EUR', payerName: 'Jane Doe' } });
  const t = 1_800_000_000;

  it('reads a signed event into minor units', () => {
    expect(format.read(request(body, { 'x-signature': signGeneric(body, secret, t) }, t + 299))).toEqual([
      { provider: 'simpay', eventId: 'evt_1', kind: 'payment.succeeded', reference: 'DEP-000001', providerTxId: 'tx_1', effectKey: 'tx_1', refundIsTotal: false, amount: { minor: 125_000n, currency: 'EUR' }, failureCode: null, payerName: 'Jane Doe', providerType: 'payment.succeeded' },
    ]);
  });

  it('computes the HMAC of "<t>.<raw body>" as the CONTRACT says', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signGeneric(body, secret, t)).toBe(`t=${t},v1=${expected}`);
  });

  it('refuses a wrong, stale, future or malformed signature with 401, saying which', () => {
    const ok = signGeneric(body, secret, t);
    expect(refusal(format, request(body, { 'x-signature': signGeneric(body, 'another-secret-of-enough-length', t) }, t)).message).toMatch(/does not match/);
    expect(refusal(format, request(body, { 'x-signature': ok }, t + 301)).message).toMatch(/more than 300 s/);
    expect(refusal(format, request(body, { 'x-signature': ok }, t - 301)).message).toMatch(/more than 300 s/);
    expect(refusal(format, request(`${body} `, { 'x-signature': ok }, t)).message).toMatch(/does not match/);
    for (const header of ['', 't=,v1=', 'v1=abc', `t=${t}`, ',,']) expect(refusal(format, request(body, { 'x-signature': header }, t)).status, header).toBe(401);
  });

  it('refuses malformed bodies with 400 naming the field, after the signature', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ id: 'e', type: 'payment.succeeded' }, /data/],
      [{ id: 'e', type: 'payment.succeeded', data: { reference: 'DEP-1', providerTxId: 't', amount: '0', currency: 'EUR' } }, /must be more than zero/],
      [{ id: 'e', type: 'payment.succeeded', data: { reference: 'DEP-1', providerTxId: 't', amount: '-5.00', currency: 'EUR' } }, /must be more than zero/],
      [{ id: 'e', type: 'payment.succeeded', data: { reference: 'DEP-1', providerTxId: 't', amount: 'ten', currency: 'EUR' } }, /not a decimal number/],
      [{ id: 'e', type: 'payment.succeeded', data: { reference: 'DEP-1', providerTxId: 't', amount: '1.001', currency: 'EUR' } }, /more than 2 decimals/],
      [{ id: 'e', type: 'payment.succeeded', data: { reference: 'DEP-1', providerTxId: 't', amount: '10', currency: 'XYZ' } }, /not a known ISO 4217/],
    ];
    for (const [payload, message] of cases) {
      const raw = JSON.stringify(payload);
      expect(refusal(format, request(raw, { 'x-signature': signGeneric(raw, secret, t) }, t)), raw).toMatchObject({ status: 400, message: expect.stringMatching(message) });
    }
    expect(refusal(format, request('{not json', { 'x-signature': signGeneric('{not json', secret, t) }, t))).toMatchObject({ status: 400, message: 'body is not JSON' });
  });
});

describe('Stripe events the deposit flow acts on', () => {
  const secret = 'whsec_stripe_test_secret_0123456789';
  const format = new StripeFormat(secret);
  const sign = (payload: string, t: number) => Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: t });
  const event = (type: string, object: Record<string, unknown>) => JSON.stringify({ id: `evt_${type}`, object: 'event', type, data: { object } });
  const t = 1_800_000_000;

  it('reads succeeded, failed, refunded and disputed payments, with the deposit reference from metadata', () => {
    const read = (type: string, object: Record<string, unknown>) => format.read(request(event(type, object), { 'stripe-signature': sign(event(type, object), t) }, t))[0];
    expect(read('payment_intent.succeeded', { id: 'pi_1', amount: 125050, amount_received: 125050, currency: 'eur', metadata: { depositRef: 'DEP-000007' } })).toMatchObject({ kind: 'payment.succeeded', reference: 'DEP-000007', providerTxId: 'pi_1', amount: { minor: 125_050n, currency: 'EUR' } });
    expect(read('payment_intent.payment_failed', { id: 'pi_2', amount: 5000, currency: 'usd', metadata: { depositRef: 'DEP-000008' }, last_payment_error: { code: 'card_declined', decline_code: 'insufficient_funds' } })).toMatchObject({ kind: 'payment.failed', failureCode: 'insufficient_funds' });
    expect(read('charge.refunded', { id: 'ch_1', payment_intent: 'pi_1', amount: 125050, amount_refunded: 5000, currency: 'eur', metadata: { depositRef: 'DEP-000007' } })).toMatchObject({ kind: 'payment.refunded', providerTxId: 'pi_1', effectKey: 'pi_1:refunded:5000', refundIsTotal: true, amount: { minor: 5000n } });
    expect(read('charge.dispute.created', { id: 'dp_1', charge: 'ch_1', payment_intent: 'pi_1', amount: 125050, currency: 'eur', reason: 'fraudulent' })).toMatchObject({ kind: 'chargeback.created', reference: null, providerTxId: 'pi_1', failureCode: 'fraudulent' });
  });

  it('refuses a stale signature and an amount that is not minor units', () => {
    const body = event('payment_intent.succeeded', { id: 'pi_1', amount: 12.5, currency: 'eur', metadata: {} });
    expect(refusal(format, request(body, { 'stripe-signature': sign(body, t) }, t))).toMatchObject({ status: 400, message: expect.stringMatching(/not a whole number of minor units/) });
    expect(refusal(format, request(body, { 'stripe-signature': sign(body, t - 400) }, t))).toMatchObject({ status: 401, message: expect.stringMatching(/tolerance/) });
  });
});
