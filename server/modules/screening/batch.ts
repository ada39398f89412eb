// Batch screening of a customer file: `id,name,schema,birth_date,nationality` in (header names in
// any case and order), one row per hit out (`id,list,entry_id,entry_name,score,reasons`), in the
// input's order. Rows are screened on worker threads, one per core, each with its own list index.
//
// A row without an id or a name, a schema we do not know, or a file that is not the expected CSV
// stops the run with the line number. A birth_date or nationality that cannot be read does not
// leave the customer unscreened: the row is screened on the rest, and the value goes to the rejects
// file (`line,id,field,value,why`) and into the summary; `strict` stops at it instead. Output and
// rejects are written to temporary files and renamed at the end, so a stopped run leaves neither.

import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { CsvError, parse, type Info } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import type { ScreeningThresholds } from '../../../shared/policies/screening.js';
import type { MatchableEntry, Subject } from './matching/matcher.js';
import { ENTITY_SCHEMAS, type EntitySchema } from './matching/normalize.js';
import { readBirthDate, readNationality } from './batch-fields.js';
import type { BatchReply, BatchRequest, WorkerSetup } from './batch-worker.js';

export class BatchInputError extends Error {
  override readonly name = 'BatchInputError';
}

const COLUMNS = ['id', 'name', 'schema', 'birth_date', 'nationality'] as const;
const OUTPUT_HEADER = ['id', 'list', 'entry_id', 'entry_name', 'score', 'reasons'];
const REJECTS_HEADER = ['line', 'id', 'field', 'value', 'why'];
/** Rows per message to a worker: large enough that messaging costs little, small enough to keep both busy. */
const BATCH_ROWS = 200;

export interface Reject {
  line: number;
  id: string;
  field: 'birth_date' | 'nationality';
  value: string;
  why: string;
}

/** One row as a subject to screen, with the optional values it could not read; throws for what stops the run. */
export function subjectFromRow(row: Record<string, string | undefined>, line: number, strict = false): { id: string; subject: Subject; rejects: Reject[] } {
  const id = row.id?.trim() ?? '';
  const name = row.name?.trim() ?? '';
  if (id === '') throw new BatchInputError(`line ${line}: id is empty`);
  if (name === '') throw new BatchInputError(`line ${line}: name is empty (id ${id})`);
  const schemaText = row.schema?.trim() ?? '';
  const schema = ENTITY_SCHEMAS.find((s) => s.toLowerCase() === schemaText.toLowerCase());
  if (schema === undefined) throw new BatchInputError(`line ${line}: schema "${schemaText}" must be one of ${ENTITY_SCHEMAS.join(', ')} (id ${id})`);
  const rejects: Reject[] = [];
  const birth = readBirthDate(row.birth_date ?? '');
  const nationality = readNationality(row.nationality ?? '');
  if (!birth.ok) rejects.push({ line, id, field: 'birth_date', value: row.birth_date!.trim(), why: birth.why });
  if (!nationality.ok) rejects.push({ line, id, field: 'nationality', value: row.nationality!.trim(), why: nationality.why });
  if (strict && rejects.length > 0) throw new BatchInputError(`line ${line}: ${rejects[0]!.field} ${rejects[0]!.why} (id ${id})`);
  const subject: Subject = {
    name,
    schema: schema as EntitySchema,
    ...(birth.ok && birth.value !== undefined ? { birthDate: birth.value } : {}),
    ...(nationality.ok && nationality.value !== undefined ? { nationality: nationality.value } : {}),
  };
  return { id, subject, rejects };
}

export interface BatchOptions {
  /** where the rejects go; default `<output>.rejects.csv` */
  rejects?: string;
  /** stop at the first row with an unreadable value, as before rejects existed */
  strict?: boolean;
  /** worker threads; default one per core */
  workers?: number;
  onProgress?: (rows: number, bytesRead: number) => void;
}

export interface BatchSummary {
  rows: number;
  hits: number;
  subjectsWithHits: number;
  /** rows screened without a value they gave (birth date or nationality), listed in the rejects file */
  rowsWithRejects: number;
  rejectsFile: string;
  workers: number;
  millis: number;
}

/** Worker threads, each with its own index, answering batches in any order. */
class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (reply: BatchReply) => void; reject: (error: Error) => void }>();
  private next = 0;
  private failure: Error | null = null;

  static async start(count: number, setup: WorkerSetup): Promise<WorkerPool> {
    const pool = new WorkerPool();
    try {
      await Promise.all(Array.from({ length: count }, () => pool.spawn(setup)));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  private spawn(setup: WorkerSetup): Promise<void> {
    const worker = new Worker(new URL('./batch-worker-entry.mjs', import.meta.url), { workerData: setup });
    this.workers.push(worker);
    const ready = new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    worker.on('message', (reply: BatchReply | { ready: true }) => {
      if (!('seq' in reply)) return;
      this.waiting.get(reply.seq)?.resolve(reply);
      this.waiting.delete(reply.seq);
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => {
      if (code !== 0) this.fail(new Error(`a screening worker stopped (exit code ${code})`));
    });
    return ready;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const { reject } of this.waiting.values()) reject(error);
    this.waiting.clear();
  }

  screen(request: BatchRequest): Promise<BatchReply> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const worker = this.workers[this.next++ % this.workers.length]!;
    return new Promise((resolve, reject) => {
      this.waiting.set(request.seq, { resolve, reject });
      worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

async function finish(stream: WriteStream): Promise<void> {
  stream.end();
  await once(stream, 'close');
}

/** Refuses what is plainly not a CSV file before reading it as one: a workbook, a PDF, any binary. */
async function checkLooksLikeText(input: string): Promise<void> {
  const handle = await open(input, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new BatchInputError(`${input}: cannot be read (${error.code ?? error.message})`);
  });
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    const head = buffer.subarray(0, bytesRead);
    if (head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) throw new BatchInputError(`${input}: this is a spreadsheet workbook (XLSX or another ZIP file), not CSV; save it as "CSV UTF-8" and screen that`);
    if (head.subarray(0, 5).toString('latin1') === '%PDF-') throw new BatchInputError(`${input}: this is a PDF, not a CSV file`);
    if (head.includes(0)) throw new BatchInputError(`${input}: this is a binary file, not a CSV text file (UTF-8 expected)`);
  } finally {
    await handle.close();
  }
}

function shortened(text: string, length = 160): string {
  return text.length <= length ? text : `${text.slice(0, length)}…`;
}

export async function screenFile(entries: readonly MatchableEntry[], policy: ScreeningThresholds, input: string, output: string, opts: BatchOptions = {}): Promise<BatchSummary> {
  const started = performance.now();
  await checkLooksLikeText(input);
  const rejectsFile = opts.rejects ?? `${output}.rejects.csv`;
  const temp = { output: `${output}.partial`, rejects: `${rejectsFile}.partial` };
  const workers = Math.max(1, opts.workers ?? availableParallelism());
  const source = createReadStream(input);
  const parser = parse({ columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), bom: true, skip_empty_lines: true, trim: false, info: true });
  // The reading side's errors surface through the parser the loop below reads from.
  const reading = pipeline(source, parser).catch(() => undefined);
  const out = createWriteStream(temp.output);
  const rejectsOut = createWriteStream(temp.rejects);
  // A failed write is seen where it is awaited, never as an unhandled error.
  const writeErrors: Error[] = [];
  for (const s of [out, rejectsOut]) s.on('error', (error) => writeErrors.push(error));
  let pool: WorkerPool | null = null;

  let rows = 0;
  let hits = 0;
  let subjectsWithHits = 0;
  let rowsWithRejects = 0;
  const pending = new Map<number, { reply: Promise<BatchReply>; rows: number; bytes: number }>();
  let written = 0;
  let seq = 0;
  let batch: BatchRequest['rows'] = [];

  // Writes finished batches in input order; with `all`, waits for every batch in flight.
  const drain = async (all: boolean): Promise<void> => {
    while (pending.has(written) && (all || pending.size >= workers * 3)) {
      const { reply, rows: screened, bytes } = pending.get(written)!;
      const done = await reply;
      pending.delete(written);
      written += 1;
      hits += done.hits.length;
      subjectsWithHits += done.subjectsWithHits;
      if (done.hits.length > 0) await write(out, stringify(done.hits));
      opts.onProgress?.(screened, bytes);
    }
  };
  const dispatch = async (): Promise<void> => {
    if (batch.length === 0) return;
    pool ??= await WorkerPool.start(workers, { entries: [...entries], policy });
    const reply = pool.screen({ seq, rows: batch });
    reply.catch(() => undefined);
    pending.set(seq, { reply, rows, bytes: source.bytesRead });
    seq += 1;
    batch = [];
    await drain(false);
  };

  try {
    await write(out, stringify([OUTPUT_HEADER]));
    await write(rejectsOut, stringify([REJECTS_HEADER]));
    let checkedHeader = false;
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: Info }>) {
      if (!checkedHeader) {
        const missing = COLUMNS.filter((column) => !(column in record));
        if (missing.length > 0) throw new BatchInputError(`${input}: the header has no ${missing.join(', ')} column(s); expected ${COLUMNS.join(',')}`);
        checkedHeader = true;
      }
      rows += 1;
      const { id, subject, rejects } = subjectFromRow(record, info.lines, opts.strict);
      if (rejects.length > 0) {
        rowsWithRejects += 1;
        await write(rejectsOut, stringify(rejects.map((r) => [r.line, r.id, r.field, r.value, r.why])));
      }
      batch.push({ id, subject });
      if (batch.length >= BATCH_ROWS) await dispatch();
      if (writeErrors.length > 0) throw writeErrors[0]!;
    }
    if (!checkedHeader) throw new BatchInputError(`${input}: no rows; expected a header ${COLUMNS.join(',')} and one row per customer`);
    await dispatch();
    await drain(true);
    await Promise.all([finish(out), finish(rejectsOut)]);
    if (writeErrors.length > 0) throw writeErrors[0]!;
    await rename(temp.rejects, rejectsFile);
    await rename(temp.output, output);
  } catch (error) {
    parser.destroy();
    source.destroy();
    await reading;
    // Let writes already under way finish before removing the files: destroying a stream with a
    // write in flight makes that write fail after the fact (ERR_STREAM_DESTROYED).
    await Promise.all([out, rejectsOut].map((s) => (s.closed ? undefined : new Promise<void>((resolve) => s.once('close', () => resolve()).end()))));
    await Promise.all([rm(temp.output, { force: true }), rm(temp.rejects, { force: true })]);
    const code = (error as { code?: string }).code;
    if (error instanceof CsvError) throw new BatchInputError(`${input}: not a valid CSV file (${shortened(error.message)})`);
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') throw new BatchInputError(`${(error as Error).message}`);
    throw error;
  } finally {
    await (pool as WorkerPool | null)?.close();
  }
  return { rows, hits, subjectsWithHits, rowsWithRejects, rejectsFile, workers, millis: performance.now() - started };
}
