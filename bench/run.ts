// `npm run bench [-- --sizes 1000000,10000000 --engines sqlite,postgres]`: measured figures beside
// their targets. A benchmark, not a test: it never fails a build.

import { parseArgs } from 'node:util';
import { benchAudit, type AuditBenchRow } from './audit.js';

// Targets from ARCHITECTURE's scale: 100M audit events over seven years is about 0.5 event/s on
// average; a busy hour at 100 times that is 50/s, so 500/s sustained from one writer is ten times
// the peak. An officer's "show me this client" should feel instant: 20 ms at the 95th percentile.
const TARGETS = { appendPerSecond: 500, searchP95Ms: 20 };

const { values } = parseArgs({ options: { sizes: { type: 'string' }, engines: { type: 'string' } } });
const sizes = (values.sizes ?? '1000000,10000000').split(',').map(Number);
const engines = (values.engines ?? 'sqlite,postgres').split(',') as Array<'sqlite' | 'postgres'>;
if (sizes.some((s) => !Number.isInteger(s) || s < 1000)) {
  console.error('--sizes: comma-separated whole numbers of at least 1000');
  process.exit(2);
}

const rows: AuditBenchRow[] = [];
for (const engine of engines) {
  console.log(`audit log on ${engine}: filling to ${sizes.map((s) => s.toLocaleString('en')).join(', ')} events`);
  rows.push(...(await benchAudit(engine, sizes, (line) => console.log(line))));
}

const fmt = (n: number, d = 0) => n.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d });
console.log('\n| benchmark | engine | events in log | measured | target |');
console.log('|---|---|---:|---:|---:|');
for (const r of rows) {
  const ok = (pass: boolean) => (pass ? 'met' : 'MISSED');
  console.log(`| audit append, one event per mutation | ${r.engine} | ${fmt(r.events)} | ${fmt(r.appendPerSecond)} events/s | >= ${fmt(TARGETS.appendPerSecond)} events/s (${ok(r.appendPerSecond >= TARGETS.appendPerSecond)}) |`);
  console.log(`| audit.search one client, p50 | ${r.engine} | ${fmt(r.events)} | ${fmt(r.searchP50Ms, 2)} ms | |`);
  console.log(`| audit.search one client, p95 | ${r.engine} | ${fmt(r.events)} | ${fmt(r.searchP95Ms, 2)} ms | <= ${TARGETS.searchP95Ms} ms (${ok(r.searchP95Ms <= TARGETS.searchP95Ms)}) |`);
}
