// POST /webhooks/psp/<provider>: the raw bytes are verified by the provider's format, the events
// stored, the provider answered, and the events applied. The route has its own body parser
// (the raw bytes, never re-serialised JSON) and is outside tRPC: providers know nothing of it.
//
// - unknown provider (no key configured): 404, nothing stored;
// - wrong signature or stale timestamp: 401, audited (once a minute per provider, address and
//   reason, with the count of those not written, so that a flood cannot fill the log);
// - malformed body: 400 naming what is wrong;
// - otherwise 200 (Adyen: `[accepted]`) once the events are stored: a redelivery is stored once and
//   answered the same. The events are applied in the transaction that stores them, each in a
//   savepoint; one that fails to apply stays stored for the sweep.

import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Store } from '../../core/store.js';
import { WebhookRefused, type WebhookFormat } from './psp/event.js';
import { providerActor, type ProviderEvents } from './provider-events.js';

const REFUSAL_WINDOW_MS = 60_000;

export interface WebhookDeps {
  formats: ReadonlyMap<string, WebhookFormat>;
  events: ProviderEvents;
  store: Store;
  log: FastifyBaseLogger;
}

export async function registerWebhooks(app: FastifyInstance, deps: WebhookDeps): Promise<void> {
  const refusals = new Map<string, { until: number; suppressed: number }>();

  async function auditRefusal(provider: string, ip: string | null, userAgent: string | null, status: number, reason: string): Promise<void> {
    const key = `${provider}|${ip ?? ''}|${reason}`;
    const now = Date.now();
    const seen = refusals.get(key);
    if (seen && seen.until > now) {
      seen.suppressed += 1;
      return;
    }
    refusals.set(key, { until: now + REFUSAL_WINDOW_MS, suppressed: 0 });
    if (refusals.size > 10_000) for (const [k, v] of refusals) if (v.until <= now) refusals.delete(k);
    await deps.store.mutate(providerActor(provider, ip, userAgent), async (m) => {
      m.audit({ action: 'payments.webhook.refused', targetType: 'psp_webhook', targetId: provider, after: { status, reason, alsoRefusedInPreviousWindow: seen?.suppressed ?? 0 } });
    });
  }

  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));

    scope.post<{ Params: { provider: string } }>('/webhooks/psp/:provider', async (req, reply) => {
      const provider = req.params.provider.toLowerCase();
      const format = deps.formats.get(provider);
      if (!format) return reply.code(404).send({ error: `unknown payment provider "${req.params.provider}": no webhook key is configured for it` });
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const userAgent = typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null;
      let events;
      try {
        if (raw.length === 0) throw new WebhookRefused(400, 'body is empty');
        events = format.read({
          raw,
          header: (name) => {
            const v = req.headers[name.toLowerCase()];
            return Array.isArray(v) ? v[0] : v;
          },
          nowSeconds: Math.floor(deps.store.clock.now().getTime() / 1000),
        });
      } catch (error) {
        if (!(error instanceof WebhookRefused)) throw error;
        if (error.status === 401) await auditRefusal(provider, req.ip ?? null, userAgent, error.status, error.message);
        return reply.code(error.status).send({ error: error.message });
      }
      const { duplicates } = await deps.events.receive(providerActor(provider, req.ip ?? null, userAgent), events, raw, (err, eventRow) => deps.log.error({ err, provider, eventRow }, 'provider event stored but not applied; the sweep will retry it'));
      if (format.acknowledgement !== undefined) return reply.header('content-type', 'text/plain').send(format.acknowledgement);
      return reply.header('content-type', 'application/json').send(JSON.stringify({ received: events.length, duplicates }));
    });
  });
}
