// `npm run bench [-- --sizes 1000000,10000000 --engines sqlite,postgres]`: measured figures beside
// their targets. A benchmark, not a test: it never fails a build.

import { parseArgs } from 'node:util';
import { benchAudit, WRITERS, type AuditBenchRow } from './audit.js';
import { benchCacheQueries, benchFirstSync } from './cache.js';
import { benchKyc, type KycBenchRow } from './kyc.js';
import { benchPayments, type PaymentsBenchRow } from './payments.js';
import { benchInterventions, benchPlatform, type InterventionBenchRow, type PlatformBenchRow } from './platform.js';
import { companyFalseHits, dataPresent, entityBenchAccuracy, loadAllLists, nameBenchAccuracy, organisationAliasRecall, screeningSpeed } from './screening.js';
import { ListMatcher } from '../server/modules/screening/matching/matcher.js';

// Targets from ARCHITECTURE's scale: 100M audit events over seven years is about 0.5 event/s on
// average; a busy hour at 100 times that is 50/s, so 500/s sustained from one writer is ten times
// the peak. An officer's "show me this client" should feel instant: 20 ms at the 95th percentile.
// Officers working at once: 2,000 events/s from concurrent mutations (issue 13), each acknowledged
// only once on disk. One after another, every mutation waits for its own disk sync; what the disk
// allows is printed beside it (raw SQLite commits a second with a sync each).
const TARGETS = { appendPerSecond: 500, concurrentAppendPerSecond: 2000, searchP95Ms: 20 };
// An officer opening the KYC queue (or changing its filter) waits on one page from the server: 100 ms
// at the 95th percentile feels immediate. A regulator's "show me this client" is answered in
// seconds; the whole timeline of a client with 5,000 events in half a second leaves room for the rest.
// Issue 18: each evidence view at 5,000 events within 200 ms at the 95th percentile.
const KYC_TARGETS = { queueP95Ms: 100, timelineP95Ms: 500, evidenceP95Ms: 200, packMs: 5000 };
// Issue 16's payments targets.
const PAYMENTS_TARGETS = { postings: { sqlite: 5000, postgres: 10000 }, webhooksPerSecond: 1000, creditedP95Ms: 1000, queueP95Ms: 20, dryRunMs: 10_000 };

const { values } = parseArgs({
  options: { sizes: { type: 'string' }, engines: { type: 'string' }, only: { type: 'string' }, 'cache-sizes': { type: 'string' }, 'screen-clients': { type: 'string' }, 'rescreen-clients': { type: 'string' }, 'kyc-cases': { type: 'string' }, withdrawals: { type: 'string' }, 'mt5-deals': { type: 'string' } },
});
const only = new Set((values.only ?? 'audit,cache,screening,kyc,payments,platform').split(','));
const sizes = (values.sizes ?? '1000000,10000000').split(',').map(Number);
const engines = (values.engines ?? 'sqlite,postgres').split(',') as Array<'sqlite' | 'postgres'>;
if (sizes.some((s) => !Number.isInteger(s) || s < 1000)) {
  console.error('--sizes: comma-separated whole numbers of at least 1000');
  process.exit(2);
}

const rows: AuditBenchRow[] = [];
for (const engine of only.has('audit') ? engines : []) {
  console.log(`audit log on ${engine}: filling to ${sizes.map((s) => s.toLocaleString('en')).join(', ')} events`);
  rows.push(...(await benchAudit(engine, sizes, (line) => console.log(line))));
}

const fmt = (n: number, d = 0) => n.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d });
if (rows.length) {
  console.log('\n| benchmark | engine | events in log | measured | target |');
  console.log('|---|---|---:|---:|---:|');
}
for (const r of rows) {
  const ok = (pass: boolean) => (pass ? 'met' : 'MISSED');
  console.log(`| audit append, one event per mutation, one after another | ${r.engine} | ${fmt(r.events)} | ${fmt(r.appendPerSecond)} events/s | >= ${fmt(TARGETS.appendPerSecond)} events/s (${ok(r.appendPerSecond >= TARGETS.appendPerSecond)}) |`);
  if (r.diskCommitsPerSecond !== null) console.log(`| bare SQLite commits, each synced to disk (the disk's ceiling for the row above) | ${r.engine} | | ${fmt(r.diskCommitsPerSecond)} commits/s | |`);
  console.log(`| the event MAC's share of one append | ${r.engine} | | ${fmt(r.macShare * 100, 2)} % | well under half |`);
  // The 2,000 target is SQLite's: on PostgreSQL the chain lock is held through each commit's flush (docs/benchmarks.md).
  const concurrentTarget = r.engine === 'sqlite' ? `>= ${fmt(TARGETS.concurrentAppendPerSecond)} events/s (${ok(r.concurrentAppendPerSecond >= TARGETS.concurrentAppendPerSecond)})` : '';
  console.log(`| audit append, one event per mutation, ${WRITERS} at once | ${r.engine} | ${fmt(r.events)} | ${fmt(r.concurrentAppendPerSecond)} events/s | ${concurrentTarget} |`);
  console.log(`| audit.search one client, p50 | ${r.engine} | ${fmt(r.events)} | ${fmt(r.searchP50Ms, 2)} ms | |`);
  console.log(`| audit.search one client, p95 | ${r.engine} | ${fmt(r.events)} | ${fmt(r.searchP95Ms, 2)} ms | <= ${TARGETS.searchP95Ms} ms (${ok(r.searchP95Ms <= TARGETS.searchP95Ms)}) |`);
}

if (only.has('cache')) {
  const cacheSizes = (values['cache-sizes'] ?? '100000,1000000').split(',').map(Number);
  console.log(`\ndesktop cache: ${cacheSizes.map((s) => s.toLocaleString('en')).join(', ')} rows`);
  const cache = benchCacheQueries(cacheSizes, (l) => console.log(l));
  const sync = await benchFirstSync(100_000, (l) => console.log(l));
  // The overhead compares medians: at a fraction of a millisecond, p95 ratios measure timer noise.
  console.log('\n| benchmark (scrolling 100-row pages) | rows | SQLCipher p50 / p95 | plain SQLite p50 / p95 | SQLCipher vs plain (p50) | jump deep (OFFSET) p95 | target |');
  console.log('|---|---:|---:|---:|---:|---:|---|');
  for (const r of cache.filter((c) => c.engine === 'sqlcipher')) {
    const plain = cache.find((c) => c.engine === 'sqlite' && c.rows === r.rows && c.query === r.query)!;
    const overhead = (r.p50 / plain.p50 - 1) * 100;
    const pageTarget = r.rows >= 1_000_000 ? `p95 < 20 ms (${r.p95 < 20 ? 'met' : 'MISSED'})` : '';
    console.log(`| cache page: ${r.query} | ${fmt(r.rows)} | ${r.p50.toFixed(2)} / ${r.p95.toFixed(2)} ms | ${plain.p50.toFixed(2)} / ${plain.p95.toFixed(2)} ms | ${overhead >= 0 ? '+' : ''}${overhead.toFixed(0)}% | ${r.jumpP95.toFixed(2)} ms | ${pageTarget}${pageTarget ? '; ' : ''}within +25% (${overhead <= 25 ? 'met' : 'MISSED'}) |`);
  }
  console.log(`| first sync, 100,000 audit rows, server to encrypted cache | 100,000 | ${sync.seconds.toFixed(1)} s | | | | |`);
  console.log(`| host memory after first sync (RSS / heap) | | ${sync.rssMb.toFixed(0)} MB / ${sync.heapMb.toFixed(0)} MB | | | | |`);
}

if (only.has('screening')) {
  if (!dataPresent()) {
    console.log('\nscreening: skipped, ../shared/data (the lists and the labelled name sets) is not beside the repository');
  } else {
    const batchClients = Number(values['screen-clients'] ?? '200000');
    const rescreenClients = Number(values['rescreen-clients'] ?? '1000000');
    console.log(`\nscreening: accuracy, then speed (batch of ${fmt(batchClients)} synthetic clients, re-screen against ${fmt(rescreenClients)})`);
    const names = nameBenchAccuracy();
    const entities = entityBenchAccuracy();
    const entries = await loadAllLists();
    const companies = companyFalseHits(new ListMatcher(entries));
    const aliases = organisationAliasRecall(entries);
    for (const example of companies.examples) console.log(`  false hit on a real company: ${example}`);
    const speed = await screeningSpeed(entries, batchClients, rescreenClients, (l) => console.log(l));
    const pct = (n: number) => n.toFixed(3);
    const ok = (pass: boolean) => (pass ? 'met' : 'MISSED');
    console.log('\n| screening accuracy (threshold ' + names.threshold + ') | pairs | precision | recall | F1 | target |');
    console.log('|---|---:|---:|---:|---:|---|');
    console.log(`| name bench, this matcher | ${names.ours.pairs} | ${pct(names.ours.precision)} | ${pct(names.ours.recall)} | ${pct(names.ours.f1)} | F1 >= 0.88 (${ok(names.ours.f1 >= 0.88)}), recall >= 0.92 (${ok(names.ours.recall >= 0.92)}) |`);
    console.log(`| name bench, as screened (company hits on an acronym, short or generic words alone capped: the pairs carry no country) | ${names.asScreened.pairs} | ${pct(names.asScreened.precision)} | ${pct(names.asScreened.recall)} | ${pct(names.asScreened.f1)} | F1 >= 0.88 (${ok(names.asScreened.f1 >= 0.88)}), recall >= 0.92 (${ok(names.asScreened.recall >= 0.92)}) |`);
    console.log(`| name bench, this matcher on the reference run's pairs | ${names.oursOnReferencePairs.pairs} | ${pct(names.oursOnReferencePairs.precision)} | ${pct(names.oursOnReferencePairs.recall)} | ${pct(names.oursOnReferencePairs.f1)} | beats reference (${ok(names.oursOnReferencePairs.f1 > names.reference.f1)}) |`);
    console.log(`| name bench, reference logic-v2 (logicv2-frozen.csv) | ${names.reference.pairs} | ${pct(names.reference.precision)} | ${pct(names.reference.recall)} | ${pct(names.reference.f1)} | |`);
    console.log(`| best published open-source figure (moov-io/watchman, embeddings; other pairs) | | | | 0.876 | beaten (${ok(names.ours.f1 > 0.876)}) |`);
    console.log(`| entity bench (checks.yml) | ${entities.pairs} | ${pct(entities.precision)} | ${pct(entities.recall)} | ${pct(entities.f1)} | |`);
    console.log('\n| company screening | measured | target |');
    console.log('|---|---:|---|');
    console.log(`| false hits: real company names (SEC EDGAR registrants, test/fixtures/company-names) with a hit | ${companies.withHits} of ${fmt(companies.names)}, ${(companies.rate * 100).toFixed(2)}% | <= 1% (${ok(companies.rate <= 0.01)}) |`);
    console.log(`| listed organisations' aliases found from their other names (acronyms included), as screened without a country | ${(aliases.found / aliases.aliases * 100).toFixed(1)}% of ${fmt(aliases.aliases)} | |`);
    console.log(`| the same, without the weak-basis cap | ${(aliases.foundWithoutCap / aliases.aliases * 100).toFixed(1)}% | |`);
    console.log('\n| screening speed | measured | target |');
    console.log('|---|---:|---|');
    console.log(`| lists loaded | ${fmt(speed.entries)} entries, ${fmt(speed.names)} names | about 50k names |`);
    console.log(`| one search against all lists, p50 / p95 (one core) | ${speed.searchP50Ms.toFixed(2)} / ${speed.searchP95Ms.toFixed(2)} ms | p95 < 5 ms (${ok(speed.searchP95Ms < 5)}) |`);
    console.log(`| batch screening (npm run screen, ${speed.batchWorkers} worker threads), ${fmt(speed.batchClients)} synthetic clients | ${speed.batchSeconds.toFixed(1)} s, so ${speed.batchPerMillionMinutes.toFixed(1)} min per 1M | 1M in <= 10 min with every core (${ok(speed.batchPerMillionMinutes <= 10)}) |`);
    console.log(`| incremental re-screen, sdn 2024-04-26 to 2024-05-03 (${speed.rescreenEntries} entries) against ${fmt(speed.rescreenClients)} clients | ${speed.rescreenSeconds.toFixed(2)} s (${speed.rescreenHits} hits) | < 10 s (${ok(speed.rescreenSeconds < 10)}) |`);
    console.log(`| client index build, ${fmt(speed.rescreenClients)} clients (kept in memory, not part of the re-screen) | ${speed.clientIndexSeconds.toFixed(1)} s | |`);
  }
}

if (only.has('kyc')) {
  const kycCases = Number(values['kyc-cases'] ?? '200000');
  console.log(`\nKYC: ${fmt(kycCases)} cases, one client with 5,000 events`);
  const kyc: KycBenchRow[] = [];
  for (const engine of engines) kyc.push(await benchKyc(engine, kycCases, 5000, (l) => console.log(l)));
  const ok = (pass: boolean) => (pass ? 'met' : 'MISSED');
  console.log('\n| KYC benchmark (HTTP, compliance officer) | engine | size | p50 / p95 | target |');
  console.log('|---|---|---:|---:|---|');
  for (const r of kyc) {
    console.log(`| kyc.queue first page (100 rows), no filter | ${r.engine} | ${fmt(r.cases)} cases | ${r.queueP50Ms.toFixed(2)} / ${r.queueP95Ms.toFixed(2)} ms | p95 <= ${KYC_TARGETS.queueP95Ms} ms (${ok(r.queueP95Ms <= KYC_TARGETS.queueP95Ms)}) |`);
    console.log(`| kyc.queue first page, open + high risk | ${r.engine} | ${fmt(r.cases)} cases | ${r.filteredP50Ms.toFixed(2)} / ${r.filteredP95Ms.toFixed(2)} ms | p95 <= ${KYC_TARGETS.queueP95Ms} ms (${ok(r.filteredP95Ms <= KYC_TARGETS.queueP95Ms)}) |`);
    console.log(`| kyc.queue first page, escalated | ${r.engine} | ${fmt(r.cases)} cases | p95 ${r.statusP95Ms.toFixed(2)} ms | p95 <= ${KYC_TARGETS.queueP95Ms} ms (${ok(r.statusP95Ms <= KYC_TARGETS.queueP95Ms)}) |`);
    console.log(`| clients.timeline, one client | ${r.engine} | ${fmt(r.timelineEvents)} events | ${r.timelineP50Ms.toFixed(1)} / ${r.timelineP95Ms.toFixed(1)} ms | p95 <= ${KYC_TARGETS.timelineP95Ms} ms (${ok(r.timelineP95Ms <= KYC_TARGETS.timelineP95Ms)}) |`);
    console.log(`| evidence.client, one client | ${r.engine} | ${fmt(r.timelineEvents)} events | ${r.evidenceP50Ms.toFixed(1)} / ${r.evidenceP95Ms.toFixed(1)} ms | p95 <= ${KYC_TARGETS.evidenceP95Ms} ms (${ok(r.evidenceP95Ms <= KYC_TARGETS.evidenceP95Ms)}) |`);
    console.log(`| evidence.export, that client's pack (auditor, over HTTP) | ${r.engine} | ${fmt(r.packEvents)} events, ${r.packDocuments} documents | ${r.packP50Ms.toFixed(0)} ms (max ${r.packMaxMs.toFixed(0)}) | <= ${KYC_TARGETS.packMs} ms (${ok(r.packMaxMs <= KYC_TARGETS.packMs)}) |`);
    console.log(`| evidence.staff, the officer who caused them (auditor) | ${r.engine} | ${fmt(r.staffEvents)} events | ${r.staffP50Ms.toFixed(1)} / ${r.staffP95Ms.toFixed(1)} ms | p95 <= ${KYC_TARGETS.evidenceP95Ms} ms (${ok(r.staffP95Ms <= KYC_TARGETS.evidenceP95Ms)}) |`);
    console.log(`| policies.dryRun, a kyc.risk draft over logged scorings (${fmt(r.riskDryRunChanged)} changed), slowest of 3 | ${r.engine} | ${fmt(r.riskDryRunDecisions)} decisions | ${(r.riskDryRunMs / 1000).toFixed(2)} s | <= 10 s for 100,000 (${ok(r.riskDryRunMs <= 10_000 * Math.max(1, r.riskDryRunDecisions / 100_000))}) |`);
    if (r.screening) console.log(`| policies.dryRun, a screening-thresholds draft over logged near matches (${fmt(r.screening.changed)} changed), slowest of 3 | ${r.engine} | ${fmt(r.screening.decisions)} decisions | ${(r.screening.ms / 1000).toFixed(2)} s | <= 10 s for 100,000 (${ok(r.screening.ms <= 10_000 * Math.max(1, r.screening.decisions / 100_000))}) |`);
  }
}

if (only.has('payments')) {
  const count = Number(values.withdrawals ?? '200000');
  console.log(`\npayments: ledger, webhooks, webhook to credited, withdrawal queue with ${fmt(count)} withdrawals`);
  const payments: PaymentsBenchRow[] = [];
  for (const engine of engines) payments.push(await benchPayments(engine, count, (l) => console.log(l)));
  const ok = (pass: boolean) => (pass ? 'met' : 'MISSED');
  console.log('\n| payments benchmark | engine | measured | target |');
  console.log('|---|---|---:|---|');
  for (const r of payments) {
    const postings = PAYMENTS_TARGETS.postings[r.engine];
    console.log(`| ledger postings, each its own audited mutation, 16 writers | ${r.engine} | ${fmt(r.postingsPerSecond)} postings/s | (for comparison) |`);
    console.log(`| ledger postings, 50 per audited mutation, 16 writers | ${r.engine} | ${fmt(r.batchedPostingsPerSecond)} postings/s | >= ${fmt(postings)} (${ok(r.batchedPostingsPerSecond >= postings)}) |`);
    console.log(`| signed webhooks accepted and applied, one instance, 16 at once | ${r.engine} | ${fmt(r.webhooksPerSecond)} webhooks/s | >= ${fmt(PAYMENTS_TARGETS.webhooksPerSecond)} (${ok(r.webhooksPerSecond >= PAYMENTS_TARGETS.webhooksPerSecond)}) |`);
    console.log(`| PSP simulator pays -> deposit credited, p50 / p95 | ${r.engine} | ${r.creditedP50Ms.toFixed(1)} / ${r.creditedP95Ms.toFixed(1)} ms | p95 <= ${fmt(PAYMENTS_TARGETS.creditedP95Ms)} ms (${ok(r.creditedP95Ms <= PAYMENTS_TARGETS.creditedP95Ms)}) |`);
    console.log(`| policies.dryRun, a withdrawal-tier draft over ${fmt(r.dryRunDecisions)} decisions (${fmt(r.dryRunChanged)} changed), slowest of 3 | ${r.engine} | ${(r.dryRunMs / 1000).toFixed(2)} s | <= ${PAYMENTS_TARGETS.dryRunMs / 1000} s for 100,000 (${ok(r.dryRunMs <= PAYMENTS_TARGETS.dryRunMs)}) |`);
    console.log(`| withdrawals.queue first page (pending approval), ${fmt(r.withdrawals)} withdrawals, p50 / p95 | ${r.engine} | ${r.queueP50Ms.toFixed(2)} / ${r.queueP95Ms.toFixed(2)} ms | p95 <= ${PAYMENTS_TARGETS.queueP95Ms} ms (${ok(r.queueP95Ms <= PAYMENTS_TARGETS.queueP95Ms)}) |`);
  }
}

if (only.has('platform')) {
  console.log('\nplatform: MT5 balance operations through the intent, claim, send and settle path');
  const rows: PlatformBenchRow[] = [];
  for (const engine of engines) rows.push(await benchPlatform(engine, 2000, (l) => console.log(l)));
  console.log('\n| platform benchmark | engine | measured | target |');
  console.log('|---|---|---:|---|');
  for (const r of rows) console.log(`| MT5 balance operations executed (intent, claim, send, settle), ${fmt(r.operations)} | ${r.engine} | ${fmt(r.perSecond)} operations/s | >= 50 (${r.perSecond >= 50 ? 'met' : 'MISSED'}) |`);
  console.log('\nplatform: interventions executed, the scan for operations with no case, deposits credited on MT5');
  const iv: InterventionBenchRow[] = [];
  for (const engine of engines) iv.push(await benchInterventions(engine, { executions: 500, deals: Number(values['mt5-deals'] ?? 1_000_000), deposits: 200 }, (l) => console.log(l)));
  console.log('\n| platform benchmark | engine | measured | target |');
  console.log('|---|---|---:|---|');
  for (const r of iv) {
    console.log(`| interventions executed by an operator (state read, case and operation recorded, sent, settled, read back), ${fmt(r.executions)} | ${r.engine} | ${fmt(r.executionsPerSecond)} executions/s | >= 50 (${r.executionsPerSecond >= 50 ? 'met' : 'MISSED'}) |`);
    console.log(`| scan for operations with no case over ${fmt(r.scannedDeals)} deals (${fmt(r.found)} found) | ${r.engine} | ${r.scanSeconds.toFixed(1)} s | <= 30 s (${r.scanSeconds <= 30 ? 'met' : 'MISSED'}) |`);
    console.log(`| PSP webhook -> deposit credited on MT5, ${fmt(r.deposits)} deposits, p50 / p95 | ${r.engine} | ${r.creditedP50Ms.toFixed(1)} / ${r.creditedP95Ms.toFixed(1)} ms | p95 <= 1000 ms (${r.creditedP95Ms <= 1000 ? 'met' : 'MISSED'}) |`);
  }
}
