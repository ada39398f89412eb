// KYC benchmarks over HTTP as a compliance officer: the first page of `kyc.queue` with 200k cases in
// the database (unfiltered, and filtered to open high-risk cases), and `clients.timeline` for one
// client with 5,000 events; dry runs of a kyc.risk draft over one logged scoring per case and of a
// screening-thresholds draft over as many logged near matches (screening-replay.ts). Rows
// are cloned in bulk from clients the real services registered, so
// every column is one the product writes; the audit events extend the real hash chain.

import { sql } from 'kysely';
import { startServer } from '../server/app.js';
import type { Engine } from '../server/db/connect.js';
import type { AuditEventRow } from '../server/db/schema.js';
import { totpCode } from '../server/modules/access/totp.js';
import { seedDemo } from '../server/seed/demo.js';
import { clientFor, createStorage, testConfig } from '../server/testing/harness.js';
import { DocumentStore } from '../server/modules/documents/store.js';
import { verifyPack } from '../server/modules/evidence/verify-pack.js';
import { randomBytes } from 'node:crypto';
import { assessRisk, type RiskInputs } from '../shared/kyc/risk.js';
import { benchScreeningReplay } from './screening-replay.js';
import { dataPresent } from './screening.js';

export interface KycBenchRow {
  engine: Engine;
  cases: number;
  queueP50Ms: number;
  queueP95Ms: number;
  filteredP50Ms: number;
  filteredP95Ms: number;
  statusP95Ms: number;
  timelineEvents: number;
  timelineP50Ms: number;
  timelineP95Ms: number;
  evidenceP50Ms: number;
  evidenceP95Ms: number;
  packEvents: number;
  packDocuments: number;
  packP50Ms: number;
  packMaxMs: number;
  staffEvents: number;
  staffP50Ms: number;
  staffP95Ms: number;
  riskDryRunDecisions: number;
  riskDryRunChanged: number;
  riskDryRunMs: number;
  /** null where ../shared/data is absent */
  screening: { decisions: number; changed: number; ms: number } | null;
}

const STATUSES = ['open', 'open', 'open', 'pending_documents', 'escalated', 'approved', 'approved', 'rejected'] as const;
const RISK = ['low', 'low', 'low', 'medium', 'high'] as const;
/** Issue 18: a pack for a client with 5,000 events and 20 documents. */
const PACK_DOCUMENTS = 20;

function percentiles(times: number[]): { p50: number; p95: number } {
  const s = [...times].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
  return { p50: at(50), p95: at(95) };
}

async function timed(samples: number, call: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < samples + 10; i++) {
    const t0 = performance.now();
    await call();
    if (i >= 10) times.push(performance.now() - t0); // the first calls warm caches and connections
  }
  return percentiles(times);
}

export async function benchKyc(engine: Engine, cases: number, timelineEvents: number, log: (line: string) => void): Promise<KycBenchRow> {
  const storage = await createStorage(engine);
  const server = await startServer(testConfig(storage, { DEMO: '1', AUDIT_CHECKPOINT_INTERVAL_MS: '3600000' }));
  try {
    const { credentials } = await seedDemo(server.services, { seed: 1 });
    const db = server.services.store.kysely;
    const clientTemplate = await db.selectFrom('clients').selectAll().where('type', '=', 'individual').limit(1).executeTakeFirstOrThrow();
    const caseTemplate = await db.selectFrom('kyc_cases').selectAll().where('client_id', '=', clientTemplate.id).executeTakeFirstOrThrow();
    const officer = await db.selectFrom('users').select('id').where('username', '=', 'compliance').executeTakeFirstOrThrow();
    // Other clients' events are another officer's work: the staff view of 'compliance' holds the subject's 5,000.
    const colleague = await db.selectFrom('users').select('id').where('username', '=', 'compliance.eu').executeTakeFirstOrThrow();
    const base = Date.parse('2025-01-01T00:00:00.000Z');
    log(`  ${engine}: writing ${cases.toLocaleString('en')} clients and KYC cases`);
    for (let start = 0; start < cases; start += 5000) {
      const n = Math.min(5000, cases - start);
      const clients: Array<typeof clientTemplate> = [];
      const kases: Array<typeof caseTemplate> = [];
      for (let i = start; i < start + n; i++) {
        const id = `CL-${String(900_000 + i).padStart(7, '0')}`;
        const at = new Date(base + i * 60_000).toISOString();
        const legalEntity = i % 3 === 0 ? 'global' : 'eu';
        const status = STATUSES[i % STATUSES.length]!;
        clients.push({ ...clientTemplate, id, external_id: `bench-${i}`, legal_entity: legalEntity, display_name: `Bench Client ${i}`, last_name: `Client ${i}`, email: `bench${i}@example.com`, created_at: at, updated_at: at });
        kases.push({
          ...caseTemplate,
          id: `KYC-${String(900_000 + i).padStart(7, '0')}`,
          client_id: id,
          legal_entity: legalEntity,
          status,
          risk_level: RISK[i % RISK.length]!,
          assignee_id: i % 4 === 0 ? officer.id : null,
          created_at: at,
          updated_at: at,
          status_changed_at: at,
        });
      }
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < n; i += 500) {
          await trx.insertInto('clients').values(clients.slice(i, i + 500)).execute();
          await trx.insertInto('kyc_cases').values(kases.slice(i, i + 500)).execute();
        }
      });
    }

    // One client's history: onboarding to the latest action, 5,000 events on the hash chain, among
    // four times as many of other clients (a pack proves its events inside segments shared with
    // them), signed every 1,000 events as the server signs; and 20 documents of 300 KB it recorded.
    const subject = clientTemplate.id;
    const documents = DocumentStore.open(storage.dataDir);
    const docRows = Array.from({ length: PACK_DOCUMENTS }, (_, i) => {
      const bytes = randomBytes(300_000);
      return { id: `DOC-${String(900_000 + i).padStart(7, '0')}`, client_id: subject, legal_entity: clientTemplate.legal_entity, kyc_case_id: caseTemplate.id, document_type: i % 2 ? ('proof_of_address' as const) : ('passport' as const), file_name: `scan-${i}.png`, mime: 'image/png', size: bytes.length, sha256: documents.put(bytes), source: 'portal', issued_at: null, expires_at: null, status: 'accepted' as const, rejection_reason: null, received_at: new Date(base).toISOString(), superseded_by: null };
    });
    await db.insertInto('documents').values(docRows).execute();
    let { seq, hash } = await db.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    const actions = ['screening.screened', 'client.updated', 'withdrawal.requested', 'deposit.completed', 'platform.balance.changed'];
    let events: AuditEventRow[] = [];
    for (let i = 0; i < timelineEvents * 5; i++) {
      seq += 1;
      const own = i % 5 === 0;
      const n = i / 5;
      const doc = own && n < PACK_DOCUMENTS ? docRows[n]! : null;
      const client = own ? subject : `CL-${String(900_000 + (i % 1000)).padStart(7, '0')}`;
      const fields = {
        seq, at: new Date(base + seq * 1000).toISOString(), actor_id: own ? officer.id : colleague.id, actor_name: own ? 'compliance' : 'compliance.eu', ip: '10.0.0.7', user_agent: 'bench', session_id: null,
        action: doc ? 'kyc.document.received' : actions[i % actions.length]!, target_type: doc ? 'document' : 'client', target_id: doc ? doc.id : client, client_id: client, legal_entity: clientTemplate.legal_entity,
        before_json: '{"status":"pending_review"}', after_json: doc ? JSON.stringify({ documentType: doc.document_type, sha256: doc.sha256 }) : '{"status":"approved","note":"bench"}', reason: 'bench', approvers_json: null, case_ref: caseTemplate.id, policy_ref: null,
        prev_hash: hash,
      };
      const row = server.services.auditLog.seal(fields);
      hash = row.hash;
      events.push(row);
      if (events.length === 1000 || i === timelineEvents * 5 - 1) {
        const batch = events;
        await db.transaction().execute(async (trx) => {
          for (let j = 0; j < batch.length; j += 500) await trx.insertInto('audit_events').values(batch.slice(j, j + 500)).execute();
        });
        await server.services.auditLog.checkpointNow(new Date().toISOString());
        events = [];
      }
    }
    // The execution log (issue 19): a risk scoring per bench case in the last 30 days, each with the
    // inputs it was scored on, cloned from a scoring the real services logged (payment method and
    // source of funds varied so a draft changes some and not others).
    const scoring = await db.selectFrom('policy_executions').selectAll().where('policy_type', '=', 'kyc.risk').where('inputs_json', 'is not', null).limit(1).executeTakeFirstOrThrow();
    const inputs = JSON.parse(scoring.inputs_json!) as { risk: Record<string, unknown>; date: string };
    const methods = ['bank_transfer', 'card', 'e_wallet', 'crypto'];
    const scoredUnder = await server.services.policies.require(db, 'kyc.risk');
    const now = Date.now();
    log(`  ${engine}: writing ${cases.toLocaleString('en')} logged risk scorings`);
    for (let start = 0; start < cases; start += 5000) {
      const n = Math.min(5000, cases - start);
      const rows = Array.from({ length: n }, (_, k) => {
        const i = start + k;
        const { id: _id, ...rest } = scoring;
        const varied = { ...inputs, risk: { ...inputs.risk, paymentMethod: methods[i % methods.length], sourceOfFunds: i % 5 === 0 ? 'gift' : 'employment' } };
        // Logged as the version in force scored it, so a draft changes only what it should.
        const scored = assessRisk(scoredUnder.document, scoredUnder.ref, varied.risk as unknown as RiskInputs, varied.date);
        return { ...rest, at: new Date(now - 86_400_000 + i * 100).toISOString(), subject_id: `KYC-${String(900_000 + i).padStart(7, '0')}`, client_id: `CL-${String(900_000 + i).padStart(7, '0')}`, legal_entity: i % 3 === 0 ? 'global' : 'eu', outcome: scored.level, actions_json: JSON.stringify([{ action: 'score client', score: scored.score, level: scored.level }]), inputs_json: JSON.stringify(varied) };
      });
      await db.transaction().execute(async (trx) => {
        for (let j = 0; j < n; j += 500) await trx.insertInto('policy_executions').values(rows.slice(j, j + 500)).execute();
      });
    }
    if (engine === 'postgres') await sql`analyze`.execute(db);

    const c = credentials.find((x) => x.username === 'compliance')!;
    const login = await clientFor(server.url).auth.login.mutate({ username: 'compliance', password: c.password, totp: totpCode(c.totpSecret, new Date()) });
    const api = clientFor(server.url, login.token);
    const first = await api.kyc.queue.query({ limit: 100 });
    if (first.items.length !== 100) throw new Error(`the queue's first page has ${first.items.length} rows, not 100: the fill is wrong`);
    const queue = await timed(200, () => api.kyc.queue.query({ limit: 100 }));
    const filtered = await timed(200, () => api.kyc.queue.query({ status: 'open', riskLevel: 'high', limit: 100 }));
    const byStatus = await timed(100, () => api.kyc.queue.query({ status: 'escalated', limit: 100 }));
    const timeline = await api.clients.timeline.query({ clientId: subject });
    if (timeline.items.length < timelineEvents) throw new Error(`the timeline has ${timeline.items.length} events, not ${timelineEvents}`);
    const tl = await timed(50, () => api.clients.timeline.query({ clientId: subject }));
    // The evidence views (issue 18): the same client as the auditor's mock audit opens it, and the officer who caused those events.
    const ev = await timed(50, () => api.evidence.client.query({ clientId: subject }));
    const a = credentials.find((x) => x.username === 'auditor')!;
    const auditorLogin = await clientFor(server.url).auth.login.mutate({ username: 'auditor', password: a.password, totp: totpCode(a.totpSecret, new Date()) });
    const auditor = clientFor(server.url, auditorLogin.token);
    const staffView = await auditor.evidence.staff.query({ userId: 'compliance' });
    const sv = await timed(50, () => auditor.evidence.staff.query({ userId: 'compliance' }));
    log(`  ${engine}: evidence.client p95 ${ev.p95.toFixed(1)} ms, evidence.staff (${staffView.events.length} events) p95 ${sv.p95.toFixed(1)} ms`);
    // The evidence pack of that client (5,000 events, 20 documents), as the auditor exports it over HTTP; checked once offline.
    const firstPack = await auditor.evidence.export.mutate({ subject: { clientId: subject } });
    const verdict = verifyPack(Buffer.from(firstPack.contentBase64, 'base64'));
    if (!verdict.ok || verdict.events < timelineEvents || verdict.documents !== PACK_DOCUMENTS) throw new Error(`the bench pack does not verify: ${verdict.problems[0] ?? `${verdict.events} events, ${verdict.documents} documents`}`);
    const packTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await auditor.evidence.export.mutate({ subject: { clientId: subject } });
      packTimes.push(performance.now() - t0);
    }
    const pk = { p50: percentiles(packTimes).p50, max: Math.max(...packTimes) };
    log(`  ${engine}: evidence pack (${verdict.events} events, ${verdict.documents} documents, ${(firstPack.contentBase64.length * 0.75 / 1e6).toFixed(1)} MB) p50 ${pk.p50.toFixed(0)} ms, max ${pk.max.toFixed(0)} ms`);
    // A dry run of a kyc.risk draft over those scorings (and the demo's): each replayed from its logged inputs.
    const mlro = credentials.find((x) => x.username === 'mlro')!;
    const mlroApi = clientFor(server.url, (await clientFor(server.url).auth.login.mutate({ username: 'mlro', password: mlro.password, totp: totpCode(mlro.totpSecret, new Date()) })).token);
    const risk = await mlroApi.policies.get.query({ type: 'kyc.risk' });
    const draft = structuredClone(risk.document) as { weights: { paymentMethod: Record<string, number> } };
    draft.weights.paymentMethod.crypto = 60;
    let replay = { evaluated: 0, changed: 0 };
    const dryTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      replay = await mlroApi.policies.dryRun.query({ type: 'kyc.risk', document: draft, days: 30 });
      dryTimes.push(performance.now() - t0);
    }
    if (replay.evaluated < cases) throw new Error(`the kyc.risk dry run replayed ${replay.evaluated} scorings, not ${cases}`);
    // The screening thresholds' dry run over as many logged pairs as there are cases (the matcher runs on each).
    const screening = dataPresent() ? await benchScreeningReplay(db, mlroApi, await server.services.policies.require(db, 'screening.thresholds'), cases, (l) => log(`  ${engine}: ${l.trim()}`)) : null;
    if (!screening) log(`  ${engine}: screening dry run skipped: ../shared/data (the SDN list) is not beside the repository`);
    log(`  ${engine}: kyc.risk dry run over ${replay.evaluated.toLocaleString('en')} logged scorings (${replay.changed.toLocaleString('en')} changed), slowest ${Math.max(...dryTimes).toFixed(0)} ms`);
    log(`  ${engine}: queue p95 ${queue.p95.toFixed(2)} ms, open+high p95 ${filtered.p95.toFixed(2)} ms, escalated p95 ${byStatus.p95.toFixed(2)} ms, timeline (${timeline.items.length} events) p95 ${tl.p95.toFixed(1)} ms`);
    return { engine, cases, queueP50Ms: queue.p50, queueP95Ms: queue.p95, filteredP50Ms: filtered.p50, filteredP95Ms: filtered.p95, statusP95Ms: byStatus.p95, timelineEvents: timeline.items.length, timelineP50Ms: tl.p50, timelineP95Ms: tl.p95, evidenceP50Ms: ev.p50, evidenceP95Ms: ev.p95, packEvents: verdict.events, packDocuments: verdict.documents, packP50Ms: pk.p50, packMaxMs: pk.max, staffEvents: staffView.events.length, staffP50Ms: sv.p50, staffP95Ms: sv.p95, riskDryRunDecisions: replay.evaluated, riskDryRunChanged: replay.changed, riskDryRunMs: Math.max(...dryTimes), screening };
  } finally {
    await server.close();
    await storage.drop();
  }
}
