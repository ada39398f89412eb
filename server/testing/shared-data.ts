// Tests that read the real lists and labelled sets in ../shared/data: the
// folder sits beside the repository and is never copied into it. Where it is
// absent those tests are skipped, and say why.

import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const SHARED_DATA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data');

export const sharedDataPresent = existsSync(join(SHARED_DATA, 'README.md'));

export const SHARED_DATA_MISSING = `skipped: ${SHARED_DATA} is absent (the real lists live beside the repository, not in it)`;

export function dataFile(...parts: string[]): string {
  return join(SHARED_DATA, ...parts);
}
