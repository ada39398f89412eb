// One batch screening worker thread: builds its own list index from the entries it is given (faster
// than sharing one across threads, which would need it serialised) and screens the batches of
// subjects it is sent, answering each with its output rows in order.

import { parentPort, workerData } from 'node:worker_threads';
import type { ScreeningThresholds } from '../../../shared/policies/screening.js';
import { explain, ListMatcher, type MatchableEntry, type Subject } from './matching/matcher.js';

export interface WorkerSetup {
  entries: MatchableEntry[];
  policy: ScreeningThresholds;
}

export interface BatchRequest {
  seq: number;
  rows: Array<{ id: string; subject: Subject }>;
}

export interface BatchReply {
  seq: number;
  /** output rows: id, list, entry_id, entry_name, score, reasons */
  hits: string[][];
  subjectsWithHits: number;
}

export function screenBatch(matcher: ListMatcher, policy: ScreeningThresholds, request: BatchRequest): BatchReply {
  const hits: string[][] = [];
  let subjectsWithHits = 0;
  for (const { id, subject } of request.rows) {
    const found = matcher.search(subject, policy);
    if (found.length > 0) subjectsWithHits += 1;
    for (const hit of found) hits.push([id, hit.source, hit.entryKey, hit.entryName, hit.score.toFixed(4), explain(hit)]);
  }
  return { seq: request.seq, hits, subjectsWithHits };
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object' && 'entries' in (workerData as object)) {
  const port = parentPort;
  const { entries, policy } = workerData as WorkerSetup;
  const matcher = new ListMatcher(entries);
  port.on('message', (request: BatchRequest) => port.postMessage(screenBatch(matcher, policy, request)));
  port.postMessage({ ready: true });
}
