// Batch screening of a customer file: `id,name,schema,birth_date,nationality`
// in, one row per hit out (`id,list,entry_id,entry_name,score,reasons`). The
// output is written to a temporary file and renamed at the end, so a bad row
// stops the run with its line number and leaves no half-written result.

import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import type { ScreeningThresholds } from '../../../shared/policies/screening.js';
import { explain, type ListMatcher, type Subject } from './matching/matcher.js';
import { ENTITY_SCHEMAS, type EntitySchema } from './matching/normalize.js';
import { countryCode } from './lists/parse-helpers.js';
import type { PartialDate } from './lists/model.js';

export class BatchInputError extends Error {
  override readonly name = 'BatchInputError';
}

const COLUMNS = ['id', 'name', 'schema', 'birth_date', 'nationality'] as const;

function birthDate(value: string, line: number): PartialDate | undefined {
  if (value === '') return undefined;
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/u.exec(value);
  if (m === null) throw new BatchInputError(`line ${line}: birth_date "${value}" is not YYYY, YYYY-MM or YYYY-MM-DD`);
  const year = Number(m[1]);
  const month = m[2] === undefined ? undefined : Number(m[2]);
  const day = m[3] === undefined ? undefined : Number(m[3]);
  if (month !== undefined && (month < 1 || month > 12)) throw new BatchInputError(`line ${line}: birth_date "${value}" has no month ${month}`);
  if (day !== undefined && (day < 1 || day > new Date(Date.UTC(year, month!, 0)).getUTCDate())) throw new BatchInputError(`line ${line}: birth_date "${value}" is not a real date`);
  return { year, ...(month === undefined ? {} : { month }), ...(day === undefined ? {} : { day }) };
}

export function subjectFromRow(row: Record<string, string>, line: number): { id: string; subject: Subject } {
  const id = row.id?.trim() ?? '';
  const name = row.name?.trim() ?? '';
  if (id === '') throw new BatchInputError(`line ${line}: id is empty`);
  if (name === '') throw new BatchInputError(`line ${line}: name is empty (id ${id})`);
  const schema = (row.schema?.trim() ?? '') as EntitySchema;
  if (!ENTITY_SCHEMAS.includes(schema)) throw new BatchInputError(`line ${line}: schema "${row.schema ?? ''}" must be one of ${ENTITY_SCHEMAS.join(', ')} (id ${id})`);
  const nationalityText = row.nationality?.trim() ?? '';
  let nationality: string | undefined;
  if (nationalityText !== '') {
    nationality = /^[A-Za-z]{2}$/u.test(nationalityText) ? countryCode(nationalityText) : undefined;
    if (nationality === undefined) throw new BatchInputError(`line ${line}: nationality "${nationalityText}" is not an ISO 3166 alpha-2 country code (id ${id})`);
  }
  const birth = birthDate(row.birth_date?.trim() ?? '', line);
  return { id, subject: { name, schema, ...(birth === undefined ? {} : { birthDate: birth }), ...(nationality === undefined ? {} : { nationality }) } };
}

export interface BatchSummary {
  rows: number;
  hits: number;
  subjectsWithHits: number;
  millis: number;
}

export async function screenFile(
  matcher: ListMatcher,
  policy: ScreeningThresholds,
  input: string,
  output: string,
  onProgress?: (rows: number, bytesRead: number) => void,
): Promise<BatchSummary> {
  const started = performance.now();
  const temp = `${output}.partial`;
  const source = createReadStream(input);
  const parser = source.pipe(parse({ columns: true, bom: true, skip_empty_lines: true, trim: false }));
  const out = stringify({ header: true, columns: ['id', 'list', 'entry_id', 'entry_name', 'score', 'reasons'] });
  const file = createWriteStream(temp);
  out.pipe(file);
  let rows = 0;
  let hits = 0;
  let subjectsWithHits = 0;
  try {
    let checkedHeader = false;
    for await (const row of parser as AsyncIterable<Record<string, string>>) {
      if (!checkedHeader) {
        const missing = COLUMNS.filter((column) => !(column in row));
        if (missing.length > 0) throw new BatchInputError(`${input}: the header has no ${missing.join(', ')} column(s); expected ${COLUMNS.join(',')}`);
        checkedHeader = true;
      }
      rows += 1;
      const { id, subject } = subjectFromRow(row, rows + 1);
      const found = matcher.search(subject, policy);
      if (found.length > 0) subjectsWithHits += 1;
      for (const hit of found) {
        hits += 1;
        if (!out.write([id, hit.source, hit.entryKey, hit.entryName, hit.score.toFixed(4), explain(hit)])) await once(out, 'drain');
      }
      if (onProgress !== undefined && rows % 1000 === 0) onProgress(rows, source.bytesRead);
    }
    if (!checkedHeader) throw new BatchInputError(`${input}: no rows; expected a header ${COLUMNS.join(',')} and one row per customer`);
    out.end();
    await once(file, 'close');
    await rename(temp, output);
  } catch (error) {
    out.destroy();
    file.destroy();
    source.destroy();
    await rm(temp, { force: true });
    if ((error as { code?: string }).code?.startsWith('CSV_') === true) {
      throw new BatchInputError(`${input}: not a valid CSV file (${(error as Error).message})`);
    }
    throw error;
  }
  return { rows, hits, subjectsWithHits, millis: performance.now() - started };
}
