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

const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

/**
 * The variables an expression reads at its top level (besides those its macros bind) and the fields
 * of `payload` it reads, from the parsed tree: a condition that names a field its request does not
 * have would only fail when a request arrives, so it is refused when the version is proposed.
 */
export function celReferences(expression: string): { variables: string[]; payloadFields: string[] } {
  const variables = new Set<string>();
  const fields = new Set<string>();
  const bound = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as { op?: string; args?: unknown };
    if (n.op === 'id' && typeof n.args === 'string') {
      if (!bound.has(n.args)) variables.add(n.args);
      return;
    }
    if (n.op === '.' && Array.isArray(n.args)) {
      const [target, field] = n.args as [{ op?: string; args?: unknown }, unknown];
      if (target?.op === 'id' && target.args === 'payload' && typeof field === 'string') fields.add(field);
    }
    if ((n.op === 'call' || n.op === 'rcall') && Array.isArray(n.args)) {
      const name = n.args.find((a) => typeof a === 'string');
      const list = n.args.find((a) => Array.isArray(a)) as Array<{ op?: string; args?: unknown }> | undefined;
      if (typeof name === 'string' && MACROS.has(name) && list?.[0]?.op === 'id' && typeof list[0].args === 'string') bound.add(list[0].args);
    }
    walk(n.args);
  };
  walk((parse(expression) as unknown as { ast: unknown }).ast);
  return { variables: [...variables].sort(), payloadFields: [...fields].sort() };
}
