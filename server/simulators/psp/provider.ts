// The payment-provider simulator: a PSP speaking the generic format (CONTRACT §HTTP) both ways.
// Its API (requests signed with the shared secret, X-Signature over "<t>.<body or path>"):
// `POST /v1/payouts` with an Idempotency-Key (one key, one payout), `GET /v1/payouts?idempotencyKey=`,
// `GET /v1/payments?reference=`. It sends signed webhooks to the back office: payments paid or
// failed, payouts paid or failed, refunds and chargebacks.
//
// Faults, as real providers have them, through `faults()` or `POST /_sim/faults`:
// - webhooks duplicated (some under a new event id), reordered, delayed, or lost (the back office
//   then finds the payment by polling);
// - payouts that fail, are refused, or time out / reset the connection / answer 5xx with the money
//   sent anyway (the payout exists and is paid; only the answer was lost).
// Simulator code: never part of a production build.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fastify from 'fastify';
import { signGeneric, verifyGeneric } from '../../modules/payments/psp/generic.js';
import { WebhookRefused } from '../../modules/payments/psp/event.js';

export type PayoutFault = 'none' | 'fail' | 'refuse' | 'timeout_sent' | 'reset_sent' | 'error_sent';

export interface PspFaults {
  /** what the next payouts meet, in order (then `none`) */
  payouts: PayoutFault[];
  /** share of webhooks delivered twice, and of those the share under a new event id */
  duplicateRate: number;
  newIdShare: number;
  /** share of webhooks never delivered */
  lossRate: number;
  /** webhooks held back up to this many ms (random), so that they arrive out of order */
  maxDelayMs: number;
  /** how long a `timeout_sent` payout keeps the connection before answering */
  hangMs: number;
  /** references whose payout lookups answer 503 (the provider's reporting is down for them) */
  lookupsFail: string[];
}

export interface SimPayment {
  id: string;
  reference: string;
  status: 'pending' | 'succeeded' | 'failed';
  amount: string;
  currency: string;
  failureCode: string | null;
}

export interface SimPayout {
  id: string;
  idempotencyKey: string;
  reference: string;
  amount: string;
  currency: string;
  status: 'pending' | 'paid' | 'failed';
  failureCode: string | null;
}

export interface PspSimulator {
  url: string;
  provider: string;
  secret: string;
  /** Where its webhooks go (the back office's /webhooks/psp/<provider>). */
  setWebhookUrl(url: string): void;
  faults(change: Partial<PspFaults>): void;
  /** The payer pays (or fails to pay) a deposit: the payment is recorded and its webhook sent. */
  pay(input: { reference: string; amount: string; currency: string; payerName?: string; fail?: string }): Promise<SimPayment>;
  /** Refund or charge back a payment: recorded and the webhook sent. */
  refund(reference: string, amount: string): Promise<void>;
  chargeback(reference: string, amount: string, reason?: string): Promise<void>;
  payouts(): SimPayout[];
  /** Waits for every webhook held back or in flight. */
  drain(): Promise<void>;
  stats(): { webhooksSent: number; webhooksLost: number; duplicates: number; payoutRequests: number };
  close(): Promise<void>;
}

function emptyFaults(): PspFaults {
  return { payouts: [], duplicateRate: 0, newIdShare: 0, lossRate: 0, maxDelayMs: 0, hangMs: 15_000, lookupsFail: [] };
}

export async function startPspSimulator(opts: { port?: number; provider?: string; secret?: string; webhookUrl?: string; random?: () => number; now?: () => number; stateFile?: string } = {}): Promise<PspSimulator> {
  const provider = opts.provider ?? 'simpay';
  const secret = opts.secret ?? randomBytes(24).toString('base64url');
  const random = opts.random ?? Math.random;
  const nowSeconds = () => Math.floor((opts.now?.() ?? Date.now()) / 1000);
  let webhookUrl = opts.webhookUrl ?? null;
  let faults = emptyFaults();
  // A provider remembers its payments and payouts: with `stateFile` the simulator does too, across restarts.
  const saved = opts.stateFile && fs.existsSync(opts.stateFile) ? (JSON.parse(fs.readFileSync(opts.stateFile, 'utf8')) as { payments: SimPayment[]; payouts: SimPayout[] }) : { payments: [], payouts: [] };
  const payments = new Map<string, SimPayment>(saved.payments.map((p) => [p.reference, p]));
  const payouts = new Map<string, SimPayout>(saved.payouts.map((p) => [p.idempotencyKey, p]));
  const save = () => {
    if (opts.stateFile) fs.writeFileSync(opts.stateFile, JSON.stringify({ payments: [...payments.values()], payouts: [...payouts.values()] }), { mode: 0o600 });
  };
  const inFlight = new Set<Promise<void>>();
  const stats = { webhooksSent: 0, webhooksLost: 0, duplicates: 0, payoutRequests: 0 };
  let serial = 0;
  const nextId = (prefix: string) => `${prefix}_${Date.now().toString(36)}${(++serial).toString(36).padStart(5, '0')}`;

  async function deliver(body: string): Promise<void> {
    if (!webhookUrl) return;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const res = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signGeneric(body, secret, nowSeconds()) }, body, signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        stats.webhooksSent++;
        if (res.status < 500) return;
      } catch {
        // retried like a provider retries: a little later
      }
      await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
    }
  }

  /** Sends an event with the faults in force: lost, delayed, duplicated (maybe under a new id). */
  function send(type: string, data: Record<string, unknown>): void {
    const event = { id: nextId('evt'), type, data };
    if (random() < faults.lossRate) {
      stats.webhooksLost++;
      return;
    }
    const copies = [event];
    if (random() < faults.duplicateRate) {
      stats.duplicates++;
      copies.push(random() < faults.newIdShare ? { ...event, id: nextId('evt') } : event);
    }
    for (const copy of copies) {
      const delay = faults.maxDelayMs > 0 ? Math.floor(random() * faults.maxDelayMs) : 0;
      const p = new Promise<void>((resolve) => setTimeout(resolve, delay)).then(() => deliver(JSON.stringify(copy)));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
  }

  const app = fastify({ logger: false, forceCloseConnections: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.addHook('preHandler', async (req, reply) => {
    if (req.url.startsWith('/_sim/')) return;
    const signed = req.method === 'GET' ? Buffer.from(req.url) : Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    try {
      verifyGeneric(signed, typeof req.headers['x-signature'] === 'string' ? req.headers['x-signature'] : undefined, secret, nowSeconds());
    } catch (error) {
      if (error instanceof WebhookRefused) return reply.code(401).send({ error: error.message, code: 'unauthorised' });
      throw error;
    }
  });

  app.post('/v1/payouts', async (req, reply) => {
    stats.payoutRequests++;
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || key.length === 0) return reply.code(400).send({ error: 'Idempotency-Key header required', code: 'idempotency_key_missing' });
    const existing = payouts.get(key);
    if (existing) return reply.code(200).send(existing);
    const body = JSON.parse((req.body as Buffer).toString('utf8')) as { reference?: string; amount?: string; currency?: string; destination?: { account?: string } };
    if (!body.reference || !body.amount || !body.currency) return reply.code(400).send({ error: 'reference, amount and currency are required', code: 'invalid_request' });
    const fault = faults.payouts.shift() ?? 'none';
    if (fault === 'refuse') return reply.code(422).send({ error: `destination ${body.destination?.account ?? ''} is not a valid account`, code: 'invalid_destination' });
    const payout: SimPayout = { id: nextId('po'), idempotencyKey: key, reference: body.reference, amount: body.amount, currency: body.currency, status: fault === 'fail' ? 'failed' : 'paid', failureCode: fault === 'fail' ? 'account_closed' : null };
    payouts.set(key, payout);
    save();
    send(payout.status === 'paid' ? 'payout.paid' : 'payout.failed', { reference: payout.reference, providerTxId: payout.id, amount: payout.amount, currency: payout.currency, ...(payout.failureCode ? { failureCode: payout.failureCode } : {}) });
    // The money has left in every *_sent fault: only the answer is lost.
    if (fault === 'timeout_sent') await new Promise((r) => setTimeout(r, faults.hangMs));
    if (fault === 'reset_sent') {
      req.raw.socket.destroy();
      return reply;
    }
    if (fault === 'error_sent') return reply.code(502).send({ error: 'upstream bank gateway error', code: 'gateway_error' });
    return reply.code(201).send({ ...payout, status: 'pending' });
  });

  app.get<{ Querystring: { idempotencyKey?: string } }>('/v1/payouts', async (req, reply) => {
    const payout = payouts.get(req.query.idempotencyKey ?? '');
    if (payout && faults.lookupsFail.includes(payout.reference)) return reply.code(503).send({ error: 'payout reporting is temporarily unavailable', code: 'unavailable' });
    return payout ? reply.send(payout) : reply.code(404).send({ error: 'no such payout', code: 'not_found' });
  });

  app.get<{ Querystring: { reference?: string } }>('/v1/payments', async (req, reply) => {
    const payment = payments.get(req.query.reference ?? '');
    return payment ? reply.send(payment) : reply.code(404).send({ error: 'no such payment', code: 'not_found' });
  });

  app.post('/_sim/faults', async (req) => {
    const change = JSON.parse((req.body as Buffer).toString('utf8')) as Partial<PspFaults>;
    faults = { ...faults, ...change };
    return faults;
  });

  const address = await app.listen({ host: '127.0.0.1', port: opts.port ?? 0 });

  return {
    url: address,
    provider,
    secret,
    setWebhookUrl(url) {
      webhookUrl = url;
    },
    faults(change) {
      faults = { ...faults, ...change };
    },
    async pay(input) {
      const payment: SimPayment = { id: payments.get(input.reference)?.id ?? nextId('pay'), reference: input.reference, status: input.fail ? 'failed' : 'succeeded', amount: input.amount, currency: input.currency, failureCode: input.fail ?? null };
      payments.set(input.reference, payment);
      save();
      send(input.fail ? 'payment.failed' : 'payment.succeeded', { reference: input.reference, providerTxId: payment.id, amount: input.amount, currency: input.currency, ...(input.payerName ? { payerName: input.payerName } : {}), ...(input.fail ? { failureCode: input.fail } : {}) });
      return payment;
    },
    async refund(reference, amount) {
      const payment = payments.get(reference);
      if (!payment) throw new Error(`no payment for ${reference}`);
      send('payment.refunded', { reference, providerTxId: payment.id, amount, currency: payment.currency });
    },
    async chargeback(reference, amount, reason = 'fraudulent') {
      const payment = payments.get(reference);
      if (!payment) throw new Error(`no payment for ${reference}`);
      send('chargeback.created', { reference, providerTxId: payment.id, amount, currency: payment.currency, failureCode: reason });
    },
    payouts: () => [...payouts.values()],
    async drain() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    stats: () => ({ ...stats }),
    async close() {
      await Promise.all([...inFlight]);
      await app.close();
    },
  };
}
