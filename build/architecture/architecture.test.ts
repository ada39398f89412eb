// The shape of the code, checked on every build: no import cycles anywhere (type-only imports
// count), and no source file over 400 lines, so that each file keeps to one job.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cycles, importGraph, sourceFiles } from './imports.mjs';

const root = path.resolve(import.meta.dirname, '..', '..');
const MAX_LINES = 400;

describe('architecture', () => {
  it('has no import cycle in server/, main/, renderer/, shared/ or preload/', () => {
    const graph = importGraph(root);
    expect(graph.size).toBeGreaterThan(100);
    expect(cycles(graph).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('finds a cycle when there is one (the check can fail)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it(`keeps every source file within ${MAX_LINES} lines`, () => {
    const over = sourceFiles(root)
      .map((file) => ({ file, lines: fs.readFileSync(path.join(root, file), 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(over, 'split these files by job').toEqual([]);
  });
});
