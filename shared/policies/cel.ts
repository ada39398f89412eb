// CEL conditions in policies: parsed when a version is proposed (a bad expression is refused then,
// not when a request arrives), evaluated with the request as plain data.

import { parse } from '@marcbachmann/cel-js';

export function checkCel(expression: string): string | null {
  try {
    parse(expression);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Numbers become CEL ints where they are whole, so `payload.count >= 2` compares as expected. */
function toCel(value: unknown): unknown {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map(toCel);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toCel(v)]));
  }
  return value;
}

export function evaluateCondition(expression: string, variables: Record<string, unknown>): boolean {
  const result = parse(expression)(toCel(variables) as Record<string, unknown>);
  if (typeof result !== 'boolean') throw new Error(`the condition "${expression}" gave ${typeof result}, not a boolean`);
  return result;
}
