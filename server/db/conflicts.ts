// PostgreSQL refusing a transaction only because another ran at the same moment: a deadlock
// (40P01) or a serialization failure (40001). Nothing of it was written; run again, it succeeds.
// (SQLite has one writer at a time and never answers so.)

const TRANSIENT = new Set(['40P01', '40001']);

export function isTransientConflict(error: unknown): boolean {
  return typeof error === 'object' && error !== null && TRANSIENT.has(String((error as { code?: unknown }).code));
}
